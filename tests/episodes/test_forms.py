from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from episodes.forms import FullEpisodeForm, QuickLogForm
from tests.factories import quick_log_data

pytestmark = pytest.mark.django_db


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def full_data(**overrides) -> dict:
    data = {"intensity": "6", "side": "right", "spread": "none", "started_at": ""}
    data.update(overrides)
    return data


def test_the_quick_log_accepts_the_essentials():
    form = QuickLogForm(quick_log_data())
    assert form.is_valid(), form.errors
    assert form.episode_fields["intensity"] == 5
    assert form.episode_fields["saddle_numbness"] is False


@pytest.mark.parametrize("intensity", ["11", "-1", "five", "", "5.5"])
def test_an_intensity_that_is_not_0_to_10_gets_its_own_message(intensity):
    form = QuickLogForm(quick_log_data(intensity=intensity))
    assert not form.is_valid()
    assert list(form.errors) == ["intensity"]


def test_a_start_in_the_future_is_refused():
    future = timezone.now() + timedelta(days=1)
    form = FullEpisodeForm(full_data(started_at=local(future)))
    assert not form.is_valid()
    assert "future" in form.errors["started_at"][0]


def test_an_end_before_the_start_is_refused():
    start = timezone.now() - timedelta(days=2)
    form = FullEpisodeForm(
        full_data(started_at=local(start), ended_at=local(start - timedelta(hours=3)))
    )
    assert not form.is_valid()
    assert list(form.errors) == ["ended_at"]
    assert "before the start" in form.errors["ended_at"][0]


def test_a_missing_leg_is_refused_when_the_pain_spreads():
    form = QuickLogForm(quick_log_data(spread="thigh"))
    assert not form.is_valid()
    assert list(form.errors) == ["leg"]


def test_a_leg_is_refused_when_the_pain_stays_in_the_back():
    form = QuickLogForm(quick_log_data(spread="none", leg="left"))
    assert not form.is_valid()
    assert list(form.errors) == ["leg"]


def test_notes_over_2000_characters_are_refused():
    form = FullEpisodeForm(full_data(notes="a" * 2001))
    assert not form.is_valid()
    assert "2000" in form.errors["notes"][0]


def test_notes_of_exactly_2000_characters_are_accepted():
    form = FullEpisodeForm(full_data(notes="a" * 2000))
    assert form.is_valid(), form.errors


def test_each_invalid_field_gets_its_own_message():
    form = QuickLogForm({"intensity": "12", "side": "up", "spread": "foot"})
    assert not form.is_valid()
    assert set(form.errors) == {"intensity", "side", "leg"}


def test_an_empty_start_means_now():
    form = FullEpisodeForm(full_data())
    assert form.is_valid(), form.errors
    assert abs(form.cleaned_data["started_at"] - timezone.now()) < timedelta(seconds=5)


def test_remedies_come_with_whether_they_helped():
    form = FullEpisodeForm(
        full_data(tried=["ibuprofen", "walking"], helped_ibuprofen="yes", helped_heat="no")
    )
    assert form.is_valid(), form.errors
    assert form.remedies == {"ibuprofen": "yes", "walking": "unknown"}


def test_an_unknown_remedy_is_refused():
    form = QuickLogForm(quick_log_data(tried=["leeches"]))
    assert not form.is_valid()
    assert list(form.errors) == ["tried"]


def test_times_are_read_in_the_patients_time_zone():
    with timezone.override("America/New_York"):
        form = FullEpisodeForm(full_data(started_at="2025-01-10T23:30"))
        assert form.is_valid(), form.errors
    started_at = form.cleaned_data["started_at"].astimezone(UTC)
    assert started_at.isoformat() == "2025-01-11T04:30:00+00:00"


def test_a_cross_field_error_is_said_once():
    form = QuickLogForm(quick_log_data(spread="thigh"))
    assert not form.is_valid()
    assert form.errors["leg"] == ["Choose which leg the pain spreads down."]
