"""Are a person's flare-ups coming more often, getting more painful, spreading wider?

Pure Python (stdlib, numpy, scipy): no Django, no plotly. Episodes are read through their
attributes only (``started_at``, ``intensity``, ``side``, ``spread``, ``leg``), so model
instances and ``types.SimpleNamespace`` objects both work, in any order. Datetimes are taken
at wall-clock value (the caller converts aware datetimes to the patient's zone first); a
plain date counts as midnight. Flare-ups dated after ``today`` are ignored.

What each verdict rests on
--------------------------
Every test is one-sided at ``ALPHA`` (0.05) and ``falling`` is the mirror image of ``rising``
(the same statistic, the other tail, the reciprocal or negated effect-size floor). A verdict
needs the test *and* the effect size; otherwise it is ``steady``. ``Trend.p_value`` is the
one-sided p for the verdict's direction, and for ``steady`` the smaller of the two one-sided
p-values (the direction the data lean). ``insufficient`` carries no numbers.

frequency
    Needs at least 6 flare-ups whose first and last are at least 6 calendar months apart.
    The window runs from the first flare-up (its exact time) to the end of ``today``.
    Test: the Laplace test for a trend in the rate of events, conditioned on the first
    flare-up, which opens the window and so is not counted:
    ``U = (mean time since the first - L/2) / (L / sqrt(12 m))`` for the m later flare-ups in
    a window of length L, then the Lewis-Robinson correction ``U / max(1, CV)`` for clustered
    flare-ups. CV (coefficient of variation of the gaps) comes from neighbouring gaps only:
    for independent gamma gaps of shape k, ``((g2 - g1) / (g2 + g1))**2`` averages
    ``R = 1 / (2k + 1)``, so ``CV = sqrt(2R / (1 - R))``. Because each term is scaled by its
    own neighbourhood, a genuine change in rate is not mistaken for clustering (the plain CV
    of all gaps is inflated by the very trend under test) and one huge gap cannot swamp it.
    Statistic: the corrected U; p from the normal distribution.
    Effect size: the rate ratio between the later and the earlier half of the window (equal
    lengths, so it is the ratio of counts). Rising needs a ratio of at least 1.5, falling at
    most 1/1.5. Flare-ups after the exact midpoint count as recent; the first flare-up is
    always in the earlier half, so the ratio is finite (and reaching 1.5 is a little harder
    than reaching 1/1.5: the floor errs against a false rise). ``recent_window`` is
    ``(day of the midpoint, today)``, both inclusive; the boundary day can be split.
    Halves rather than a fixed "last 6 months" because a fixed window misses a change that
    began more than a window ago, and because halves keep the verdict honest when the same
    history is repeated: more of the same past never makes a recent rise.

intensity
    Needs at least 6 flare-ups. Test: Kendall's tau-b of worst pain against start time,
    one-sided (``scipy.stats.kendalltau``; exact for small samples without ties).
    Effect size: the Theil-Sen slope in its Sievers-Scholz form (median of the slopes
    between every two flare-ups, each weighted by the time between them) times the span
    from the first to the last flare-up, in points on the 0-10 scale. Rising needs at least
    +2 points (the clinically meaningful change on the NRS), falling at most -2. The
    weighting keeps the estimate steady when whole-number scores tie a lot; above
    ``_MAX_EXACT_PAIRS`` pairs a fixed-seed random sample of pairs is used (the sampled
    median sits far closer to the exact one than the 2-point floor cares about).
    ``fit_line`` gives that line's ends at the first and last flare-up, clipped to 0-10.
    No change over time can be measured when all flare-ups share one day: that is steady.

spread
    Needs at least 6 flare-ups. Extent score per flare-up, 0 to 5: one step for pain on both
    sides (``side`` or ``leg`` is "both"), plus how far down the leg it reaches
    (none 0, buttock 1, thigh 2, below the knee 3, foot 4). Test: Kendall's tau-b of the
    score against time, one-sided (it handles the heavy ties). Effect size: mean score of
    the later half of the flare-ups minus that of the earlier half (the middle one is left
    out when the count is odd; flare-ups logged at the same moment that straddle the cut
    count at their shared mean, having no order); rising needs at least +1 step, falling at
    most -1. Theil-Sen is the wrong effect size here: with so many ties its median slope is
    0 even when the pain clearly spreads.

Constant scores make Kendall's tau undefined; that is ``steady`` with no statistic.

The 5% false-alarm ceiling holds for one look at a history (``tests/bench_trends.py``
measures it). Someone who checks after every new flare-up sees a false ``rising`` at some
point more often than that; the benchmark prints how often.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import numpy as np
from scipy import stats

ALPHA = 0.05
MIN_EPISODES = 6
MIN_SPAN_MONTHS = 6
RATE_RATIO_FLOOR = 1.5
INTENSITY_CHANGE_FLOOR = 2.0
EXTENT_STEP_FLOOR = 1.0

INTENSITY_MIN, INTENSITY_MAX = 0, 10
REACH = {"none": 0, "buttock": 1, "thigh": 2, "below_knee": 3, "foot": 4}
SIDES = frozenset({"left", "right", "both", "center"})
LEGS = frozenset({"left", "right", "both", ""})
EXTENT_MAX = 1 + max(REACH.values())

DAYS_PER_MONTH = 365.25 / 12
SECONDS_PER_DAY = 86_400

# A single neighbouring pair of gaps where one is zero scores 1 (the most clustered value);
# capping the average keeps CV finite when every pair does.
_MAX_GAP_DISPERSION = 0.9
_MAX_EXACT_PAIRS = 30_000  # every pair up to about 245 flare-ups
_ROUNDING = 1e-9
_PAIR_SAMPLE_SEED = 20_240_601


class Direction(StrEnum):
    RISING = "rising"
    STEADY = "steady"
    FALLING = "falling"
    INSUFFICIENT = "insufficient"


@dataclass(frozen=True)
class Trend:
    direction: Direction
    summary: str
    statistic: float | None
    p_value: float | None
    effect_size: float | None
    recent_window: tuple[date, date] | None = None
    fit_line: tuple[tuple[date, float], tuple[date, float]] | None = None


@dataclass(frozen=True)
class TrendReport:
    frequency: Trend
    intensity: Trend
    spread: Trend
    episode_count: int
    first: date | None
    last: date | None


@dataclass(frozen=True)
class _History:
    """Flare-ups sorted by time (then intensity, then extent, so input order never matters)."""

    days: np.ndarray  # wall-clock time as days since 0001-01-01 (date.toordinal scale)
    intensity: np.ndarray
    extent: np.ndarray
    months: np.ndarray  # year * 12 + month - 1

    def __len__(self) -> int:
        return len(self.days)


def analyze(episodes: Iterable[Any], today: date) -> TrendReport:
    if isinstance(today, datetime):
        today = today.date()
    history = _read(episodes, until=today.toordinal() + 1)
    count = len(history)
    first = _day(history.days[0]) if count else None
    last = _day(history.days[-1]) if count else None
    return TrendReport(
        frequency=_frequency(history, today),
        intensity=_intensity(history),
        spread=_spread(history),
        episode_count=count,
        first=first,
        last=last,
    )


def _read(episodes: Iterable[Any], until: float = math.inf) -> _History:
    days: list[float] = []
    intensities: list[float] = []
    extents: list[int] = []
    months: list[int] = []
    # Only 4 x 5 x 4 combinations exist, so validate and score each once.
    extent_of: dict[tuple[str, str, str], int] = {}
    for episode in episodes:
        started = episode.started_at
        if isinstance(started, datetime):
            seconds = started.hour * 3600 + started.minute * 60 + started.second
            day = started.toordinal() + (seconds + started.microsecond / 1e6) / SECONDS_PER_DAY
        elif isinstance(started, date):
            day = float(started.toordinal())
        else:
            raise TypeError(f"started_at must be a date or datetime, not {started!r}")
        if day >= until:
            continue
        intensity = float(episode.intensity)
        if not INTENSITY_MIN <= intensity <= INTENSITY_MAX:
            raise ValueError(f"intensity must be 0 to 10, not {episode.intensity!r}")
        days.append(day)
        intensities.append(intensity)
        choices = (episode.side, episode.spread, getattr(episode, "leg", "") or "")
        extent = extent_of.get(choices)
        if extent is None:
            extent = extent_of[choices] = spread_extent(*choices)
        extents.append(extent)
        months.append(started.year * 12 + started.month - 1)
    day_array = np.asarray(days, dtype=float)
    intensity_array = np.asarray(intensities, dtype=float)
    extent_array = np.asarray(extents, dtype=float)
    order = np.lexsort((extent_array, intensity_array, day_array))
    return _History(
        days=day_array[order],
        intensity=intensity_array[order],
        extent=extent_array[order],
        months=np.asarray(months, dtype=np.int64)[order],
    )


def spread_extent(side: str, spread: str, leg: str) -> int:
    """The ordinal extent score behind the spread trend: one step for both sides, then how far
    down the leg (see the module docstring)."""
    if side not in SIDES:
        raise ValueError(f"unknown side {side!r}")
    if leg not in LEGS:
        raise ValueError(f"unknown leg {leg!r}")
    try:
        reach = REACH[spread]
    except KeyError:
        raise ValueError(f"unknown spread {spread!r}") from None
    return reach + (side == "both" or leg == "both")


# --- frequency ---------------------------------------------------------------------------


def _frequency(history: _History, today: date) -> Trend:
    count = len(history)
    needed = f"{MIN_EPISODES} needed over at least {MIN_SPAN_MONTHS} months"
    if count < MIN_EPISODES:
        return _insufficient(
            "Not enough flare-ups logged yet to tell whether they are coming more often "
            f"({needed}; you have {_count_words(count)})."
        )
    first, last = _day(history.days[0]), _day(history.days[-1])
    if last < _add_months(first, MIN_SPAN_MONTHS):
        covered = _length_words(history.days[-1] - history.days[0])
        return _insufficient(
            "Not enough time covered yet to tell whether flare-ups are coming more often "
            f"({needed}; you have {count} over {covered})."
        )

    start = history.days[0]
    length = today.toordinal() + 1 - start
    later = history.days[1:] - start
    laplace = (later.mean() - length / 2) / (length / math.sqrt(12 * len(later)))
    corrected = laplace / max(1.0, _gap_cv(np.diff(history.days)))
    p_more, p_less = stats.norm.sf(corrected), stats.norm.cdf(corrected)

    midpoint = start + length / 2
    recent = int(np.count_nonzero(history.days > midpoint))
    earlier = count - recent
    ratio = recent / earlier

    # Compared as counts, so that exactly 1.5 times more or fewer is exact both ways.
    more_often = recent >= RATE_RATIO_FLOOR * earlier
    less_often = earlier >= RATE_RATIO_FLOOR * recent
    if p_more < ALPHA and more_often:
        direction, p_value = Direction.RISING, p_more
    elif p_less < ALPHA and less_often:
        direction, p_value = Direction.FALLING, p_less
    else:
        direction, p_value = Direction.STEADY, min(p_more, p_less)

    half = _length_words(length / 2)
    windows = f"in the last {half}, against {earlier} in the {half} before"
    if direction is Direction.RISING:
        summary = f"Flare-ups are coming more often: {recent} {windows}."
    elif direction is Direction.FALLING:
        summary = f"Flare-ups are coming less often: {recent} {windows}."
    elif more_often or less_often:
        more_or_fewer = "more" if more_often else "fewer"
        summary = (
            f"{_flare_ups(recent)} {windows}: {more_or_fewer}, but not a clear change yet "
            "(too few flare-ups, or too irregular, to rule out chance)."
        )
    else:
        summary = f"{_flare_ups(recent)} {windows}: no clear change."
    return Trend(
        direction=direction,
        summary=summary,
        statistic=float(corrected),
        p_value=float(p_value),
        effect_size=float(ratio),
        recent_window=(_day(midpoint), today),
    )


def _gap_cv(gaps: np.ndarray) -> float:
    """Coefficient of variation of the gaps, from neighbouring pairs (see module docstring)."""
    if len(gaps) < 2:
        return 1.0
    sums = gaps[1:] + gaps[:-1]
    differences = gaps[1:] - gaps[:-1]
    safe_sums = np.where(sums > 0, sums, 1.0)
    scaled = np.where(sums > 0, (differences / safe_sums) ** 2, 1.0)
    dispersion = min(float(scaled.mean()), _MAX_GAP_DISPERSION)
    return math.sqrt(2 * dispersion / (1 - dispersion))


# --- intensity ---------------------------------------------------------------------------


def _intensity(history: _History) -> Trend:
    count = len(history)
    if count < MIN_EPISODES:
        return _insufficient(
            "Not enough flare-ups logged yet to tell whether they are getting more painful "
            f"({MIN_EPISODES} needed; you have {_count_words(count)})."
        )
    elapsed = history.days - history.days[0]
    span = float(elapsed[-1])
    first, last = _day(history.days[0]), _day(history.days[-1])
    if first == last:
        typical = float(np.median(history.intensity))
        return Trend(
            direction=Direction.STEADY,
            summary=(
                f"All {count} flare-ups were logged on the same day, so there is no change "
                "over time to measure yet."
            ),
            statistic=None,
            p_value=None,
            effect_size=0.0,
            fit_line=((first, typical), (last, typical)),
        )

    tau, p_more, p_less = _kendall(elapsed, history.intensity)
    slope, intercept = _weighted_theil_sen(elapsed, history.intensity)
    change = slope * span
    start_level = _clip_score(intercept)
    end_level = _clip_score(intercept + change)

    direction, p_value = _verdict(p_more, p_less, change, INTENSITY_CHANGE_FLOOR)
    over = f"over {_length_words(span)} ({count} flare-ups)"
    if direction is Direction.RISING:
        summary = (
            "Your flare-ups are getting more painful: from about "
            f"{_points(start_level)}/10 to about {_points(end_level)}/10 {over}."
        )
    elif direction is Direction.FALLING:
        summary = (
            "Your flare-ups are getting less painful: from about "
            f"{_points(start_level)}/10 to about {_points(end_level)}/10 {over}."
        )
    elif _points(start_level) == _points(end_level):
        summary = (
            f"The worst pain of your flare-ups stayed at about {_points(start_level)}/10 "
            f"{over}: no clear change."
        )
    else:
        summary = (
            f"The worst pain of your flare-ups went from about {_points(start_level)}/10 "
            f"to about {_points(end_level)}/10 {over}: no clear change."
        )
    return Trend(
        direction=direction,
        summary=summary,
        statistic=tau,
        p_value=p_value,
        effect_size=float(change),
        fit_line=((first, start_level), (last, end_level)),
    )


def _weighted_theil_sen(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Slope and intercept of the Sievers-Scholz (time-weighted) Theil-Sen line."""
    count = len(x)
    if count * (count - 1) // 2 <= _MAX_EXACT_PAIRS:
        left, right = np.triu_indices(count, 1)
    else:
        # Theil-Sen is quadratic in the number of flare-ups; a fixed-seed sample of pairs
        # keeps analyze() fast on long histories and the answer reproducible.
        rng = np.random.default_rng(_PAIR_SAMPLE_SEED)
        a = rng.integers(0, count, _MAX_EXACT_PAIRS)
        b = rng.integers(0, count, _MAX_EXACT_PAIRS)
        left, right = np.minimum(a, b), np.maximum(a, b)
    dx = x[right] - x[left]
    apart = dx > 0
    dx = dx[apart]
    if not len(dx):
        return 0.0, float(np.median(y))
    slopes = (y[right] - y[left])[apart] / dx
    slope = _weighted_median(slopes, dx)
    return slope, float(np.median(y - slope * x))


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values, kind="stable")
    values, cumulative = values[order], np.cumsum(weights[order])
    half = cumulative[-1] / 2
    index = int(np.searchsorted(cumulative, half))
    # Average across an exact half so that negating the data negates the median.
    if index + 1 < len(values) and math.isclose(
        cumulative[index], half, rel_tol=1e-12, abs_tol=0.0
    ):
        return float((values[index] + values[index + 1]) / 2)
    return float(values[index])


