from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from episodes.models import Episode
from tests.factories import page_text

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def make_history(make_episode, patient, count: int):
    now = timezone.now()
    return [
        make_episode(
            patient,
            started_at=now - timedelta(days=i + 1),
            intensity=i % 11,
            remedies={"ibuprofen": "yes", "walking": "somewhat"},
        )
        for i in range(count)
    ]


def test_history_shows_newest_first_25_per_page(patient_client, patient, make_episode):
    episodes = make_history(make_episode, patient, 30)
    response = patient_client.get(reverse("history"))
    shown = list(response.context["episodes"])
    assert shown == episodes[:25]
    assert response.context["next_page"] == 2


def test_the_second_page_with_htmx_is_only_the_rows(patient_client, patient, make_episode):
    episodes = make_history(make_episode, patient, 30)
    response = patient_client.get(reverse("history") + "?page=2", **HTMX)
    assert b"<html" not in response.content
    assert list(response.context["episodes"]) == episodes[25:]
    assert response.context["next_page"] is None


def test_the_second_page_without_javascript_is_a_whole_page(patient_client, patient, make_episode):
    make_history(make_episode, patient, 30)
    response = patient_client.get(reverse("history") + "?page=2")
    assert b"<html" in response.content
    assert b"Newer flare-ups" in response.content


def test_a_nonsense_page_number_shows_the_first_page(patient_client, patient, make_episode):
    make_history(make_episode, patient, 3)
    response = patient_client.get(reverse("history") + "?page=abc")
    assert response.status_code == 200
    assert len(response.context["episodes"]) == 3


def test_history_rows_show_date_duration_intensity_where_and_what_was_tried(
    patient_client, patient, make_episode
):
    make_episode(
        patient, intensity=7, side="left", spread="thigh", leg="left", remedies={"ibuprofen": "yes"}
    )
    content = patient_client.get(reverse("history")).content.decode()
    assert "7/10" in content
    assert "Left side; left leg, down to the thigh" in content
    assert "going on for 1 hour" in content
    assert "Ibuprofen or another anti-inflammatory (NSAID) (helped)" in content


def test_a_flare_up_logged_seconds_ago_started_just_now_in_the_history(
    patient_client, patient, make_episode
):
    make_episode(patient, started_at=timezone.now() - timedelta(seconds=20))
    text = page_text(patient_client.get(reverse("history")))
    assert "started just now" in text
    assert "0 minutes" not in text


def test_a_flare_up_within_its_first_hour_is_going_on_since_its_local_start(
    client, make_user, make_episode
):
    patient = make_user(tz="Asia/Kolkata")
    started = timezone.now() - timedelta(minutes=25)
    make_episode(patient, started_at=started)
    client.force_login(patient)
    text = page_text(client.get(reverse("history")))
    assert f"going on since {timezone.localtime(started, patient.zone):%H:%M}" in text
    assert "minutes" not in text


def test_history_shows_only_the_patients_own_flare_ups(
    patient_client, patient, other_patient, make_episode
):
    make_episode(other_patient, intensity=9)
    make_episode(patient, intensity=2)
    response = patient_client.get(reverse("history"))
    assert [e.intensity for e in response.context["episodes"]] == [2]


def test_history_query_count_does_not_grow_with_the_number_of_flare_ups(
    patient_client, patient, make_episode, django_assert_num_queries
):
    make_history(make_episode, patient, 3)
    patient_client.get(reverse("history"))  # the session's once-a-minute renewal happens here
    with django_assert_num_queries(4) as few:
        patient_client.get(reverse("history"))
    make_history(make_episode, patient, 60)
    with django_assert_num_queries(len(few.captured_queries)):
        patient_client.get(reverse("history"))


def test_a_day_is_the_patients_local_day(client, make_user, make_episode):
    tokyo = make_user(tz="Asia/Tokyo")
    # 23:30 in Tokyo on 10 March is 14:30 UTC the same day; 00:30 on 11 March is 15:30 UTC.
    from datetime import datetime
    from zoneinfo import ZoneInfo

    started = datetime(2026, 3, 10, 23, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    make_episode(tokyo, started_at=started)
    client.force_login(tokyo)
    content = client.get(reverse("history")).content.decode()
    assert "Tue 10 Mar 2026, 23:30" in content


def test_marking_a_flare_up_over_sets_its_end(patient_client, patient, make_episode):
    episode = make_episode(patient)
    response = patient_client.post(reverse("episode_end", args=[episode.pk]))
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.ended_at is not None
    assert episode.ended_at >= episode.started_at


def test_marking_over_needs_a_post(patient_client, patient, make_episode):
    episode = make_episode(patient)
    assert patient_client.get(reverse("episode_end", args=[episode.pk])).status_code == 405


def test_delete_asks_for_confirmation_first(patient_client, patient, make_episode):
    episode = make_episode(patient)
    response = patient_client.get(reverse("episode_delete", args=[episode.pk]))
    assert response.status_code == 200
    assert b"Yes, delete it" in response.content
    assert Episode.objects.filter(pk=episode.pk).exists()


def test_delete_after_confirmation_removes_the_flare_up(patient_client, patient, make_episode):
    episode = make_episode(patient, remedies={"heat": "yes"})
    response = patient_client.post(reverse("episode_delete", args=[episode.pk]))
    assert response.status_code == 302
    assert not Episode.objects.filter(pk=episode.pk).exists()


@pytest.mark.parametrize("name", ["episode_end", "episode_delete"])
def test_another_patient_cannot_end_or_delete_a_flare_up(
    client, patient, other_patient, make_episode, name
):
    episode = make_episode(patient)
    client.force_login(other_patient)
    assert client.post(reverse(name, args=[episode.pk])).status_code == 404
    episode.refresh_from_db()
    assert episode.ended_at is None
