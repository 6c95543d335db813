"""A passkey, end to end in Chromium through the DevTools protocol's virtual authenticator:
registered from the two-factor page, then used on the log-in page instead of a password."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator

from tests.browser.support import assert_accessible, csp_violations, log_in, log_out, logged_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def authenticator(page):
    """A platform authenticator with user verification, as a phone or laptop has."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    yield cdp, added["authenticatorId"]
    cdp.send("WebAuthn.disable")


def test_a_passkey_registered_in_the_browser_logs_the_person_in_without_a_password(
    page, authenticator, patient
):
    cdp, authenticator_id = authenticator
    log_in(page, patient.email, PASSWORD)
    page.goto("/2fa/")
    page.get_by_role("link", name="Add a passkey or security key").click()
    # Adding a way in asks for the password again first.
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    assert_accessible(page)
    page.get_by_label("A name for it").fill("My phone")
    page.get_by_label("Also log in with it, without a password").check()
    page.get_by_role("button", name="Add it").click()
    page.wait_for_url(re.compile(r"/2fa/(recovery-codes/)?$"))
    passkey = Authenticator.objects.get(user=patient, type="webauthn")
    assert passkey.wrap().name == "My phone"
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert [c["isResidentCredential"] for c in credentials["credentials"]] == [True]

    log_out(page)
    page.goto("/login/")
    page.get_by_role("button", name="Log in with a passkey").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    logged_in(page)
    page.goto("/settings/")
    assert patient.email in page.content()
    assert csp_violations(page) == []
