import re

import pytest
from playwright.sync_api import expect

from episodes.models import Episode
from tests.browser.support import assert_accessible, csp_violations
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_patient_signs_up_logs_a_flare_up_and_marks_it_over(page):
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Email address").fill("walker@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_label("I agree that backlog stores my health information").check()
    assert_accessible(page)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Log a flare-up")).to_be_visible()
    assert_accessible(page)

    # Quick log, without leaving the page.
    page.evaluate("window.stillTheSamePage = true")
    form = page.locator("form.quick-log")
    form.get_by_label("6", exact=True).check()
    form.get_by_label("Left side").check()
    form.get_by_role("radio", name="Thigh", exact=True).check()
    form.get_by_label("Left leg").check()
    form.get_by_role("button", name="Log flare-up").click()

    history = page.locator("#history-rows")
    expect(history.locator("li").first).to_contain_text("6/10")
    expect(history.locator("li").first).to_contain_text("left leg, down to the thigh")
    assert page.evaluate("window.stillTheSamePage") is True
    expect(page.get_by_role("heading", name=re.compile("Saved"))).to_be_visible()
    assert_accessible(page)

    # Open it and mark it over.
    history.locator("li").first.get_by_role("link").click()
    expect(page.get_by_role("heading", name=re.compile("^Flare-up of"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Mark as over").click()
    expect(page.locator("#episode-duration")).to_contain_text("lasted")
    assert Episode.objects.get().ended_at is not None
    assert csp_violations(page) == []


def test_bad_quick_log_input_shows_errors_next_to_the_fields(page, patient):
    from tests.browser.support import log_in

    log_in(page, patient.email, PASSWORD)
    form = page.locator("form.quick-log")
    form.get_by_label("Both sides").check()
    form.get_by_role("button", name="Log flare-up").click()
    expect(page.locator("#id_intensity-errors")).to_contain_text("Choose how bad the pain is")
    assert Episode.objects.count() == 0
    assert_accessible(page)
