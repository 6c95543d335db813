"""How often episodes.trends raises a false alarm over a lifetime of looks, how soon it
catches a real change, and how fast it is.

Run from the project root: ``python -m tests.bench_trends`` (part of ``make bench``, not of
the test suite; a couple of minutes). Exits 1 if any target is missed. Every case is 2,000
simulated diaries with a fixed seed (`tests.simulate` describes them); "alarmed" means at
least one onset of a shown "rising" after the change and before the diary ends; "one look"
is the verdict shown on a day drawn between 1 and 3 years into a steady diary.

The last column gives each figure for the plain design (one onset p-value at every look,
held to the same false alarms), beside the design in episodes.trends (an onset p-value that
shrinks once a diary has many flare-ups, and so many looks behind it).
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import numpy as np

from episodes.trends import Direction, analyze
from tests import simulate

SEED = 20_240_601
# The plain design, one onset p-value at every look (from `python -m tests.calibrate_trends`,
# held to the same false alarms), shown beside the one in episodes.trends.
PLAIN = {
    "frequency": (0.0072, 10**9, 1),
    "intensity": (0.010, 10**9, 1),
    "spread": (0.010, 10**9, 1),
}
DIARIES = 2000
MONTH = simulate.DAYS_PER_MONTH


@dataclass(frozen=True)
class Row:
    figure: str
    measured: float
    target: float
    at_most: bool  # the target is a ceiling (else a floor)
    unit: str = "%"
    plain: float | None = None  # the same figure with the plain design

    @property
    def margin(self) -> float:
        return self.target - self.measured if self.at_most else self.measured - self.target

    @property
    def passed(self) -> bool:
        return self.margin >= 0

    def cells(self) -> tuple[str, str, str, str]:
        sign = "<=" if self.at_most else ">="
        if self.unit == "%":
            return (
                f"{self.measured:.1%}",
                f"{sign} {self.target:.0%}",
                f"{self.margin * 100:+.1f} points",
                "" if self.plain is None else f"{self.plain:.1%}",
            )
        return (
            f"{self.measured:.1f} {self.unit}",
            f"{sign} {self.target:g} {self.unit}",
            f"{self.margin:+.1f} {self.unit}",
            "" if self.plain is None else f"{self.plain:.1f} {self.unit}",
        )


DESIGN = dict(simulate.ONSETS)


def rising_onsets(item: simulate.Diary, signal: str) -> list[float]:
    found = simulate.onsets(item, signal, DESIGN[signal])
    return [day for day, direction in found if direction is Direction.RISING]


def shown_rising(item: simulate.Diary, signal: str) -> bool:
    return simulate.replay(item, signal, DESIGN[signal])[0] is Direction.RISING


def steady_rows(seed: int, noise: float = 1.2) -> tuple[list[Row], list[str]]:
    lifetime: dict[str, list[float]] = {signal: [] for signal in simulate.SIGNALS}
    at_end: dict[str, list[float]] = {signal: [] for signal in simulate.SIGNALS}
    lines = []
    for offset, (shape_name, shape) in enumerate(simulate.SHAPES):
        rng = np.random.default_rng(seed + offset)
        cuts = np.random.default_rng(seed + offset + 1000)
        counts = {signal: [0, 0] for signal in simulate.SIGNALS}
        for _ in range(DIARIES):
            item = simulate.steady_diary(rng, shape, noise=noise)
            # One look: the verdict shown on a day drawn between 1 and 3 years in.
            look = simulate.truncated(item, cuts.uniform(12, 36))
            for signal in simulate.SIGNALS:
                counts[signal][0] += bool(rising_onsets(item, signal))
                counts[signal][1] += shown_rising(look, signal)
        parts = []
        for signal in simulate.SIGNALS:
            ever, end = (value / DIARIES for value in counts[signal])
            lifetime[signal].append(ever)
            at_end[signal].append(end)
            parts.append(f"{signal} {ever:.1%} ever / {end:.1%} at one look")
        lines.append(f"  {shape_name:22} " + "; ".join(parts))
    if noise != 1.2:
        return [
            Row(
                f"lifetime false 'rising' (intensity), noise SD {noise:g}, worst shape",
                max(lifetime["intensity"]),
                0.12,
                True,
            )
        ], lines
    rows = [
        Row(f"false 'rising' over 3 years of looks, worst shape: {signal}", max(values), 0.10, True)
        for signal, values in lifetime.items()
    ]
    rows += [
        Row(
            f"false 'rising', one look (1-3 years in), worst shape: {signal}",
            max(values),
            0.01,
            True,
        )
        for signal, values in at_end.items()
    ]
    return rows, lines


def change_case(
    seed: int, make: Callable[[np.random.Generator], tuple[simulate.Diary, float]], signal: str
) -> list[float]:
    """For each diary, months from the change to the first onset after it (inf: never)."""
    rng = np.random.default_rng(seed)
    delays = []
    for _ in range(DIARIES):
        item, change = make(rng)
        after = [day for day in rising_onsets(item, signal) if day >= change]
        delays.append((after[0] - change) / MONTH if after else float("inf"))
    return delays


def frequency_step(before: float, after: float, months_after: float):
    def make(rng: np.random.Generator) -> tuple[simulate.Diary, float]:
        days = simulate.step_days(rng, before, after, 12, months_after)
        count = len(days)
        item = simulate.diary(
            days,
            simulate.steady_intensity(rng, count),
            simulate.steady_extent(rng, count),
            12 + months_after,
        )
        return item, 12 * MONTH

    return make


def climbing(count: int):
    def make(rng: np.random.Generator) -> tuple[simulate.Diary, float]:
        days = simulate.even_days(rng, count)
        item = simulate.diary(
            days, simulate.climbing_intensity(rng, days, 3), simulate.steady_extent(rng, count), 12
        )
        return item, 0.0

    return make


def spreading(count: int):
    def make(rng: np.random.Generator) -> tuple[simulate.Diary, float]:
        days = simulate.even_days(rng, count)
        item = simulate.diary(
            days, simulate.steady_intensity(rng, count), simulate.spreading_extent(rng, count), 12
        )
        return item, 0.0

    return make


def alarmed(delays: list[float], within: float = float("inf")) -> float:
    return float(np.mean([math.isfinite(delay) and delay <= within for delay in delays]))


def change_rows(seed: int) -> list[Row]:
    one_to_three = change_case(seed + 10, frequency_step(1, 3, 12), "frequency")
    half_to_one_half = change_case(seed + 11, frequency_step(0.5, 1.5, 12), "frequency")
    half_long = change_case(seed + 12, frequency_step(0.5, 1.5, 24), "frequency")
    rows = [
        Row(
            "1 -> 3 flare-ups a month after a year (12 months on): alarmed",
            alarmed(one_to_three),
            0.84,
            False,
        ),
        Row("0.5 -> 1.5 a month (12 months on): alarmed", alarmed(half_to_one_half), 0.57, False),
        Row(
            "0.5 -> 1.5 a month: alarmed within 24 months of the change",
            alarmed(half_long, 24),
            0.74,
            False,
        ),
    ]
    for count, floor in ((20, 0.83), (12, 0.60)):
        delays = change_case(seed + 20 + count, climbing(count), "intensity")
        rows.append(
            Row(
                f"worst pain +3 points over {count} flare-ups: alarmed",
                alarmed(delays),
                floor,
                False,
            )
        )
    for count, floor in ((20, 0.89), (12, 0.60)):
        delays = change_case(seed + 40 + count, spreading(count), "spread")
        rows.append(
            Row(
                f"later half both sides and to the thigh, {count} flare-ups: alarmed",
                alarmed(delays),
                floor,
                False,
            )
        )
    rows.append(
        Row(
            "median delay from the change to the first 'rising', 1 -> 3 a month",
            statistics.median(one_to_three),
            4.5,
            True,
            "months",
        )
    )
    return rows


def long_history(count: int, rise: float, seed: int) -> list[SimpleNamespace]:
    rng = np.random.default_rng(seed)
    days = np.sort(rng.uniform(0, 3650, count))
    intensity = np.clip(np.round(5 + rise * days / 3650 + rng.normal(0, 1.2, count)), 0, 10)
    sides = rng.choice(("left", "right", "both", "center"), count)
    reaches = rng.choice(("none", "buttock", "thigh"), count)
    start = datetime(2016, 1, 1, 8, 0)
    return [
        SimpleNamespace(
            started_at=start + timedelta(days=float(day)),
            intensity=int(pain),
            side=str(side),
            spread=str(reach),
            leg="" if reach == "none" else "left",
        )
        for day, pain, side, reach in zip(days, intensity, sides, reaches, strict=True)
    ]


def timing(episodes: list[SimpleNamespace], today: date, runs: int = 7) -> float:
    analyze(episodes, today)
    spent = []
    for _ in range(runs):
        started = time.perf_counter()
        analyze(episodes, today)
        spent.append(time.perf_counter() - started)
    return statistics.median(spent) * 1000


def speed_rows(seed: int) -> tuple[list[Row], list[str]]:
    today = date(2026, 1, 5)
    steady = timing(long_history(3650, 0, seed), today)
    rising = timing(long_history(3650, 3, seed + 1), today)
    return [
        Row(
            "analyze() on 3,650 flare-ups (10 years, steady), replay included",
            steady,
            50,
            True,
            "ms",
        )
    ], [
        f"  3,650 flare-ups whose worst pain climbs 3 points (a rise shown for years): "
        f"{rising:.0f} ms"
    ]


def all_rows() -> tuple[list[Row], list[str], list[str]]:
    rows, lines = steady_rows(SEED)
    noisy_rows, noisy_lines = steady_rows(SEED + 100, noise=2.0)
    return rows + noisy_rows + change_rows(SEED), lines, noisy_lines


def main() -> int:
    started = time.perf_counter()
    rows, lines, noisy_lines = all_rows()
    DESIGN.update(PLAIN)
    plain_rows, plain_lines, _ = all_rows()
    DESIGN.update(simulate.ONSETS)
    rows = [
        Row(row.figure, row.measured, row.target, row.at_most, row.unit, plain.measured)
        for row, plain in zip(rows, plain_rows, strict=True)
    ]
    speed, speed_lines = speed_rows(SEED)
    rows += speed
    print(f"episodes.trends benchmark: {DIARIES} diaries a case, seed {SEED}")
    print()
    width = max(len(row.figure) for row in rows)
    print(
        f"{'figure':{width}}  {'measured':>10}  {'target':>12}  {'margin':>14}  ok   "
        f"{'plain design':>12}"
    )
    print("-" * (width + 63))
    for row in rows:
        measured, target, margin, plain = row.cells()
        verdict = "yes" if row.passed else "NO "
        print(
            f"{row.figure:{width}}  {measured:>10}  {target:>12}  {margin:>14}  {verdict}  "
            f"{plain:>12}"
        )
    print()
    print("False 'rising' by timing shape (steady 36-month diaries, a look after every flare-up):")
    print("\n".join(lines))
    print("With intensity noise SD 2.0:")
    print("\n".join(noisy_lines))
    print("The plain design (one onset p-value at every look):")
    print("\n".join(plain_lines))
    print("Speed, for information:")
    print("\n".join(speed_lines))
    print(f"\n({time.perf_counter() - started:.0f} s)")
    return 0 if all(row.passed for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
