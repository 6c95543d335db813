from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advice.models import Prompt
from advice.services import episode_log
from backlog.models import AccessEvent, User
from clinic import services
from clinic.models import Share
from clinic.summary import nsaid_days
from episodes.models import Episode, Remedy
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_patient_shares_with_a_clinician_by_email(patient_client, patient, clinician):
    response = patient_client.post(reverse("share_by_email"), {"email": "DOC@example.com"})
    assert response.status_code == 302
    share = Share.objects.live().get()
    assert (share.patient, share.clinician) == (patient, clinician)


def test_sharing_with_an_email_that_is_not_a_clinician_is_refused(patient_client, other_patient):
    response = patient_client.post(reverse("share_by_email"), {"email": "other@example.com"})
    assert response.status_code == 200
    assert "no clinician account" in response.content.decode()
    assert not Share.objects.exists()


def test_an_expiry_in_the_past_is_refused(patient_client, clinician):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = patient_client.post(
        reverse("share_by_email"), {"email": clinician.email, "expires_on": yesterday}
    )
    assert "today or a later day" in response.content.decode()
    assert not Share.objects.exists()


def test_a_share_ends_at_the_end_of_its_last_day_where_the_patient_lives(make_user, clinician):
    patient = make_user(tz="Asia/Tokyo")
    day = timezone.localdate() + timedelta(days=3)
    share = services.share_with_clinician(patient=patient, clinician=clinician, expires_on=day)
    local_end = timezone.localtime(share.expires_at, patient.zone)
    assert (local_end.date(), local_end.hour) == (day + timedelta(days=1), 0)


def test_a_one_time_code_is_shown_once_and_redeemed_once(client, patient, clinician, make_user):
    client.force_login(patient)
    response = client.post(reverse("share_code"), {})
    code = response.context["new_code"]
    assert code in response.content.decode()
    assert code.replace("-", "") not in Share.objects.get().code_hash

    client.force_login(clinician)
    assert client.post(reverse("redeem_code"), {"code": code.lower()}).status_code == 302
    assert Share.objects.live().get().clinician == clinician

    second = make_user("second-doc@example.com", role="clinician")
    client.force_login(second)
    response = client.post(reverse("redeem_code"), {"code": code})
    assert "not valid" in response.content.decode()
    assert not Share.objects.filter(clinician=second).exists()


