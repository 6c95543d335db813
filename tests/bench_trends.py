"""How often episodes.trends is right on simulated histories, and how fast it is.

Run from the project root: ``python -m tests.bench_trends`` (not part of the test suite).
Exits 1 if any floor fails.

The simulation, so the numbers can be judged:

- A history begins with the flare-up that made the person start logging (time 0); later
  flare-ups follow the scenario's process until ``today``, the end of the history. The
  frequency grid at the end also checks histories observed from a random moment of an
  already running process (``stationary``), where the first logged flare-up is not special.
- Steady timing: a Poisson process at 0.5 to 3 flare-ups a month over 1 to 3 years (drawn
  uniformly per history), or clustered flare-ups: gamma-distributed gaps of shape 0.5 or
  0.25 (coefficient of variation 1.4 and 2) with the same mean rate.
- Steady intensity: a level drawn per history (2 to 8) plus noise with SD 1.2, rounded and
  clipped to 0-10. Steady spread: side, reach and leg drawn independently for every
  flare-up from category weights drawn per history (a stationary extent distribution).
- Times carry a time of day; datetimes are naive wall-clock values as the app passes them.
"""

from __future__ import annotations

import math
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import numpy as np
from scipy import stats

from episodes.trends import Direction, TrendReport, analyze

SEED = 20_240_601
DAYS_PER_MONTH = 365.25 / 12
ORIGIN = datetime(2021, 3, 1, 7, 30)
SIDES = ("left", "right", "both", "center")
REACHES = ("none", "buttock", "thigh", "below_knee", "foot")
LEGS = ("left", "right", "both")
VERDICTS = (Direction.RISING, Direction.STEADY, Direction.FALLING, Direction.INSUFFICIENT)

STEADY_HISTORIES = 1000
POWER_HISTORIES = 1000
GRID_HISTORIES = 300
FALSE_ALARM_CEILING = 0.05


@dataclass(frozen=True)
class Flare:
    day: float  # days since the start of the history
    intensity: int
    side: str
    spread: str
    leg: str


# --- timing ------------------------------------------------------------------------------


def poisson_days(rng: np.random.Generator, per_month: float, months: float) -> np.ndarray:
    length = months * DAYS_PER_MONTH
    later = rng.uniform(0, length, rng.poisson(per_month * months))
    return np.sort(np.concatenate([[0.0], later]))


def step_days(
    rng: np.random.Generator, before: float, after: float, months_each: float
) -> np.ndarray:
    length = months_each * DAYS_PER_MONTH
    first_part = rng.uniform(0, length, rng.poisson(before * months_each))
    second_part = rng.uniform(length, 2 * length, rng.poisson(after * months_each))
    return np.sort(np.concatenate([[0.0], first_part, second_part]))


def renewal_days(
    rng: np.random.Generator,
    per_month: float,
    months: float,
    shape: float,
    *,
    stationary: bool = False,
) -> np.ndarray:
    """Gamma-gap renewal process; shape 1 is Poisson, smaller shapes cluster."""
    length = months * DAYS_PER_MONTH
    mean_gap = DAYS_PER_MONTH / per_month
    # A long run-in before the window makes the first flare-up in it an ordinary one.
    start = -60 * mean_gap if stationary else 0.0
    expected = int((length - start) / mean_gap)
    draws = max(16, 2 * expected + 10 * math.isqrt(expected + 1))
    times = start + np.cumsum(rng.gamma(shape, mean_gap / shape, draws))
    while times[-1] < length:
        extra = times[-1] + np.cumsum(rng.gamma(shape, mean_gap / shape, draws))
        times = np.concatenate([times, extra])
    times = times[(times >= 0) & (times < length)]
    return times if stationary else np.concatenate([[0.0], times])


# --- what each flare-up is like -----------------------------------------------------------


def steady_flares(rng: np.random.Generator, days: np.ndarray) -> list[Flare]:
    level = rng.uniform(2, 8)
    intensities = np.clip(np.round(level + rng.normal(0, 1.2, len(days))), 0, 10)
    side_weights = rng.dirichlet(np.ones(len(SIDES)))
    reach_weights = rng.dirichlet(np.ones(len(REACHES)))
    leg_weights = rng.dirichlet(np.ones(len(LEGS)))
    sides = rng.choice(SIDES, len(days), p=side_weights)
    reaches = rng.choice(REACHES, len(days), p=reach_weights)
    legs = rng.choice(LEGS, len(days), p=leg_weights)
    return [
        Flare(float(d), int(i), str(s), str(r), "" if r == "none" else str(leg))
        for d, i, s, r, leg in zip(days, intensities, sides, reaches, legs, strict=True)
    ]


