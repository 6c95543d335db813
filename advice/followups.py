"""Follow-ups: the questions backlog asks after a flare-up is logged, when they are due, how
they are answered, and how the email that announces them is delivered exactly once.

- Relief check: a painkiller or anti-inflammatory tried -> "How bad is it now?" and "Did it
  help?" after the patient's chosen delay; the answer is a pain reading on the flare-up.
- Is it over?: a flare-up still open after 3 days, asked at most once a day.
- Check-in (when turned on): every week at the patient's day and hour.

Every due time is moved out of the patient's quiet hours, in the patient's time zone.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from backlog.accounts import has_verified_email
from episodes import services as episode_services
from episodes.models import Episode, Helped, RemedyCode

from .models import Followup, FollowupAnswer, FollowupKind, FollowupPreferences
from .status import patient_status_refresh

logger = logging.getLogger("backlog.followups")

PAINKILLERS = frozenset({RemedyCode.IBUPROFEN, RemedyCode.OTHER_PAINKILLER})
OVER_AFTER = timedelta(days=3)
OVER_AGAIN_AFTER = timedelta(days=1)
# A waiting question older than this is not emailed any more (it still waits on the home page).
EMAIL_FRESH_FOR = timedelta(days=2)
# An unanswered check-in gives way to the next week's.
CHECKIN_WAITS = timedelta(days=7)
EMAIL_SUBJECT = "backlog: a question is waiting for you"
UNSUBSCRIBE_SALT = "backlog.followups.unsubscribe"


def preferences_for(patient) -> FollowupPreferences:
    """The patient's preferences, or the defaults (unsaved) when they never changed them."""
    try:
        return patient.followup_preferences
    except FollowupPreferences.DoesNotExist:
        return FollowupPreferences(patient=patient)


def _in_quiet_hours(local: time, quiet_from: time, quiet_until: time) -> bool:
    if quiet_from == quiet_until:
        return False
    if quiet_from < quiet_until:
        return quiet_from <= local < quiet_until
    return local >= quiet_from or local < quiet_until  # across midnight


def outside_quiet_hours(when: datetime, preferences: FollowupPreferences, zone) -> datetime:
    """`when`, or the end of the quiet hours it falls in (in the patient's time zone)."""
    local = when.astimezone(zone)
    quiet_from, quiet_until = preferences.quiet_from, preferences.quiet_until
    if not _in_quiet_hours(local.time(), quiet_from, quiet_until):
        return when
    end_day = local.date()
    if quiet_from > quiet_until and local.time() >= quiet_from:
        end_day += timedelta(days=1)
    end = datetime.combine(end_day, quiet_until, tzinfo=zone)
    # A time that does not exist (a clock change) comes out an hour off; still outside.
    return end.astimezone(when.tzinfo or timezone.get_current_timezone())


def _due(patient, when: datetime, preferences: FollowupPreferences | None = None) -> datetime:
    return outside_quiet_hours(when, preferences or preferences_for(patient), patient.zone)


def _tried_painkiller(episode: Episode) -> bool:
    return any(code in PAINKILLERS for code in episode.tried)


def followups_plan(*, episode: Episode, now: datetime | None = None) -> None:
    """After a flare-up is logged or edited: ask the questions it calls for, once each."""
    now = now or timezone.now()
    patient = episode.patient
    preferences = preferences_for(patient)
    if episode.is_over:
        _close(Followup.objects.filter(episode=episode, kind=FollowupKind.OVER))
    else:
        if (
            _tried_painkiller(episode)
            and not episode.followups.filter(kind=FollowupKind.RELIEF).exists()
        ):
            delay = timedelta(minutes=preferences.relief_delay_minutes)
            try:
                with transaction.atomic():
                    Followup.objects.create(
                        patient=patient,
                        episode=episode,
                        kind=FollowupKind.RELIEF,
                        due_at=_due(patient, now + delay, preferences),
                    )
            except IntegrityError:
                pass  # asked already (a second save of the same flare-up)
        if not episode.followups.filter(kind=FollowupKind.OVER).exists():
            Followup.objects.create(
                patient=patient,
                episode=episode,
                kind=FollowupKind.OVER,
                due_at=_due(patient, max(episode.started_at + OVER_AFTER, now), preferences),
            )
    # A flare-up in the week a check-in asks about (or after it) answers that check-in; an
    # edit of an older one does not.
    _close(
        Followup.objects.waiting(now).filter(
            patient=patient,
            kind=FollowupKind.CHECKIN,
            due_at__lt=episode.started_at + CHECKIN_WAITS,
        ),
        answer=FollowupAnswer.LOGGED,
    )


def _close(followups, answer: str = FollowupAnswer.CLOSED) -> int:
    return followups.filter(answered_at__isnull=True).update(
        answered_at=timezone.now(), answer=answer
    )


