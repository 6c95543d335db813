"""Feeds a patient's flare-ups to the pure trend module, in the patient's own time zone.

The report is computed once per change of the patient's data (and once per local day, since
"the last 6 months" moves with the date), not once per request.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Avg, Count, Max, Min
from django.db.models.functions import TruncMonth, TruncQuarter, TruncWeek
from django.utils import timezone

from . import charts
from .models import REMEDY_SHORT_LABELS, Episode, Remedy, RemedyCode
from .templatetags.episode_tags import duration_so_far, where
from .trends import TrendReport, analyze


class TrendInput(NamedTuple):
    started_at: datetime  # wall-clock time in the patient's zone
    intensity: int
    side: str
    spread: str
    leg: str


def local_today(patient) -> date:
    return timezone.localtime(timezone.now(), patient.zone).date()


def _read_inputs(queryset, zone) -> dict[int, TrendInput]:
    return {
        pk: TrendInput(timezone.localtime(started_at, zone), intensity, side, spread, leg)
        for pk, started_at, intensity, side, spread, leg in queryset.values_list(
            "id", "started_at", "intensity", "side", "spread", "leg"
        )
    }


def trend_inputs(patient, *, until: datetime | None = None) -> list[TrendInput]:
    queryset = Episode.objects.for_patient(patient)
    if until is not None:
        queryset = queryset.filter(started_at__lte=until)
    return list(_read_inputs(queryset, patient.zone).values())


@dataclass(frozen=True)
class _CachedInputs:
    count: int
    latest: str
    rows: dict[int, TrendInput]


# Kept in this process, not in Django's cache: thousands of rows would be pickled on every
# write there. Each worker keeps its own and catches up by reading only what changed.
_INPUTS: OrderedDict[str, _CachedInputs] = OrderedDict()
_INPUTS_KEPT = 200


def current_inputs(patient, version: tuple[int, str]) -> list[TrendInput]:
    """All the patient's flare-ups as trend inputs, reading from the database only what
    changed since the last call: after a log, one row rather than the whole history."""
    count, latest = version
    key = f"{patient.pk}:{patient.timezone}"
    cached = _INPUTS.get(key)
    if cached is not None and (cached.count, cached.latest) == (count, latest):
        return list(cached.rows.values())
    mine = Episode.objects.for_patient(patient)
    rows = None
    if cached is not None and cached.latest and latest >= cached.latest:
        changed = _read_inputs(
            mine.filter(updated_at__gt=datetime.fromisoformat(cached.latest)), patient.zone
        )
        rows = {**cached.rows, **changed}
        if len(rows) != count:  # something was deleted: start again
            rows = None
    if rows is None:
        rows = _read_inputs(mine, patient.zone)
    _INPUTS[key] = _CachedInputs(count, latest, rows)
    _INPUTS.move_to_end(key)
    while len(_INPUTS) > _INPUTS_KEPT:
        _INPUTS.popitem(last=False)
    return list(rows.values())


def trend_report(patient) -> TrendReport:
    """The patient's trend report as of their local today, cached until their data changes."""
    today = local_today(patient)
    version = Episode.objects.for_patient(patient).version()
    key = f"trends:{patient.pk}:{patient.timezone}:{today.isoformat()}:{version[0]}:{version[1]}"
    report = cache.get(key)
    if report is None:
        report = analyze(current_inputs(patient, version), today)
        cache.set(key, report, timeout=24 * 3600)
    return report


def trend_report_as_of(episode: Episode) -> TrendReport:
    """The report as it stood on the day this flare-up started (its history up to its start).

    For a flare-up logged as it happens that is the current report, which the cache serves.
    """
    patient = episode.patient
    started_on = timezone.localtime(episode.started_at, patient.zone).date()
    is_latest = (
        not Episode.objects.for_patient(patient).filter(started_at__gt=episode.started_at).exists()
    )
    if is_latest and started_on == local_today(patient):
        return trend_report(patient)
    return analyze(trend_inputs(patient, until=episode.started_at), started_on)


