"""The four charts with the advice placed on them, and their text versions (the Trends page
and the clinician's summary both show them).

Everything here is computed once per change of the patient's data (and per day, range and
time zone) and then served from the cache, so the page costs a few queries however long
the history is.
"""

from __future__ import annotations

import json
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
    figure: dict
    summary: str
    headers: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)

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
        line_label=rows["intensity"].verdict,
        markers=markers,
        spasm_points=spasms,
        spasm_note=charts.Note("Spasm: stretch gently", url=stretches, link_text="How"),
    )
    in_view = sum(point.count for point in points)
    worst = [point.high if point.high is not None else point.intensity for point in points]
    intensity_summary = (
        f"{in_view} flare-up{'s' if in_view != 1 else ''} in view"
        + (f", worst pain up to {max(worst):g}/10" if worst else "")
        + f". {rows['intensity'].verdict}: {rows['intensity'].trend.summary}"
        + (f" Told to seek care: {len(markers)} flare-up(s)." if markers else "")
    )

    months = chart_data.month_bars(patient, since, today)
    window = report.frequency.recent_window
    if window is not None and since is not None:
        # Shade only what is on screen: the compared half may begin before the range.
        window = None if window[1] < since else (max(window[0], since), window[1])
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
    remedies = charts.remedies_figure(effects, notes=notes)

    return [
        Chart(
            key="intensity",
            title="Worst pain of each flare-up",
            figure=as_dict(intensity),
            summary=intensity_summary,
            headers=["Date", "Told"],
            rows=[[marker.when.strftime("%d %b %Y"), marker.label] for marker in markers],
        ),
        Chart(
            key="frequency",
            title="Flare-ups per month",
            figure=as_dict(monthly),
            summary=f"{rows['frequency'].verdict}: {rows['frequency'].trend.summary}",
            headers=["Month", "Flare-ups"],
            rows=[[bar.month.strftime("%B %Y"), bar.count] for bar in months],
        ),
        Chart(
            key="spread",
            title="Where it hurts, per quarter",
            figure=as_dict(extent),
            summary=f"{rows['spread'].verdict}: {rows['spread'].trend.summary}",
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
            figure=as_dict(remedies),
            summary=(
                "How often each thing you tried helped. "
                f"{bed_rest.title}: muscles need movement. Stretch gently, never into pain."
            ),
            headers=["Tried", "Helped", "Somewhat", "Did not help", "Not sure"],
            rows=[[e.label, e.helped, e.somewhat, e.not_helped, e.unknown] for e in effects],
        ),
    ]


def quarter_name(day: date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def as_dict(fig) -> dict:
    # to_json knows plotly's compact array encoding; json_script re-encodes the result.
    return json.loads(charts.figure_json(fig))


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
