"""What the follow-ups give back, as plain numbers: how long flare-ups last (median days to
"over", by quarter) and how much the pain dropped by the relief check, per remedy.

Pure Python (no Django): it reads plain tuples, so tests need no database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from statistics import median

# Below this many answers a median says more about chance than about the patient.
MIN_ANSWERS = 5
NOT_ENOUGH = "not enough answers yet"


@dataclass(frozen=True)
class QuarterDurations:
    quarter: str  # "2026 Q1"
    count: int  # flare-ups that started in the quarter and are over
    median_days: float | None  # None below MIN_ANSWERS

    @property
    def text(self) -> str:
        if self.median_days is None:
            return NOT_ENOUGH
        return f"{self.median_days:.1f} days"


@dataclass(frozen=True)
class RemedyRelief:
    code: str
    label: str
    count: int  # relief checks answered for flare-ups where this was tried
    median_drop: float | None  # points below the worst pain; None below MIN_ANSWERS

    @property
    def text(self) -> str:
        if self.median_drop is None:
            return NOT_ENOUGH
        return f"{self.median_drop:g} points"


@dataclass(frozen=True)
class Course:
    durations: list[QuarterDurations]
    relief: list[RemedyRelief]

    @property
    def anything(self) -> bool:
        return bool(self.durations or self.relief)


def quarter_of(moment: datetime) -> str:
    return f"{moment.year} Q{(moment.month - 1) // 3 + 1}"


def durations_by_quarter(spans: Iterable[tuple[datetime, datetime]]) -> list[QuarterDurations]:
    """(start, end) of every flare-up that is over, in the patient's local time; quarters by
    the start, oldest first."""
    days: dict[str, list[float]] = defaultdict(list)
    for started_at, ended_at in spans:
        days[quarter_of(started_at)].append((ended_at - started_at).total_seconds() / 86400)
    return [
        QuarterDurations(
            quarter,
            len(values),
            round(median(values), 1) if len(values) >= MIN_ANSWERS else None,
        )
        for quarter, values in sorted(days.items())
    ]


def relief_by_remedy(
    answers: Iterable[tuple[Iterable[str], int, int]], labels: Mapping[str, str]
) -> list[RemedyRelief]:
    """(remedies tried, worst pain, pain at the relief check) per answered relief check;
    one row per remedy, in the order of `labels`."""
    drops: dict[str, list[int]] = defaultdict(list)
    for codes, worst, after in answers:
        for code in set(codes):
            drops[code].append(worst - after)
    return [
        RemedyRelief(
            code,
            label,
            len(drops[code]),
            median(drops[code]) if len(drops[code]) >= MIN_ANSWERS else None,
        )
        for code, label in labels.items()
        if drops.get(code)
    ]
