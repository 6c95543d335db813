"""A real password-reset email through a real SMTP server (aiosmtpd, started here on a free
local port), its link followed in Chromium: the new password works, the old one does not,
the person's other sessions end, and the link works once. No email says anything of health."""

from __future__ import annotations

import re
import socket
import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from advice.services import episode_log
from tests.browser.support import assert_accessible, csp_violations, log_in, log_out
from tests.factories import HEALTH_WORDS, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-brand-new-lumbar-free-passphrase"


class Inbox:
    """aiosmtpd handler: keeps every message it is given."""

    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # the name aiosmtpd calls
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float = 10.0) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"{len(self.messages)} emails arrived, not {count}"
        return self.messages


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(settings):
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield handler
    controller.stop()


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_reset_email_through_smtp_sets_a_new_password_once_and_ends_other_sessions(
    page, live_server, inbox, patient
):
    episode_log(
        patient=patient, intensity=8, side="both", spread="foot", leg="both", numbness=True,
        notes="Stiff after gardening", remedies={"ibuprofen": "somewhat"},
    )  # fmt: skip
    elsewhere = Client()
    assert elsewhere.post(
        reverse("account_login"), {"login": patient.email, "password": PASSWORD}
    ).status_code == 302  # fmt: skip
    other_session = elsewhere.cookies[django_settings.SESSION_COOKIE_NAME].value

    page.goto("/password/reset/")
    assert_accessible(page)
    page.get_by_label("Email address").fill(patient.email)
    page.get_by_role("button", name="Send me a reset link").click()
    page.get_by_role("heading", name="Check your email").wait_for()

    [message] = inbox.wait_for(1)
    assert message["To"] == patient.email
    text = body(message)
    assert "backlog" in text
    assert not HEALTH_WORDS.search(text + message["Subject"])
    link = re.search(r"http://\S+/password/reset/key/\S+/", text).group(0)
    assert link.startswith(live_server.url)

    page.goto(link)
    page.get_by_label("New Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New Password (again)").fill(NEW_PASSWORD)
    assert_accessible(page)
    page.get_by_role("button", name="Change Password").click()
    page.get_by_text("Your password is now changed").wait_for()

    # The other session is over, and its row on the server is gone.
    assert not Session.objects.filter(session_key=other_session).exists()
    assert elsewhere.get(reverse("history")).status_code == 302
    # The old password no longer works; the new one does.
    old = Client().post(reverse("account_login"), {"login": patient.email, "password": PASSWORD})
    assert old.status_code == 200
    log_in(page, patient.email, NEW_PASSWORD)
    log_out(page)

    # The link works once.
    page.goto(link)
    page.get_by_text("The password reset link was invalid").wait_for()
    assert csp_violations(page) == []
    # A security notice followed the change; it too says nothing of health.
    notices = inbox.wait_for(2)[1:]
    assert all(not HEALTH_WORDS.search(body(notice)) for notice in notices)
