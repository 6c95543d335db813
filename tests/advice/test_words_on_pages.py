"""What a person reads: urgency levels by name, never their stored codes, and one
disclaimer in the same words on every page."""

import re

import pytest
from django.urls import reverse

from advice.rules import DISCLAIMER, LEVEL_ORDER
from clinic import services
from tests.factories import log_history, page_text

pytestmark = pytest.mark.django_db

RAW_CODE = re.compile(r"\bself_care\b|\b(?:told|level:?) (?:emergency|urgent|soon)\b")


@pytest.fixture
def history(patient, clinician):
    """Flare-ups whose advice reached every level, shared with a clinician."""
    episodes = log_history(patient)
    services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    return episodes


def patient_pages(episodes) -> list[str]:
    pages = ["/", "/history/", "/trends/?range=all", "/guidance/", "/sharing/", "/settings/"]
    for episode in episodes:
        pages += [f"/episodes/{episode.pk}/", f"/episodes/{episode.pk}/edit/"]
    return pages


def test_no_patient_page_shows_a_stored_level_code(client, patient, history):
    client.force_login(patient)
    for path in patient_pages(history):
        text = page_text(client.get(path))
        assert not RAW_CODE.search(text), (path, RAW_CODE.search(text))


def test_no_clinician_page_shows_a_stored_level_code(client, patient, clinician, history):
    client.force_login(clinician)
    for path in (
        "/clinic/",
        f"/clinic/patients/{patient.pk}/",
        f"/clinic/patients/{patient.pk}/history/",
        *(f"/clinic/patients/{patient.pk}/episodes/{episode.pk}/" for episode in history),
    ):
        text = page_text(client.get(path))
        assert not RAW_CODE.search(text), (path, RAW_CODE.search(text))


def test_the_guidance_page_names_the_four_levels(patient_client):
    text = page_text(patient_client.get(reverse("guidance")))
    for name, level in zip(("Emergency", "Urgent", "Soon", "Self-care"), LEVEL_ORDER, strict=True):
        assert f"{name} {level.meaning}" in text


def test_the_episode_page_says_what_was_told_by_level_name(patient_client, history):
    first = history[0]
    text = page_text(patient_client.get(reverse("episode_detail", args=[first.pk])))
    assert "Urgent, numbness or tingling" in text
    assert "Self-care, " in text


def test_the_trends_chart_table_names_the_level(patient_client, history):
    text = page_text(patient_client.get(reverse("trends") + "?range=all"))
    assert re.search(r"\d{4}: Emergency, ", text)
    assert re.search(r"\d{4}: Urgent, ", text)


def test_the_clinician_summary_names_the_level(client, patient, clinician, history):
    client.force_login(clinician)
    summary = reverse("patient_summary", args=[patient.pk]) + "?period=all"
    text = page_text(client.get(summary))
    assert re.search(r"\bEmergency\b", text)
    assert re.search(r"\bUrgent\b", text)
    assert "self_care" not in text


def test_every_page_ends_with_the_one_disclaimer_and_the_privacy_link(client, patient, history):
    assert "does not diagnose" in DISCLAIMER
    anonymous = [page_text(client.get(path)) for path in ("/", "/login/", "/signup/")]
    client.force_login(patient)
    signed_in = [page_text(client.get(path)) for path in patient_pages(history)]
    for text in anonymous + signed_in:
        assert text.endswith(f"{DISCLAIMER} Privacy notice")


def test_the_trends_page_carries_one_disclaimer(patient_client, history):
    text = page_text(patient_client.get(reverse("trends")))
    assert text.count("does not diagnose") == 1
    assert text.count(DISCLAIMER) == 1
