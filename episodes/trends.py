"""Are a person's flare-ups coming more often, getting more painful, spreading wider?

Pure Python (stdlib, numpy, scipy): no Django, no plotly. Episodes are read through their
attributes only (``started_at``, ``intensity``, ``side``, ``spread``, ``leg``), so model
instances and ``types.SimpleNamespace`` objects both work, in any order. Datetimes are taken
at wall-clock value (the caller converts aware datetimes to the patient's zone first); a
plain date counts as midnight. Flare-ups dated after ``today`` are ignored.

What one look rests on
----------------------
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
    ``_MAX_EXACT_PAIRS`` pairs only the pairs a power of two apart in time order are used
    (the median of their slopes sits far closer to the exact one than the 2-point floor
    cares about).
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

What is shown: a replay of every look
-------------------------------------
backlog looks at a diary after every flare-up, and each look is a fresh chance of a false
alarm: with the one-look rule above (p < 0.05 and the floor), about one steady diary in four
would be told at some point over three years that something is rising. So the verdict shown
is a pure function of the history, found by replaying the looks in time order: one after
each flare-up from the sixth (for frequency, "today" at each look is that flare-up's day)
and a last one at the real today. A rise (or a fall) is shown from an *onset*: a look whose
one-sided p-value is below the signal's onset p-value (``ONSETS``: a base value, shrinking
once the diary has more than a set number of flare-ups, and for intensity and spread smaller
at the first few looks too) with the floor holding. It then stays while every later look
keeps the one-look rule, and goes at the first look that does not (hysteresis).
``Trend.onset`` is the day of the look where the shown verdict began and ``Trend.since`` the
month the change itself seems to have begun.

The onset p-values are calibrated by ``python -m tests.calibrate_trends`` (never at run
time) so that about 1 steady diary in 10 sees one false "rising" in 3 years of looks;
``tests/bench_trends.py`` measures that, how soon real changes are caught, and the speed.

The replay is cheap: the p-values of every look come from running sums (the frequency
statistic, and Kendall's score with its tie terms, counted from running tallies per score),
and the costly intensity floor (a Theil-Sen line) is computed only at the looks where it can
change what is shown, most of them settled by bounds from an earlier line's pairs.
``tests/episodes/test_trend_replay.py`` checks the replay against looking again at every
prefix of random histories.
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
from scipy import special, stats

ALPHA = 0.05
MIN_EPISODES = 6
MIN_SPAN_MONTHS = 6
# A shown "rising" (or "falling") starts only below an onset p-value: the signal's base
# value up to its ``_FROM`` count of flare-ups, then shrinking as (FROM / n) ** POWER at n
# flare-ups, since a long diary has been looked at many times; once shown it stays while
# the one-look rule (ALPHA and the floor) holds. The bases come from
# ``python -m tests.calibrate_trends`` so that about 1 steady diary in 10 sees a false onset
# over 3 years of looks (a look after every flare-up), for the worst timing shape; the
# ``_FROM`` counts, powers and ramps are that script's ``RULES``, chosen as the ones that caught the
# benchmark's changes most often for the same false alarms. Intensity and spread keep their
# base from 10 to 20 flare-ups (the short changes the benchmark asks for) and shrink steeply
# after it (a cube for spread, a fourth power for intensity, whose false alarms with noisy
# scores bind): a rise that starts late in a long diary needs a much smaller p-value.
FREQUENCY_ONSET_P = 0.009
FREQUENCY_ONSET_FROM = 30
FREQUENCY_ONSET_POWER = 1
INTENSITY_ONSET_P = 0.018
INTENSITY_ONSET_FROM = 20
INTENSITY_ONSET_POWER = 4
SPREAD_ONSET_P = 0.013
SPREAD_ONSET_FROM = 20
SPREAD_ONSET_POWER = 3
# Below RAMP flare-ups the onset p-value is also scaled by n / RAMP (MIN_EPISODES: not at
# all). The first looks are where a steady diary passes the intensity and spread floors by
# chance most often (a change measured over a few noisy scores), so a stricter start there
# pays for a larger base p-value at the 10 to 20 flare-ups where real changes are caught.
FREQUENCY_ONSET_RAMP = MIN_EPISODES
INTENSITY_ONSET_RAMP = 10
SPREAD_ONSET_RAMP = 10
RATE_RATIO_FLOOR = 1.5
INTENSITY_CHANGE_FLOOR = 2.0
EXTENT_STEP_FLOOR = 1.0

ONSETS = {
    "frequency": (
        FREQUENCY_ONSET_P,
        FREQUENCY_ONSET_FROM,
        FREQUENCY_ONSET_POWER,
        FREQUENCY_ONSET_RAMP,
    ),
    "intensity": (
        INTENSITY_ONSET_P,
        INTENSITY_ONSET_FROM,
        INTENSITY_ONSET_POWER,
        INTENSITY_ONSET_RAMP,
    ),
    "spread": (SPREAD_ONSET_P, SPREAD_ONSET_FROM, SPREAD_ONSET_POWER, SPREAD_ONSET_RAMP),
}

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
    # The look (a flare-up's day, or today) at which the shown rise or fall began.
    onset: date | None = None
    # When the change itself seems to have begun (first day of the estimated month).
    since: date | None = None


@dataclass(frozen=True)
class TrendReport:
    frequency: Trend
    intensity: Trend
    spread: Trend
    episode_count: int
    first: date | None
    last: date | None
    today: date | None = None  # the day of the final look

    def new_onset(self, name: str) -> bool:
        """Whether the shown rise or fall of this signal began at the final look."""
        trend = getattr(self, name)
        return trend.onset is not None and trend.onset == self.today


@dataclass(frozen=True)
class _History:
    """Flare-ups sorted by time (then intensity, then extent, so input order never matters)."""

    days: np.ndarray  # wall-clock time as days since 0001-01-01 (date.toordinal scale)
    intensity: np.ndarray
    extent: np.ndarray
    months: np.ndarray  # year * 12 + month - 1

    def __len__(self) -> int:
        return len(self.days)

    def prefix(self, count: int) -> _History:
        return _History(
            self.days[:count], self.intensity[:count], self.extent[:count], self.months[:count]
        )


def analyze(episodes: Iterable[Any], today: date) -> TrendReport:
    if isinstance(today, datetime):
        today = today.date()
    history = _read(episodes, until=today.toordinal() + 1)
    count = len(history)
    first = _day(history.days[0]) if count else None
    last = _day(history.days[-1]) if count else None
    return TrendReport(
        frequency=_frequency(history, today, replay=True),
        intensity=_intensity(history, today, replay=True),
        spread=_spread(history, today, replay=True),
        episode_count=count,
        first=first,
        last=last,
        today=today,
    )


@dataclass(frozen=True)
class Look:
    """What one look at a history says, before the history of looks is taken into account.

    ``up`` and ``down`` say whether the effect-size floor holds for a rise or a fall;
    p-values are None when the data cannot be tested (too few flare-ups, constant scores).
    """

    p_more: float | None
    p_less: float | None
    up: bool
    down: bool


Onset = tuple[float, int, int, int]  # base p-value, FROM, POWER, RAMP (see ONSETS)


def onset_threshold(onset: Onset, count: int) -> float:
    """The one-sided p-value an onset needs at a look at `count` flare-ups."""
    base, start, power, ramp = onset
    count = max(count, 1)
    return base * min(1.0, start / count) ** power * min(1.0, count / ramp)


def shown_direction(
    looks: Iterable[Look | None], onset_ps: Iterable[float]
) -> tuple[Direction, int | None]:
    """The verdict shown after a sequence of looks, and the index of the look where it began.

    An onset needs the one-sided p-value below that look's onset p-value and the floor; a
    shown verdict then stays while each later look keeps p below ALPHA and the floor
    (hysteresis).
    """
    state, onset = Direction.STEADY, None
    for index, (look, onset_p) in enumerate(zip(looks, onset_ps, strict=True)):
        state, onset = _step(state, onset, index, look, onset_p)
    return state, onset


def _step(
    state: Direction, onset: int | None, index: int, look: Look | None, onset_p: float
) -> tuple[Direction, int | None]:
    if look is None or look.p_more is None or look.p_less is None:
        return Direction.STEADY, None
    for direction, p_value, floor_holds in (
        (Direction.RISING, look.p_more, look.up),
        (Direction.FALLING, look.p_less, look.down),
    ):
        if p_value < ALPHA and floor_holds:
            if state is direction:
                return state, onset
            if p_value < onset_p:
                return direction, index
    return Direction.STEADY, None


def _replay(
    p_more: np.ndarray,
    p_less: np.ndarray,
    up: Any,
    down: Any,
    onset: Onset,
    final: Look | None,
    onsets: list[tuple[int, Direction]] | None = None,
) -> tuple[Direction, int | None]:
    """`shown_direction` over the looks after each flare-up (arrays, NaN where untestable)
    and a final look, visiting only the looks where p < ALPHA: every other look resets.

    ``up(i)`` and ``down(i)`` are asked only where they can matter, since the intensity floor
    (a Theil-Sen line) is the one costly number of a look.
    """
    rule = onset
    state, onset = Direction.STEADY, None
    previous = -2
    for index in np.flatnonzero((p_more < ALPHA) | (p_less < ALPHA)).tolist():
        onset_p = onset_threshold(rule, MIN_EPISODES + index)
        if index != previous + 1:
            state, onset = Direction.STEADY, None
        previous = index
        if p_more[index] < ALPHA:
            direction, p_value, floor = Direction.RISING, p_more[index], up
        else:
            direction, p_value, floor = Direction.FALLING, p_less[index], down
        if (state is direction or p_value < onset_p) and floor(index):
            if state is not direction:
                state, onset = direction, index
                if onsets is not None:
                    onsets.append((index, direction))
            continue
        state, onset = Direction.STEADY, None
    if previous != len(p_more) - 1:
        state, onset = Direction.STEADY, None
    final_p = onset_threshold(rule, MIN_EPISODES + len(p_more) - 1)
    shown, began = _step(state, onset, len(p_more), final, final_p)
    if onsets is not None and began == len(p_more):
        onsets.append((began, shown))
    return shown, began


def _look_days(history: _History, today: date) -> list[date]:
    """The day of each look: one after each flare-up from the sixth, then today."""
    return [_day(day) for day in history.days[MIN_EPISODES - 1 :]] + [today]


def _onset_day(history: _History, today: date, onset: int | None) -> date | None:
    if onset is None:
        return None
    looks = len(history) - MIN_EPISODES + 1
    return today if onset >= max(looks, 0) else _day(history.days[MIN_EPISODES - 1 + onset])


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


@dataclass(frozen=True)
class _FrequencyNumbers:
    look: Look
    statistic: float
    recent: int
    earlier: int
    midpoint: float
    length: float


def _frequency_numbers(history: _History, today: date) -> _FrequencyNumbers | Trend:
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
    laplace = (later.sum() / len(later) - length / 2) / (length / math.sqrt(12 * len(later)))
    corrected = laplace / max(1.0, _gap_cv(np.diff(history.days)))
    midpoint = start + length / 2
    recent = int(np.count_nonzero(history.days > midpoint))
    earlier = count - recent
    # Compared as counts, so that exactly 1.5 times more or fewer is exact both ways.
    look = Look(
        p_more=float(special.ndtr(-corrected)),
        p_less=float(special.ndtr(corrected)),
        up=recent >= RATE_RATIO_FLOOR * earlier,
        down=earlier >= RATE_RATIO_FLOOR * recent,
    )
    return _FrequencyNumbers(look, float(corrected), recent, earlier, midpoint, length)


def _frequency_look(history: _History, today: date) -> Look | None:
    numbers = _frequency_numbers(history, today)
    return numbers.look if isinstance(numbers, _FrequencyNumbers) else None


def _frequency_looks(history: _History) -> tuple[np.ndarray, np.ndarray, Any, Any]:
    """`_frequency_look` after each flare-up from the sixth (today = that flare-up's day),
    for all of them at once: running sums instead of one pass per look."""
    days = history.days
    seen = np.arange(MIN_EPISODES, len(days) + 1)
    if not len(seen):
        empty = np.empty(0)
        return empty, empty, None, None
    start = days[0]
    look_day = np.floor(days[seen - 1])
    length = look_day + 1 - start
    later_sums = np.cumsum(days - start)[seen - 1]
    later = seen - 1
    laplace = (later_sums / later - length / 2) / (length / np.sqrt(12 * later))
    gaps = np.diff(days)
    sums = gaps[1:] + gaps[:-1]
    safe_sums = np.where(sums > 0, sums, 1.0)
    scaled = np.where(sums > 0, ((gaps[1:] - gaps[:-1]) / safe_sums) ** 2, 1.0)
    running = np.concatenate([[0.0], np.cumsum(scaled)])
    dispersion = np.minimum(running[seen - 2] / (seen - 2), _MAX_GAP_DISPERSION)
    cv = np.sqrt(2 * dispersion / (1 - dispersion))
    corrected = laplace / np.maximum(1.0, cv)
    long_enough = look_day >= _add_months(_day(start), MIN_SPAN_MONTHS).toordinal()
    p_more = np.where(long_enough, special.ndtr(-corrected), np.nan)
    p_less = np.where(long_enough, special.ndtr(corrected), np.nan)
    midpoint = start + length / 2
    recent = seen - np.minimum(np.searchsorted(days, midpoint, side="right"), seen)
    earlier = seen - recent
    up = recent >= RATE_RATIO_FLOOR * earlier
    down = earlier >= RATE_RATIO_FLOOR * recent
    return p_more, p_less, up.__getitem__, down.__getitem__


def _shown_direction(signal: str, looks, history, look, *, replay: bool):
    """The direction shown after this look, and since when: the replay of every look when
    asked (`looks` gives their p-values and floors), otherwise this one look's rule alone."""
    if replay:
        p_more, p_less, up, down = looks(history)
        return _replay(p_more, p_less, up, down, ONSETS[signal], look)
    direction, _ = _step(Direction.STEADY, None, 0, look, ALPHA)
    return direction, None


def _frequency(history: _History, today: date, *, replay: bool = False) -> Trend:
    numbers = _frequency_numbers(history, today)
    if isinstance(numbers, Trend):
        return numbers
    look = numbers.look
    direction, onset = _shown_direction("frequency", _frequency_looks, history, look, replay=replay)
    p_value = {Direction.RISING: look.p_more, Direction.FALLING: look.p_less}.get(
        direction, min(look.p_more, look.p_less)
    )
    recent, earlier, length = numbers.recent, numbers.earlier, numbers.length
    since = None
    half = _length_words(length / 2)
    windows = f"in the last {half}, against {earlier} in the {half} before"
    if direction is not Direction.STEADY:
        since, after, before, before_days = _rate_change(history, today)
        since_length = today.toordinal() + 1 - since.toordinal()
        more_or_less = "more" if direction is Direction.RISING else "less"
        summary = (
            f"Flare-ups are coming {more_or_less} often since about {since:%B %Y}: "
            f"{after} in the {_length_words(since_length)} since, against {before} in the "
            f"{_length_words(before_days)} before."
        )
    elif look.up or look.down:
        more_or_fewer = "more" if look.up else "fewer"
        summary = (
            f"{_flare_ups(recent)} {windows}: {more_or_fewer}, but not a clear change yet "
            "(too few flare-ups, or too irregular, to rule out chance)."
        )
    else:
        summary = f"{_flare_ups(recent)} {windows}: no clear change."
    return Trend(
        direction=direction,
        summary=summary,
        statistic=numbers.statistic,
        p_value=float(p_value),
        effect_size=float(recent / earlier),
        recent_window=(_day(numbers.midpoint), today),
        onset=_onset_day(history, today, onset),
        since=since,
    )


def _rate_change(history: _History, today: date) -> tuple[date, int, int, float]:
    """When the rate of flare-ups most likely changed (the month of the single change point
    that best splits the window into two Poisson rates), with the flare-ups after it and in
    up to 12 months (or as long as the time since, if longer) before it."""
    start = history.days[0]
    end = today.toordinal() + 1
    length = end - start
    times = history.days[1:]
    count = len(times)
    before = np.arange(count)  # flare-ups before each candidate (a flare-up's own time)
    after = count - before
    tau = times - start
    # A change needs some time on both sides of it to be told apart from the first weeks.
    inside = (tau >= 2 * DAYS_PER_MONTH) & (tau < length)
    with np.errstate(divide="ignore", invalid="ignore"):
        fit = np.where(before > 0, before * np.log(before / tau), 0.0) + after * np.log(
            after / (length - tau)
        )
    fit = np.where(inside, fit, -np.inf)
    change = times[int(np.argmax(fit))] if np.isfinite(fit).any() else start + length / 2
    month = _day(change).replace(day=1)
    cut = max(float(month.toordinal()), start)
    since_days = end - cut
    before_days = min(cut - start, max(365.25, since_days))
    after_count = int(np.count_nonzero(history.days >= cut))
    before_count = int(np.count_nonzero((history.days >= cut - before_days) & (history.days < cut)))
    return month, after_count, before_count, before_days


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


@dataclass(frozen=True)
class _IntensityNumbers:
    look: Look
    tau: float | None
    change: float
    start_level: float
    end_level: float
    span: float


def _intensity_numbers(history: _History) -> _IntensityNumbers | Trend:
    count = len(history)
    if count < MIN_EPISODES:
        return _insufficient(
            "Not enough flare-ups logged yet to tell whether they are getting more painful "
            f"({MIN_EPISODES} needed; you have {_count_words(count)})."
        )
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
    elapsed = history.days - history.days[0]
    tau, p_more, p_less = _kendall(elapsed, history.intensity)
    change, intercept, span = _intensity_change(history)
    look = Look(
        p_more=p_more,
        p_less=p_less,
        up=change >= INTENSITY_CHANGE_FLOOR - _ROUNDING,
        down=change <= -INTENSITY_CHANGE_FLOOR + _ROUNDING,
    )
    return _IntensityNumbers(
        look, tau, change, _clip_score(intercept), _clip_score(intercept + change), span
    )


def _intensity_change(history: _History) -> tuple[float, float, float]:
    """The Theil-Sen line's change across the span, its intercept, and the span."""
    elapsed = history.days - history.days[0]
    span = float(elapsed[-1])
    slope, intercept = _weighted_theil_sen(elapsed, history.intensity)
    return slope * span, intercept, span


def _intensity_look(history: _History, today: date | None = None) -> Look | None:
    numbers = _intensity_numbers(history)
    return numbers.look if isinstance(numbers, _IntensityNumbers) else None


def _intensity_looks(history: _History) -> tuple[np.ndarray, np.ndarray, Any, Any]:
    p_more, p_less = _prefix_kendall(history.days, history.intensity)
    same_day = np.floor(history.days[MIN_EPISODES - 1 :]) == math.floor(history.days[0])
    p_more[same_day] = np.nan
    p_less[same_day] = np.nan

    floor = _IntensityFloor(history)
    return (
        p_more,
        p_less,
        lambda index: floor.holds(index, rising=True),
        lambda index: floor.holds(index, rising=False),
    )


def _intensity(history: _History, today: date | None = None, *, replay: bool = False) -> Trend:
    numbers = _intensity_numbers(history)
    if isinstance(numbers, Trend):
        return numbers
    look = numbers.look
    direction, onset = _shown_direction("intensity", _intensity_looks, history, look, replay=replay)
    p_value = _shown_p(direction, look)
    count = len(history)
    start_level, end_level = numbers.start_level, numbers.end_level
    first, last = _day(history.days[0]), _day(history.days[-1])
    over = f"over {_length_words(numbers.span)} ({count} flare-ups)"
    since = None
    if direction is not Direction.STEADY:
        since = _mean_shift_month(history, history.intensity)
        more_or_less = "more" if direction is Direction.RISING else "less"
        summary = (
            f"Your flare-ups are getting {more_or_less} painful, since about {since:%B %Y}: "
            f"from about {_points(start_level)}/10 to about {_points(end_level)}/10 {over}."
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
        statistic=numbers.tau,
        p_value=p_value,
        effect_size=float(numbers.change),
        fit_line=((first, start_level), (last, end_level)),
        onset=_onset_day(history, today, onset) if today else None,
        since=since,
    )


def _shown_p(direction: Direction, look: Look) -> float | None:
    if look.p_more is None or look.p_less is None:
        return None
    if direction is Direction.RISING:
        return look.p_more
    if direction is Direction.FALLING:
        return look.p_less
    return min(look.p_more, look.p_less)


def _mean_shift_month(history: _History, values: np.ndarray) -> date:
    """The month where a single step in the mean best splits the scores (least squares)."""
    count = len(values)
    totals = np.cumsum(values)
    squares = np.cumsum(values**2)
    split = np.arange(1, count)
    left = squares[split - 1] - totals[split - 1] ** 2 / split
    right_sum = totals[-1] - totals[split - 1]
    right = (squares[-1] - squares[split - 1]) - right_sum**2 / (count - split)
    best = int(split[np.argmin(left + right)])
    return _day(history.days[best]).replace(day=1)


def _pairs(count: int) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of flare-ups (earlier, later) behind the Theil-Sen line.

    Every pair up to ``_MAX_EXACT_PAIRS``; beyond that, the pairs a power of two apart in
    time order (1, 2, 4, ... flare-ups apart), about 12 per flare-up for the longest
    histories. Those pairs are the same whatever comes later, so a longer history's pairs
    include a shorter one's (the replay relies on it), and the median of their slopes sits
    far closer to the all-pairs one than the 2-point floor cares about.
    """
    if count * (count - 1) // 2 <= _MAX_EXACT_PAIRS:
        return np.triu_indices(count, 1)
    # In order of the later flare-up, so a shorter history's pairs are a prefix of these.
    lags = 2 ** np.arange(int(math.log2(count - 1)) + 1)
    later = np.repeat(np.arange(count), len(lags))
    lag = np.tile(lags, count)
    keep = lag <= later
    return later[keep] - lag[keep], later[keep]


def _pair_slopes(
    x: np.ndarray, y: np.ndarray, pairs: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Slopes of the pairs apart in time, and their weights (the time between them)."""
    left, right = _pairs(len(x)) if pairs is None else pairs
    dx = x[right] - x[left]
    apart = dx > 0
    dx = dx[apart]
    return (y[right] - y[left])[apart] / dx, dx


def _pair_weights(x: np.ndarray) -> tuple[np.ndarray, int]:
    """Total pair weight for every prefix length (index k: the first k flare-ups), and the
    longest prefix that uses every pair."""
    count = len(x)
    every = 1
    while (every + 1) * every // 2 <= _MAX_EXACT_PAIRS and every < count:
        every += 1
    index = np.arange(count)
    all_pairs = np.concatenate([[0.0], np.cumsum(index * x - np.cumsum(x) + x)])
    lagged = np.zeros(count + 1)
    lag = 1
    while lag < count:
        step = np.zeros(count)
        step[lag:] = x[lag:] - x[:-lag]
        lagged[1:] += np.cumsum(step)
        lag *= 2
    return np.where(np.arange(count + 1) <= every, all_pairs, lagged), every


def _weighted_theil_sen(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Slope and intercept of the Sievers-Scholz (time-weighted) Theil-Sen line."""
    slopes, dx = _pair_slopes(x, y)
    if not len(dx):
        return 0.0, float(np.median(y))
    slope = _weighted_median(slopes, dx)
    return slope, float(np.median(y - slope * x))


class _IntensityFloor:
    """Whether the Theil-Sen change reaches the floor, for every look at once.

    A longer history's pairs include a shorter one's (within one regime of `_pairs`: all
    pairs, or the long-history pairs), and the floor slope (2 points over the span) only
    falls as the span grows. So each pair's slope is at or above the floor slope from one
    look on, for good: one pass over the diary's pairs gives, for every look, the weight of
    its pairs at or above its floor slope (and below it). More than half the look's weight
    on one side decides its median; only a look whose median sits on the floor itself needs
    a line of its own.
    """

    _MARGIN = 1e-9

    def __init__(self, history: _History) -> None:
        self.x = history.days - history.days[0]
        self.y = history.intensity
        self.total, self.every = _pair_weights(self.x)
        self.sides: dict[bool, dict[bool, tuple[np.ndarray, np.ndarray]]] = {}

    def _weights(self, long: bool) -> dict[bool, tuple[np.ndarray, np.ndarray]]:
        """By direction: per look (index: flare-ups seen), the pair weight at or above the
        floor slope, and the weight clearly below it."""
        count = len(self.x) if long else min(self.every, len(self.x))
        left, right = _pairs(count)
        dx = self.x[right] - self.x[left]
        apart = dx > 0
        left, right, dx = left[apart], right[apart], dx[apart]
        slopes = (self.y[right] - self.y[left]) / dx
        with np.errstate(divide="ignore"):
            floor_slope = INTENSITY_CHANGE_FLOOR / self.x[:count]  # by flare-ups seen - 1
        first = right + 1  # the first look (flare-ups seen) that has the pair
        size = count + 2
        sides = {}
        for rising in (True, False):
            toward = slopes if rising else -slopes
            # The floor slope never rises, so "at or above" starts at one look for good,
            # and "clearly below" ends at one.
            starts = np.maximum(first, np.searchsorted(-floor_slope, -toward, "left") + 1)
            ends = np.maximum(
                first, np.searchsorted(-floor_slope * (1 - 1e-6), -toward, "left") + 1
            )
            above = np.cumsum(np.bincount(starts, dx, minlength=size)[:size])
            below = np.cumsum(
                np.bincount(first, dx, minlength=size)[:size]
                - np.bincount(ends, dx, minlength=size)[:size]
            )
            sides[rising] = (above, below)
        return sides

    def holds(self, index: int, rising: bool) -> bool:
        count = MIN_EPISODES + index
        long = count > self.every
        if long not in self.sides:
            self.sides[long] = self._weights(long)
        above, below = self.sides[long][rising]
        weight = self.total[count] * (1 + self._MARGIN)
        if 2 * above[count] > weight:
            return True
        if 2 * below[count] > weight:
            return False
        history = _History(self.x[:count], self.y[:count], self.y[:count], self.y[:count])
        change = _intensity_change(history)[0]
        if rising:
            return change >= INTENSITY_CHANGE_FLOOR - _ROUNDING
        return change <= -INTENSITY_CHANGE_FLOOR + _ROUNDING


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


@dataclass(frozen=True)
class _SpreadNumbers:
    look: Look
    tau: float | None
    earlier: float
    later: float
    half: int


def _spread_numbers(history: _History) -> _SpreadNumbers | Trend:
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
    look = Look(
        p_more=p_more,
        p_less=p_less,
        up=change >= EXTENT_STEP_FLOOR - _ROUNDING,
        down=change <= -EXTENT_STEP_FLOOR + _ROUNDING,
    )
    return _SpreadNumbers(look, tau, earlier, later, half)


def _spread_look(history: _History, today: date | None = None) -> Look | None:
    numbers = _spread_numbers(history)
    return numbers.look if isinstance(numbers, _SpreadNumbers) else None


def _spread_looks(history: _History) -> tuple[np.ndarray, np.ndarray, Any, Any]:
    days, extent = history.days, history.extent
    p_more, p_less = _prefix_kendall(days, extent)
    seen = np.arange(MIN_EPISODES, len(days) + 1)
    half = seen // 2
    running = np.concatenate([[0.0], np.cumsum(extent)])
    change = (running[seen] - running[seen - half]) / half - running[half] / half
    # Flare-ups logged at the same moment across a cut count at their shared mean.
    straddled = (days[half - 1] == days[half]) | (days[seen - half - 1] == days[seen - half])
    for index in np.flatnonzero(straddled).tolist():
        numbers = _spread_numbers(history.prefix(int(seen[index])))
        change[index] = numbers.later - numbers.earlier
    return (
        p_more,
        p_less,
        (change >= EXTENT_STEP_FLOOR - _ROUNDING).__getitem__,
        (change <= -EXTENT_STEP_FLOOR + _ROUNDING).__getitem__,
    )


def _spread(history: _History, today: date | None = None, *, replay: bool = False) -> Trend:
    numbers = _spread_numbers(history)
    if isinstance(numbers, Trend):
        return numbers
    look = numbers.look
    direction, onset = _shown_direction("spread", _spread_looks, history, look, replay=replay)
    half, earlier, later = numbers.half, numbers.earlier, numbers.later
    scores = (
        f"on a 0-{EXTENT_MAX} scale of how far it spreads (0 is pain that stays on one side "
        f"of the back, {EXTENT_MAX} is both sides and down to the foot), your last {half} "
        "flare-ups "
        f"averaged {_one_decimal(later)}, against {_one_decimal(earlier)} for your first {half}"
    )
    since = None
    if direction is Direction.RISING:
        since = _mean_shift_month(history, history.extent)
        summary = f"Your pain is reaching a wider area, since about {since:%B %Y}: {scores}."
    elif direction is Direction.FALLING:
        since = _mean_shift_month(history, history.extent)
        summary = (
            f"Your pain is reaching a smaller area than before, since about {since:%B %Y}: "
            f"{scores}."
        )
    else:
        summary = f"How far your pain spreads shows no clear change: {scores}."
    return Trend(
        direction=direction,
        summary=summary,
        statistic=numbers.tau,
        p_value=_shown_p(direction, look),
        effect_size=later - earlier,
        onset=_onset_day(history, today, onset) if today else None,
        since=since,
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


def _prefix_kendall(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The one-sided p-values of `_kendall` on the first k points, for every k from
    MIN_EPISODES (x sorted), NaN where tau is undefined.

    Each new point adds (points below it) - (points above it) among the earlier ones at an
    earlier time, counted from running tallies per score, so all n prefixes cost about as
    much as one test. The variance is scipy's tie-corrected asymptotic one; the few prefixes
    scipy tests exactly (no ties at all) are handed to scipy.
    """
    count = len(x)
    seen = np.arange(MIN_EPISODES, count + 1)
    if not len(seen):
        return np.empty(0), np.empty(0)
    values, codes = np.unique(y, return_inverse=True)
    if len(values) > 64:  # scores that are not small whole numbers: test each prefix
        pairs = [_kendall(x[:k], y[:k]) for k in seen]
        return (
            np.array([np.nan if p is None else p for _, p, _ in pairs]),
            np.array([np.nan if p is None else p for _, _, p in pairs]),
        )
    tallies = np.zeros((count + 1, len(values)), dtype=np.int64)
    tallies[np.arange(1, count + 1), codes] = 1
    tallies = np.cumsum(tallies, axis=0)  # row k: scores among the first k points
    below = np.cumsum(tallies, axis=1) - tallies  # row k, column v: first k scoring below v
    index = np.arange(count)
    new_group = np.concatenate([[True], x[1:] != x[:-1]])
    group_start = np.maximum.accumulate(np.where(new_group, index, 0))
    same_x = index - group_start
    same_y = tallies[index, codes]
    same_both = same_y - tallies[group_start, codes]
    less = below[index, codes] - below[group_start, codes]
    greater = same_x - same_both - less
    lower_all = below[index, codes]
    # Pairs at an earlier time only (x sorted, so a tie in x is the same group).
    delta = (lower_all - less) - ((index - lower_all - same_y) - greater)
    score = np.cumsum(delta)

    def tie_terms(previous: np.ndarray) -> tuple[np.ndarray, ...]:
        c = previous.astype(float)
        pairs = np.cumsum(c)
        t0 = np.cumsum((c + 1) * c * (c - 1) - c * (c - 1) * (c - 2))
        t1 = np.cumsum((c + 1) * c * (2 * c + 7) - c * (c - 1) * (2 * c + 5))
        return pairs, t0, t1

    x_tie, x0, x1 = tie_terms(same_x)
    y_tie, y0, y1 = tie_terms(same_y)
    last = seen - 1
    size = seen.astype(float)
    x_tie, x0, x1, y_tie, y0, y1, score = (a[last] for a in (x_tie, x0, x1, y_tie, y0, y1, score))
    total = size * (size - 1) / 2
    m = size * (size - 1)
    variance = (
        (m * (2 * size + 5) - x1 - y1) / 18
        + (2 * x_tie * y_tie) / m
        + x0 * y0 / (9 * m * (size - 2))
    )
    undefined = (x_tie == total) | (y_tie == total)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = score / np.sqrt(variance)
    p_more = np.where(undefined, np.nan, special.ndtr(-z))
    p_less = np.where(undefined, np.nan, special.ndtr(z))
    for look in np.flatnonzero((x_tie == 0) & (y_tie == 0)).tolist():
        _, more, less_p = _kendall(x[: seen[look]], y[: seen[look]])
        p_more[look] = np.nan if more is None else more
        p_less[look] = np.nan if less_p is None else less_p
    return p_more, p_less


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
