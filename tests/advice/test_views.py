from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from advice.models import Prompt
from episodes.models import Episode
from tests.factories import quick_log_data

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_anonymous_visitors_see_the_landing_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b"Sign up" in response.content


def test_the_home_page_offers_the_quick_log_with_every_red_flag_question(patient_client):
    response = patient_client.get(reverse("home"))
    assert response.status_code == 200
    for name in (
        "intensity",
        "side",
        "spread",
        "leg",
        "saddle_numbness",
        "bladder_bowel",
        "numbness",
        "leg_weakness",
        "fever",
        "injury",
    ):
        assert f'name="{name}"'.encode() in response.content


def test_quick_log_with_htmx_returns_only_the_fragment(patient_client, patient):
    response = patient_client.post(reverse("quick_log"), quick_log_data(), **HTMX)
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="log-panel"' in response.content
    assert Episode.objects.filter(patient=patient).count() == 1


def test_quick_log_without_htmx_redirects_to_the_new_flare_up(patient_client, patient):
    response = patient_client.post(reverse("quick_log"), quick_log_data())
    episode = Episode.objects.get(patient=patient)
    assert response.status_code == 302
    assert response["Location"] == reverse("episode_detail", args=[episode.pk])


def test_the_new_flare_up_appears_in_the_history_of_the_htmx_response(patient_client):
    response = patient_client.post(reverse("quick_log"), quick_log_data(intensity="8"), **HTMX)
    content = response.content.decode()
    assert 'id="history"' in content
    assert 'hx-swap-oob="true"' in content
    assert "8/10" in content