class TrendRow(NamedTuple):
    name: str  # "frequency", "intensity" or "spread"
    question: str
    verdict: str
    trend: object


TREND_QUESTIONS = {
    "frequency": "Coming more often?",
    "intensity": "Hurting more?",
    "spread": "Covering a wider area?",
}
VERDICTS = {
    "frequency": {"rising": "Yes, more often", "falling": "No, less often"},
    "intensity": {"rising": "Yes, more painful", "falling": "No, less painful"},
    "spread": {"rising": "Yes, spreading wider", "falling": "No, less widespread"},
}
COMMON_VERDICTS = {"steady": "No clear change", "insufficient": "Not enough flare-ups yet to tell"}


def trend_rows(report: TrendReport) -> list[TrendRow]:
    """The three verdicts as a person would ask them, for pages and text alternatives."""
    rows = []
    for name, question in TREND_QUESTIONS.items():
        trend = getattr(report, name)
        direction = str(trend.direction)
        verdict = VERDICTS[name].get(direction) or COMMON_VERDICTS[direction]
        rows.append(TrendRow(name, question, verdict, trend))
    return rows


# --- Plain data for the Trends charts, aggregated in the database ----------------------------

RANGES = {
    "3m": ("Last 3 months", 91),
    "6m": ("Last 6 months", 182),
    "1y": ("Last year", 365),
    "all": ("All", None),
}
DEFAULT_RANGE = "1y"
# Above this many flare-ups in view, points are grouped by week or month: the eye cannot
# tell 3,650 dots apart, and the figure must stay small.
MAX_POINTS = 240


def range_start(range_key: str, today: date) -> date | None:
    days = RANGES[range_key][1]
    return None if days is None else today - timedelta(days=days - 1)


def local_midnight(day: date, zone) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def episodes_since(patient, since: date | None):
    queryset = Episode.objects.for_patient(patient)
    if since is not None:
        queryset = queryset.filter(started_at__gte=local_midnight(since, patient.zone))
    return queryset


def _hover(episode: Episode, zone) -> str:
    started = timezone.localtime(episode.started_at, zone)
    lines = [
        started.strftime("%a %d %b %Y, %H:%M"),
        # An ongoing flare-up's "so far" would go stale in the cached figure.
        f"Worst pain {episode.intensity}/10, "
        + (duration_so_far(episode) if episode.ended_at else "still going on"),
        charts.escape(where(episode)),
    ]
    remedies = episode.remedies_in_order
    if remedies:
        tried = "; ".join(
            f"{r.get_code_display()} ({r.get_helped_display().lower()})" for r in remedies
        )
        lines.append(charts.escape(f"Tried: {tried}"))
    return "<br>".join(lines)


def intensity_points(patient, since: date | None) -> list[charts.IntensityPoint]:
    """Every flare-up in view, or (past MAX_POINTS) one point per week or month."""
    queryset = episodes_since(patient, since)
    extent = queryset.aggregate(count=Count("id"), first=Min("started_at"))
    zone = patient.zone
    if extent["count"] <= MAX_POINTS:
        return [
            charts.IntensityPoint(
                when=timezone.localtime(e.started_at, zone).replace(tzinfo=None),
                intensity=e.intensity,
                hover=_hover(e, zone),
            )
            for e in queryset.with_remedies().order_by("started_at")
        ]
    span_days = (timezone.now() - extent["first"]).days
    trunc, unit = (TruncWeek, "Week of") if span_days / 7 <= MAX_POINTS else (TruncMonth, "")
    buckets = (
        queryset.annotate(bucket=trunc("started_at", tzinfo=zone))
        .values("bucket")
        .annotate(n=Count("id"), mean=Avg("intensity"), low=Min("intensity"), high=Max("intensity"))
        .order_by("bucket")
    )
    points = []
    for row in buckets:
        day = (
            timezone.localtime(row["bucket"], zone).date()
            if isinstance(row["bucket"], datetime)
            else row["bucket"]
        )
        period = f"{unit} {day:%d %b %Y}" if unit else f"{day:%B %Y}"
        points.append(
            charts.IntensityPoint(
                when=day,
                intensity=round(row["mean"], 1),
                count=row["n"],
                low=row["low"],
                high=row["high"],
                hover=(
                    f"{period}: {row['n']} flare-up{'s' if row['n'] != 1 else ''}<br>"
                    f"Worst pain {row['low']} to {row['high']}/10, average {row['mean']:.1f}"
                ),
            )
        )
    return points


