"""Cached reports are keyed by the patient's data version, which the database moves on every
save and delete: no server can keep serving a verdict that a write on another server changed,
whatever that server's clock says."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from episodes import reports
from episodes.models import DataVersion, Episode
from episodes.reports import trend_report
from episodes.services import episode_delete, episode_update

pytestmark = pytest.mark.django_db


def version(patient):
    return Episode.objects.for_patient(patient).version()


def test_every_save_and_delete_moves_the_patients_data_version(patient, make_episode):
    numbers = []
    episode = make_episode(patient)
    numbers.append(DataVersion.objects.get(patient=patient).number)
    episode_update(episode=episode, intensity=8)
    numbers.append(DataVersion.objects.get(patient=patient).number)
    episode_delete(episode=episode)
    numbers.append(DataVersion.objects.get(patient=patient).number)
    assert numbers == sorted(set(numbers))


def test_another_patients_writes_leave_the_data_version_alone(patient, other_patient, make_episode):
    make_episode(patient)
    before = version(patient)
    make_episode(other_patient)
    assert version(patient) == before


def test_an_edit_made_by_a_server_whose_clock_is_behind_still_changes_the_version(
    patient, make_episode
):
    now = timezone.now()
    old = make_episode(patient, started_at=now - timedelta(days=30), intensity=2)
    make_episode(patient, started_at=now - timedelta(days=1), intensity=3)
    before = version(patient)
    # The other server's clock is an hour slow: its own stamp would not move the newest.
    with mock.patch("django.utils.timezone.now", return_value=now - timedelta(hours=1)):
        episode_update(episode=old, intensity=9)
    assert version(patient) != before
    stored = Episode.objects.get(pk=old.pk).updated_at
    assert stored > now - timedelta(minutes=5)  # stamped by the database's clock


def test_a_report_cached_before_an_edit_by_a_slow_clock_is_not_served_after_it(
    patient, make_long_history
):
    make_long_history(patient, 40)
    assert trend_report(patient).episode_count == 40  # cached, and the inputs memo filled
    oldest = Episode.objects.for_patient(patient).order_by("started_at").first()
    slow = timezone.now() - timedelta(hours=3)
    with mock.patch("django.utils.timezone.now", return_value=slow):
        episode_update(episode=oldest, intensity=10)
    intensities = sorted(i.intensity for i in reports.current_inputs(patient, version(patient)))
    fresh = sorted(Episode.objects.for_patient(patient).values_list("intensity", flat=True))
    assert intensities == fresh


def test_deleting_an_old_flare_up_makes_the_next_report_count_one_fewer(patient, make_long_history):
    make_long_history(patient, 12)
    assert trend_report(patient).episode_count == 12
    episode_delete(episode=Episode.objects.for_patient(patient).order_by("started_at").first())
    assert trend_report(patient).episode_count == 11


def test_a_report_cached_by_another_server_is_found_by_its_key(patient, make_episode):
    make_episode(patient)
    report = trend_report(patient)
    reports._INPUTS.clear()  # another process: nothing in memory, the shared cache holds it
    with mock.patch.object(reports, "analyze", side_effect=AssertionError("recomputed")):
        assert trend_report(patient) == report