def test_invalid_quick_log_shows_errors_next_to_the_fields_and_stores_nothing(patient_client):
    response = patient_client.post(
        reverse("quick_log"), quick_log_data(intensity="", spread="thigh"), **HTMX
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="id_intensity-errors"' in content
    assert 'id="id_leg-errors"' in content
    assert "Choose which leg" in content
    assert not Episode.objects.exists()


def test_invalid_quick_log_without_htmx_renders_the_page_with_errors(patient_client):
    response = patient_client.post(reverse("quick_log"), quick_log_data(side="sideways"))
    assert response.status_code == 200
    assert b"<html" in response.content
    assert not Episode.objects.exists()


def test_quick_log_records_the_red_flag_answers_and_what_was_tried(patient_client, patient):
    patient_client.post(
        reverse("quick_log"),
        quick_log_data(numbness="on", spread="foot", leg="right", tried=["ibuprofen"]),
        **HTMX,
    )
    episode = Episode.objects.get(patient=patient)
    assert episode.numbness is True
    assert episode.saddle_numbness is False
    assert episode.tried == ["ibuprofen"]


def test_the_full_form_saves_every_detail(patient_client, patient):
    started = timezone.localtime(timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = patient_client.post(
        reverse("episode_new"),
        {
            "started_at": started,
            "intensity": "7",
            "side": "both",
            "spread": "thigh",
            "leg": "left",
            "spasm": "on",
            "trigger": "lifting",
            "notes": "Moved a sofa.",
            "tried": ["bed_rest", "heat"],
            "helped_bed_rest": "no",
            "helped_heat": "somewhat",
        },
    )
    episode = Episode.objects.get(patient=patient)
    assert response.status_code == 302
    assert (episode.intensity, episode.side, episode.spread, episode.leg) == (
        7,
        "both",
        "thigh",
        "left",
    )
    assert episode.trigger == "lifting"
    assert {r.code: r.helped for r in episode.remedies.all()} == {
        "bed_rest": "no",
        "heat": "somewhat",
    }


def test_editing_changes_the_flare_up_and_replaces_what_was_tried(
    patient_client, patient, make_episode
):
    episode = make_episode(patient, remedies={"bed_rest": "no"})
    data = {
        "started_at": timezone.localtime(episode.started_at).strftime("%Y-%m-%dT%H:%M"),
        "intensity": "3",
        "side": "center",
        "spread": "none",
        "tried": ["walking"],
        "helped_walking": "yes",
    }
    response = patient_client.post(reverse("episode_edit", args=[episode.pk]), data)
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.intensity == 3
    assert episode.tried == ["walking"]


def test_an_invalid_edit_changes_nothing(patient_client, patient, make_episode):
    episode = make_episode(patient, intensity=6)
    response = patient_client.post(
        reverse("episode_edit", args=[episode.pk]),
        {"intensity": "60", "side": "left", "spread": "none"},
        **HTMX,
    )
    assert response.status_code == 200
    assert b"Choose a whole number from 0 to 10" in response.content
    episode.refresh_from_db()
    assert episode.intensity == 6


def test_a_log_stores_the_prompts_it_showed(patient_client, patient):
    patient_client.post(reverse("quick_log"), quick_log_data(saddle_numbness="on"), **HTMX)
    prompt = Prompt.objects.filter(episode__patient=patient).order_by("rank").first()
    assert (prompt.code, prompt.level) == ("saddle_numbness", "emergency")


@pytest.mark.parametrize("name", ["episode_detail", "episode_edit"])
def test_another_patients_flare_up_answers_404(client, other_patient, make_episode, patient, name):
    episode = make_episode(patient)
    client.force_login(other_patient)
    assert client.get(reverse(name, args=[episode.pk])).status_code == 404


def test_editing_another_patients_flare_up_answers_404_and_changes_nothing(
    client, other_patient, make_episode, patient
):
    episode = make_episode(patient, intensity=4)
    client.force_login(other_patient)
    response = client.post(
        reverse("episode_edit", args=[episode.pk]),
        {"intensity": "9", "side": "left", "spread": "none"},
    )
    assert response.status_code == 404
    episode.refresh_from_db()
    assert episode.intensity == 4


@pytest.mark.parametrize(
    "url", ["/", "/history/", "/episodes/new/", "/settings/", "/guidance/", "/episodes/1/"]
)
def test_anonymous_users_are_sent_to_login(client, url):
    response = client.get(url)
    if url == "/":
        assert response.status_code == 200  # the landing page
        return
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_quick_log_without_a_csrf_token_is_refused(patient):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(patient)
    response = client.post(reverse("quick_log"), quick_log_data())
    assert response.status_code == 403
    assert not Episode.objects.exists()


def test_the_home_page_query_count_does_not_grow_with_the_history(
    patient_client, patient, make_episode, django_assert_max_num_queries
):
    for day in range(60):
        make_episode(
            patient,
            started_at=timezone.now() - timedelta(days=day + 1),
            remedies={"walking": "yes"},
        )
    with django_assert_max_num_queries(12):
        response = patient_client.get(reverse("home"))
    assert response.status_code == 200


def test_a_repeated_submission_with_the_same_token_logs_one_flare_up(patient_client, patient):
    data = quick_log_data(client_token="0b7f8f7e-3c39-4c55-9d39-2f7a9c1d2e11")
    first = patient_client.post(reverse("quick_log"), data, **HTMX)
    second = patient_client.post(reverse("quick_log"), data, **HTMX)
    assert (first.status_code, second.status_code) == (200, 200)
    assert Episode.objects.filter(patient=patient).count() == 1


def test_each_new_quick_log_form_carries_a_fresh_token(patient_client):
    first = patient_client.get(reverse("home")).context["form"]["client_token"].value()
    second = patient_client.get(reverse("home")).context["form"]["client_token"].value()
    assert first
    assert first != second


def test_the_same_token_from_another_patient_is_a_separate_flare_up(client, patient, other_patient):
    data = quick_log_data(client_token="0b7f8f7e-3c39-4c55-9d39-2f7a9c1d2e11")
    for person in (patient, other_patient):
        client.force_login(person)
        client.post(reverse("quick_log"), data, **HTMX)
    assert Episode.objects.count() == 2


def test_a_later_quick_log_adds_just_its_row_on_top_of_the_history(
    patient_client, patient, make_episode
):
    make_episode(patient, intensity=2)
    response = patient_client.post(reverse("quick_log"), quick_log_data(intensity="9"), **HTMX)
    content = response.content.decode()
    assert 'hx-swap-oob="afterbegin:#history-rows"' in content
    assert content.count('class="list-group-item episode-row"') == 1
    assert "9/10" in content


def test_a_replayed_quick_log_redraws_the_history_instead_of_adding_a_row(
    patient_client, patient, make_episode
):
    make_episode(patient, intensity=2)
    data = quick_log_data(client_token="0b7f8f7e-3c39-4c55-9d39-2f7a9c1d2e11")
    patient_client.post(reverse("quick_log"), data, **HTMX)
    content = patient_client.post(reverse("quick_log"), data, **HTMX).content.decode()
    assert "afterbegin" not in content
    assert content.count('class="list-group-item episode-row"') == 2
