import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from backlog.models import User
from tests.factories import PASSWORD, give_totp

pytestmark = pytest.mark.django_db


def signup(client, **overrides):
    data = {
        "email": "New.Person@Example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "timezone": "Europe/Paris",
        "privacy_consent": "on",
    }
    data.update(overrides)
    return client.post(reverse("signup"), data)


def test_signing_up_creates_a_patient_in_their_time_zone_and_logs_them_in(client):
    response = signup(client)
    assert response.status_code == 302
    user = User.objects.get()
    assert (user.email, user.role, user.timezone) == (
        "new.person@example.com",
        "patient",
        "Europe/Paris",
    )
    assert client.get(reverse("history")).status_code == 200


def test_signing_up_twice_with_the_same_email_is_refused(client, patient):
    response = signup(client, email="PAT@example.com")
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.count() == 1


def test_a_weak_password_is_refused_with_a_message(client):
    response = signup(client, password1="12345678", password2="12345678")
    assert response.status_code == 200
    assert not User.objects.exists()
    assert "too common" in response.content.decode()


def test_an_unknown_time_zone_is_refused(client):
    response = signup(client, timezone="Mars/Olympus")
    assert response.status_code == 200
    assert not User.objects.exists()


def test_logging_in_with_email_and_password(client, patient):
    response = client.post(reverse("login"), {"login": "pat@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("history")).status_code == 200


def test_a_wrong_password_shows_a_message(client, patient):
    response = client.post(reverse("login"), {"login": "pat@example.com", "password": "nope"})
    assert response.status_code == 200
    assert b"email address or password is not right" in response.content.lower()


def test_logging_out_ends_the_session(patient_client):
    response = patient_client.post(reverse("logout"))
    assert response.status_code == 302
    assert patient_client.get(reverse("history")).status_code == 302


def test_settings_change_the_time_zone(patient_client, patient):
    response = patient_client.post(reverse("settings"), {"timezone": "Asia/Tokyo"})
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.timezone == "Asia/Tokyo"


def test_createclinician_makes_a_clinician_account(capsys):
    call_command("createclinician", "Dr.Who@Example.com", password="a-long-clinic-password")
    user = User.objects.get()
    assert (user.email, user.role) == ("dr.who@example.com", "clinician")
    assert user.check_password("a-long-clinic-password")


def test_createclinician_refuses_an_existing_email(patient):
    with pytest.raises(CommandError, match="already exists"):
        call_command("createclinician", "pat@example.com", password="a-long-clinic-password")


def test_createclinician_refuses_a_weak_password():
    with pytest.raises(CommandError):
        call_command("createclinician", "doc2@example.com", password="password")
    assert not User.objects.exists()


def test_a_clinician_is_taken_to_their_patient_list(client, clinician):
    client.force_login(clinician)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("clinician_patients")


def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    patient = User.objects.get(email="patient@example.com")
    count = patient.episodes.count()
    assert count >= 20
    call_command("seed_demo")
    assert patient.episodes.count() == count
    assert User.objects.filter(role="clinician", email="clinician@example.com").exists()


def test_the_settings_page_offers_the_patients_data_tools(patient_client):
    content = patient_client.get(reverse("settings")).content.decode()
    assert "<title>Settings · backlog</title>" in content
    assert content.count('id="data-heading"') == 1
    assert reverse("my_export", args=["json"]) in content
    assert reverse("account_delete") in content


def test_the_demo_clinician_reads_the_demo_patient_once_they_have_a_second_factor(client):
    call_command("seed_demo")
    patient = User.objects.get(email="patient@example.com")
    clinician = User.objects.get(email="clinician@example.com")
    client.force_login(clinician)
    summary = reverse("patient_summary", args=[patient.pk])
    assert client.get(summary).status_code == 404
    assert client.get(reverse("clinician_patients"))["Location"] == reverse("mfa_index")
    give_totp(clinician)
    assert client.get(summary).status_code == 200