# --- spread ------------------------------------------------------------------------------


def _spread(history: _History) -> Trend:
    count = len(history)
    if count < MIN_EPISODES:
        return _insufficient(
            "Not enough flare-ups logged yet to tell whether your pain is spreading to a "
            f"wider area ({MIN_EPISODES} needed; you have {_count_words(count)})."
        )
    half = count // 2
    earlier = _mean_of_first(history.days, history.extent, half)
    later = _mean_of_first(-history.days[::-1], history.extent[::-1], half)
    change = later - earlier
    tau, p_more, p_less = _kendall(history.days, history.extent)
    direction, p_value = _verdict(p_more, p_less, change, EXTENT_STEP_FLOOR)

    scores = (
        f"on a 0-{EXTENT_MAX} scale of how far it spreads (0 is pain that stays on one side "
        f"of the back, {EXTENT_MAX} is both sides and down to the foot), your last {half} "
        "flare-ups "
        f"averaged {_one_decimal(later)}, against {_one_decimal(earlier)} for your first {half}"
    )
    if direction is Direction.RISING:
        summary = f"Your pain is reaching a wider area: {scores}."
    elif direction is Direction.FALLING:
        summary = f"Your pain is reaching a smaller area than before: {scores}."
    else:
        summary = f"How far your pain spreads shows no clear change: {scores}."
    return Trend(
        direction=direction,
        summary=summary,
        statistic=tau,
        p_value=p_value,
        effect_size=change,
    )


