"""Sharing with a clinician needs a verified address; the Sharing page says so and offers to
send the verification email again."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from backlog.accounts import has_verified_email
from clinic.models import Share

pytestmark = pytest.mark.django_db


@pytest.fixture
def unverified(client, make_user):
    user = make_user("unverified@example.com", verified=False)
    client.force_login(user)
    return user


def test_has_verified_email_follows_the_accounts_own_address(make_user):
    assert has_verified_email(make_user())
    assert not has_verified_email(make_user(verified=False))


def test_an_unverified_patient_cannot_share_by_email_and_is_told_why(client, unverified, clinician):
    response = client.post(reverse("share_by_email"), {"email": clinician.email})
    assert response.status_code == 403
    assert "Verify your email address first" in response.text
    assert not Share.objects.exists()


def test_an_unverified_patient_cannot_make_a_share_code(client, unverified):
    response = client.post(reverse("share_code"), {})
    assert response.status_code == 403
    assert not Share.objects.exists()


def test_the_sharing_page_offers_to_resend_the_verification_email(client, unverified):
    content = client.get(reverse("sharing")).text
    assert "Sharing with a clinician needs a verified email address" in content
    notice = content.split('id="verify-email"', 1)[1]
    form = re.search(r'<form method="post" action="([^"]+)"', notice)
    assert form.group(1) == reverse("account_email")
    assert 'name="action_send"' in notice
    response = client.post(
        reverse("account_email"), {"email": unverified.email, "action_send": "1"}
    )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [unverified.email]
    assert "/confirm-email/" in message.body


def test_once_verified_the_patient_can_share(client, unverified, clinician):
    client.post(reverse("account_email"), {"email": unverified.email, "action_send": "1"})
    link = re.search(r"/confirm-email/\S+/", mail.outbox[0].body).group(0)
    client.post(link)
    assert has_verified_email(unverified)
    response = client.post(reverse("share_by_email"), {"email": clinician.email})
    assert response.status_code == 302
    assert Share.objects.filter(patient=unverified, clinician=clinician).exists()


def test_a_verified_patient_sees_no_verification_notice(patient_client):
    assert "verified email address" not in patient_client.get(reverse("sharing")).text
