"""Settings > Sessions (device, last seen, log out everywhere else), and email settings read
from the environment."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from backlog.email_config import CONSOLE, SMTP, email_settings, parse_email_url
from backlog.templatetags.accounts import device
from tests.factories import PASSWORD

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def logged_in_client(email: str, user_agent: str) -> Client:
    client = Client(HTTP_USER_AGENT=user_agent)
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.django_db
def test_the_sessions_page_lists_each_device_with_when_it_was_last_seen(patient):
    logged_in_client(patient.email, CHROME_ANDROID)
    laptop = logged_in_client(patient.email, FIREFOX_WINDOWS)
    content = laptop.get(reverse("usersessions_list")).text
    assert "Firefox on Windows" in content
    assert "Chrome on Android" in content
    assert "This device" in content
    assert "Last seen" in content


@pytest.mark.django_db
def test_log_out_everywhere_else_ends_the_other_sessions_on_the_server(patient):
    phone = logged_in_client(patient.email, CHROME_ANDROID)
    laptop = logged_in_client(patient.email, FIREFOX_WINDOWS)
    phone_key = phone.cookies[settings.SESSION_COOKIE_NAME].value
    response = laptop.post(reverse("usersessions_list"))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=phone_key).exists()
    assert phone.get(reverse("history")).status_code == 302
    assert laptop.get(reverse("history")).status_code == 200


@pytest.mark.django_db
def test_settings_links_every_account_page(patient_client):
    content = patient_client.get(reverse("settings")).text
    for name in ("account_change_password", "account_email", "mfa_index", "usersessions_list"):
        assert f'href="{reverse(name)}"' in content


@pytest.mark.parametrize(
    ("user_agent", "words"),
    [
        (FIREFOX_WINDOWS, "Firefox on Windows"),
        (CHROME_ANDROID, "Chrome on Android"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        ("", "Unknown device"),
    ],
)
def test_a_device_is_named_in_words_from_its_user_agent(user_agent, words):
    assert device(user_agent) == words


def test_an_email_url_gives_the_smtp_settings():
    assert parse_email_url("smtp://mail%40example.org:p%2Fss@mail.example.org:587/?tls=1") == {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mail@example.org",
        "EMAIL_HOST_PASSWORD": "p/ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
    }


def test_smtps_means_tls_from_the_start_on_port_465():
    config = parse_email_url("smtps://relay.example.org")
    assert (config["EMAIL_PORT"], config["EMAIL_USE_SSL"], config["EMAIL_USE_TLS"]) == (
        465,
        True,
        False,
    )


@pytest.mark.parametrize("url", ["http://example.org", "smtp://", "smtp://h:notaport/"])
def test_a_wrong_email_url_stops_the_start_with_a_message(url):
    with pytest.raises(ImproperlyConfigured):
        parse_email_url(url)


def test_email_host_variables_work_without_an_email_url():
    config = email_settings(
        {"EMAIL_HOST": "smtp.example.org", "EMAIL_PORT": "2525", "EMAIL_USE_TLS": "1"},
        debug=False,
    )
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"], config["EMAIL_USE_TLS"]) == (
        "smtp.example.org",
        2525,
        True,
    )


def test_without_email_settings_development_prints_emails_to_the_console():
    assert email_settings({}, debug=True)["EMAIL_BACKEND"] == CONSOLE
    assert email_settings({}, debug=False)["EMAIL_BACKEND"] == SMTP
