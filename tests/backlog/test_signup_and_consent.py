"""Sign-up through allauth: consent to the privacy notice, a verification email, and a
patient who can log flare-ups at once; a new notice version asks everyone again."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from backlog.accounts import has_verified_email
from backlog.models import User
from episodes.models import Episode
from tests.factories import PASSWORD, quick_log_data

pytestmark = pytest.mark.django_db


def signup(client, **overrides):
    data = {
        "email": "new@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "timezone": "Europe/Paris",
        "privacy_consent": "on",
    }
    data.update(overrides)
    return client.post(reverse("account_signup"), {k: v for k, v in data.items() if v is not None})


def test_signing_up_without_ticking_the_consent_box_is_refused_with_a_message(client):
    response = signup(client, privacy_consent=None)
    assert response.status_code == 200
    assert not User.objects.exists()
    assert "cannot keep a diary of your health without your agreement" in response.text


def test_the_consent_box_starts_unticked_and_the_form_links_the_privacy_notice(client):
    content = client.get(reverse("account_signup")).text
    checkbox = re.search(r'<input[^>]*name="privacy_consent"[^>]*>', content).group(0)
    assert 'type="checkbox"' in checkbox
    assert "checked" not in checkbox
    assert f'href="{reverse("privacy")}"' in content


def test_signing_up_stores_the_version_and_date_of_the_notice_agreed_to(client):
    signup(client)
    user = User.objects.get()
    assert user.privacy_version == settings.PRIVACY_NOTICE_VERSION
    assert user.privacy_agreed_at is not None


def test_a_new_patient_can_log_a_flare_up_at_once_with_an_unverified_address(client):
    assert signup(client).status_code == 302
    user = User.objects.get()
    assert not has_verified_email(user)
    response = client.post(reverse("quick_log"), quick_log_data())
    assert response.status_code == 302
    assert Episode.objects.filter(patient=user).count() == 1


def test_signing_up_sends_a_verification_email_that_verifies_the_address(client):
    signup(client)
    user = User.objects.get()
    [message] = mail.outbox
    assert message.to == ["new@example.com"]
    link = re.search(r"https?://\S+/confirm-email/\S+/", message.body).group(0)
    path = link.split("testserver", 1)[1]
    assert client.post(path).status_code == 302
    assert has_verified_email(user)


def test_the_privacy_notice_is_public_and_linked_from_every_pages_footer(client):
    response = client.get(reverse("privacy"))
    assert response.status_code == 200
    assert "a clinician" in response.text.lower()
    assert "delete your account" in response.text
    assert f'<a href="{reverse("privacy")}">Privacy notice</a>' in client.get("/login/").text


def test_a_new_notice_version_asks_a_patient_to_agree_again_and_keeps_their_data(
    patient_client, patient, make_episode
):
    make_episode(patient)
    with override_settings(PRIVACY_NOTICE_VERSION=settings.PRIVACY_NOTICE_VERSION + 1):
        response = patient_client.get(reverse("history"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("privacy_agree"))
        page = patient_client.get(response["Location"])
        assert "The privacy notice has changed" in page.text
        agreed = patient_client.post(
            reverse("privacy_agree"), {"agree": "on", "next": reverse("history")}
        )
        assert agreed["Location"] == reverse("history")
        patient.refresh_from_db()
        assert patient.privacy_version == settings.PRIVACY_NOTICE_VERSION
        assert patient_client.get(reverse("history")).status_code == 200
    assert Episode.objects.filter(patient=patient).count() == 1


def test_a_patient_who_has_not_agreed_can_still_export_and_log_out(client, make_user):
    user = make_user(agreed=False)
    client.force_login(user)
    assert client.get(reverse("my_export", args=["json"])).status_code == 200
    assert client.get(reverse("privacy")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302


def test_agreeing_without_ticking_the_box_changes_nothing(client, make_user):
    user = make_user(agreed=False)
    client.force_login(user)
    response = client.post(reverse("privacy_agree"), {})
    assert response.status_code == 200
    assert "Tick the box to agree" in response.text
    user.refresh_from_db()
    assert user.privacy_version is None


def test_agreeing_never_sends_the_patient_to_another_site(client, make_user):
    user = make_user(agreed=False)
    client.force_login(user)
    response = client.post(
        reverse("privacy_agree"), {"agree": "on", "next": "https://evil.example/steal"}
    )
    assert response["Location"] == reverse("home")
