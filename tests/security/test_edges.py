"""Inputs at the edges that once reached a 500, and privacy edges found in review."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from backlog.models import AccessEvent
from clinic import services
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "path",
    [
        f"/clinic/patients/{HUGE}/",
        f"/clinic/patients/{HUGE}/history/",
        f"/clinic/patients/{HUGE}/export/csv/",
        f"/episodes/{HUGE}/",
        f"/episodes/{HUGE}/edit/",
    ],
)
def test_an_id_too_big_for_the_database_is_404(patient_client, path):
    assert patient_client.get(path).status_code == 404


def test_an_absurd_page_number_is_a_page_not_an_error(patient_client):
    assert patient_client.get(reverse("history"), {"page": "4" * 30}).status_code == 200


@pytest.mark.parametrize(
    "period",
    [{"end": "9999-12-31"}, {"start": "0001-01-01"}, {"start": "0001-01-02", "end": "0001-02-01"}],
)
def test_a_summary_period_at_the_calendar_edges_is_refused_politely(client, make_user, period):
    patient = make_user(tz="Asia/Tokyo")
    client.force_login(patient)
    response = client.get(reverse("patient_summary", args=[patient.pk]), period)
    assert response.status_code == 200
    assert "between 1900 and next year" in response.content.decode()


@pytest.mark.parametrize("url", ["share_by_email", "share_code"])
def test_a_share_expiry_far_in_the_future_is_refused(patient_client, clinician, url):
    response = patient_client.post(
        reverse(url), {"email": clinician.email, "expires_on": "9999-12-31"}
    )
    assert response.status_code == 200
    assert "within the next 10 years" in response.content.decode()


def test_logging_in_with_an_absurdly_long_email_is_a_form_error(client):
    response = client.post(reverse("login"), {"login": "a" * 250 + "@example.com", "password": "x"})
    assert response.status_code == 200


def test_a_get_to_the_quick_log_goes_home(patient_client):
    response = patient_client.get(reverse("quick_log"))
    assert (response.status_code, response["Location"]) == (302, reverse("home"))


def test_the_patient_does_not_see_another_patients_refused_attempts(
    client, patient, other_patient, clinician
):
    client.force_login(other_patient)
    client.get(reverse("patient_summary", args=[patient.pk]))
    client.force_login(clinician)
    client.get(reverse("patient_summary", args=[patient.pk]))
    assert AccessEvent.objects.filter(patient_ref=patient.pk).count() == 2
    client.force_login(patient)
    content = client.get(reverse("sharing")).content.decode()
    assert clinician.email in content
    assert other_patient.email not in content


def test_account_deletion_also_forgets_failed_login_attempts(client, patient):
    client.post(reverse("login"), {"login": patient.email, "password": "wrong"})
    assert AccessAttempt.objects.filter(username=patient.email).exists()
    client.force_login(patient)
    client.post(reverse("account_delete"), {"password": PASSWORD})
    assert not AccessAttempt.objects.filter(username=patient.email).exists()


def test_a_clinician_sees_the_patients_local_days(client, make_user, make_episode, clinician):
    patient = make_user(tz="Pacific/Kiritimati")  # UTC+14
    started = datetime(2024, 6, 1, 8, 0, tzinfo=ZoneInfo("Pacific/Kiritimati"))
    make_episode(patient, started_at=started, notes="early start")
    services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    client.force_login(clinician)
    content = client.get(
        reverse("patient_summary", args=[patient.pk]),
        {"start": "2024-06-01", "end": "2024-06-01"},
    ).content.decode()
    assert '1 Jun 2024</strong>: <span class="notes">early start' in content
