"""The four charts with the advice placed on them, and their text versions (the Trends page
and the clinician's summary both show them).

Everything here is computed once per change of the patient's data (and per day, range and
time zone) and then served from the cache, so the page costs a few queries however long
the history is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from episodes import chart_data, charts
from episodes.models import Episode
from episodes.reports import local_today, trend_report, trend_rows

from .models import Prompt
from .rules import RULES_BY_CODE, SEEK_CARE_LEVELS, Level

MAX_MARKERS = 60


@dataclass
class Chart:
    key: str
    title: str
    figure: dict | None  # None: nothing to draw, `empty` says why in words
    summary: str
    headers: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    empty: str = ""
    notes: list[charts.Note] = field(default_factory=list)

    @property
    def script_id(self) -> str:
        return f"figure-{self.key}"


def seek_care_markers(patient, since: date | None) -> list[charts.Marker]:
    """Flare-ups whose advice reached urgent or emergency, with what the patient was told."""
    zone = patient.zone
    prompts = (
        Prompt.objects.filter(
            episode__in=chart_data.episodes_since(patient, since).values("id"),
            level__in=SEEK_CARE_LEVELS,
        )
        .order_by("-episode__started_at", "rank")
        .values("episode_id", "episode__started_at", "episode__intensity", "level", "title")
    )
    by_episode: dict[int, charts.Marker] = {}
    for row in prompts:
        if row["episode_id"] in by_episode:
            continue
        if len(by_episode) == MAX_MARKERS:
            break
        started = timezone.localtime(row["episode__started_at"], zone)
        level = Level(row["level"]).label
        by_episode[row["episode_id"]] = charts.Marker(
            when=started.replace(tzinfo=None),
            intensity=row["episode__intensity"],
            label=f"{started:%d %b %Y}: {level}, {row['title'].lower()}",
            level=row["level"],
        )
    return sorted(by_episode.values(), key=lambda marker: marker.when)


def clip_line(fit_line, since: date | None):
    """The trend line drawn only over the range on screen."""
    if fit_line is None or since is None:
        return fit_line
    (x0, y0), (x1, y1) = fit_line
    if x1 <= since:
        return None
    if x0 >= since:
        return fit_line
    share = (since - x0).days / max((x1 - x0).days, 1)
    return (since, y0 + share * (y1 - y0)), (x1, y1)


def verdict_note(row) -> charts.Note:
    return charts.Note(row.trend.summary)


def verdict_text(row) -> str:
    """The verdict and its sentence, each said once: "Not enough flare-ups yet to tell" is
    already what the sentence says, so an insufficient verdict is its sentence alone."""
    if str(row.trend.direction) == "insufficient":
        return row.trend.summary
    return f"{row.verdict}: {row.trend.summary}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def build(patient, since: date | None, today: date) -> list[Chart]:
    report = trend_report(patient)
    rows = {row.name: row for row in trend_rows(report)}
    stretches = reverse("guidance") + "#stretches"

    points = chart_data.intensity_points(patient, since)
    markers = seek_care_markers(patient, since)
    spasms = chart_data.spasm_points(patient, since)
    fit_line = clip_line(report.intensity.fit_line, since)
    intensity = charts.intensity_figure(
        points,
        fit_line=fit_line,
        verdict=verdict_note(rows["intensity"]),
        markers=markers,
        spasm_points=spasms,
    )
    in_view = sum(point.count for point in points)
    worst = [point.high if point.high is not None else point.intensity for point in points]
    intensity_summary = (
        f"{_plural(in_view, 'flare-up')} in view"
        + (f", worst pain up to {max(worst):g}/10" if worst else "")
        + f". {verdict_text(rows['intensity'])}"
        + (
            f" Told to seek care: {_plural(len(markers), 'flare-up')}, most recently "
            f"{markers[-1].label}."
            if markers
            else ""
        )
    )
    intensity_notes = []
    if fit_line is not None:
        intensity_notes.append(
            charts.Note(f"Trend line (dashed): {rows['intensity'].verdict.lower()}.")
        )
    if spasms:
        intensity_notes.append(
            charts.Note(
                f"Muscle spasm in {_plural(len(spasms), 'flare-up')} (diamonds): stretch "
                "gently, never into pain.",
                url=stretches,
                link_text="How to stretch",
            )
        )

    months = chart_data.month_bars(patient, since, today)
    window = report.frequency.recent_window
    frequency_notes = []
    if window is not None:
        compared = charts.recent_half_label(window, None).removeprefix("Shaded: ")
        if since is not None and window[0] < since:
            # The recent half begins before this view: a band over all of it compares
            # nothing on screen, so it is said in words instead.
            frequency_notes.append(
                charts.Note(
                    f"The verdict compares {compared}; all of this view is in the recent "
                    "half. Choose All to see both halves."
                )
            )
            window = None
        else:
            frequency_notes.append(charts.Note(f"The shaded months are {compared}."))
    monthly = charts.monthly_figure(
        months, recent_window=window, verdict=verdict_note(rows["frequency"])
    )

    quarters = chart_data.quarter_extents(patient, since)
    extent = charts.extent_figure(quarters, verdict=verdict_note(rows["spread"]))

    effects = chart_data.remedy_effects(patient, since)
    bed_rest = RULES_BY_CODE["bed_rest"]
    notes = {
        "bed_rest": charts.Note(
            f"{bed_rest.title}", url=reverse("guidance") + "#keep-moving", link_text="Why"
        ),
        "stretching": charts.Note("Never into pain", url=stretches, link_text="Stretches"),
    }
    remedies = charts.remedies_figure(effects)
    remedy_notes = [
        notes[code] for code in ("bed_rest", "stretching") if code in {e.code for e in effects}
    ]

    return [
        Chart(
            key="intensity",
            title="Worst pain of each flare-up",
            figure=intensity,
            summary=intensity_summary,
            headers=["Date", "Told"],
            rows=[[marker.when.strftime("%d %b %Y"), marker.label] for marker in markers],
            empty="No flare-ups in this period yet: each one you log appears here as a point.",
            notes=intensity_notes,
        ),
        Chart(
            key="frequency",
            title="Flare-ups per month",
            figure=monthly,
            summary=verdict_text(rows["frequency"]),
            headers=["Month", "Flare-ups"],
            rows=[[bar.month.strftime("%B %Y"), bar.count] for bar in months],
            empty="No flare-ups in this period yet, so there is nothing to count per month.",
            notes=frequency_notes,
        ),
        Chart(
            key="spread",
            title="Where it hurts, per quarter",
            figure=extent,
            summary=verdict_text(rows["spread"]),
            empty=(
                "All the flare-ups in this period fall in one quarter "
                f"({quarter_name(quarters[0].quarter)}), so there is no change between "
                "quarters to show yet: the table has the numbers."
                if len(quarters) == 1
                else "No flare-ups in this period yet, so there is nothing to show per quarter."
            ),
            headers=[
                "Quarter",
                "One side",
                "Both sides",
                *[label for _, label in charts.SPREAD_ORDER],
            ],
            rows=[
                [
                    quarter_name(q.quarter),
                    q.one_side,
                    q.both_sides,
                    *[q.spread.get(code, 0) for code, _ in charts.SPREAD_ORDER],
                ]
                for q in quarters
            ],
        ),
        Chart(
            key="remedies",
            title="What you tried, and whether it helped",
            figure=remedies,
            summary=(
                "How often each thing you tried helped. "
                f"{bed_rest.title}: muscles need movement. Stretch gently, never into pain."
            ),
            headers=["Tried", "Helped", "Somewhat", "Did not help", "Not sure"],
            rows=[[e.label, e.helped, e.somewhat, e.not_helped, e.unknown] for e in effects],
            empty=(
                "Nothing tried logged yet: when you log what you tried for a flare-up "
                "(a walk, stretching, heat, a pain reliever), this chart shows what helped."
            ),
            notes=remedy_notes,
        ),
    ]


def quarter_name(day: date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def charts_since(patient, since: date | None) -> list[Chart]:
    """The charts from `since` (None: everything) to today, cached until the data changes."""
    today = local_today(patient)
    count, latest = Episode.objects.for_patient(patient).version()
    key = (
        f"trends-page:{patient.pk}:{patient.timezone}:{today.isoformat()}:{count}:{latest}:"
        f"{since.isoformat() if since else 'all'}"
    )
    payload = cache.get(key)
    if payload is None:
        payload = build(patient, since, today)
        cache.set(key, payload, timeout=24 * 3600)
    return payload


def trends_charts(patient, range_key: str) -> list[Chart]:
    return charts_since(patient, chart_data.range_start(range_key, local_today(patient)))
