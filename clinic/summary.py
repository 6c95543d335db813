"""What a clinician reads before a visit: a period of a patient's flare-ups in clinical terms,
and what changed since that clinician's last look.

The period's figures are plain data, computed with a fixed number of aggregate queries and
cached until the patient's data changes (and per local day). Nothing cached depends on when
the clinician last looked: that part (`changes_since`) is a few small, bounded queries.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import Avg, Count, Max, Min, Q
from django.utils import timezone

from advice.chart_advice import clip_line, seek_care_markers
from advice.models import Prompt
from advice.rules import LEVEL_ORDER, SEEK_CARE_LEVELS, Level
from episodes import chart_data, chart_svg
from episodes.course import Course
from episodes.course_report import course_of
from episodes.models import RED_FLAG_FIELDS, Episode, Helped, Remedy, RemedyCode
from episodes.reports import TREND_QUESTIONS
from episodes.trends import TrendReport

NSAID_WINDOW_DAYS = 30
# Worst pain of the latest flare-ups, listed one by one (beyond this, the figures say enough).
INTENSITIES_LISTED = 30
NOTES_LISTED = 8
CHANGES_LISTED = 10

PERIODS = {
    "3m": ("Last 3 months", 91),
    "6m": ("Last 6 months", 182),
    "12m": ("Last 12 months", 365),
    "all": ("All flare-ups", None),
}
DEFAULT_PERIOD = "6m"


@dataclass(frozen=True)
class Period:
    key: str  # one of PERIODS, or "custom"
    label: str
    start: date | None  # None: from the first flare-up
    end: date

    @classmethod
    def named(cls, key: str, today: date) -> Period:
        label, days = PERIODS[key]
        return cls(key, label, None if days is None else today - timedelta(days=days), today)


@dataclass(frozen=True)
class RemedyRow:
    code: str
    label: str
    tried: int
    helped: int
    somewhat: int
    not_helped: int
    unknown: int


@dataclass(frozen=True)
class AdviceShown:
    """One piece of advice as the patient saw it: when, how urgent, which rule, its source."""

    shown_at: datetime
    level: str
    title: str
    source: str

    @property
    def level_label(self) -> str:
        return Level(self.level).label


@dataclass(frozen=True)
class RedFlagRow:
    episode_id: int
    started_at: datetime
    flags: list[str]
    advice: list[AdviceShown]


@dataclass(frozen=True)
class AdviceRow:
    """A rule's advice over the period: how often it was shown, first and last time."""

    level: str
    title: str
    source: str
    times: int
    first: datetime
    last: datetime

    @property
    def level_label(self) -> str:
        return Level(self.level).label


@dataclass(frozen=True)
class NoteRow:
    started_at: datetime
    text: str


@dataclass(frozen=True)
class TrendLine:
    name: str
    question: str
    direction: str
    sentence: str


@dataclass(frozen=True)
class SummaryChart:
    key: str
    title: str
    svg: str  # safe markup from episodes.chart_svg
    caption: str
    headers: tuple[str, str] = ("", "")
    rows: list[tuple[str, str]] = field(default_factory=list)  # the chart's numbers as text


@dataclass(frozen=True)
class Summary:
    start: date | None
    end: date
    count: int
    intensity_mean: float | None
    intensity_max: int | None
    first_started: datetime | None
    last_started: datetime | None
    latest_intensities: list[int]  # oldest first
    red_flags: list[RedFlagRow]
    remedies: list[RemedyRow]
    advice: list[AdviceRow]
    nsaid_days: int
    notes: list[NoteRow]
    notes_count: int
    trends: list[TrendLine] = field(default_factory=list)
    charts: list[SummaryChart] = field(default_factory=list)
    course: Course | None = None  # how long flare-ups last, what the relief check found

    @property
    def shown_from(self) -> date | None:
        """The period's first day as shown: its start, or the first flare-up's day."""
        if self.start is not None:
            return self.start
        return self.first_started.date() if self.first_started else None


def local_bounds(start: date | None, end: date, zone) -> tuple[datetime | None, datetime]:
    """The instants that begin `start` and end `end` in the patient's zone."""
    since = None if start is None else datetime.combine(start, time.min, tzinfo=zone)
    return since, datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)


