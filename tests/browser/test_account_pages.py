"""The account pages in Chromium on a phone: axe finds nothing serious, nothing breaks the
CSP, and signing up, logging in and the second factor work with JavaScript off."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from backlog.models import User
from tests.browser.support import (
    PHONE,
    assert_accessible,
    csp_violations,
    log_in,
    log_out,
    logged_in,
)
from tests.factories import PASSWORD, TOTP_SECRET, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_account_page_a_visitor_sees_has_no_serious_accessibility_problem(page):
    for path in ("/login/", "/signup/", "/password/reset/", "/privacy/"):
        page.goto(path)
        assert_accessible(page)
    page.goto("/signup/")
    page.get_by_role("button", name="Create my account").click()  # every error on show
    page.get_by_text("cannot keep a diary of your health").wait_for()
    assert_accessible(page)
    assert csp_violations(page) == []


def test_every_account_page_a_patient_sees_has_no_serious_accessibility_problem(page, patient):
    log_in(page, patient.email, PASSWORD)
    for path in ("/settings/", "/email/", "/password/change/", "/2fa/", "/sessions/"):
        page.goto(path)
        assert_accessible(page)
    page.goto("/2fa/totp/activate/")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Set up an authenticator app").wait_for()
    assert_accessible(page)
    assert csp_violations(page) == []


def test_the_second_factor_and_consent_pages_have_no_serious_accessibility_problem(
    page, clinician, make_user
):
    page.goto("/login/")
    page.get_by_label("Email address").fill(clinician.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.get_by_role("heading", name="Two-factor authentication").wait_for()
    assert_accessible(page)
    page.get_by_label("Code").fill(totp_code(TOTP_SECRET))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/clinic/$"))
    log_out(page)
    unagreed = make_user("later@example.com", agreed=False)
    page.goto("/login/")
    page.get_by_label("Email address").fill(unagreed.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url(re.compile(r"/privacy/agree/"))  # the notice to agree to, first
    page.get_by_role("heading", name="Before you go on: the privacy notice").wait_for()
    assert_accessible(page)
    assert csp_violations(page) == []


@pytest.fixture
def page_without_javascript(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_signing_up_and_logging_in_work_without_javascript(page_without_javascript):
    page = page_without_javascript
    page.goto("/signup/")
    page.get_by_label("Email address").fill("no-js@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_label("Your time zone").select_option("Europe/Madrid")
    page.get_by_label("I agree that backlog stores my health information").check()
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    user = User.objects.get(email="no-js@example.com")
    assert (user.timezone, user.privacy_version is not None) == ("Europe/Madrid", True)
    log_out(page)
    log_in(page, "no-js@example.com", PASSWORD)
    logged_in(page)


def test_a_clinician_logs_in_with_a_code_without_javascript(page_without_javascript, clinician):
    log_in(page_without_javascript, clinician.email, PASSWORD)
    assert page_without_javascript.url.endswith("/clinic/")
