"""Simulated flare-up diaries, shared by the threshold calibration and the trend benchmark.

A diary begins with the flare-up that made the person start logging (time 0); later
flare-ups follow the scenario's timing until the end. backlog looks at the diary after every
flare-up from the sixth (for frequency, "today" is that flare-up's day) and once more at the
end; `episodes.trends` replays those looks to decide what is shown.

- Steady timing: Poisson, or clustered gamma gaps of shape 0.5 or 0.25 (coefficient of
  variation 1.4 and 2) at the same mean rate, 0.5 to 3 flare-ups a month (drawn per diary).
- Steady worst pain: a level drawn per diary (2 to 8) plus noise (SD 1.2 unless stated),
  rounded and clipped to 0-10. Steady spread: side, reach and leg drawn independently for
  each flare-up from category weights drawn per diary.

Diaries are built as arrays straight into the trend module's sorted history (no model
objects), so thousands of them take seconds; `tests/episodes/test_trend_replay.py` proves the
replay on arrays is the replay `analyze()` does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from episodes import trends
from episodes.trends import Direction

DAYS_PER_MONTH = 365.25 / 12
ORIGIN = date(2021, 3, 1).toordinal() + 7.5 / 24  # 07:30 on the first day
SHAPES = (("Poisson", 1.0), ("clustered, gamma 0.5", 0.5), ("clustered, gamma 0.25", 0.25))
REACH_WEIGHTS = 5
SIGNALS = ("frequency", "intensity", "spread")
ONSETS = trends.ONSETS
_LOOKS = {
    "frequency": (trends._frequency_looks, trends._frequency_look),
    "intensity": (trends._intensity_looks, trends._intensity_look),
    "spread": (trends._spread_looks, trends._spread_look),
}


# --- timing ------------------------------------------------------------------------------


def renewal_days(rng: np.random.Generator, per_month: float, months: float, shape: float):
    """Gamma-gap renewal process from a flare-up at time 0; shape 1 is Poisson."""
    length = months * DAYS_PER_MONTH
    mean_gap = DAYS_PER_MONTH / per_month
    expected = int(length / mean_gap)
    draws = max(16, 2 * expected + 10 * math.isqrt(expected + 1))
    times = np.cumsum(rng.gamma(shape, mean_gap / shape, draws))
    while times[-1] < length:
        times = np.concatenate(
            [times, times[-1] + np.cumsum(rng.gamma(shape, mean_gap / shape, draws))]
        )
    return np.concatenate([[0.0], times[times < length]])


def step_days(
    rng: np.random.Generator, before: float, after: float, months_before: float, months_after: float
):
    """Poisson at `before` a month, then at `after` a month."""
    first = months_before * DAYS_PER_MONTH
    second = months_after * DAYS_PER_MONTH
    early = rng.uniform(0, first, rng.poisson(before * months_before))
    late = rng.uniform(first, first + second, rng.poisson(after * months_after))
    return np.sort(np.concatenate([[0.0], early, late]))


# --- what each flare-up is like -----------------------------------------------------------


def steady_intensity(rng: np.random.Generator, count: int, noise: float = 1.2) -> np.ndarray:
    return np.clip(np.round(rng.uniform(2, 8) + rng.normal(0, noise, count)), 0, 10)


def steady_extent(rng: np.random.Generator, count: int) -> np.ndarray:
    """Side, reach and leg drawn independently from weights drawn per diary."""
    both_side = rng.dirichlet(np.ones(4))[2]  # left, right, both, center
    reach = rng.choice(REACH_WEIGHTS, count, p=rng.dirichlet(np.ones(REACH_WEIGHTS)))
    both_leg = rng.dirichlet(np.ones(3))[2]  # left, right, both
    both = (rng.random(count) < both_side) | ((reach > 0) & (rng.random(count) < both_leg))
    return (reach + both).astype(float)


def climbing_intensity(rng: np.random.Generator, days: np.ndarray, rise: float) -> np.ndarray:
    level = rng.uniform(3, 5) + rise * days / days[-1]
    return np.clip(np.round(level + rng.normal(0, 1.2, len(days))), 0, 10)


def spreading_extent(rng: np.random.Generator, count: int) -> np.ndarray:
    """The later half mostly both sides and down to the thigh (score 3); before, one side,
    back or buttock (score 0 or 1)."""
    early = rng.integers(0, 2, count).astype(float)
    later = (np.arange(count) >= count // 2) & (rng.random(count) < 0.8)
    return np.where(later, 3.0, early)


def even_days(rng: np.random.Generator, count: int, months: float = 12) -> np.ndarray:
    return np.sort(np.concatenate([[0.0], rng.uniform(0, months * DAYS_PER_MONTH, count - 1)]))


# --- looking ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Diary:
    history: trends._History
    today: date
    look_days: np.ndarray  # days since the start of each look (the last one is the end)


def diary(days: np.ndarray, intensity: np.ndarray, extent: np.ndarray, months: float) -> Diary:
    ordinals = ORIGIN + days
    history = trends._History(
        days=ordinals,
        intensity=intensity.astype(float),
        extent=extent.astype(float),
        months=np.zeros(len(days), dtype=np.int64),
    )
    today = trends._day(ORIGIN + months * DAYS_PER_MONTH - 1e-6)
    looks = np.concatenate([days[trends.MIN_EPISODES - 1 :], [months * DAYS_PER_MONTH]])
    return Diary(history, today, looks)


def replay(
    item: Diary, signal: str, onset: tuple[float, int, int] | None = None
) -> tuple[Direction, list[tuple[float, Direction]]]:
    """The verdict shown at the end of the diary, and when (days since the start) each shown
    rise or fall began over its looks."""
    many, one = _LOOKS[signal]
    if len(item.history) < trends.MIN_EPISODES:
        return Direction.INSUFFICIENT, []
    p_more, p_less, up, down = many(item.history)
    began: list[tuple[int, Direction]] = []
    shown, _ = trends._replay(
        p_more,
        p_less,
        up,
        down,
        ONSETS[signal] if onset is None else onset,
        one(item.history, item.today),
        began,
    )
    return shown, [(float(item.look_days[index]), direction) for index, direction in began]


def onsets(
    item: Diary, signal: str, onset: tuple[float, int, int] | None = None
) -> list[tuple[float, Direction]]:
    return replay(item, signal, onset)[1]


def lowest_rising_p(item: Diary, signal: str, shape: tuple[int, int] | None = None) -> float:
    """The smallest one-sided p-value for a rise, scaled to the onset rule's base (p times
    (n / start) ** power at n flare-ups past `start`), among the looks where the effect-size
    floor holds: a rise is ever shown exactly when this is below the base onset p-value."""
    if len(item.history) < trends.MIN_EPISODES:
        return 1.0
    start, power = ONSETS[signal][1:] if shape is None else shape
    many, one = _LOOKS[signal]
    p_more, _, up, _ = many(item.history)
    counts = np.arange(trends.MIN_EPISODES, len(item.history) + 1)
    scaled = p_more / np.minimum(1.0, start / counts) ** power
    lowest = 1.0
    for index in np.flatnonzero(p_more < trends.ALPHA).tolist():
        if scaled[index] < lowest and up(index):
            lowest = float(scaled[index])
    final = one(item.history, item.today)
    if final is not None and final.p_more is not None and final.up:
        count = len(item.history)
        lowest = min(lowest, final.p_more / min(1.0, start / count) ** power)
    return lowest


def steady_diary(
    rng: np.random.Generator, shape: float, months: float = 36, noise: float = 1.2
) -> Diary:
    per_month = rng.uniform(0.5, 3)
    days = renewal_days(rng, per_month, months, shape)
    return diary(
        days, steady_intensity(rng, len(days), noise), steady_extent(rng, len(days)), months
    )


def truncated(item: Diary, months: float) -> Diary:
    """The same diary as it stood after `months` (the looks up to then, and a look then)."""
    days = item.history.days - ORIGIN
    kept = days < months * DAYS_PER_MONTH
    return diary(days[kept], item.history.intensity[kept], item.history.extent[kept], months)
