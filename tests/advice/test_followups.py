"""Follow-ups: which questions are asked, when (time zone and quiet hours), how they are
answered on the home page, and the emails that announce them."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advice import followups
from advice.models import Followup, FollowupAnswer, FollowupKind, FollowupPreferences
from advice.services import episode_finish, episode_log, episode_revise
from episodes.models import PainReading
from tests.factories import HEALTH_WORDS, page_text

pytestmark = pytest.mark.django_db


def log(patient, **fields):
    fields.setdefault("intensity", 7)
    fields.setdefault("side", "left")
    episode, _ = episode_log(patient=patient, **fields)
    return episode


def make_due(followup):
    Followup.objects.filter(pk=followup.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    followup.refresh_from_db()
    return followup


def response_html(client) -> str:
    return client.get(reverse("home")).content.decode()


def relief_of(episode):
    return Followup.objects.get(episode=episode, kind=FollowupKind.RELIEF)


# When questions are asked


def test_a_painkiller_tried_asks_a_relief_check_about_two_hours_later(patient):
    before = timezone.now()
    episode = log(patient, remedies={"ibuprofen": "unknown"}, started_at=before)
    relief = relief_of(episode)
    # The default quiet hours (22:00-08:00 UTC here) may move it; outside them it is 2 hours.
    expected = followups.outside_quiet_hours(
        before + timedelta(hours=2), followups.preferences_for(patient), patient.zone
    )
    assert abs(relief.due_at - expected) < timedelta(minutes=1)


def test_no_relief_check_without_a_painkiller(patient):
    episode = log(patient, remedies={"heat": "yes"})
    assert not Followup.objects.filter(episode=episode, kind=FollowupKind.RELIEF).exists()


def test_a_painkiller_added_later_by_an_edit_asks_a_relief_check_once(patient):
    episode = log(patient, remedies={"heat": "yes"})
    episode_revise(episode=episode, remedies={"heat": "yes", "other_painkiller": "unknown"})
    episode_revise(episode=episode, remedies={"other_painkiller": "unknown"})
    assert Followup.objects.filter(episode=episode, kind=FollowupKind.RELIEF).count() == 1


def test_the_relief_delay_is_the_patients_choice(patient):
    FollowupPreferences.objects.create(
        patient=patient, relief_delay_minutes=60, quiet_from=time(0), quiet_until=time(0)
    )
    before = timezone.now()
    relief = relief_of(log(patient, remedies={"ibuprofen": "unknown"}))
    assert timedelta(minutes=59) < relief.due_at - before < timedelta(minutes=61)


def test_quiet_hours_move_a_question_to_their_end_in_the_patients_time_zone(make_user):
    patient = make_user(tz="Europe/Paris")
    preferences = FollowupPreferences(patient=patient, quiet_from=time(22), quiet_until=time(7))
    zone = ZoneInfo("Europe/Paris")
    late = datetime(2026, 3, 10, 23, 30, tzinfo=zone)
    moved = followups.outside_quiet_hours(late.astimezone(UTC), preferences, zone)
    assert moved.astimezone(zone) == datetime(2026, 3, 11, 7, 0, tzinfo=zone)
    early = datetime(2026, 3, 11, 5, 0, tzinfo=zone)
    moved = followups.outside_quiet_hours(early.astimezone(UTC), preferences, zone)
    assert moved.astimezone(zone) == datetime(2026, 3, 11, 7, 0, tzinfo=zone)
    daytime = datetime(2026, 3, 11, 15, 0, tzinfo=zone).astimezone(UTC)
    assert followups.outside_quiet_hours(daytime, preferences, zone) == daytime


def test_quiet_hours_within_one_day_are_kept_too(make_user):
    patient = make_user(tz="America/New_York")
    preferences = FollowupPreferences(patient=patient, quiet_from=time(13), quiet_until=time(15))
    zone = ZoneInfo("America/New_York")
    nap = datetime(2026, 7, 1, 14, 0, tzinfo=zone).astimezone(UTC)
    moved = followups.outside_quiet_hours(nap, preferences, zone)
    assert moved.astimezone(zone) == datetime(2026, 7, 1, 15, 0, tzinfo=zone)


def test_an_open_flare_up_asks_whether_it_is_over_after_three_days(patient):
    started = timezone.now() - timedelta(hours=1)
    episode = log(patient, started_at=started)
    over = Followup.objects.get(episode=episode, kind=FollowupKind.OVER)
    assert over.due_at >= started + timedelta(days=3)
    assert over.due_at < started + timedelta(days=3, hours=12)


def test_a_flare_up_logged_as_over_asks_nothing(patient):
    now = timezone.now()
    episode = log(
        patient,
        started_at=now - timedelta(hours=5),
        ended_at=now - timedelta(hours=1),
        remedies={"ibuprofen": "yes"},
    )
    assert not Followup.objects.filter(episode=episode).exists()


def test_marking_a_flare_up_over_withdraws_the_is_it_over_question(patient):
    episode = log(patient)
    episode_finish(episode=episode)
    over = Followup.objects.get(episode=episode, kind=FollowupKind.OVER)
    assert over.answer == FollowupAnswer.CLOSED


def test_not_yet_asks_again_the_next_day_and_only_then(patient_client, patient):
    episode = log(patient, started_at=timezone.now() - timedelta(days=4))
    over = make_due(Followup.objects.get(episode=episode, kind=FollowupKind.OVER))
    patient_client.post(reverse("followup_answer", args=[over.pk]), {"over": "no"})
    again = Followup.objects.filter(episode=episode, kind=FollowupKind.OVER, answered_at=None)
    assert again.count() == 1
    assert again.get().due_at > timezone.now() + timedelta(hours=12)
    assert not followups.waiting_for(patient)


def test_yes_it_ended_ends_the_flare_up_on_the_day_offered(patient_client, patient):
    episode = log(patient, started_at=timezone.now() - timedelta(days=4))
    over = make_due(Followup.objects.get(episode=episode, kind=FollowupKind.OVER))
    offered = followups.ended_on_choice(over)
    response = patient_client.get(reverse("home"))
    assert f"Yes, it ended on {offered:%A} {offered.day}" in page_text(response)
    patient_client.post(reverse("followup_answer", args=[over.pk]), {"over": "yes"})
    episode.refresh_from_db()
    assert episode.ended_at == offered


def test_the_weekly_check_in_is_off_by_default(patient):
    log(patient)
    followups.checkins_plan()
    assert not Followup.objects.filter(kind=FollowupKind.CHECKIN).exists()


def test_the_check_in_comes_on_the_day_and_hour_chosen(make_user):
    patient = make_user(tz="Asia/Tokyo")
    preferences = FollowupPreferences.objects.create(
        patient=patient, checkin_enabled=True, checkin_weekday=2, checkin_hour=19
    )
    followups.checkin_plan(preferences=preferences)
    checkin = Followup.objects.get(patient=patient, kind=FollowupKind.CHECKIN)
    local = checkin.due_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert (local.weekday(), local.hour, local.minute) == (2, 19, 0)
    assert timezone.now() < checkin.due_at <= timezone.now() + timedelta(days=7)


def test_no_flare_up_this_week_is_stored_in_one_tap(patient_client, patient):
    preferences = FollowupPreferences.objects.create(patient=patient, checkin_enabled=True)
    followups.checkin_plan(preferences=preferences)
    checkin = make_due(Followup.objects.get(patient=patient, kind=FollowupKind.CHECKIN))
    patient_client.post(reverse("followup_answer", args=[checkin.pk]), {"answer": "quiet"})
    checkin.refresh_from_db()
    assert checkin.answer == FollowupAnswer.QUIET
    assert checkin.answered_at is not None


def test_logging_a_flare_up_answers_the_waiting_check_in(patient):
    preferences = FollowupPreferences.objects.create(patient=patient, checkin_enabled=True)
    followups.checkin_plan(preferences=preferences)
    checkin = make_due(Followup.objects.get(patient=patient, kind=FollowupKind.CHECKIN))
    log(patient)
    checkin.refresh_from_db()
    assert checkin.answer == FollowupAnswer.LOGGED


# The card on the home page


def test_the_relief_check_waits_at_the_top_of_the_home_page(patient_client, patient):
    relief = make_due(relief_of(log(patient, remedies={"ibuprofen": "unknown"})))
    text = page_text(patient_client.get(reverse("home")))
    assert "Waiting for you" in text
    assert "How bad is it now?" in text
    assert "Did it help?" in text
    assert text.index("Waiting for you") < text.index("The essentials take a few taps")
    assert f"/questions/{relief.pk}/answer/" in response_html(patient_client)


def test_a_question_not_yet_due_is_not_shown(patient_client, patient):
    log(patient, remedies={"ibuprofen": "unknown"})
    assert "Waiting for you" not in page_text(patient_client.get(reverse("home")))


def test_answering_the_relief_check_stores_a_pain_reading_and_keeps_the_peak(
    patient_client, patient
):
    episode = log(patient, intensity=8, remedies={"ibuprofen": "unknown", "heat": "unknown"})
    relief = make_due(relief_of(episode))
    response = patient_client.post(
        reverse("followup_answer", args=[relief.pk]),
        {"intensity": "4", "helped": "yes", "note": "better after lunch"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "your answer is saved" in page_text(response)
    reading = PainReading.objects.get(episode=episode)
    assert (reading.intensity, reading.note) == (4, "better after lunch")
    episode.refresh_from_db()
    assert episode.intensity == 8
    helped = dict(episode.remedies.values_list("code", "helped"))
    assert helped == {"ibuprofen": "yes", "heat": "unknown"}


def test_a_relief_answer_out_of_range_is_refused_next_to_the_field(patient_client, patient):
    relief = make_due(relief_of(log(patient, remedies={"ibuprofen": "unknown"})))
    response = patient_client.post(
        reverse("followup_answer", args=[relief.pk]), {"intensity": "11", "helped": "yes"}
    )
    assert response.status_code == 200
    assert "Choose a whole number from 0 to 10." in page_text(response)
    assert not PainReading.objects.exists()
    relief.refresh_from_db()
    assert relief.answered_at is None


def test_a_second_tap_stores_nothing_twice(patient_client, patient):
    relief = make_due(relief_of(log(patient, remedies={"ibuprofen": "unknown"})))
    url = reverse("followup_answer", args=[relief.pk])
    patient_client.post(url, {"intensity": "3", "helped": "no"})
    response = patient_client.post(url, {"intensity": "3", "helped": "no"})
    assert response.status_code == 302
    assert PainReading.objects.count() == 1


def test_without_javascript_an_answer_posts_and_returns_home(patient_client, patient):
    over = make_due(Followup.objects.get(episode=log(patient), kind=FollowupKind.OVER))
    response = patient_client.post(reverse("followup_answer", args=[over.pk]), {"over": "no"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_another_patients_question_is_404(client, patient, other_patient):
    relief = make_due(relief_of(log(patient, remedies={"ibuprofen": "unknown"})))
    client.force_login(other_patient)
    url = reverse("followup_answer", args=[relief.pk])
    assert client.post(url, {"intensity": "3", "helped": "no"}).status_code == 404
    assert client.get(reverse("followup", args=[relief.pk])).status_code == 404
    assert not PainReading.objects.exists()


def test_the_home_page_queries_do_not_grow_with_waiting_questions(
    patient_client, patient, django_assert_max_num_queries
):
    for _ in range(5):
        make_due(relief_of(log(patient, remedies={"ibuprofen": "unknown"})))
    patient_client.get(reverse("home"))
    # The home page's queries (6) plus one for the questions waiting.
    with django_assert_max_num_queries(7):
        response = patient_client.get(reverse("home"))
    assert page_text(response).count("How bad is it now?") == 5


# Settings


def test_settings_save_quiet_hours_delay_check_in_and_email(patient_client, patient):
    response = patient_client.post(
        reverse("followup_settings"),
        {
            "relief_delay_minutes": "90",
            "quiet_from": "23:00",
            "quiet_until": "06:30",
            "checkin_enabled": "on",
            "checkin_weekday": "4",
            "checkin_hour": "9",
            "email_enabled": "on",
        },
    )
    assert response.status_code == 302
    preferences = FollowupPreferences.objects.get(patient=patient)
    assert preferences.relief_delay_minutes == 90
    assert preferences.quiet_until == time(6, 30)
    assert preferences.checkin_enabled
    assert preferences.email_enabled
    assert Followup.objects.filter(patient=patient, kind=FollowupKind.CHECKIN).count() == 1


def test_a_bad_delay_in_settings_is_refused_next_to_the_field(patient_client, patient):
    response = patient_client.post(
        reverse("followup_settings"),
        {"relief_delay_minutes": "5", "quiet_from": "22:00", "quiet_until": "08:00"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in page_text(response)
    assert not FollowupPreferences.objects.filter(patient=patient).exists()


# Email


def email_on(patient):
    FollowupPreferences.objects.update_or_create(patient=patient, defaults={"email_enabled": True})


def test_email_is_off_by_default(patient):
    make_due(relief_of(log(patient, remedies={"ibuprofen": "unknown"})))
    assert followups.deliver_due() == 0
    assert mail.outbox == []


def test_a_due_question_is_emailed_once_without_health_detail(patient):
    email_on(patient)
    make_due(relief_of(log(patient, remedies={"ibuprofen": "unknown"}, notes="stiff after it")))
    assert followups.deliver_due() == 1
    assert followups.deliver_due() == 0
    [message] = mail.outbox
    assert message.subject == "backlog: a question is waiting for you"
    assert message.to == [patient.email]
    assert not HEALTH_WORDS.search(message.subject + message.body)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")


def test_no_email_to_an_unverified_address(make_user):
    patient = make_user(verified=False)
    email_on(patient)
    make_due(relief_of(log(patient, remedies={"ibuprofen": "unknown"})))
    assert followups.deliver_due() == 0
    assert mail.outbox == []


def test_a_question_answered_in_the_app_is_never_emailed(patient_client, patient):
    email_on(patient)
    relief = make_due(relief_of(log(patient, remedies={"ibuprofen": "unknown"})))
    patient_client.post(
        reverse("followup_answer", args=[relief.pk]), {"intensity": "2", "helped": "yes"}
    )
    assert followups.deliver_due() == 0
    assert mail.outbox == []


def test_no_email_for_a_deleted_flare_up_or_account(patient, other_patient):
    from advice.services import episode_remove

    email_on(patient)
    email_on(other_patient)
    episode = log(patient, remedies={"ibuprofen": "unknown"})
    make_due(relief_of(episode))
    make_due(relief_of(log(other_patient, remedies={"ibuprofen": "unknown"})))
    episode_remove(episode=episode)
    other_patient.delete()
    assert followups.deliver_due() == 0
    assert mail.outbox == []


def test_a_claim_left_by_a_killed_worker_is_retried_after_it_lapses(patient, settings):
    email_on(patient)
    relief = make_due(relief_of(log(patient, remedies={"ibuprofen": "unknown"})))
    Followup.objects.filter(pk=relief.pk).update(email_claimed_at=timezone.now())
    assert followups.deliver_due() == 0  # another worker holds it
    Followup.objects.filter(pk=relief.pk).update(
        email_claimed_at=timezone.now() - timedelta(seconds=settings.FOLLOWUP_CLAIM_SECONDS + 1)
    )
    assert followups.deliver_due() == 1
    assert len(mail.outbox) == 1


def test_the_unsubscribe_link_works_without_logging_in(patient):
    email_on(patient)
    make_due(relief_of(log(patient, remedies={"ibuprofen": "unknown"})))
    followups.deliver_due()
    url = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = url.split("://", 1)[1].split("/", 1)[1]
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get("/" + path)
    assert page.status_code == 200
    assert "Stop follow-up emails" in page_text(page)
    assert FollowupPreferences.objects.get(patient=patient).email_enabled
    # One click from the mail client: a POST with the header's body, no cookie, no token.
    done = anonymous.post("/" + path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert not FollowupPreferences.objects.get(patient=patient).email_enabled


def test_a_forged_unsubscribe_token_changes_nothing(client, patient):
    email_on(patient)
    url = reverse("followup_unsubscribe", kwargs={"token": f"{patient.pk}:forged"})
    assert client.post(url).status_code == 404
    assert FollowupPreferences.objects.get(patient=patient).email_enabled


# The task queue


def test_the_sweep_task_emails_due_questions_and_queues_the_next_sweep(patient):
    from django_tasks.backends.database.models import DBTaskResult

    from advice.tasks import deliver_due_followups

    email_on(patient)
    make_due(relief_of(log(patient, remedies={"ibuprofen": "unknown"})))
    assert deliver_due_followups.call() == 1
    assert len(mail.outbox) == 1
    queued = DBTaskResult.objects.filter(task_path=deliver_due_followups.module_path).get()
    assert queued.run_after > timezone.now()


def test_the_emails_link_opens_the_question_for_its_patient(patient_client, patient):
    email_on(patient)
    relief = make_due(relief_of(log(patient, remedies={"ibuprofen": "unknown"})))
    followups.deliver_due()
    link = reverse("followup", args=[relief.pk])
    assert link in mail.outbox[0].body
    text = page_text(patient_client.get(link))
    assert "How bad is it now?" in text


def test_every_sweep_keeps_one_check_in_to_come_per_patient(make_user):
    patients = [make_user() for _ in range(3)]
    for patient in patients[:2]:
        FollowupPreferences.objects.create(patient=patient, checkin_enabled=True)
    assert followups.checkins_plan() == 2
    assert followups.checkins_plan() == 0
    assert Followup.objects.filter(kind=FollowupKind.CHECKIN).count() == 2


def test_turning_the_check_in_off_withdraws_the_question_to_come(patient_client, patient):
    preferences = FollowupPreferences.objects.create(patient=patient, checkin_enabled=True)
    followups.checkin_plan(preferences=preferences)
    response = patient_client.post(
        reverse("followup_settings"),
        {
            "relief_delay_minutes": "120",
            "quiet_from": "22:00",
            "quiet_until": "08:00",
            "checkin_weekday": "6",
            "checkin_hour": "18",
        },
    )
    assert response.status_code == 302
    assert not Followup.objects.filter(kind=FollowupKind.CHECKIN).exists()


def test_a_relief_check_due_in_the_night_waits_for_the_end_of_quiet_hours(make_user):
    patient = make_user(tz="Asia/Tokyo")
    FollowupPreferences.objects.create(patient=patient, quiet_from=time(22), quiet_until=time(7))
    episode = log(patient, remedies={"ibuprofen": "unknown"})
    Followup.objects.filter(episode=episode).delete()
    tokyo = ZoneInfo("Asia/Tokyo")
    logged = datetime(2026, 5, 4, 21, 15, tzinfo=tokyo)  # asked at 23:15 without quiet hours
    followups.followups_plan(episode=episode, now=logged.astimezone(UTC))
    due = relief_of(episode).due_at.astimezone(tokyo)
    assert due == datetime(2026, 5, 5, 7, 0, tzinfo=tokyo)


def test_a_mail_server_that_is_down_leaves_the_question_for_the_next_sweep(patient, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    email_on(patient)
    relief = make_due(relief_of(log(patient, remedies={"ibuprofen": "unknown"})))
    assert followups.deliver_due() == 0
    relief.refresh_from_db()
    assert (relief.email_claimed_at, relief.emailed_at) == (None, None)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert followups.deliver_due() == 1


def test_a_relief_answer_above_the_worst_pain_becomes_the_worst(patient_client, patient):
    episode = log(patient, intensity=4, remedies={"ibuprofen": "unknown"})
    relief = make_due(relief_of(episode))
    patient_client.post(
        reverse("followup_answer", args=[relief.pk]), {"intensity": "9", "helped": "no"}
    )
    episode.refresh_from_db()
    assert episode.intensity == 9


def test_the_trends_page_tells_quiet_weeks_from_forgotten_ones(patient_client, patient):
    preferences = FollowupPreferences.objects.create(patient=patient, checkin_enabled=True)
    for weeks_ago, answer in [(3, FollowupAnswer.QUIET), (2, FollowupAnswer.QUIET), (1, "")]:
        Followup.objects.create(
            patient=patient,
            kind=FollowupKind.CHECKIN,
            due_at=timezone.now() - timedelta(weeks=weeks_ago),
            answer=answer,
            answered_at=timezone.now() if answer else None,
        )
    followups.checkin_plan(preferences=preferences)  # next week's: not asked yet
    assert followups.checkin_weeks(patient) == {"quiet": 2, "logged": 0, "unanswered": 1}
    text = page_text(patient_client.get(reverse("trends")))
    assert "2 weeks with no flare-up, 0 with a flare-up logged, 1 not answered." in text


def test_the_sweep_runs_once_on_a_backend_that_runs_tasks_at_once(patient, settings):
    from advice.tasks import deliver_due_followups

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    email_on(patient)
    make_due(relief_of(log(patient, remedies={"ibuprofen": "unknown"})))
    result = deliver_due_followups.enqueue()
    assert result.return_value == 1
    assert len(mail.outbox) == 1


def test_editing_an_old_flare_up_does_not_answer_this_weeks_check_in(patient):
    old = log(patient, started_at=timezone.now() - timedelta(days=40))
    preferences = FollowupPreferences.objects.create(patient=patient, checkin_enabled=True)
    followups.checkin_plan(preferences=preferences)
    checkin = make_due(Followup.objects.get(patient=patient, kind=FollowupKind.CHECKIN))
    episode_revise(episode=old, notes="remembered more")
    checkin.refresh_from_db()
    assert checkin.answered_at is None