def climbing_flares(rng: np.random.Generator, count: int, rise: float) -> list[Flare]:
    days = np.sort(np.concatenate([[0.0], rng.uniform(0, 12 * DAYS_PER_MONTH, count - 1)]))
    level = rng.uniform(3, 5) + rise * days / days[-1]
    intensities = np.clip(np.round(level + rng.normal(0, 1.2, count)), 0, 10)
    flares = steady_flares(rng, days)
    return [
        Flare(f.day, int(i), f.side, f.spread, f.leg)
        for f, i in zip(flares, intensities, strict=True)
    ]


def spreading_flares(rng: np.random.Generator, count: int) -> list[Flare]:
    days = np.sort(np.concatenate([[0.0], rng.uniform(0, 12 * DAYS_PER_MONTH, count - 1)]))
    level = rng.uniform(3, 6)
    flares = []
    for index, day in enumerate(days):
        intensity = int(np.clip(round(level + rng.normal(0, 1.2)), 0, 10))
        later_half = index >= count // 2
        if later_half and rng.random() < 0.8:
            side, spread, leg = "both", "thigh", str(rng.choice(("left", "right")))
        else:
            side = str(rng.choice(("left", "right", "center")))
            spread = str(rng.choice(("none", "buttock")))
            one_leg = side if side != "center" else str(rng.choice(("left", "right")))
            leg = "" if spread == "none" else one_leg
        flares.append(Flare(float(day), intensity, side, spread, leg))
    return flares


def as_episodes(flares: list[Flare]) -> list[SimpleNamespace]:
    return [
        SimpleNamespace(
            started_at=ORIGIN + timedelta(days=f.day),
            intensity=f.intensity,
            side=f.side,
            spread=f.spread,
            leg=f.leg,
        )
        for f in flares
    ]


def report_for(flares: list[Flare], length_days: float) -> TrendReport:
    today = (ORIGIN + timedelta(days=length_days)).date()
    return analyze(as_episodes(flares), today)


# --- scenarios ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    scenario: str
    signal: str
    shares: dict[Direction, float]
    histories: int
    floor: str
    passed: bool | None  # None: shown for information, no floor


def tally(reports: list[TrendReport], signal: str) -> dict[Direction, float]:
    counts = Counter(getattr(report, signal).direction for report in reports)
    return {verdict: counts[verdict] / len(reports) for verdict in VERDICTS}


def ceiling_row(scenario: str, signal: str, reports: list[TrendReport]) -> Row:
    shares = tally(reports, signal)
    return Row(
        scenario,
        signal,
        shares,
        len(reports),
        f"rising <= {FALSE_ALARM_CEILING:.0%}",
        shares[Direction.RISING] <= FALSE_ALARM_CEILING,
    )


def floor_row(scenario: str, signal: str, reports: list[TrendReport], floor: float) -> Row:
    shares = tally(reports, signal)
    return Row(
        scenario,
        signal,
        shares,
        len(reports),
        f"rising >= {floor:.0%}",
        shares[Direction.RISING] >= floor,
    )


def steady_reports(rng: np.random.Generator, shape: float) -> list[TrendReport]:
    reports = []
    for _ in range(STEADY_HISTORIES):
        per_month = rng.uniform(0.5, 3)
        months = 12 * rng.uniform(1, 3)
        days = renewal_days(rng, per_month, months, shape)
        reports.append(report_for(steady_flares(rng, days), months * DAYS_PER_MONTH))
    return reports


def false_alarm_rows(rng: np.random.Generator) -> list[Row]:
    rows = []
    for label, shape in (
        ("steady, Poisson", 1.0),
        ("steady, clustered (gamma 0.5)", 0.5),
        ("steady, clustered (gamma 0.25)", 0.25),
    ):
        reports = steady_reports(rng, shape)
        rows.extend(ceiling_row(label, signal, reports) for signal in SIGNALS)
    return rows


def frequency_rows(rng: np.random.Generator) -> list[Row]:
    rows = []
    for before, after, floor in ((1.0, 3.0, 0.85), (0.5, 1.5, 0.60)):
        reports = [
            report_for(steady_flares(rng, step_days(rng, before, after, 12)), 24 * DAYS_PER_MONTH)
            for _ in range(POWER_HISTORIES)
        ]
        label = f"{before:g}/month for a year, then {after:g}/month"
        rows.append(floor_row(label, "frequency", reports, floor))
    # The same change seen from a random moment (the first logged flare-up is then an
    # ordinary one, so the Laplace test loses what came before it): no floor, for honesty.
    reports = []
    for _ in range(POWER_HISTORIES):
        days = step_days(rng, 0.5, 1.5, 12)[1:]
        reports.append(report_for(steady_flares(rng, days), 24 * DAYS_PER_MONTH))
    rows.append(
        Row(
            "0.5 then 1.5/month, no flare-up at the start",
            "frequency",
            tally(reports, "frequency"),
            len(reports),
            "(information)",
            None,
        )
    )
    return rows


