"""axe (WCAG 2.1 A/AA) over every page a patient or a clinician can open."""

import pytest

from advice.services import episode_log
from clinic import services
from tests.browser.support import assert_accessible, csp_violations, log_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_patient_page_has_no_serious_accessibility_problem(page, patient, clinician):
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
    log_in(page, patient.email, PASSWORD)
    for path in (
        "/history/",
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
        page.goto(path)
        assert_accessible(page)
    assert csp_violations(page) == []


def test_every_clinician_page_has_no_serious_accessibility_problem(page, patient, clinician):
    episode, _ = episode_log(patient=patient, intensity=4, side="center", spread="none")
    services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    log_in(page, clinician.email, PASSWORD)
    for path in (
        "/clinic/",
        f"/clinic/patients/{patient.pk}/",
        f"/clinic/patients/{patient.pk}/history/",
        f"/clinic/patients/{patient.pk}/episodes/{episode.pk}/",
        "/settings/",
    ):
        page.goto(path)
        assert_accessible(page)
    assert csp_violations(page) == []


def test_the_login_page_has_no_serious_accessibility_problem(page):
    page.goto("/login/")
    assert_accessible(page)