def _mean_of_first(days: np.ndarray, values: np.ndarray, count: int) -> float:
    """Mean of the first `count` values by time (pass negated, reversed days for the last).

    Flare-ups logged at the same moment have no order, so when they straddle the cut each
    one that is needed counts at their shared mean; the result never depends on how ties
    happened to be sorted (and mirrored data give a mirrored answer).
    """
    boundary = days[count - 1]
    before = days < boundary
    tied = days == boundary
    needed = count - int(np.count_nonzero(before))
    return float((values[before].sum() + needed * values[tied].mean()) / count)


# --- shared ------------------------------------------------------------------------------


def _kendall(x: np.ndarray, y: np.ndarray) -> tuple[float | None, float | None, float | None]:
    """Kendall's tau-b and its two one-sided p-values; all None when tau is undefined."""
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return None, None, None
    more = stats.kendalltau(x, y, alternative="greater")
    less = stats.kendalltau(x, y, alternative="less")
    if math.isnan(more.statistic):
        return None, None, None
    return float(more.statistic), float(more.pvalue), float(less.pvalue)


def _verdict(
    p_more: float | None, p_less: float | None, effect: float, floor: float
) -> tuple[Direction, float | None]:
    if p_more is None or p_less is None:
        return Direction.STEADY, None
    # Rounding error must not decide a case that sits exactly on the floor.
    if p_more < ALPHA and effect >= floor - _ROUNDING:
        return Direction.RISING, p_more
    if p_less < ALPHA and effect <= -floor + _ROUNDING:
        return Direction.FALLING, p_less
    return Direction.STEADY, min(p_more, p_less)


def _insufficient(summary: str) -> Trend:
    return Trend(
        direction=Direction.INSUFFICIENT,
        summary=summary,
        statistic=None,
        p_value=None,
        effect_size=None,
    )


def _day(ordinal_days: float) -> date:
    return date.fromordinal(math.floor(ordinal_days))


def _add_months(day: date, months: int) -> date:
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(day.day, last_day))


def _clip_score(value: float) -> float:
    return float(min(max(value, INTENSITY_MIN), INTENSITY_MAX))


def _one_decimal(value: float) -> str:
    return f"{value:.1f}"


def _points(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _flare_ups(count: int) -> str:
    return f"{count} flare-up" if count == 1 else f"{count} flare-ups"


def _count_words(count: int) -> str:
    return "none yet" if count == 0 else str(count)


def _length_words(days: float) -> str:
    if days < 1:
        return "less than a day"
    if days < 14:
        whole = round(days)
        return "1 day" if whole == 1 else f"{whole} days"
    if days < 2 * DAYS_PER_MONTH:
        return f"{round(days / 7)} weeks"
    months = round(days / DAYS_PER_MONTH)
    if months < 24:
        return f"{months} months"
    years = round(days / DAYS_PER_MONTH / 6) / 2
    return f"{years:g} years"
