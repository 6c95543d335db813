"""A phone (390x844), a keyboard, and no JavaScript: the header, the quick log, the Sharing
page and the full form, as a person in pain uses them."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from advice.services import episode_log
from clinic import services
from clinic.models import Share
from episodes.models import Episode
from tests.browser.support import (
    DESKTOP,
    PHONE,
    assert_accessible,
    csp_violations,
    follow_main_link,
    log_in,
)
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PATIENT_LINKS = {
    "Log": "/",
    "History": "/history/",
    "Trends": "/trends/",
    "Guidance": "/guidance/",
    "Sharing": "/sharing/",
    "Settings": "/settings/",
}
ONE_ROW = 72  # px: the brand and one button, with the bar's padding


def main_nav(page):
    return page.get_by_role("navigation", name="Main")


def menu_button(page):
    return page.locator("header summary", has_text="Menu")


def tab_to(page, target, *, limit: int = 40, key: str = "Tab") -> int:
    """Press Tab (or Shift+Tab) until `target` has focus; how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if target.evaluate("element => element === document.activeElement"):
            return presses
    raise AssertionError(f"{key} never reached {target}")


# --- The header --------------------------------------------------------------------------


def test_on_a_phone_the_header_is_one_row_and_its_menu_opens_from_the_keyboard(page, patient):
    log_in(page, patient.email, PASSWORD)
    assert page.locator("body > header").bounding_box()["height"] <= ONE_ROW
    history = main_nav(page).get_by_role("link", name="History")
    expect(history).to_be_hidden()

    tab_to(page, menu_button(page))
    page.keyboard.press("Enter")
    expect(history).to_be_visible()
    page.keyboard.press("Escape")
    expect(history).to_be_hidden()
    expect(menu_button(page)).to_be_focused()

    page.keyboard.press("Space")
    tab_to(page, history)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/history/$"))
    assert page.locator("body > header").bounding_box()["height"] <= ONE_ROW
    assert_accessible(page)
    assert csp_violations(page) == []


def test_on_a_phone_without_javascript_the_menu_reaches_every_page(new_page, patient):
    page = new_page(javascript=False)
    log_in(page, patient.email, PASSWORD)
    for name, path in PATIENT_LINKS.items():
        assert page.locator("body > header").bounding_box()["height"] <= ONE_ROW
        follow_main_link(page, name)
        expect(page).to_have_url(re.compile(f"{re.escape(path)}$"))
        current = main_nav(page).get_by_role("link", name=name, exact=True, include_hidden=True)
        expect(current).to_have_attribute("aria-current", "page")
    menu_button(page).click()
    main_nav(page).get_by_role("button", name="Log out").click()
    expect(main_nav(page).get_by_role("link", name="Log in")).to_be_visible()


