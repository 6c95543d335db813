"""The "waiting for you" card in Chromium: answered in place with htmx, and by plain forms
with JavaScript off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from advice.models import Followup, FollowupAnswer, FollowupKind
from advice.services import episode_log
from episodes.models import PainReading
from tests.browser.support import assert_accessible, csp_violations, log_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def questions_waiting(patient):
    episode, _ = episode_log(
        patient=patient,
        intensity=8,
        side="left",
        started_at=timezone.now() - timedelta(days=4),
        remedies={"ibuprofen": "unknown"},
    )
    Followup.objects.filter(episode=episode).update(due_at=timezone.now() - timedelta(minutes=1))
    return episode


def test_both_questions_are_answered_in_place_on_a_phone(page, patient):
    episode = questions_waiting(patient)
    log_in(page, patient.email, PASSWORD)
    card = page.locator("#waiting")
    expect(card.get_by_role("heading", name="Waiting for you")).to_be_visible()
    assert_accessible(page)
    page.evaluate("window.stillTheSamePage = true")

    card.get_by_role("radio", name="3", exact=True).check()
    card.get_by_role("radio", name="A little").check()
    card.get_by_role("button", name="Save my answer").click()
    expect(card.get_by_role("status")).to_contain_text("your answer is saved")
    card.get_by_role("button", name="Not yet").click()
    expect(card.get_by_role("status")).to_contain_text("we will ask again tomorrow")

    assert page.evaluate("window.stillTheSamePage") is True
    assert PainReading.objects.get(episode=episode).intensity == 3
    over = Followup.objects.filter(episode=episode, kind=FollowupKind.OVER).order_by("id")
    assert over.first().answer == FollowupAnswer.NOT_YET
    assert csp_violations(page) == []


def test_without_javascript_the_card_posts_plain_forms(new_page, patient):
    episode = questions_waiting(patient)
    page = new_page(javascript=False)
    log_in(page, patient.email, PASSWORD)
    card = page.locator("#waiting")
    card.get_by_role("button", name="Yes, it ended on").click()
    expect(page.get_by_role("status").first).to_contain_text("Marked as over")
    episode.refresh_from_db()
    assert episode.ended_at is not None


def test_the_follow_up_pages_are_accessible_on_a_phone(page, patient):
    episode = questions_waiting(patient)
    relief = Followup.objects.get(episode=episode, kind=FollowupKind.RELIEF)
    log_in(page, patient.email, PASSWORD)
    for url in (
        f"/questions/{relief.pk}/",
        f"/episodes/{episode.pk}/readings/new/",
        "/settings/follow-ups/",
    ):
        page.goto(url)
        assert_accessible(page)
    page.goto(f"/episodes/{episode.pk}/readings/new/")
    page.get_by_role("radio", name="4", exact=True).check()
    page.get_by_label("Note (optional)").fill("after a walk")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#readings")).to_contain_text("after a walk")
    assert_accessible(page)
    assert csp_violations(page) == []