def episodes_between(patient, start: date | None, end: date):
    since, until = local_bounds(start, end, patient.zone)
    queryset = Episode.objects.for_patient(patient).filter(started_at__lt=until)
    return queryset if since is None else queryset.filter(started_at__gte=since)


def remedy_rows(episodes) -> list[RemedyRow]:
    counts = (
        Remedy.objects.filter(episode__in=episodes.values("id"))
        .values("code", "helped")
        .annotate(n=Count("id"))
        .order_by()
    )
    effects: dict[str, Counter] = {}
    for row in counts:
        effects.setdefault(row["code"], Counter())[row["helped"]] = row["n"]
    return [
        RemedyRow(
            code=code,
            label=label,
            tried=sum(effects[code].values()),
            helped=effects[code][Helped.YES],
            somewhat=effects[code][Helped.SOMEWHAT],
            not_helped=effects[code][Helped.NO],
            unknown=effects[code][Helped.UNKNOWN],
        )
        for code, label in RemedyCode.choices
        if code in effects
    ]


def red_flag_rows(episodes) -> list[RedFlagRow]:
    """Every flare-up with a red flag answered yes, newest first, with the emergency and
    urgent advice it was given (every time it was shown)."""
    any_flag = Q()
    for name in RED_FLAG_FIELDS:
        any_flag |= Q(**{name: True})
    flagged = list(
        episodes.filter(any_flag)
        .order_by("-started_at", "-id")
        .values("id", "started_at", *RED_FLAG_FIELDS)
    )
    advice: dict[int, list[AdviceShown]] = {}
    prompts = (
        Prompt.objects.filter(
            episode__in=episodes.filter(any_flag).values("id"), level__in=SEEK_CARE_LEVELS
        )
        .order_by("shown_at", "rank")
        .values_list("episode_id", "shown_at", "level", "title", "source")
    )
    for episode_id, shown_at, level, title, source in prompts:
        advice.setdefault(episode_id, []).append(AdviceShown(shown_at, level, title, source))
    labels = {name: str(Episode._meta.get_field(name).verbose_name) for name in RED_FLAG_FIELDS}
    return [
        RedFlagRow(
            episode_id=row["id"],
            started_at=row["started_at"],
            flags=[labels[name] for name in RED_FLAG_FIELDS if row[name]],
            advice=advice.get(row["id"], []),
        )
        for row in flagged
    ]


def advice_rows(episodes) -> list[AdviceRow]:
    """The advice shown for the period's flare-ups, one row per rule, most urgent first."""
    rows = (
        Prompt.objects.filter(episode__in=episodes.values("id"))
        .values("level", "title", "source")
        .annotate(times=Count("id"), first=Min("shown_at"), last=Max("shown_at"))
        .order_by()
    )
    urgency = {level: index for index, level in enumerate(LEVEL_ORDER)}
    # Grouped by the wording shown: if a rule's wording changed, both versions are listed.
    found = [
        AdviceRow(
            level=row["level"],
            title=row["title"],
            source=row["source"],
            times=row["times"],
            first=row["first"],
            last=row["last"],
        )
        for row in rows
    ]
    return sorted(found, key=lambda row: (urgency[Level(row.level)], -row.times, row.title))


def nsaid_days(patient, today: date) -> int:
    """Days in the last 30 (today included) on which a flare-up treated with ibuprofen or
    another NSAID was going on. backlog records what was tried per flare-up, not doses,
    so this counts days of exposure, not tablets."""
    window_start = today - timedelta(days=NSAID_WINDOW_DAYS - 1)
    since, until = local_bounds(window_start, today, patient.zone)
    spans = (
        Episode.objects.for_patient(patient)
        .filter(remedies__code=RemedyCode.IBUPROFEN, started_at__lt=until)
        .exclude(ended_at__lt=since)
        .values_list("started_at", "ended_at")
    )
    days: set[date] = set()
    for started_at, ended_at in spans:
        first = max(timezone.localtime(started_at, patient.zone).date(), window_start)
        last = timezone.localtime(ended_at, patient.zone).date() if ended_at else today
        last = min(last, today)
        days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return len(days)


# --- The trend verdicts, for a clinician ----------------------------------------------------


def _months(days: float) -> str:
    months = round(days / 30.44)
    if months < 2:
        weeks = max(1, round(days / 7))
        return "1 week" if weeks == 1 else f"{weeks} weeks"
    return f"{months} months"


