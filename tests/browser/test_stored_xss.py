"""Script and HTML typed into free text is shown as text, on every page that shows it.

Checked in a real Chromium: no dialog opens, no element is injected, the CSP never has to
block anything, and the payload reads as the characters the patient typed. (The exports,
which are downloads, are checked in tests/security/test_exports.py.)
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clinic.models import Share
from tests.browser.support import csp_violations, log_in
from tests.factories import PASSWORD

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "</textarea><script>alert(2)</script>",
    '<a href="javascript:alert(3)">click me</a>',
]
NOTES = " ".join(PAYLOADS)
# What an injected payload would have added to the page.
INJECTED = "img[src='x'], svg[onload], a[href^='javascript'], script:not([src]):not([type])"


def watch_dialogs(page) -> list[str]:
    dialogs: list[str] = []

    def dismiss(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return dialogs


def assert_inert(page, dialogs: list[str]) -> None:
    page.wait_for_load_state("networkidle")
    assert dialogs == []
    assert page.locator(INJECTED).count() == 0
    assert csp_violations(page) == []


@pytest.fixture
def shared_episode(patient, clinician, make_episode):
    episode = make_episode(patient, notes=NOTES)
    Share.objects.create(patient=patient, clinician=clinician)
    return episode


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_patient_sees_script_in_notes_as_text_on_every_page(page, patient, shared_episode):
    dialogs = watch_dialogs(page)
    log_in(page, patient.email, PASSWORD)
    for url in [reverse("home"), reverse("history"), reverse("trends")]:
        page.goto(url)
        assert_inert(page, dialogs)
    page.goto(reverse("episode_detail", args=[shared_episode.pk]))
    expect(page.locator(".notes")).to_have_text(NOTES)
    assert_inert(page, dialogs)
    page.goto(reverse("episode_edit", args=[shared_episode.pk]))
    expect(page.get_by_label("Notes")).to_have_value(NOTES)
    assert_inert(page, dialogs)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_script_typed_into_the_form_is_saved_and_swapped_in_as_text(page, patient, make_episode):
    episode = make_episode(patient)
    dialogs = watch_dialogs(page)
    log_in(page, patient.email, PASSWORD)
    page.goto(reverse("episode_edit", args=[episode.pk]))
    page.get_by_label("Notes").fill(NOTES)
    page.get_by_role("button", name="Save flare-up").click()
    expect(page.locator(".notes")).to_have_text(NOTES)  # the htmx swap of the saved page
    assert_inert(page, dialogs)
    episode.refresh_from_db()
    assert episode.notes == NOTES


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_clinician_sees_script_in_a_patients_notes_as_text(
    page, clinician, patient, shared_episode
):
    dialogs = watch_dialogs(page)
    log_in(page, clinician.email, PASSWORD)
    page.goto(reverse("clinician_episode", args=[patient.pk, shared_episode.pk]))
    expect(page.locator(".notes")).to_have_text(NOTES)
    assert_inert(page, dialogs)
    page.goto(reverse("patient_summary", args=[patient.pk]))
    expect(page.locator(".notes")).to_have_text(NOTES)
    assert_inert(page, dialogs)
    page.goto(reverse("clinician_history", args=[patient.pk]))
    assert_inert(page, dialogs)
