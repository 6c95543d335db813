"""The shown verdict is a replay of every look; the fast replay in `analyze` must give the
same verdict, and the same onset, as looking again at each prefix of the history."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import numpy as np
import pytest

from episodes import trends
from episodes.trends import Direction, analyze, shown_direction

START = datetime(2022, 1, 3, 8, 0)
SIGNALS = (
    ("frequency", trends._frequency_look),
    ("intensity", trends._intensity_look),
    ("spread", trends._spread_look),
)
SIDES = ("left", "right", "both", "center")
REACHES = ("none", "buttock", "thigh", "below_knee", "foot")


def naive(episodes, today: date) -> dict[str, tuple[Direction, date | None]]:
    """Every look computed from scratch, one after each flare-up from the sixth, then today."""
    history = trends._read(episodes, until=today.toordinal() + 1)
    days = trends._look_days(history, today)
    counts = [*range(trends.MIN_EPISODES, len(history) + 1), len(history)]
    shown = {}
    for name, look in SIGNALS:
        looks = [look(history.prefix(count), day) for count, day in zip(counts, days, strict=True)]
        onset_ps = [trends.onset_threshold(trends.ONSETS[name], count) for count in counts]
        direction, onset = shown_direction(looks, onset_ps)
        shown[name] = (direction, None if onset is None else days[onset])
    return shown


def random_history(rng: np.random.Generator) -> list[SimpleNamespace]:
    count = int(rng.integers(6, 90))
    months = rng.uniform(4, 40)
    # A change part-way makes onsets, holds and drops all happen.
    change = rng.uniform(0.2, 0.8)
    days = np.sort(
        np.concatenate(
            [
                rng.uniform(0, months * 30.4 * change, count // 3),
                rng.uniform(months * 30.4 * change, months * 30.4, count - count // 3),
            ]
        )
    )
    if rng.random() < 0.3:  # flare-ups logged at the same moment
        days[1::7] = days[0::7][: len(days[1::7])]
        days = np.sort(days)
    ramp = rng.uniform(-4, 4) * np.linspace(0, 1, count)
    intensity = np.clip(np.round(rng.uniform(2, 7) + ramp + rng.normal(0, 1.2, count)), 0, 10)
    reach_shift = rng.integers(0, 3)
    episodes = []
    for index, (day, pain) in enumerate(zip(days, intensity, strict=True)):
        late = index > count * change
        reach = REACHES[min(4, int(rng.integers(0, 2)) + (reach_shift if late else 0))]
        side = SIDES[int(rng.integers(0, 4 if late else 2))]
        leg = "" if reach == "none" else ("both" if late and rng.random() < 0.3 else "left")
        episodes.append(
            SimpleNamespace(
                started_at=START + timedelta(days=float(day)),
                intensity=int(pain),
                side=side,
                spread=reach,
                leg=leg,
            )
        )
    return episodes


def shown(report) -> dict[str, tuple[Direction, date | None]]:
    return {
        name: (getattr(report, name).direction, getattr(report, name).onset) for name, *_ in SIGNALS
    }


@pytest.mark.parametrize("seed", range(40))
def test_the_fast_replay_matches_looking_again_at_every_prefix(seed):
    rng = np.random.default_rng(seed)
    episodes = random_history(rng)
    last = max(episode.started_at for episode in episodes).date()
    today = last + timedelta(days=int(rng.integers(0, 60)))

    fast = shown(analyze(episodes, today))

    expected = naive(episodes, today)
    for name in fast:
        if fast[name][0] is Direction.INSUFFICIENT:
            assert expected[name][0] is Direction.STEADY
        else:
            assert fast[name] == expected[name], name


@pytest.mark.parametrize("seed", range(10))
def test_the_fast_replay_matches_after_edits_and_deletions(seed):
    rng = np.random.default_rng(1000 + seed)
    episodes = random_history(rng)
    for _ in range(6):
        index = int(rng.integers(0, len(episodes)))
        if rng.random() < 0.5 and len(episodes) > 7:
            del episodes[index]
        else:
            episodes[index].intensity = int(rng.integers(0, 11))
            episodes[index].started_at += timedelta(days=float(rng.uniform(-40, 40)))
        today = max(episode.started_at for episode in episodes).date()

        fast = shown(analyze(episodes, today))

        expected = naive(episodes, today)
        for name in fast:
            if fast[name][0] is not Direction.INSUFFICIENT:
                assert fast[name] == expected[name], name


def test_a_rise_that_began_at_a_look_keeps_its_onset_while_it_holds():
    rng = np.random.default_rng(7)
    days = np.sort(np.concatenate([rng.uniform(0, 365, 12), rng.uniform(365, 730, 40)]))
    episodes = [
        SimpleNamespace(
            started_at=START + timedelta(days=float(day)),
            intensity=5,
            side="left",
            spread="none",
            leg="",
        )
        for day in days
    ]
    today = (START + timedelta(days=730)).date()

    frequency = analyze(episodes, today).frequency

    assert frequency.direction is Direction.RISING
    assert frequency.onset is not None
    assert frequency.onset < today
    later = analyze(episodes, today + timedelta(days=1)).frequency
    assert later.direction is not Direction.RISING or later.onset == frequency.onset


@pytest.mark.parametrize("rise", [-3.0, -1.0, 0.0, 1.5, 3.0])
def test_the_intensity_floor_of_every_look_matches_a_fresh_line_on_long_diaries(rise):
    rng = np.random.default_rng(int(rise * 10) + 50)
    count = 400  # past the all-pairs regime, so both kinds of pairs are used
    days = np.sort(rng.uniform(0, 1500, count)) + 738_000
    pain = np.clip(np.round(5 + rise * (days - days[0]) / 1500 + rng.normal(0, 1.5, count)), 0, 10)
    history = trends._History(days, pain, pain, np.zeros(count, dtype=np.int64))
    floor = trends._IntensityFloor(history)
    for index in range(0, count - trends.MIN_EPISODES + 1, 5):
        change = trends._intensity_change(history.prefix(trends.MIN_EPISODES + index))[0]
        assert floor.holds(index, rising=True) is (change >= 2 - 1e-9)
        assert floor.holds(index, rising=False) is (change <= -2 + 1e-9)