def _p(trend) -> str:
    if trend.p_value is None:
        return "no test possible"
    return "p < 0.001" if trend.p_value < 0.001 else f"p = {trend.p_value:.3f}"


def trend_sentence(name: str, trend, report: TrendReport) -> str:
    """The verdict in clinical terms, with the numbers behind it."""
    direction = str(trend.direction)
    if direction == "insufficient":
        return (
            f"Not enough data ({report.episode_count} flare-up"
            f"{'s' if report.episode_count != 1 else ''}; at least 6 needed"
            + (", over 6 months or more)." if name == "frequency" else ").")
        )
    if name == "frequency" and trend.recent_window and trend.effect_size is not None:
        first, last = trend.recent_window
        total = report.episode_count
        earlier = round(total / (1 + trend.effect_size))
        half = _months((last - first).days + 1)
        return (
            f"{direction.capitalize()}: {total - earlier} flare-ups in the last {half} against "
            f"{earlier} in the {half} before (rate ratio {trend.effect_size:.1f}; Laplace test, "
            f"{_p(trend)})."
        )
    if name == "intensity" and trend.fit_line:
        (day0, level0), (day1, level1) = trend.fit_line
        return (
            f"{direction.capitalize()}: worst pain from about {level0:.1f}/10 to {level1:.1f}/10 "
            f"over {_months((day1 - day0).days)} ({report.episode_count} flare-ups; Theil-Sen "
            f"line, Kendall {_p(trend)})."
        )
    if name == "spread" and trend.effect_size is not None:
        return (
            f"{direction.capitalize()}: the later half of the flare-ups reached "
            f"{trend.effect_size:+.1f} steps on the 0-5 extent scale (one side to both sides, "
            f"back to foot) against the earlier half (Kendall {_p(trend)})."
        )
    return f"{direction.capitalize()}."


def trend_lines(report: TrendReport) -> list[TrendLine]:
    return [
        TrendLine(
            name=name,
            question=question,
            direction=str(getattr(report, name).direction),
            sentence=trend_sentence(name, getattr(report, name), report),
        )
        for name, question in TREND_QUESTIONS.items()
    ]


def verdicts_of(report: TrendReport) -> dict[str, str]:
    return {name: str(getattr(report, name).direction) for name in TREND_QUESTIONS}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _marked(point, markers) -> bool:
    return point.count == 1 and any(marker.when == point.when for marker in markers)


def period_charts(patient, period: Period, today: date, report: TrendReport) -> list[SummaryChart]:
    """Worst pain and flare-ups per month over the period, as print-size SVG, drawn from the
    same data as the patient's Trends charts."""
    since = period.start
    points = chart_data.intensity_points(patient, since)
    markers = seek_care_markers(patient, since)
    in_view = sum(point.count for point in points)
    worst = [point.high if point.high is not None else point.intensity for point in points]
    pain_caption = (
        f"{_plural(in_view, 'flare-up')} up to today"
        + (f"; worst pain up to {max(worst):g}/10" if worst else "")
        + f"; triangles: {_plural(len(markers), 'flare-up')} advised to seek care "
        "(red: emergency, orange: urgent); dashed line: trend over the whole history."
    )
    months = chart_data.month_bars(patient, since, today)
    busiest = max(months, key=lambda bar: bar.count, default=None)
    month_caption = (
        f"{_plural(sum(bar.count for bar in months), 'flare-up')} over "
        f"{_plural(len(months), 'month')}"
        + (f"; most in {busiest.month:%B %Y} ({busiest.count})." if busiest else ".")
    )
    return [
        SummaryChart(
            "intensity",
            "Worst pain of each flare-up",
            chart_svg.intensity_svg(
                points,
                markers=markers,
                fit_line=clip_line(report.intensity.fit_line, since),
                since=since,
                today=today,
                label="Worst pain of each flare-up",
                description=pain_caption,
            ),
            pain_caption,
            ("Flare-up" if not any(p.count > 1 for p in points) else "Period", "Worst pain"),
            [
                (
                    f"{point.when:%-d %b %Y}",
                    f"{point.intensity:g}/10"
                    + (
                        f" (average of {point.count}, {point.low} to {point.high})"
                        if point.count > 1
                        else ""
                    )
                    + (" - advised to seek care" if _marked(point, markers) else ""),
                )
                for point in points
            ],
        ),
        SummaryChart(
            "frequency",
            "Flare-ups per month",
            chart_svg.monthly_svg(months, label="Flare-ups per month", description=month_caption),
            month_caption,
            ("Month", "Flare-ups"),
            [(f"{bar.month:%B %Y}", str(bar.count)) for bar in months],
        ),
    ]


