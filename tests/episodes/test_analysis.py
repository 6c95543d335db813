from datetime import timedelta

import pytest
from django.utils import timezone

from episodes.models import Episode
from episodes.reports import current_inputs, trend_report
from episodes.services import episode_delete, episode_update

pytestmark = pytest.mark.django_db


def inputs_now(patient):
    return sorted(
        (i.started_at, i.intensity, i.side)
        for i in current_inputs(patient, Episode.objects.for_patient(patient).version())
    )


def test_the_trend_inputs_follow_every_kind_of_change(patient, make_episode):
    now = timezone.now()
    first = make_episode(patient, started_at=now - timedelta(days=3), intensity=2)
    assert [i[1] for i in inputs_now(patient)] == [2]
    second = make_episode(patient, started_at=now - timedelta(days=2), intensity=5)
    assert [i[1] for i in inputs_now(patient)] == [2, 5]
    episode_update(episode=first, intensity=9)
    assert [i[1] for i in inputs_now(patient)] == [9, 5]
    episode_delete(episode=second)
    make_episode(patient, started_at=now - timedelta(days=1), intensity=7)
    assert [i[1] for i in inputs_now(patient)] == [9, 7]


def test_the_trend_inputs_are_in_the_patients_time_zone(make_user, make_episode):
    patient = make_user(tz="Asia/Tokyo")
    make_episode(patient, started_at=timezone.now() - timedelta(hours=2))
    ((started_at, _, _),) = inputs_now(patient)
    assert started_at.utcoffset() == timedelta(hours=9)


def test_the_report_counts_a_new_flare_up_at_once(patient, make_episode):
    make_episode(patient)
    assert trend_report(patient).episode_count == 1
    make_episode(patient, started_at=timezone.now() - timedelta(days=1))
    assert trend_report(patient).episode_count == 2
