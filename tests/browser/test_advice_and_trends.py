import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import assert_accessible, csp_violations, log_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_quick_log_with_saddle_numbness_shows_the_emergency_prompt_first(page, patient):
    log_in(page, patient.email, PASSWORD)
    form = page.locator("form.quick-log")
    form.get_by_label("4", exact=True).check()
    form.get_by_label("Middle").check()
    form.get_by_label(re.compile("genitals, buttocks or inner thighs")).check()
    form.get_by_role("button", name="Log flare-up").click()

    first_group = page.locator("#log-panel .level-group").first
    expect(first_group).to_have_attribute("data-level", "emergency")
    expect(first_group).to_have_attribute("role", "alert")
    expect(first_group).to_contain_text(
        "Go to an emergency department or call the emergency number now"
    )
    expect(first_group).to_be_in_viewport()
    # Nothing more urgent-looking comes before it inside the panel.
    first_prompt = page.locator("#log-panel [data-level]").first
    expect(first_prompt).to_have_attribute("data-level", "emergency")
    assert_accessible(page)
    assert csp_violations(page) == []


def test_the_guidance_page_is_accessible_and_reachable_from_a_prompt(page, patient):
    log_in(page, patient.email, PASSWORD)
    form = page.locator("form.quick-log")
    form.get_by_label("3", exact=True).check()
    form.get_by_label("Left side").check()
    form.get_by_role("button", name="Log flare-up").click()
    page.locator("#advice").get_by_role("link", name="How").first.click()
    expect(page.get_by_role("heading", name="Gentle stretches for the low back")).to_be_visible()
    expect(page.locator("article#knee-to-chest svg")).to_be_visible()
    assert_accessible(page)


def test_the_trends_page_draws_four_charts_and_switches_range_in_place(
    page, patient, make_long_history
):
    make_long_history(patient, 400)
    log_in(page, patient.email, PASSWORD)
    page.goto("/trends/")
    charts = page.locator(".chart")
    expect(charts).to_have_count(4)
    for index in range(4):
        expect(charts.nth(index).locator("svg.main-svg").first).to_be_visible()
    assert_accessible(page)

    page.evaluate("window.stillTheSamePage = true")
    before = page.locator("#chart-frequency .bars .point").count()
    page.get_by_role("link", name="Last 3 months").click()
    expect(page.locator("#charts")).to_have_attribute("data-range", "3m")
    expect(page.locator("#chart-frequency svg.main-svg").first).to_be_visible()
    after = page.locator("#chart-frequency .bars .point").count()
    assert after < before
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.url.endswith("?range=3m")
    assert csp_violations(page) == []
    assert_accessible(page)