# --- The period, cached ---------------------------------------------------------------------


def compute_summary(patient, period: Period, today: date, report: TrendReport) -> Summary:
    episodes = episodes_between(patient, period.start, period.end)
    figures = episodes.aggregate(
        count=Count("id"),
        mean=Avg("intensity"),
        high=Max("intensity"),
        first=Min("started_at"),
        last=Max("started_at"),
        notes=Count("id", filter=~Q(notes="")),
    )
    latest = list(
        episodes.order_by("-started_at", "-id").values_list("intensity", flat=True)[
            :INTENSITIES_LISTED
        ]
    )
    notes = [
        NoteRow(started_at, text)
        for started_at, text in episodes.exclude(notes="")
        .order_by("-started_at", "-id")
        .values_list("started_at", "notes")[:NOTES_LISTED]
    ]
    return Summary(
        start=period.start,
        end=period.end,
        count=figures["count"],
        intensity_mean=round(figures["mean"], 1) if figures["mean"] is not None else None,
        intensity_max=figures["high"],
        first_started=figures["first"] and timezone.localtime(figures["first"], patient.zone),
        last_started=figures["last"] and timezone.localtime(figures["last"], patient.zone),
        latest_intensities=latest[::-1],
        red_flags=red_flag_rows(episodes),
        remedies=remedy_rows(episodes),
        advice=advice_rows(episodes),
        nsaid_days=nsaid_days(patient, today),
        notes=notes,
        notes_count=figures["notes"],
        trends=trend_lines(report),
        charts=period_charts(patient, period, today, report),
        course=course_of(episodes, patient.zone),
    )


def build_summary(
    patient, period: Period, today: date, report: TrendReport, version: tuple[int, str]
) -> Summary:
    """The period's summary, cached until the patient's data changes (and per local day)."""
    key = (
        f"clinic-summary:{patient.pk}:{patient.timezone}:{today.isoformat()}:{version[0]}:"
        f"{version[1]}:{period.start}:{period.end}"
    )
    summary = cache.get(key)
    if summary is None:
        summary = compute_summary(patient, period, today, report)
        cache.set(key, summary, timeout=24 * 3600)
    return summary


# --- Since the clinician's last look (never cached: it depends on the look) -----------------


@dataclass(frozen=True)
class VerdictChange:
    question: str
    before: str
    now: str


@dataclass(frozen=True)
class Changes:
    last_look: datetime | None
    new_count: int
    new_flare_ups: list[Episode]
    new_seek_care: list[Prompt]
    verdicts: list[VerdictChange]

    @property
    def anything(self) -> bool:
        return bool(self.new_count or self.new_seek_care or self.verdicts)


VERDICT_WORDS = {
    "rising": "rising",
    "steady": "no clear change",
    "falling": "falling",
    "insufficient": "not enough data",
}


def changes_since(patient, last_look: datetime, seen: dict, report: TrendReport) -> Changes:
    """Flare-ups logged, emergency/urgent advice shown and verdicts changed since a look."""
    logged = Episode.objects.for_patient(patient).filter(created_at__gt=last_look)
    new_flare_ups = list(logged.order_by("-started_at", "-id")[:CHANGES_LISTED])
    new_count = logged.count()
    new_seek_care = list(
        Prompt.objects.filter(
            episode__patient=patient, level__in=SEEK_CARE_LEVELS, shown_at__gt=last_look
        )
        .select_related("episode")
        .order_by("-shown_at", "rank")[:CHANGES_LISTED]
    )
    now = verdicts_of(report)
    verdicts = [
        VerdictChange(question, VERDICT_WORDS.get(seen[name], seen[name]), VERDICT_WORDS[now[name]])
        for name, question in TREND_QUESTIONS.items()
        if name in seen and seen[name] != now[name]
    ]
    return Changes(last_look, new_count, new_flare_ups, new_seek_care, verdicts)