def next_checkin_at(preferences: FollowupPreferences, zone, after: datetime) -> datetime:
    local = after.astimezone(zone)
    days_ahead = (preferences.checkin_weekday - local.weekday()) % 7
    day = local.date() + timedelta(days=days_ahead)
    slot = datetime.combine(day, time(preferences.checkin_hour), tzinfo=zone)
    if slot <= local:
        slot = datetime.combine(
            day + timedelta(days=7), time(preferences.checkin_hour), tzinfo=zone
        )
    return slot.astimezone(after.tzinfo)


def checkins_plan(*, now: datetime | None = None) -> int:
    """Give every patient who turned the check-in on their next week's question; an
    unanswered one gives way after a week. Returns how many were added."""
    now = now or timezone.now()
    _close(
        Followup.objects.filter(
            kind=FollowupKind.CHECKIN, answered_at__isnull=True, due_at__lt=now - CHECKIN_WAITS
        )
    )
    upcoming = Followup.objects.filter(
        patient=OuterRef("patient"),
        kind=FollowupKind.CHECKIN,
        answered_at__isnull=True,
        due_at__gt=now,
    )
    added = 0
    # Only those without a question to come: a sweep a minute costs nothing per patient.
    for preferences in (
        FollowupPreferences.objects.filter(checkin_enabled=True)
        .exclude(Exists(upcoming))
        .select_related("patient")
    ):
        added += checkin_plan(preferences=preferences, now=now)
    return added


def checkin_plan(*, preferences: FollowupPreferences, now: datetime | None = None) -> int:
    now = now or timezone.now()
    patient = preferences.patient
    if not preferences.checkin_enabled:
        # Turned off: the questions still to come are withdrawn.
        Followup.objects.filter(
            patient=patient, kind=FollowupKind.CHECKIN, answered_at__isnull=True, due_at__gt=now
        ).delete()
        return 0
    upcoming = Followup.objects.filter(
        patient=patient, kind=FollowupKind.CHECKIN, answered_at__isnull=True, due_at__gt=now
    )
    slot = next_checkin_at(preferences, patient.zone, now)
    upcoming.exclude(due_at=slot).delete()  # the day or hour was changed
    due = _due(patient, slot, preferences)
    _, created = Followup.objects.get_or_create(
        patient=patient, kind=FollowupKind.CHECKIN, due_at=due
    )
    return int(created)


def checkin_weeks(patient, now: datetime | None = None) -> dict[str, int]:
    """The weekly check-ins asked so far: weeks answered "no flare-up", weeks with a flare-up
    logged, and weeks nobody answered (a quiet week and a forgotten one are not the same)."""
    return Followup.objects.filter(
        patient=patient, kind=FollowupKind.CHECKIN, due_at__lte=now or timezone.now()
    ).aggregate(
        quiet=Count("id", filter=Q(answer=FollowupAnswer.QUIET)),
        logged=Count("id", filter=Q(answer=FollowupAnswer.LOGGED)),
        unanswered=Count(
            "id", filter=Q(answered_at__isnull=True) | Q(answer=FollowupAnswer.CLOSED)
        ),
    )


# Answers. Each takes the patient's own follow-up (advice.views check that).


def waiting_for(patient, now: datetime | None = None) -> list[Followup]:
    """What the "waiting for you" card asks, oldest first; one check-in at most."""
    waiting = list(
        Followup.objects.for_patient(patient)
        .waiting(now)
        .select_related("episode")
        .order_by("due_at", "id")
    )
    checkins = [f for f in waiting if f.kind == FollowupKind.CHECKIN]
    return [f for f in waiting if f.kind != FollowupKind.CHECKIN] + checkins[-1:]


def _answer(followup: Followup, answer: str) -> bool:
    """Record the answer once; False when it had been answered already (a second tap)."""
    return bool(
        Followup.objects.filter(pk=followup.pk, answered_at__isnull=True).update(
            answered_at=timezone.now(), answer=answer
        )
    )


@transaction.atomic
def relief_answer(*, followup: Followup, intensity: int, helped: str, note: str = "") -> bool:
    """The answer to "How bad is it now?" becomes a pain reading (marked as the relief
    check's), and "Did it help?" goes on the painkillers tried."""
    if not _answer(followup, FollowupAnswer.READING):
        return False
    episode = followup.episode
    episode_services.reading_add(
        episode=episode,
        intensity=intensity,
        taken_at=max(timezone.now(), episode.started_at),
        note=note,
        relief_check=True,
    )
    if helped in Helped.values:
        episode.remedies.filter(code__in=PAINKILLERS).update(helped=helped)
    patient_status_refresh(patient=followup.patient)  # the reading may be the new worst
    return True


