"""Trend prompts follow the shown verdict: once at the onset of a rise, never again for it."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from django.utils import timezone

from advice import services
from advice.models import Prompt


def log_history(patient, days_ago) -> list:
    return [
        services.episode_log(
            patient=patient,
            started_at=timezone.now() - timedelta(days=float(ago)),
            intensity=5,
            side="left",
            spread="none",
        )[0]
        for ago in days_ago
    ]


def flare_ups_coming_three_times_as_often(rng) -> np.ndarray:
    """A year at about one a month, then a year at about three a month, oldest first."""
    before = rng.uniform(365, 730, 12)
    after = rng.uniform(1, 365, 36)
    return np.sort(np.concatenate([before, after]))[::-1]


def test_a_rise_in_frequency_is_prompted_once_at_its_onset(patient):
    episodes = log_history(patient, flare_ups_coming_three_times_as_often(np.random.default_rng(3)))

    prompted = Prompt.objects.filter(episode__patient=patient, code="rising_frequency")

    assert prompted.count() == 1
    assert episodes.index(prompted.get().episode) >= 12


def test_editing_the_flare_up_that_began_a_rise_does_not_prompt_again(patient):
    log_history(patient, flare_ups_coming_three_times_as_often(np.random.default_rng(3)))
    onset_episode = Prompt.objects.get(episode__patient=patient, code="rising_frequency").episode

    services.episode_revise(episode=onset_episode, intensity=6)

    assert Prompt.objects.filter(episode__patient=patient, code="rising_frequency").count() == 1


def test_a_steady_diary_gets_no_trend_prompt_at_any_look(patient):
    rng = np.random.default_rng(5)
    log_history(patient, np.sort(rng.uniform(1, 700, 30))[::-1])

    assert not Prompt.objects.filter(
        episode__patient=patient, code__in=["rising_frequency", "rising_intensity", "spreading"]
    ).exists()
