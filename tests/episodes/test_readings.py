"""Pain readings: a flare-up's course beside its peak. The database refuses a reading above 10
or from before the start; the patient adds, changes and deletes them with plain forms."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from episodes import services
from episodes.models import PainReading
from tests.factories import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode(patient, make_episode):
    return make_episode(patient, started_at=timezone.now() - timedelta(hours=6), intensity=7)


def test_the_database_refuses_a_reading_above_10(episode):
    with pytest.raises(IntegrityError), transaction.atomic():
        PainReading.objects.create(episode=episode, intensity=11, taken_at=timezone.now())


def test_the_database_refuses_a_reading_from_before_the_start(episode):
    with pytest.raises(IntegrityError), transaction.atomic():
        PainReading.objects.create(
            episode=episode, intensity=3, taken_at=episode.started_at - timedelta(minutes=1)
        )


def test_a_reading_above_the_peak_becomes_the_new_peak(episode):
    services.reading_add(episode=episode, intensity=9)
    episode.refresh_from_db()
    assert episode.intensity == 9


def test_a_reading_below_the_peak_keeps_the_peak(episode):
    services.reading_add(episode=episode, intensity=2)
    episode.refresh_from_db()
    assert episode.intensity == 7


def test_the_start_cannot_move_past_a_reading(episode):
    reading = services.reading_add(episode=episode, intensity=4)
    with pytest.raises(ValidationError):
        services.episode_update(episode=episode, started_at=reading.taken_at + timedelta(hours=1))


def test_moving_the_start_earlier_keeps_the_readings_valid(episode):
    services.reading_add(episode=episode, intensity=4)
    earlier = episode.started_at - timedelta(days=1)
    services.episode_update(episode=episode, started_at=earlier)
    assert PainReading.objects.get().episode_started_at == earlier


def test_the_flare_up_page_shows_the_readings_with_change_and_delete(patient_client, episode):
    reading = services.reading_add(episode=episode, intensity=4, note="after a walk")
    response = patient_client.get(reverse("episode_detail", args=[episode.pk]))
    text = page_text(response)
    assert "How the pain went" in text
    assert "4/10" in text
    assert "after a walk" in text
    html = response.content.decode()
    assert reverse("reading_edit", args=[episode.pk, reading.pk]) in html
    assert reverse("reading_delete", args=[episode.pk, reading.pk]) in html


def test_the_full_form_shows_the_readings_too(patient_client, episode):
    services.reading_add(episode=episode, intensity=5, note="evening")
    text = page_text(patient_client.get(reverse("episode_edit", args=[episode.pk])))
    assert "How the pain went" in text
    assert "evening" in text


def test_a_reading_is_added_with_a_plain_form(patient_client, episode):
    taken = timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = patient_client.post(
        reverse("reading_new", args=[episode.pk]),
        {"taken_at": taken, "intensity": "3", "note": "ibuprofen kicked in"},
    )
    assert response.status_code == 302
    reading = PainReading.objects.get()
    assert (reading.intensity, reading.note) == (3, "ibuprofen kicked in")


def test_a_reading_before_the_start_is_refused_next_to_the_field(patient_client, episode):
    before = timezone.localtime(episode.started_at - timedelta(hours=2))
    response = patient_client.post(
        reverse("reading_new", args=[episode.pk]),
        {"taken_at": before.strftime("%Y-%m-%dT%H:%M"), "intensity": "3"},
    )
    assert response.status_code == 200
    assert "A reading cannot be from before the flare-up began." in page_text(response)
    assert not PainReading.objects.exists()


def test_a_reading_of_11_is_refused_next_to_the_field(patient_client, episode):
    response = patient_client.post(reverse("reading_new", args=[episode.pk]), {"intensity": "11"})
    assert response.status_code == 200
    assert "Choose a whole number from 0 to 10." in page_text(response)


def test_a_reading_is_changed_and_deleted(patient_client, episode):
    reading = services.reading_add(episode=episode, intensity=4)
    taken = timezone.localtime(reading.taken_at).strftime("%Y-%m-%dT%H:%M")
    patient_client.post(
        reverse("reading_edit", args=[episode.pk, reading.pk]),
        {"taken_at": taken, "intensity": "2", "note": "easier"},
    )
    reading.refresh_from_db()
    assert (reading.intensity, reading.note) == (2, "easier")
    patient_client.post(reverse("reading_delete", args=[episode.pk, reading.pk]))
    assert not PainReading.objects.exists()


def test_another_patients_readings_are_404(client, other_patient, episode):
    reading = services.reading_add(episode=episode, intensity=4)
    client.force_login(other_patient)
    assert client.get(reverse("reading_new", args=[episode.pk])).status_code == 404
    edit = reverse("reading_edit", args=[episode.pk, reading.pk])
    assert client.post(edit, {"intensity": "1"}).status_code == 404
    delete = reverse("reading_delete", args=[episode.pk, reading.pk])
    assert client.post(delete).status_code == 404
    assert PainReading.objects.get().intensity == 4


def test_a_reading_of_another_flare_up_is_404_under_this_one(
    patient_client, patient, make_episode, episode
):
    other = make_episode(patient)
    reading = services.reading_add(episode=other, intensity=4)
    url = reverse("reading_delete", args=[episode.pk, reading.pk])
    assert patient_client.post(url).status_code == 404


def test_the_full_form_refuses_a_start_after_a_reading_next_to_the_field(patient_client, episode):
    reading = services.reading_add(
        episode=episode, intensity=4, taken_at=episode.started_at + timedelta(hours=1)
    )
    later = timezone.localtime(reading.taken_at + timedelta(hours=1))
    data = {
        "started_at": later.strftime("%Y-%m-%dT%H:%M"),
        "intensity": "7",
        "side": "left",
        "spread": "none",
    }
    response = patient_client.post(reverse("episode_edit", args=[episode.pk]), data)
    assert response.status_code == 200
    assert services.READING_BEFORE_START in page_text(response)
    episode.refresh_from_db()
    assert episode.started_at < reading.taken_at


def test_a_start_moved_by_any_save_moves_the_readings_copy(episode):
    services.reading_add(episode=episode, intensity=4)
    earlier = episode.started_at - timedelta(days=2)
    episode.started_at = earlier
    episode.save()  # as the admin saves it
    assert PainReading.objects.get().episode_started_at == earlier
