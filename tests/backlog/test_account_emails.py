"""Every email the account pages send names the site and the action, never anything about
health; a mail server that is down never turns a page into an error; and no account form
sends a person to another site afterwards."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from advice.services import episode_log
from backlog.models import User
from tests.factories import HEALTH_WORDS, PASSWORD, TOTP_SECRET, give_totp, totp_code

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-and-unusual-passphrase"


@pytest.fixture
def patient_with_history(patient):
    episode_log(
        patient=patient,
        intensity=9,
        side="both",
        spread="foot",
        leg="both",
        numbness=True,
        saddle_numbness=True,
        notes="Stiff after lifting boxes",
        remedies={"ibuprofen": "no"},
    )
    return patient


def test_no_account_email_says_anything_about_health(client, patient_with_history):
    patient = patient_with_history
    client.post(
        reverse("account_signup"),
        {
            "email": "someone.new@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "timezone": "UTC",
            "privacy_consent": "on",
        },
    )
    Client().post(reverse("account_reset_password"), {"email": patient.email})
    patient_client = Client()
    patient_client.force_login(patient)
    patient_client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    patient_client.post(
        reverse("account_email"), {"email": "pat.new@example.com", "action_add": "1"}
    )
    recipients = [message.to[0] for message in mail.outbox]
    # verification, reset, "password changed", verification of the new address
    assert recipients.count(patient.email) >= 2
    assert {"someone.new@example.com", "pat.new@example.com"} <= set(recipients)
    for message in mail.outbox:
        assert "backlog" in message.body
        assert not HEALTH_WORDS.search(message.subject + message.body), message.body


def test_a_mail_server_that_is_down_does_not_stop_a_sign_up(client, caplog):
    caplog.set_level(logging.ERROR, logger="backlog.accounts")
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=9,  # discard: nothing listens
        EMAIL_TIMEOUT=2,
    ):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "offline@example.com",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "timezone": "UTC",
                "privacy_consent": "on",
            },
        )
    assert response.status_code == 302
    assert User.objects.filter(email="offline@example.com").exists()
    assert "email not sent kind=email_confirmation_signup" in caplog.text


EVIL = "https://evil.example/phish"


def test_signing_up_never_sends_a_person_to_another_site(client):
    response = client.post(
        f"{reverse('account_signup')}?next={EVIL}",
        {
            "email": "careful@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "timezone": "UTC",
            "privacy_consent": "on",
            "next": EVIL,
        },
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_logging_out_never_sends_a_person_to_another_site(patient_client):
    response = patient_client.post(reverse("account_logout"), {"next": EVIL})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_the_second_factor_step_never_sends_a_person_to_another_site(client, make_user):
    user = make_user("mfa@example.com")
    give_totp(user)
    client.post(
        f"{reverse('account_login')}?next={EVIL}",
        {"login": user.email, "password": PASSWORD, "next": EVIL},
    )
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(TOTP_SECRET)})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_confirming_the_password_again_never_sends_a_person_to_another_site(patient_client):
    response = patient_client.post(
        f"{reverse('account_reauthenticate')}?next={EVIL}", {"password": PASSWORD, "next": EVIL}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_changing_the_password_never_sends_a_person_to_another_site(patient_client):
    response = patient_client.post(
        f"{reverse('account_change_password')}?next={EVIL}",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