def intensity_rows(rng: np.random.Generator) -> list[Row]:
    rows = []
    for count, floor in ((20, 0.80), (12, 0.60)):
        reports = [
            report_for(climbing_flares(rng, count, 3.0), 12 * DAYS_PER_MONTH)
            for _ in range(POWER_HISTORIES)
        ]
        rows.append(floor_row(f"worst pain +3 points over {count}", "intensity", reports, floor))
    return rows


def spread_rows(rng: np.random.Generator) -> list[Row]:
    rows = []
    for count, floor in ((20, 0.90), (12, 0.70)):
        reports = [
            report_for(spreading_flares(rng, count), 12 * DAYS_PER_MONTH)
            for _ in range(POWER_HISTORIES)
        ]
        rows.append(floor_row(f"later half both sides + thigh, {count}", "spread", reports, floor))
    return rows


def two_flare_up_rows(rng: np.random.Generator) -> list[Row]:
    reports = []
    for _ in range(300):
        days = np.sort(rng.uniform(0, 3 * 365.25, 2))
        worse = [
            Flare(float(days[0]), 1, "left", "none", ""),
            Flare(float(days[1]), 10, "both", "foot", "both"),
        ]
        reports.append(report_for(worse, float(days[1]) + rng.uniform(0, 60)))
    rows = []
    for signal in SIGNALS:
        shares = tally(reports, signal)
        rows.append(
            Row(
                "two flare-ups, the 2nd far worse",
                signal,
                shares,
                len(reports),
                "insufficient = 100%",
                shares[Direction.INSUFFICIENT] == 1.0,
            )
        )
    return rows


SIGNALS = ("frequency", "intensity", "spread")


def repeated_look_rows(rng: np.random.Generator) -> list[Row]:
    """How often a steady history shows `rising` at least once if checked after every log.

    The floors above judge one look per history. The app shows the trends every time, so a
    person who looks after each new flare-up meets more false alarms than that: shown for
    information, not a floor.
    """
    ever_rising = Counter()
    histories = 300
    for _ in range(histories):
        per_month, months = rng.uniform(0.5, 3), 12 * rng.uniform(1, 3)
        flares = steady_flares(rng, renewal_days(rng, per_month, months, 1.0))
        seen = set()
        looks = [flare.day for flare in flares[5:]] + [months * DAYS_PER_MONTH]
        for look in looks:
            report = report_for([f for f in flares if f.day <= look], look)
            seen.update(
                name
                for name in ("frequency", "intensity", "spread")
                if getattr(report, name).direction is Direction.RISING
            )
        ever_rising.update(seen)
    return [
        Row(
            "steady Poisson, checked after every flare-up",
            signal,
            {Direction.RISING: ever_rising[signal] / histories},
            histories,
            "(information: rising at least once)",
            None,
        )
        for signal in SIGNALS
    ]


# --- the clustered-timing grid -----------------------------------------------------------


