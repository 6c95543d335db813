"""Plain data for the Trends charts, aggregated in the database in the patient's time zone.

`episodes.charts` turns these into figures; nothing here knows about plotly.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, Max, Min
from django.db.models.functions import TruncMonth, TruncQuarter, TruncWeek
from django.utils import timezone

from . import charts
from .describe import hover_text
from .models import REMEDY_SHORT_LABELS, Episode, Remedy, RemedyCode

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
                hover=hover_text(e, zone),
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
