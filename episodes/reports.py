"""The patient's trend report: their flare-ups fed to the pure trend module, in their own
time zone, cached until their data changes.

The report is computed once per change of the patient's data (and once per local day, since
"the last 6 months" moves with the date), not once per request.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.core.cache import cache
from django.utils import timezone

from .models import Episode
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
    version: tuple[int, str]
    rows: dict[int, TrendInput]


# Kept in this process, not in Django's cache: thousands of rows would be pickled on every
# write there. Each worker keeps its own and catches up by reading only what changed. It is
# only ever used for the exact data version the database reports now, so it cannot serve
# another server's stale rows: a different version means reading what changed.
_INPUTS: OrderedDict[str, _CachedInputs] = OrderedDict()
_INPUTS_KEPT = 200
# Every save restamps `updated_at` with the database's clock (episodes.signals), so catching
# up is reading what was stamped after the newest row this process saw, less a margin for a
# write that was still being committed when it looked (writes last milliseconds); the count
# check below rereads everything when rows were deleted.
UNCOMMITTED_MARGIN = timedelta(minutes=1)


def _newest(version: tuple[int, str]) -> datetime | None:
    stamp = version[1].partition("#")[0]
    return datetime.fromisoformat(stamp) if stamp else None


def current_inputs(patient, version: tuple[int, str]) -> list[TrendInput]:
    """All the patient's flare-ups as trend inputs, reading from the database only what
    changed since the last call: after a log, a few rows rather than the whole history."""
    count = version[0]
    key = f"{patient.pk}:{patient.timezone}"
    cached = _INPUTS.get(key)
    if cached is not None and cached.version == version:
        return list(cached.rows.values())
    mine = Episode.objects.for_patient(patient)
    rows = None
    seen = _newest(cached.version) if cached is not None else None
    if seen is not None:
        changed = _read_inputs(mine.filter(updated_at__gt=seen - UNCOMMITTED_MARGIN), patient.zone)
        rows = {**cached.rows, **changed}
        if len(rows) != count:  # something was deleted: start again
            rows = None
    if rows is None:
        rows = _read_inputs(mine, patient.zone)
    _INPUTS[key] = _CachedInputs(version, rows)
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
