"""Second factors (allauth's mfa): TOTP with codes computed here, recovery codes that work
once; required of clinicians before any patient's data, and of staff for the admin."""

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from backlog.models import AccessEvent
from clinic.access import live_share
from clinic.models import Share
from tests.factories import PASSWORD, TOTP_SECRET, give_totp, totp_code

pytestmark = pytest.mark.django_db


def password_step(client, email: str):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD})


def logged_in_as(client, user) -> bool:
    return str(client.session.get(SESSION_KEY)) == str(user.pk)


@pytest.fixture
def patient_with_totp(make_user):
    user = make_user("totp@example.com")
    give_totp(user)
    return user


def test_a_password_alone_does_not_log_in_an_account_with_an_authenticator(
    client, patient_with_totp
):
    response = password_step(client, patient_with_totp.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert not logged_in_as(client, patient_with_totp)
    assert client.get(reverse("history")).status_code == 302


def test_the_code_the_authenticator_app_shows_completes_the_log_in(client, patient_with_totp):
    password_step(client, patient_with_totp.email)
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(TOTP_SECRET)})
    assert response.status_code == 302
    assert logged_in_as(client, patient_with_totp)


def test_a_wrong_code_is_refused_with_a_message(client, patient_with_totp):
    password_step(client, patient_with_totp.email)
    wrong = totp_code(TOTP_SECRET, steps_ahead=5)
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    assert "Incorrect code" in response.text
    assert not logged_in_as(client, patient_with_totp)


def test_a_recovery_code_logs_in_once_and_never_again(client, patient_with_totp):
    code = RecoveryCodes.activate(patient_with_totp).get_unused_codes()[0]
    password_step(client, patient_with_totp.email)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert logged_in_as(client, patient_with_totp)
    client.post(reverse("account_logout"))
    password_step(client, patient_with_totp.email)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert not logged_in_as(client, patient_with_totp)


def test_setting_up_totp_takes_a_code_computed_from_the_secret_shown(client, make_user):
    user = make_user("new-factor@example.com")
    client.force_login(user)
    # Adding a factor asks for the password again first.
    asked = client.get(reverse("mfa_activate_totp"))
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    client.post(asked["Location"], {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert user.authenticator_set.filter(type="totp").exists()


@pytest.fixture
def shared_with_clinician_without_factor(make_user, patient):
    clinician = make_user("no-factor@example.com", role="clinician", second_factor=False)
    Share.objects.create(patient=patient, clinician=clinician)
    return clinician


def test_a_clinician_without_a_second_factor_has_no_live_share(
    patient, shared_with_clinician_without_factor
):
    assert live_share(shared_with_clinician_without_factor, patient.pk) is None


@pytest.mark.parametrize(
    "name", ["patient_summary", "clinician_history", "patient_export"], ids=str
)
def test_every_patient_url_answers_404_to_a_clinician_without_a_second_factor_and_is_logged(
    client, patient, shared_with_clinician_without_factor, name
):
    client.force_login(shared_with_clinician_without_factor)
    args = [patient.pk, "csv"] if name == "patient_export" else [patient.pk]
    assert client.get(reverse(name, args=args)).status_code == 404
    event = AccessEvent.objects.get(patient_ref=patient.pk)
    assert (event.actor_email, event.allowed) == (shared_with_clinician_without_factor.email, False)


def test_a_clinicians_pages_take_them_to_set_up_a_second_factor(
    client, shared_with_clinician_without_factor
):
    client.force_login(shared_with_clinician_without_factor)
    response = client.get(reverse("clinician_patients"))
    assert response["Location"] == reverse("mfa_index")
    page = client.get(reverse("mfa_index"))
    assert "needs a second factor" in page.text


def test_the_same_clinician_reads_the_patient_once_they_have_a_second_factor(
    client, patient, shared_with_clinician_without_factor
):
    give_totp(shared_with_clinician_without_factor)
    client.force_login(shared_with_clinician_without_factor)
    assert client.get(reverse("patient_summary", args=[patient.pk])).status_code == 200


def test_the_admin_takes_staff_without_a_second_factor_to_set_one_up(client, make_user):
    staff = make_user("staff@example.com", is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_index")


def test_the_admin_opens_for_staff_with_a_second_factor(client, make_user):
    staff = make_user("staff@example.com", is_staff=True, is_superuser=True, second_factor=True)
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_log_in_goes_through_the_log_in_page_with_its_second_factor(client):
    response = client.get(reverse("admin:login"), {"next": "/admin/"})
    assert response["Location"] == f"{reverse('account_login')}?next=/admin/"
    posted = client.post(reverse("admin:login"), {"username": "x", "password": "y"})
    assert posted["Location"].startswith(reverse("account_login"))