def grid_rows(rng: np.random.Generator) -> tuple[list[Row], list[str]]:
    """False alarms of the frequency verdict for every rate and length in the steady range.

    Single cells of 300 histories are noisy (a true 4% shows as up to 6-7% in some of 72
    cells by chance alone), so a cell fails only when a binomial test shows its true rate is
    above 5% (one-sided, Bonferroni over the cells); the pooled rate must be below 5% too.
    """
    rates, years, shapes = (0.5, 1.0, 2.0, 3.0), (1, 2, 3), (1.0, 0.5, 0.25)
    cells: dict[tuple[float, bool, float, int], int] = {}
    for shape in shapes:
        for stationary in (False, True):
            for per_month in rates:
                for length_years in years:
                    months = 12 * length_years
                    rising = 0
                    for _ in range(GRID_HISTORIES):
                        days = renewal_days(rng, per_month, months, shape, stationary=stationary)
                        report = report_for(steady_flares(rng, days), months * DAYS_PER_MONTH)
                        rising += report.frequency.direction is Direction.RISING
                    cells[(shape, stationary, per_month, length_years)] = rising

    lines = []
    rows = []
    threshold = 0.05 / len(cells)
    for shape in shapes:
        for stationary in (False, True):
            start = "random moment" if stationary else "first flare-up"
            lines.append(
                f"  gamma shape {shape:g}, observed from the {start}: rising % "
                "(rows: flare-ups a month; columns: 1, 2, 3 years)"
            )
            counts = []
            for per_month in rates:
                cell_counts = [cells[(shape, stationary, per_month, y)] for y in years]
                counts.extend(cell_counts)
                shown = "  ".join(f"{100 * c / GRID_HISTORIES:5.1f}" for c in cell_counts)
                lines.append(f"    {per_month:>4g}/month  {shown}")
            pooled = sum(counts) / (len(counts) * GRID_HISTORIES)
            worst = max(counts)
            significantly_above = any(
                stats.binomtest(
                    c, GRID_HISTORIES, FALSE_ALARM_CEILING, alternative="greater"
                ).pvalue
                < threshold
                for c in counts
            )
            label = "Poisson" if shape == 1.0 else f"gamma {shape:g}"
            rows.append(
                Row(
                    f"grid {label}, from {start}",
                    "frequency",
                    {
                        Direction.RISING: pooled,
                        Direction.STEADY: math.nan,
                        Direction.FALLING: math.nan,
                        Direction.INSUFFICIENT: math.nan,
                    },
                    len(counts) * GRID_HISTORIES,
                    f"pooled <= 5%, no cell above (worst {worst / GRID_HISTORIES:.1%})",
                    pooled <= FALSE_ALARM_CEILING and not significantly_above,
                )
            )
    return rows, lines


# --- speed -------------------------------------------------------------------------------


def speed(rng: np.random.Generator) -> tuple[list[Row], list[str]]:
    timings = {}
    for count in (100, 1_000, 10_000):
        days = np.sort(rng.uniform(0, 8 * 365.25, count))
        episodes = as_episodes(steady_flares(rng, days))
        today = (ORIGIN + timedelta(days=8 * 365.25)).date()
        best = math.inf
        for _ in range(7):
            started = time.perf_counter()
            analyze(episodes, today)
            best = min(best, time.perf_counter() - started)
        timings[count] = best

    def n_log_n(n: int) -> float:
        return n * math.log(n)

    # Fixed costs dominate small inputs, so growth is checked with a 1.5x allowance.
    growth_ok = all(
        timings[big] / timings[small] <= 1.5 * n_log_n(big) / n_log_n(small)
        for small, big in ((100, 1_000), (1_000, 10_000))
    )
    lines = [
        "  analyze() best of 7: "
        + ", ".join(f"{n:,} episodes {1000 * t:.1f} ms" for n, t in timings.items())
    ]
    rows = [
        Row("10,000 episodes", "time", {}, 1, "< 100 ms", timings[10_000] < 0.1),
        Row("100 -> 1,000 -> 10,000", "growth", {}, 1, "<= n log n", growth_ok),
    ]
    return rows, lines


# --- output ------------------------------------------------------------------------------


def print_table(rows: list[Row]) -> None:
    header = (
        f"{'scenario':<46} {'signal':<9} {'n':>6} {'rising':>7} {'steady':>7} "
        f"{'falling':>7} {'insuff':>7}  {'floor':<44} result"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        cells = []
        for verdict in VERDICTS:
            share = row.shares.get(verdict)
            cells.append(" " * 7 if share is None or math.isnan(share) else f"{share:7.1%}")
        result = "info" if row.passed is None else ("PASS" if row.passed else "FAIL")
        print(
            f"{row.scenario:<46} {row.signal:<9} {row.histories:>6} {' '.join(cells)}  "
            f"{row.floor:<44} {result}"
        )


def main() -> int:
    rng = np.random.default_rng(SEED)
    started = time.perf_counter()
    sections: list[Callable[[np.random.Generator], list[Row]]] = [
        false_alarm_rows,
        frequency_rows,
        intensity_rows,
        spread_rows,
        two_flare_up_rows,
        repeated_look_rows,
    ]
    rows: list[Row] = []
    for section in sections:
        rows.extend(section(rng))
    grid, grid_lines = grid_rows(rng)
    rows.extend(grid)
    speed_rows, speed_lines = speed(rng)
    rows.extend(speed_rows)

    print(f"episodes.trends benchmark (seed {SEED}, {date.today().isoformat()})")
    print()
    print_table(rows)
    print()
    print("Frequency false alarms by rate and length:")
    print("\n".join(grid_lines))
    print()
    print("Speed:")
    print("\n".join(speed_lines))
    floored = [row for row in rows if row.passed is not None]
    failed = [row for row in floored if not row.passed]
    print()
    print(
        f"{len(floored) - len(failed)} of {len(floored)} rows pass their floor "
        f"({time.perf_counter() - started:.0f} s)."
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
