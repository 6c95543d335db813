import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from advice.services import episode_log
from backlog.access_log import PAGE_LINES
from backlog.models import AccessEvent
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
    expect(doctor.get_by_role("img", name="Worst pain of each flare-up")).to_be_visible()
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


def test_the_access_log_shows_older_lines_in_place_on_a_phone(page, patient, clinician):
    start = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
    for index in range(PAGE_LINES + 3):
        AccessEvent.objects.create(
            at=start + timedelta(hours=index),
            actor_ref=clinician.pk,
            actor_email=clinician.email,
            actor_role="clinician",
            patient_ref=patient.pk,
            action="summary",
            allowed=True,
        )
    log_in(page, patient.email, PASSWORD)
    follow_main_link(page, "Sharing")
    log = page.get_by_role("list", name="Access log, newest first")
    expect(log.get_by_role("listitem")).to_have_count(PAGE_LINES + 1)  # and "Show older"
    older = page.get_by_role("link", name="Show older")
    older.focus()
    page.keyboard.press("Enter")
    expect(log.get_by_role("listitem")).to_have_count(PAGE_LINES + 3)
    expect(log.get_by_text("1 Jan 2025, 09:00")).to_be_visible()
    assert page.url.endswith("/sharing/")  # swapped in place, not a new page
    assert_accessible(page)
    assert csp_violations(page) == []