@transaction.atomic
def over_answer(*, followup: Followup, over: bool, ended_on=None) -> bool:
    """ "Yes, it ended on <day>" ends the flare-up then; "not yet" asks again tomorrow."""
    if not _answer(followup, FollowupAnswer.ENDED if over else FollowupAnswer.NOT_YET):
        return False
    episode = followup.episode
    if over:
        if not episode.is_over:
            episode_services.episode_end(episode=episode, ended_at=ended_on)
            patient_status_refresh(patient=followup.patient)
    else:
        patient = followup.patient
        Followup.objects.create(
            patient=patient,
            episode=episode,
            kind=FollowupKind.OVER,
            due_at=_due(patient, timezone.now() + OVER_AGAIN_AFTER),
        )
    return True


def checkin_answer(*, followup: Followup, answer: str) -> bool:
    return _answer(followup, answer)


def ended_on_choice(followup: Followup) -> datetime:
    """The day offered by "yes, it ended on <day>": yesterday in the patient's time zone, at
    noon, and never before the start (a flare-up asked about on day 3 ended, at the latest,
    on the day before)."""
    zone = followup.patient.zone
    yesterday = (timezone.now().astimezone(zone) - timedelta(days=1)).date()
    noon = datetime.combine(yesterday, time(12), tzinfo=zone)
    return max(noon, followup.episode.started_at)


# Email: claimed before it is sent, marked after; a lapsed claim (a killed worker) is retried.


def unsubscribe_token(patient) -> str:
    return signing.dumps(patient.pk, salt=UNSUBSCRIBE_SALT)


def patient_for_unsubscribe(token: str):
    from django.contrib.auth import get_user_model

    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=pk).first()


def email_turn_off(patient) -> None:
    FollowupPreferences.objects.update_or_create(patient=patient, defaults={"email_enabled": False})


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def followup_email(followup: Followup) -> EmailMessage:
    """No health detail: the subject, a link, and the way to stop."""
    unsubscribe = _site_url(
        reverse("followup_unsubscribe", kwargs={"token": unsubscribe_token(followup.patient)})
    )
    body = (
        "A question from backlog is waiting for you:\n\n"
        f"{_site_url(reverse('followup', args=[followup.pk]))}\n\n"
        "You receive this because you turned on follow-up emails in backlog's settings.\n"
        f"To stop them: {unsubscribe}\n"
    )
    domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    return EmailMessage(
        subject=EMAIL_SUBJECT,
        body=body,
        to=[followup.patient.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # The same follow-up always has the same Message-ID: a mail system that sees it
            # twice (after a crash between "accepted" and "recorded") can drop the copy.
            "Message-ID": f"<followup-{followup.pk}@{domain}>",
        },
    )


def due_for_email(now: datetime | None = None):
    now = now or timezone.now()
    lapsed = now - timedelta(seconds=settings.FOLLOWUP_CLAIM_SECONDS)
    verified = EmailAddress.objects.filter(
        user=OuterRef("patient"), email=OuterRef("patient__email"), verified=True
    )
    return (
        Followup.objects.filter(Exists(verified))
        .filter(
            due_at__lte=now,
            due_at__gte=now - EMAIL_FRESH_FOR,
            answered_at__isnull=True,
            emailed_at__isnull=True,
            patient__is_active=True,
            patient__followup_preferences__email_enabled=True,
        )
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=lapsed))
        .select_related("patient")
        .order_by("due_at", "id")
    )


def _claim(followup: Followup, now: datetime) -> bool:
    lapsed = now - timedelta(seconds=settings.FOLLOWUP_CLAIM_SECONDS)
    return bool(
        Followup.objects.filter(pk=followup.pk, answered_at__isnull=True, emailed_at__isnull=True)
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=lapsed))
        .update(email_claimed_at=now)
    )


def deliver_due(now: datetime | None = None) -> int:
    """Email every due, unanswered follow-up of a patient who turned email on and verified
    their address. Safe to run in several workers at once and after a crash. Returns how
    many were sent."""
    sent = 0
    for followup in due_for_email(now):
        if not has_verified_email(followup.patient):
            continue
        claimed_at = timezone.now()
        if not _claim(followup, claimed_at):
            continue  # answered, deleted, or taken by another worker meanwhile
        try:
            followup_email(followup).send()
        except (OSError, smtplib.SMTPException) as error:
            # The mail server is down or refused: free the claim, so the next sweep tries
            # again, and go on with the others.
            Followup.objects.filter(pk=followup.pk, emailed_at__isnull=True).update(
                email_claimed_at=None
            )
            logger.warning("follow-up %s not emailed yet: %s", followup.pk, type(error).__name__)
            continue
        Followup.objects.filter(pk=followup.pk).update(emailed_at=timezone.now())
        logger.info("follow-up %s emailed to user %s", followup.pk, followup.patient_id)
        sent += 1
    return sent
