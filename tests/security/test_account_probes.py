"""What an attacker tries against the account pages: guessing behind allauth's form (one
counter), control characters in headers, a spoofed or proxied client address, telling known
addresses from unknown ones, and sending a person elsewhere after logging in."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "Wr0ng-but-secret-guess!"
PROXY = "10.0.0.1"


def log_in(client: Client, email: str, password: str = PASSWORD, **headers):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **headers)


def logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_five_failures_behind_allauths_form_lock_the_pair_and_refuse_the_right_password(
    client, patient
):
    statuses = [log_in(client, patient.email, WRONG).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    # One counter, axes': five failures counted once each (allauth's own limit is off).
    assert AccessAttempt.objects.get().failures_since_start == 5
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] is None
    assert log_in(client, patient.email).status_code == 429
    assert not logged_in(client)


def test_differently_written_addresses_share_one_counter(client, patient):
    for typed in ["PAT@example.com", " pat@EXAMPLE.com", "Pat@Example.Com", "pat@example.com"]:
        log_in(client, typed, WRONG)
    assert log_in(client, "pat@example.com", WRONG).status_code == 429


@pytest.mark.parametrize("header", ["HTTP_USER_AGENT", "HTTP_ACCEPT"])
def test_a_nul_in_a_header_is_stripped_and_the_wrong_password_still_counted(
    client, patient, header
):
    headers = {header: "Mozilla/5.0\x00<script>\x01\x1f"}
    statuses = [log_in(client, patient.email, WRONG, **headers).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    attempt = AccessAttempt.objects.get()
    assert "\x00" not in attempt.user_agent + attempt.http_accept
    assert attempt.failures_since_start == 5


def test_a_nul_in_the_user_agent_of_a_good_log_in_is_stripped_from_the_sessions_list(
    client, patient
):
    from allauth.usersessions.models import UserSession

    log_in(client, patient.email, HTTP_USER_AGENT="Firefox\x00/1")
    assert logged_in(client)
    assert UserSession.objects.get().user_agent == "Firefox/1"


def test_without_trusted_proxies_a_forwarded_for_header_is_ignored(client, patient):
    for number in range(5):
        log_in(client, patient.email, WRONG, HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}
    # Another made-up address does not get round the lock.
    response = log_in(client, patient.email, HTTP_X_FORWARDED_FOR="192.0.2.50")
    assert response.status_code == 429


ONE_PROXY = {
    "AXES_IPWARE_PROXY_COUNT": 0,
    "AXES_IPWARE_META_PRECEDENCE_ORDER": ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
}


@override_settings(**ONE_PROXY)
def test_behind_one_proxy_only_the_guessing_clients_address_is_locked(patient):
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    for _ in range(5):
        log_in(attacker, patient.email, WRONG)
    assert log_in(attacker, patient.email).status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    someone_else = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert log_in(someone_else, patient.email).status_code == 302
    assert logged_in(someone_else)


@override_settings(**ONE_PROXY)
def test_behind_one_proxy_a_client_cannot_lock_someone_elses_address(patient):
    # The client writes the victim's address; the proxy appends the client's real one.
    spoofer = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.7")
    for _ in range(5):
        log_in(spoofer, patient.email, WRONG)
    assert "198.51.100.9" not in AccessAttempt.objects.values_list("ip_address", flat=True)
    victim = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert log_in(victim, patient.email).status_code == 302


def settings_value(name: str, **env: str) -> str:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        f"print(repr(settings.{name}))"
    )
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "backlog.settings", **env}
    done = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_trusted_proxy_count_sets_axes_own_proxy_settings():
    assert settings_value("AXES_IPWARE_META_PRECEDENCE_ORDER") == "('REMOTE_ADDR',)"
    assert settings_value("AXES_IPWARE_PROXY_COUNT", TRUSTED_PROXY_COUNT="1") == "0"
    assert (
        settings_value("AXES_IPWARE_META_PRECEDENCE_ORDER", TRUSTED_PROXY_COUNT="2")
        == "('HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR')"
    )


def reset(client: Client, email: str):
    return client.post(reverse("account_reset_password"), {"email": email})


def test_a_reset_for_an_unknown_address_looks_like_one_for_a_known_address(client, patient):
    known = reset(client, patient.email)
    unknown = reset(Client(), "nobody@example.com")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])

    def page(response) -> str:
        return re.sub(r'"X-CSRFToken": "[^"]+"', "", response.text)

    assert page(client.get(known["Location"])) == page(Client().get(unknown["Location"]))
    assert [message.to for message in mail.outbox] == [[patient.email]]


def test_a_reset_takes_as_long_for_an_unknown_address_as_for_a_known_one(patient):
    from django.core.cache import cache

    times: dict[str, list[float]] = {patient.email: [], "nobody@example.com": []}
    for round_number in range(25):
        for email, taken in times.items():  # interleaved, so both see the same machine
            cache.clear()  # allauth's rate limit on resets would answer early otherwise
            started = time.perf_counter()
            assert reset(Client(), email).status_code == 302
            if round_number >= 5:  # the first rounds warm templates and caches up
                taken.append((time.perf_counter() - started) * 1000)
    known, unknown = (statistics.median(taken) for taken in times.values())
    assert abs(known - unknown) < max(4.0, 0.3 * known), (known, unknown)


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(client, patient):
    wrong = log_in(Client(), patient.email, WRONG)
    unknown = log_in(Client(), "nobody@example.com", WRONG)
    assert wrong.status_code == unknown.status_code == 200

    def message(response) -> str:
        return response.context["form"].non_field_errors().as_text()

    assert message(wrong) == message(unknown) == "* The email address or password is not right."


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/"], ids=str
)
def test_logging_in_never_sends_a_person_to_another_site(client, patient, target):
    response = client.post(
        reverse("account_login"), {"login": patient.email, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
