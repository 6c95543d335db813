"""Passwords, brute-force locking, session lifetime and the account log lines."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from backlog.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "Wr0ng-but-secret-guess!"
ELSEWHERE = "203.0.113.7"


def log_in(client: Client, email: str, password: str = PASSWORD, ip: str = "127.0.0.1"):
    return client.post(reverse("login"), {"login": email, "password": password}, REMOTE_ADDR=ip)


def is_logged_in(client: Client) -> bool:
    return client.get(reverse("history")).status_code == 200


def test_a_new_password_is_stored_as_an_argon2_hash(client):
    client.post(
        reverse("signup"),
        {
            "email": "new@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "timezone": "UTC",
            "privacy_consent": "on",
        },
    )
    stored = User.objects.get(email="new@example.com").password
    assert stored.startswith("argon2$")
    assert PASSWORD not in stored


@pytest.mark.parametrize("weak", ["short1", "password123", "8675309248116", "pat.example"], ids=str)
def test_weak_passwords_are_refused(weak, patient):
    with pytest.raises(ValidationError):
        validate_password(weak, user=patient)


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, patient):
    statuses = [
        log_in(client, patient.email, WRONG_PASSWORD).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    assert log_in(client, patient.email).status_code == 429
    assert not is_logged_in(client)


def test_the_lock_holds_only_for_that_email_from_that_address(client, patient, other_patient):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, patient.email, WRONG_PASSWORD)
    assert log_in(Client(), other_patient.email).status_code == 302
    assert log_in(Client(), patient.email, ip=ELSEWHERE).status_code == 302


def test_the_lock_lasts_fifteen_minutes_and_is_never_permanent():
    assert settings.AXES_COOLOFF_TIME is not None
    assert get_cool_off() == timedelta(minutes=15)


def test_the_lock_ends_once_the_cool_off_has_passed(client, patient):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, patient.email, WRONG_PASSWORD)
    assert log_in(client, patient.email).status_code == 429
    time.sleep(0.01)
    # Time travel: with a cool-off shorter than the time since the failures, they are over.
    with override_settings(AXES_COOLOFF_TIME=timedelta(milliseconds=5)):
        assert log_in(client, patient.email).status_code == 302
    assert is_logged_in(client)


def session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def minutes_left(session: Session, now) -> float:
    return (session.expire_date - now).total_seconds() / 60


def test_a_session_ends_after_thirty_minutes_without_a_request(client, patient):
    log_in(client, patient.email)
    session = session_row(client)
    assert 29.9 < minutes_left(session, timezone.now()) <= 30
    # Time travel: move the session's expiry back as the clock would have moved forward.
    Session.objects.filter(pk=session.pk).update(
        expire_date=F("expire_date") - timedelta(minutes=30)
    )
    assert not is_logged_in(client)


def test_a_request_in_time_keeps_the_session_alive_for_another_thirty_minutes(client, patient):
    log_in(client, patient.email)
    session = client.session
    session["_renewed"] = 0  # last renewed long ago
    session.save()
    Session.objects.filter(pk=session.session_key).update(
        expire_date=F("expire_date") - timedelta(minutes=25)
    )
    assert is_logged_in(client)
    assert minutes_left(session_row(client), timezone.now()) > 29.5


def test_after_logging_out_the_old_session_cookie_is_useless(client, patient):
    log_in(client, patient.email)
    old_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.post(reverse("logout")).status_code == 302
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    assert not Session.objects.filter(session_key=old_cookie).exists()
    assert not is_logged_in(thief)


def test_logins_logouts_and_failures_are_logged_without_the_password(client, patient, caplog):
    caplog.set_level(logging.DEBUG)
    log_in(client, patient.email, WRONG_PASSWORD)
    log_in(client, patient.email)
    client.post(reverse("logout"))
    account_lines = [r.getMessage() for r in caplog.records if r.name == "backlog.accounts"]
    assert account_lines == [
        "login failed email='pat@example.com' ip=127.0.0.1",
        f"login user_id={patient.pk} ip=127.0.0.1",
        f"logout user_id={patient.pk} ip=127.0.0.1",
    ]
    assert WRONG_PASSWORD not in caplog.text
    assert PASSWORD not in caplog.text
