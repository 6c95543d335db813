"""axe (WCAG 2.1 A/AA) over every page a patient or a clinician can open, on a phone and on
a desktop."""

import pytest

from advice.services import episode_log
from clinic import services
from tests.browser.support import DESKTOP, PHONE, assert_accessible, csp_violations, log_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The Trends page loads plotly.js's basic bundle (1.2 MB before compression) from the test
# server: on a busy machine that alone can take longer than the usual 10 seconds.
LOAD_TIMEOUT = 30_000
VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


@VIEWPORTS
def test_every_patient_page_has_no_serious_accessibility_problem(
    new_page, viewport, patient, clinician
):
    episode, _ = episode_log(
        patient=patient,
        intensity=6,
        side="left",
        spread="thigh",
        leg="left",
        fever=True,
        notes="Stiff after sleeping.",
        remedies={"heat": "yes"},
    )
    services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    services.share_code_create(patient=patient, expires_on=None)
    page = new_page(viewport=viewport)
    log_in(page, patient.email, PASSWORD)
    for path in (
        "/",
        "/history/",
        "/trends/",
        "/guidance/",
        "/episodes/new/",
        f"/episodes/{episode.pk}/",
        f"/episodes/{episode.pk}/edit/",
        f"/episodes/{episode.pk}/delete/",
        "/settings/",
        "/sharing/",
        "/import/",
        "/account/delete/",
        f"/clinic/patients/{patient.pk}/",
    ):
        page.goto(path, timeout=LOAD_TIMEOUT)
        assert_accessible(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], path
    # The charts' tables, opened: a table wider than the screen scrolls in a focusable region.
    page.goto("/trends/?range=all", timeout=LOAD_TIMEOUT)
    page.evaluate("document.querySelectorAll('main details').forEach(d => { d.open = true; })")
    assert_accessible(page)
    assert csp_violations(page) == []


def test_the_phone_menu_open_has_no_serious_accessibility_problem(page, patient):
    log_in(page, patient.email, PASSWORD)
    page.locator("header summary", has_text="Menu").click()
    assert_accessible(page)


@VIEWPORTS
def test_every_clinician_page_has_no_serious_accessibility_problem(
    new_page, viewport, patient, clinician
):
    episode, _ = episode_log(patient=patient, intensity=4, side="center", spread="none")
    services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    page = new_page(viewport=viewport)
    log_in(page, clinician.email, PASSWORD)
    for path in (
        "/clinic/",
        f"/clinic/patients/{patient.pk}/",
        f"/clinic/patients/{patient.pk}/history/",
        f"/clinic/patients/{patient.pk}/episodes/{episode.pk}/",
        "/settings/",
    ):
        page.goto(path, timeout=LOAD_TIMEOUT)
        assert_accessible(page)
    assert csp_violations(page) == []


@VIEWPORTS
def test_the_pages_before_logging_in_have_no_serious_accessibility_problem(new_page, viewport):
    page = new_page(viewport=viewport)
    for path in ("/", "/login/", "/signup/"):
        page.goto(path, timeout=LOAD_TIMEOUT)
        assert_accessible(page)
