import re

import pytest
from playwright.sync_api import expect

from advice.services import episode_log
from tests.browser.support import (
    PHONE,
    assert_accessible,
    csp_violations,
    follow_main_link,
    log_in,
)
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_patient_shares_the_clinician_reads_the_summary_then_the_patient_revokes(
    browser, live_server, page, patient, clinician
):
    episode_log(
        patient=patient,
        intensity=7,
        side="both",
        spread="thigh",
        leg="both",
        notes="Worse after the long drive.",
        remedies={"ibuprofen": "somewhat"},
    )

    log_in(page, patient.email, PASSWORD)
    follow_main_link(page, "Sharing")
    page.get_by_label("Your clinician's email address").fill(clinician.email)
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_role("cell", name=clinician.email, exact=True)).to_be_visible()
    assert_accessible(page)

    doctor = browser.new_context(base_url=live_server.url, viewport=PHONE).new_page()
    doctor.console_errors = []
    doctor.on("console", lambda m: m.type == "error" and doctor.console_errors.append(m.text))
    log_in(doctor, clinician.email, PASSWORD)
    doctor.get_by_role("link", name=patient.email).click()
    expect(doctor.get_by_role("heading", name=re.compile("Pre-visit summary"))).to_be_visible()
    expect(doctor.get_by_text("Worse after the long drive.")).to_be_visible()
    # plotly.js (3.5 MB) is parsed before the first chart is drawn: slow on a busy machine.
    expect(doctor.locator("#chart-intensity svg.main-svg").first).to_be_visible(timeout=30_000)
    assert_accessible(doctor)
    summary_url = doctor.url

    # It prints: navigation hidden, one PDF.
    doctor.emulate_media(media="print")
    expect(doctor.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(doctor.get_by_role("heading", name=re.compile("Pre-visit summary"))).to_be_visible()
    assert doctor.pdf(format="A4").startswith(b"%PDF")
    doctor.emulate_media(media="screen")

    page.get_by_role("button", name=re.compile("Stop sharing")).click()
    expect(page.get_by_role("cell", name="Revoked")).to_be_visible()

    response = doctor.goto(summary_url)
    assert response.status == 404
    assert csp_violations(doctor) == []
    doctor.context.close()