def spasm_points(patient, since: date | None, limit: int = 60) -> list[charts.IntensityPoint]:
    zone = patient.zone
    rows = (
        episodes_since(patient, since)
        .filter(spasm=True)
        .order_by("-started_at")
        .values_list("started_at", "intensity")[:limit]
    )
    return [
        charts.IntensityPoint(
            when=timezone.localtime(started_at, zone).replace(tzinfo=None),
            intensity=intensity,
            hover=f"{timezone.localtime(started_at, zone):%d %b %Y}: muscle spasm, {intensity}/10",
        )
        for started_at, intensity in rows
    ]


def month_bars(patient, since: date | None, today: date) -> list[charts.MonthBar]:
    zone = patient.zone
    counts = {
        timezone.localtime(row["month"], zone).date()
        if isinstance(row["month"], datetime)
        else row["month"]: row["n"]
        for row in episodes_since(patient, since)
        .annotate(month=TruncMonth("started_at", tzinfo=zone))
        .values("month")
        .annotate(n=Count("id"))
    }
    if not counts:
        return []
    # From the first month with a flare-up: months before anyone logged say nothing.
    month = max(since, min(counts)) if since else min(counts)
    month = month.replace(day=1)
    bars = []
    while month <= today:
        bars.append(charts.MonthBar(month=month, count=counts.get(month, 0)))
        month = (month + timedelta(days=32)).replace(day=1)
    return bars


def quarter_extents(patient, since: date | None) -> list[charts.QuarterExtent]:
    zone = patient.zone
    rows = (
        episodes_since(patient, since)
        .annotate(quarter=TruncQuarter("started_at", tzinfo=zone))
        .values("quarter", "side", "spread", "leg")
        .annotate(n=Count("id"))
        .order_by("quarter")
    )
    quarters: dict[date, dict] = {}
    for row in rows:
        quarter = row["quarter"]
        if isinstance(quarter, datetime):
            quarter = timezone.localtime(quarter, zone).date()
        entry = quarters.setdefault(quarter, {"one": 0, "both": 0, "spread": Counter()})
        both = row["side"] == "both" or row["leg"] == "both"
        entry["both" if both else "one"] += row["n"]
        entry["spread"][row["spread"]] += row["n"]
    return [
        charts.QuarterExtent(
            quarter=quarter,
            one_side=entry["one"],
            both_sides=entry["both"],
            spread=dict(entry["spread"]),
        )
        for quarter, entry in sorted(quarters.items())
    ]


def remedy_effects(patient, since: date | None) -> list[charts.RemedyEffect]:
    episodes = episodes_since(patient, since)
    rows = (
        Remedy.objects.filter(episode__in=episodes.values("id"))
        .values("code", "helped")
        .annotate(n=Count("id"))
    )
    effects: dict[str, Counter] = {}
    for row in rows:
        effects.setdefault(row["code"], Counter())[row["helped"]] = row["n"]
    return [
        charts.RemedyEffect(
            code=code,
            label=label,
            short_label=REMEDY_SHORT_LABELS[code],
            helped=effects[code]["yes"],
            somewhat=effects[code]["somewhat"],
            not_helped=effects[code]["no"],
            unknown=effects[code]["unknown"],
        )
        for code, label in RemedyCode.choices
        if code in effects
    ]