def test_a_mistyped_code_keeps_the_clinicians_patient_list_on_screen(client, patient, clinician):
    services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    client.force_login(clinician)
    response = client.post(reverse("redeem_code"), {"code": "ABCDE-FGHJK"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "not valid" in page
    assert patient.email in page
    assert "No patients share" not in page


def test_a_revoked_share_ends_access_at_once(client, patient, clinician):
    share = services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    client.force_login(clinician)
    summary = reverse("patient_summary", args=[patient.pk])
    assert client.get(summary).status_code == 200
    client.force_login(patient)
    assert client.post(reverse("share_revoke", args=[share.pk])).status_code == 302
    client.force_login(clinician)
    assert client.get(summary).status_code == 404


def test_a_patient_cannot_revoke_someone_elses_share(client, patient, other_patient, clinician):
    share = services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    client.force_login(other_patient)
    assert client.post(reverse("share_revoke", args=[share.pk])).status_code == 404
    share.refresh_from_db()
    assert share.revoked_at is None


def test_the_patient_sees_who_looked_at_their_data(client, patient, clinician):
    services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    client.force_login(clinician)
    client.get(reverse("patient_summary", args=[patient.pk]))
    client.force_login(patient)
    content = client.get(reverse("sharing")).content.decode()
    assert "doc@example.com" in content
    assert "summary" in content


def test_clinicians_list_their_patients_with_the_last_flare_up_and_new_seek_care_advice(
    client, patient, clinician, django_assert_max_num_queries
):
    services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    episode_log(patient=patient, intensity=6, side="left", spread="none", numbness=True)
    client.force_login(clinician)
    # The list's own queries, and the session's once-a-minute renewal (sessions list).
    with django_assert_max_num_queries(9):
        response = client.get(reverse("clinician_patients"))
    content = response.content.decode()
    assert "pat@example.com" in content
    assert "Numbness or tingling in a leg or foot" in content


def test_seek_care_advice_is_new_only_until_the_clinician_reads_the_summary(
    client, patient, clinician
):
    services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    episode_log(patient=patient, intensity=6, side="left", spread="none", fever=True)
    client.force_login(clinician)
    client.get(reverse("patient_summary", args=[patient.pk]))
    share = Share.objects.get()
    assert share.last_viewed_at is not None
    rows = client.get(reverse("clinician_patients")).context["page"].shares
    assert rows[0].new_seek_care is False


def test_the_summary_shows_counts_red_flags_with_the_prompt_remedies_and_notes(
    client, patient, clinician
):
    services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    episode_log(
        patient=patient,
        started_at=timezone.now() - timedelta(days=3),
        intensity=8,
        side="both",
        spread="none",
        saddle_numbness=True,
        notes="Could not sit at work.",
        remedies={"ibuprofen": "somewhat"},
    )
    episode_log(patient=patient, intensity=4, side="left", spread="none")
    client.force_login(clinician)
    content = client.get(reverse("patient_summary", args=[patient.pk])).content.decode()
    assert "<strong>2</strong> flare-ups" in content
    assert "highest <strong>8/10</strong>" in content
    assert "Numbness or tingling around the genitals" in content
    assert "Emergency</span> Numbness around the groin or buttocks" in content
    assert "Could not sit at work." in content
    assert "<strong>4</strong> of the last 30 days" in content


def test_the_summary_period_is_six_months_on_every_look_and_a_second_look_says_nothing_is_new(
    client, patient, clinician
):
    share = services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    client.force_login(clinician)
    first = client.get(reverse("patient_summary", args=[patient.pk])).context["summary"]
    assert (first.end - first.start).days == 182
    share.refresh_from_db()
    response = client.get(reverse("patient_summary", args=[patient.pk]))
    second = response.context["summary"]
    assert (second.start, second.end) == (first.start, first.end)
    looked = timezone.localtime(share.last_viewed_at, patient.zone)
    assert f"Nothing new since your last look on {looked:%-d %b %Y}" in response.content.decode()


def test_a_bad_period_is_ignored_with_a_message(client, patient, clinician):
    services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    client.force_login(clinician)
    url = reverse("patient_summary", args=[patient.pk])
    response = client.get(url, {"start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 200
    assert "cannot be before the start" in response.content.decode()
    response = client.get(url, {"start": "yesterday"})
    assert response.status_code == 200


def test_nsaid_days_count_days_of_ibuprofen_treated_flare_ups_in_the_last_30(patient, make_episode):
    today = timezone.localdate()
    now = timezone.now()
    make_episode(
        patient,
        started_at=now - timedelta(days=40),
        ended_at=now - timedelta(days=25),
        remedies={"ibuprofen": "yes"},
    )
    make_episode(patient, started_at=now - timedelta(days=2), remedies={"ibuprofen": "no"})
    make_episode(patient, started_at=now - timedelta(days=10), remedies={"heat": "yes"})
    # days 29..25 ago (5 days) and days 2..0 ago (3 days)
    assert nsaid_days(patient, today) == 8


def test_deleting_an_account_leaves_only_access_log_rows(client, patient, clinician):
    services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    episode_log(
        patient=patient,
        intensity=5,
        side="left",
        spread="none",
        remedies={"walking": "yes"},
        notes="private",
    )
    client.force_login(clinician)
    client.get(reverse("patient_summary", args=[patient.pk]))
    client.force_login(patient)
    assert client.post(reverse("account_delete"), {"password": "wrong"}).status_code == 200
    assert User.objects.filter(pk=patient.pk).exists()
    response = client.post(reverse("account_delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(pk=patient.pk).exists()
    assert not Episode.objects.exists()
    assert not Remedy.objects.exists()
    assert not Prompt.objects.exists()
    assert not Share.objects.exists()
    event = AccessEvent.objects.get()
    assert event.patient_ref == patient.pk
    assert "private" not in str(vars(event))


def test_deleting_an_account_signs_out_its_other_devices_and_no_one_else(
    client, patient, other_patient
):
    phone, laptop, someone_else = Client(), Client(), Client()
    phone.force_login(patient)
    laptop.force_login(patient)
    someone_else.force_login(other_patient)
    assert Session.objects.count() == 3
    phone.post(reverse("account_delete"), {"password": PASSWORD})
    remaining = list(Session.objects.all())
    assert [row.get_decoded().get("_auth_user_id") for row in remaining] == [str(other_patient.pk)]
    assert laptop.get(reverse("history")).status_code == 302  # sent to log in


def test_a_clinician_has_no_sharing_page_and_a_patient_cannot_redeem(client, patient, clinician):
    client.force_login(clinician)
    assert client.get(reverse("sharing")).status_code == 404
    client.force_login(patient)
    assert client.post(reverse("redeem_code"), {"code": "ABCDE-FGHJK"}).status_code == 404


@pytest.mark.parametrize("count", [10, 3650])
def test_the_summary_costs_the_same_queries_cold_at_10_and_3650_flare_ups(
    client, patient, clinician, make_long_history, django_assert_max_num_queries, count
):
    make_long_history(patient, count)
    services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    client.force_login(clinician)
    # 2 of them: the sessions list's "last seen"; 2 the follow-ups' numbers (days to over,
    # relief checks: episodes.course_report).
    with django_assert_max_num_queries(28):
        response = client.get(reverse("patient_summary", args=[patient.pk]))
    assert response.status_code == 200
