"""A POST without its CSRF token is refused (403) everywhere and changes nothing.

Every URL pattern of the site is tried, not only the forms known today: a view that
accepts POST but was marked csrf_exempt (or a new one) cannot slip through.
"""

from __future__ import annotations

import uuid

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from clinic.models import Share
from tests.factories import PASSWORD, quick_log_data

from .site import every_url

pytestmark = pytest.mark.django_db

# Names of the forms that change something today; the test fails if one disappears from the
# URL configuration unnoticed (every other pattern is tried as well).
STATE_CHANGING = {
    "quick_log",
    "episode_new",
    "episode_edit",
    "episode_end",
    "episode_delete",
    "settings",
    "logout",
    "signup",
    "login",
    "share_by_email",
    "share_code",
    "share_revoke",
    "account_delete",
    "import_history",
    "redeem_code",
    # allauth's account pages, and the privacy notice's agreement
    "account_login",
    "account_signup",
    "account_logout",
    "account_reset_password",
    "account_change_password",
    "account_email",
    "mfa_activate_totp",
    "mfa_add_webauthn",
    "mfa_generate_recovery_codes",
    "mfa_authenticate",
    "mfa_login_webauthn",
    "usersessions_list",
    "privacy_agree",
}


# The one exemption, on purpose: one-click unsubscribe (RFC 8058) is POSTed by mail clients,
# which send no cookie and no token; the signed token in its URL is the proof instead. The URL
# tried here carries a forged token: refused (404), nothing changed.
CSRF_EXEMPT = {"followup_unsubscribe": 404}


def everything_stored() -> dict[str, list[dict]]:
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
    }


def form_data(email: str) -> dict:
    """Fields that most forms of the site would accept, so that only the token is missing."""
    return {
        **quick_log_data(client_token=str(uuid.uuid4())),
        "username": email,
        "login": email,
        "password": PASSWORD,
        "privacy_consent": "on",
        "agree": "on",
        "email": "new.person@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "timezone": "Asia/Tokyo",
        "confirm": "on",
        "code": "ABCD-EFGH",
    }


@pytest.fixture
def site(patient, clinician, make_episode) -> dict[str, str]:
    episode = make_episode(patient)
    share = Share.objects.create(patient=patient, clinician=clinician)
    return every_url(
        {"pk": episode.pk, "patient_id": patient.pk, "fmt": "csv", "object_id": share.pk}
    )


def test_every_state_changing_form_is_among_the_urls_tried(site):
    assert set(site) >= STATE_CHANGING


@pytest.mark.parametrize("role", ["anonymous", "patient", "clinician"])
@pytest.mark.parametrize("with_cookie", [False, True], ids=["no-csrf-cookie", "csrf-cookie"])
def test_a_post_without_the_csrf_token_is_refused_everywhere_and_changes_nothing(
    role, with_cookie, site, patient, clinician
):
    client = Client(enforce_csrf_checks=True)
    if role != "anonymous":
        client.force_login(patient if role == "patient" else clinician)
    # A page seen first, as in a browser: it renews the session (once a minute, whatever the
    # request), and with a form on it, it sets the CSRF cookie.
    form_page = reverse("login" if role == "anonymous" else "settings")
    client.get(form_page if with_cookie else reverse("healthz"))
    assert ("csrftoken" in client.cookies) == with_cookie
    before = everything_stored()
    statuses = {
        name: client.post(url, form_data(patient.email)).status_code for name, url in site.items()
    }
    refused = {name: CSRF_EXEMPT.get(name, 403) for name in statuses}
    assert {name: status for name, status in statuses.items() if status != refused[name]} == {}
    assert everything_stored() == before


def test_the_same_post_with_its_token_is_accepted(patient):
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient)
    client.get(reverse("home"))
    token = client.cookies["csrftoken"].value
    data = {**form_data(patient.email), "csrfmiddlewaretoken": token}
    response = client.post(reverse("quick_log"), data)
    assert response.status_code == 302
    assert patient.episodes.count() == 1
