"""The quick log as the phone's outbox sends it: JSON answers, the time it was logged on the
phone, one-time tokens, whose outbox it is; and what the log page carries to work offline."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from advice.contexts import seek_care_rules
from advice.models import Prompt
from advice.rules import LEVEL_MEANING, RULES, SEEK_CARE_LEVELS
from episodes.models import CLOCK_SKEW, Episode
from tests.factories import quick_log_data

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def outbox_send(client, *, logged_at=None, **overrides):
    data = quick_log_data(client_token=str(uuid.uuid4()), **overrides)
    if logged_at is not None:
        data["logged_at"] = logged_at.isoformat()
    return client.post(reverse("quick_log"), data, **JSON)


def error_codes(response) -> dict[str, list[str]]:
    return {
        field: [error["code"] for error in errors]
        for field, errors in response.json()["errors"].items()
    }


def test_a_log_from_the_outbox_starts_when_it_was_logged_on_the_phone(patient_client, patient):
    logged_at = timezone.now() - timedelta(hours=5, minutes=12)
    response = outbox_send(patient_client, logged_at=logged_at)
    episode = Episode.objects.get(patient=patient)
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    assert episode.started_at == logged_at
    assert response.json()["episode"] == {
        "id": episode.pk,
        "started_at": logged_at.isoformat(),
        "url": reverse("episode_detail", args=[episode.pk]),
    }


def test_a_resend_with_the_same_token_answers_with_the_flare_up_already_stored(
    patient_client, patient
):
    data = quick_log_data(client_token=str(uuid.uuid4()), logged_at=timezone.now().isoformat())
    first = patient_client.post(reverse("quick_log"), data, **JSON)
    again = patient_client.post(reverse("quick_log"), data, **JSON)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["replayed"] is True
    assert again.json()["episode"]["id"] == first.json()["episode"]["id"]
    assert Episode.objects.filter(patient=patient).count() == 1


def test_a_red_flag_sent_from_the_outbox_gets_its_advice_recorded(patient_client, patient):
    response = outbox_send(patient_client, bladder_bowel="on", logged_at=timezone.now())
    episode = Episode.objects.get(patient=patient)
    assert response.json()["prompts"][0] == {
        "code": "bladder_bowel",
        "level": "emergency",
        "title": "Changes in bladder or bowel control",
    }
    assert Prompt.objects.filter(episode=episode, code="bladder_bowel").exists()


def test_a_phone_clock_a_little_ahead_is_tolerated(patient_client, patient):
    logged_at = timezone.now() + CLOCK_SKEW - timedelta(seconds=30)
    assert outbox_send(patient_client, logged_at=logged_at).status_code == 201
    assert Episode.objects.get(patient=patient).started_at == logged_at


def test_a_time_further_in_the_future_is_refused_with_a_json_error(patient_client, patient):
    response = outbox_send(patient_client, logged_at=timezone.now() + CLOCK_SKEW * 2)
    assert response.status_code == 400
    assert error_codes(response) == {"logged_at": ["future"]}
    assert "check the date and time on this phone" in response.json()["message"]
    assert not Episode.objects.exists()


def test_seven_days_old_is_accepted_within_the_clock_skew(patient_client, patient):
    logged_at = timezone.now() - timedelta(days=7) - CLOCK_SKEW + timedelta(seconds=30)
    assert outbox_send(patient_client, logged_at=logged_at).status_code == 201


def test_older_than_seven_days_needs_the_patient_s_confirmation(patient_client, patient):
    logged_at = timezone.now() - timedelta(days=8)
    refused = outbox_send(patient_client, logged_at=logged_at)
    assert refused.status_code == 400
    assert error_codes(refused) == {"logged_at": ["too_old"]}
    assert not Episode.objects.exists()

    confirmed = outbox_send(patient_client, logged_at=logged_at, logged_at_confirmed="on")
    assert confirmed.status_code == 201
    assert Episode.objects.get(patient=patient).started_at == logged_at


@pytest.mark.parametrize("logged_at", ["yesterday", "2024-13-40T99:00:00Z", "1850-01-01T10:00Z"])
def test_an_unusable_logged_at_is_a_json_400_and_stores_nothing(patient_client, logged_at):
    data = quick_log_data(client_token=str(uuid.uuid4()), logged_at=logged_at)
    response = patient_client.post(reverse("quick_log"), data, **JSON)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["logged_at"]
    assert not Episode.objects.exists()


def test_an_invalid_log_answers_json_with_each_message_by_its_field(patient_client):
    response = outbox_send(patient_client, intensity="", spread="thigh")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"intensity", "leg"}
    message = response.json()["message"]
    assert "Choose how bad the pain is, from 0 to 10." in message
    assert "Choose which leg the pain spreads down." in message
    assert not Episode.objects.exists()


def test_an_entry_from_another_account_s_outbox_is_refused_and_not_stored(
    patient_client, patient, other_patient
):
    response = outbox_send(patient_client, outbox_user=str(other_patient.pk))
    assert response.status_code == 409
    assert error_codes(response) == {"outbox_user": ["other_account"]}
    assert not Episode.objects.exists()


def test_an_entry_from_the_patient_s_own_outbox_is_stored(patient_client, patient):
    assert outbox_send(patient_client, outbox_user=str(patient.pk)).status_code == 201


def test_a_browser_post_that_does_not_ask_for_json_still_gets_the_page(patient_client):
    response = patient_client.post(
        reverse("quick_log"), quick_log_data(), HTTP_ACCEPT="text/html,*/*;q=0.8"
    )
    assert response.status_code == 302
    anything = patient_client.post(reverse("quick_log"), quick_log_data(), HTTP_ACCEPT="*/*")
    assert anything.status_code == 302


def test_a_clinician_cannot_send_an_outbox(client, clinician):
    client.force_login(clinician)
    assert outbox_send(client).status_code == 404
    assert not Episode.objects.exists()


def test_after_the_session_ends_an_outbox_send_is_sent_to_log_in_and_stores_nothing(client):
    response = outbox_send(client)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Episode.objects.exists()


def page_json(response, element_id: str):
    found = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(found.group(1))


def test_the_log_page_carries_whose_outbox_it_shows_and_where_to_send_it(patient_client, patient):
    config = page_json(patient_client.get(reverse("home")), "offline-config")
    assert config["user"] == patient.pk
    assert config["log_url"] == reverse("quick_log")
    assert config["max_age_days"] == 7
    assert config["required"]["leg"] == "Choose which leg the pain spreads down."


def test_the_log_page_carries_every_emergency_and_urgent_rule_word_for_word(patient_client):
    carried = page_json(patient_client.get(reverse("home")), "offline-rules")
    seek_care = [rule for rule in RULES if rule.level in SEEK_CARE_LEVELS]
    assert carried == seek_care_rules()
    assert [rule["code"] for rule in carried["rules"]] == [rule.code for rule in seek_care]
    assert [rule["message"] for rule in carried["rules"]] == [rule.message for rule in seek_care]
    assert carried["levels"]["emergency"]["meaning"] == LEVEL_MEANING["emergency"]
    assert {rule["level"] for rule in carried["rules"]} == {"emergency", "urgent"}