def test_on_a_desktop_every_link_is_in_the_one_row_header(new_page, patient):
    page = new_page(viewport=DESKTOP)
    log_in(page, patient.email, PASSWORD)
    assert page.locator("body > header").bounding_box()["height"] <= ONE_ROW
    expect(menu_button(page)).to_be_hidden()
    for name in PATIENT_LINKS:
        expect(main_nav(page).get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(main_nav(page).get_by_role("button", name="Log out")).to_be_visible()
    tab_to(page, main_nav(page).get_by_role("link", name="Trends", exact=True))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/trends/$"))


# --- The quick log -----------------------------------------------------------------------


def test_on_a_phone_log_flare_up_is_on_screen_before_the_red_flag_questions(page, patient):
    log_in(page, patient.email, PASSWORD)
    form = page.locator("form.quick-log")
    submit = form.get_by_role("button", name="Log flare-up")
    red_flags = form.locator(".red-flags").get_by_role("checkbox")

    expect(submit).to_be_in_viewport()
    expect(red_flags.last).not_to_be_in_viewport()
    assert red_flags.count() == 6
    for index in range(red_flags.count()):
        expect(red_flags.nth(index)).to_be_visible()

    form.get_by_label("8", exact=True).check()
    form.get_by_label("Left side").check()
    assert page.evaluate("window.scrollY") == 0
    expect(submit).to_be_in_viewport()
    submit.click()
    expect(page.get_by_role("heading", name=re.compile("Saved"))).to_be_visible()
    episode = Episode.objects.get(patient=patient)
    assert (episode.intensity, episode.side, episode.red_flags) == (8, "left", [])


def test_the_whole_quick_log_works_with_tab_space_and_enter_only(page, patient):
    log_in(page, patient.email, PASSWORD)
    form = page.locator("form.quick-log")

    def radio(name):
        return form.get_by_role("radio", name=name, exact=True)

    tab_to(page, radio("0"))
    assert tab_to(page, radio("7")) == 7
    page.keyboard.press("Space")
    expect(radio("7")).to_be_checked()

    tab_to(page, radio("Right side"), limit=6)
    page.keyboard.press("Space")
    tab_to(page, radio("Thigh"), limit=6)
    page.keyboard.press("Space")
    tab_to(page, radio("Left leg"), limit=4)
    page.keyboard.press("Space")
    tab_to(page, form.get_by_role("checkbox", name="Numbness or tingling in a leg or foot"))
    page.keyboard.press("Space")
    tab_to(page, form.get_by_role("checkbox", name="Muscle spasm or knots"))
    page.keyboard.press("Space")
    tab_to(page, form.locator("summary", has_text="What have you tried so far?"))
    page.keyboard.press("Enter")
    tab_to(page, form.get_by_role("checkbox", name="Walking"))
    page.keyboard.press("Space")
    tab_to(page, form.get_by_role("button", name="Log flare-up"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name=re.compile("Saved"))).to_be_visible()
    episode = Episode.objects.get(patient=patient)
    assert (episode.intensity, episode.side, episode.spread, episode.leg) == (
        7,
        "right",
        "thigh",
        "left",
    )
    assert (episode.numbness, episode.spasm, episode.tried) == (True, True, ["walking"])
    assert csp_violations(page) == []


def test_on_a_phone_the_sticky_button_never_covers_what_has_focus(page, patient):
    page.emulate_media(reduced_motion="reduce")  # focus scrolls at once, not smoothly
    log_in(page, patient.email, PASSWORD)
    form = page.locator("form.quick-log")
    bar = form.locator(".submit-bar")
    submit = form.get_by_role("button", name="Log flare-up")
    tab_to(page, form.get_by_role("radio", name="0", exact=True))
    for _ in range(40):
        if submit.evaluate("button => button === document.activeElement"):
            break
        focused = page.evaluate(
            "() => document.activeElement.closest('label, .form-check, summary')"
            ".getBoundingClientRect().bottom"
        )
        assert focused <= bar.bounding_box()["y"] + 1
        page.keyboard.press("Tab")
    expect(submit).to_be_focused()


def test_shift_tab_steps_back_through_the_choices_and_leaves_at_the_first(page, patient):
    log_in(page, patient.email, PASSWORD)
    form = page.locator("form.quick-log")
    tab_to(page, form.get_by_role("radio", name="3", exact=True))
    page.keyboard.press("Shift+Tab")
    expect(form.get_by_role("radio", name="2", exact=True)).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(form.get_by_role("radio", name="0", exact=True)).to_be_focused()
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.name") != "intensity"


def test_the_keyboard_hint_mentions_tab_only_where_tab_moves_between_choices(new_page, patient):
    with_js = new_page()
    log_in(with_js, patient.email, PASSWORD)
    hint = with_js.locator("#choice-keys").inner_text()
    assert "the arrow keys move between the choices and choose one" in hint
    assert "Tab and Shift+Tab move between them too" in hint
    expect(with_js.get_by_role("group", name=re.compile("How bad is the pain"))).to_have_attribute(
        "aria-describedby", "choice-keys"
    )

    without_js = new_page(javascript=False)
    log_in(without_js, patient.email, PASSWORD)
    hint = without_js.locator("#choice-keys").inner_text()
    assert "the arrow keys move between the choices and choose one" in hint
    assert "Tab" not in hint


# --- Sharing on a phone ------------------------------------------------------------------


def test_on_a_phone_the_sharing_page_fits_and_reads_in_words(page, patient, clinician):
    services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    doctor = Client()
    doctor.force_login(clinician)
    assert doctor.get(f"/clinic/patients/{patient.pk}/export/fhir/").status_code == 200

    log_in(page, patient.email, PASSWORD)
    page.goto("/sharing/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    stop = page.get_by_role("button", name=re.compile("^Stop sharing"))
    box = stop.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]

    looks = page.get_by_role("list", name="Access log, newest first")
    expect(looks).to_contain_text("a download of your history for a health record (FHIR)")
    expect(looks).not_to_contain_text("export fhir")
    assert_accessible(page)

    stop.click()
    expect(page.get_by_role("cell", name="Revoked")).to_be_visible()
    assert Share.objects.get().revoked_at is not None


# --- The full form -------------------------------------------------------------------------


def test_the_full_form_asks_did_it_help_only_for_what_is_ticked(page, patient):
    episode, _ = episode_log(patient=patient, intensity=5, side="left", remedies={"heat": "yes"})
    log_in(page, patient.email, PASSWORD)
    page.goto(f"/episodes/{episode.pk}/edit/")
    expect(page.get_by_label("Did heat help?")).to_be_visible()
    expect(page.get_by_label("Did walking help?")).to_be_hidden()
    expect(page.locator(".remedies select:visible")).to_have_count(1)

    page.get_by_role("checkbox", name="Walking").check()
    expect(page.get_by_label("Did walking help?")).to_be_visible()
    page.get_by_label("Did walking help?").select_option(label="Helped")
    page.get_by_role("checkbox", name="Heat").uncheck()
    expect(page.get_by_label("Did heat help?")).to_be_hidden()
    assert_accessible(page)
    page.get_by_role("button", name="Save flare-up").click()

    expect(page.get_by_role("heading", name=re.compile("^Flare-up of"))).to_be_visible()
    assert {r.code: r.helped for r in episode.remedies.all()} == {"walking": "yes"}
