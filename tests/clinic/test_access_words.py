"""The Sharing page tells a patient in words who did what with their data."""

import pytest
from django.test import Client
from django.urls import reverse

from backlog.access_log import ACTION_WORDS, action_words
from clinic import services
from tests.factories import page_text

ACTIONS = ["summary", "history", "episode", "change episode"] + [
    f"export {fmt}" for fmt in ("csv", "json", "fhir")
]


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_the_app_records_has_words(action):
    assert action in ACTION_WORDS
    assert action_words(action) != action


def test_an_action_without_words_yet_still_reads_as_words():
    assert action_words("something new") == "your data"


@pytest.mark.django_db
def test_the_sharing_page_shows_downloads_in_words(patient_client, patient, clinician):
    services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    doctor = Client()
    doctor.force_login(clinician)
    for fmt in ("csv", "json", "fhir"):
        assert doctor.get(reverse("patient_export", args=[patient.pk, fmt])).status_code == 200
    assert doctor.get(reverse("patient_summary", args=[patient.pk])).status_code == 200

    text = page_text(patient_client.get(reverse("sharing")))
    assert "a download of your history for a health record (FHIR)" in text
    assert "a download of your history as a spreadsheet (CSV)" in text
    assert "your summary" in text
    assert "export fhir" not in text
    assert "export csv" not in text
