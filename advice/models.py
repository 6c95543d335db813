from __future__ import annotations

import calendar
from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from episodes.models import Episode

from .rules import SEEK_CARE_LEVELS, Level


class PromptQuerySet(models.QuerySet):
    def latest_for(self, episode: Episode) -> list[Prompt]:
        """What the patient was told the last time this flare-up was logged or edited."""
        prompts = list(self.filter(episode=episode).order_by("-shown_at", "rank"))
        if not prompts:
            return []
        newest = prompts[0].shown_at
        return [p for p in prompts if p.shown_at == newest]


class Prompt(models.Model):
    """One piece of advice shown to the patient, kept so a clinician can see what was said."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="prompts")
    code = models.CharField(max_length=40)
    level = models.CharField(max_length=10, choices=Level.choices())
    rank = models.PositiveSmallIntegerField(help_text="Position on screen, most urgent first.")
    title = models.CharField(max_length=200)
    message = models.TextField()
    source = models.CharField(max_length=300)
    guidance = models.CharField(max_length=40, blank=True)
    shown_at = models.DateTimeField(default=timezone.now)

    objects = PromptQuerySet.as_manager()

    class Meta:
        ordering = ["-shown_at", "rank"]
        indexes = [models.Index(fields=["episode", "-shown_at"], name="prompt_episode_shown")]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=[level.value for level in Level]), name="prompt_level_valid"
            ),
        ]

    def __str__(self) -> str:
        # No health detail: this text is kept in the admin's history of changes.
        return f"Advice {self.pk} on flare-up {self.episode_id}"


class PatientStatus(models.Model):
    """One patient at a glance: what a clinician's patient list needs, kept up to date by every
    write to the patient's flare-ups (`advice.status.patient_status_refresh`), so the list reads
    one row per patient however long their history is."""

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="patient_status",
    )
    episode_count = models.PositiveIntegerField(default=0)
    last_started_at = models.DateTimeField(null=True, blank=True)
    # The latest emergency or urgent advice shown to the patient (most urgent on a tie).
    seek_care_at = models.DateTimeField(null=True, blank=True)
    seek_care_level = models.CharField(max_length=10, blank=True)
    seek_care_title = models.CharField(max_length=200, blank=True)
    # The trend verdicts ("rising", "steady", ...) as of the patient's last change.
    frequency = models.CharField(max_length=12, blank=True)
    intensity = models.CharField(max_length=12, blank=True)
    spread = models.CharField(max_length=12, blank=True)
    rising = models.BooleanField(default=False)
    verdicts_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "patient statuses"
        constraints = [
            models.CheckConstraint(
                condition=Q(seek_care_level__in=["", *(level.value for level in SEEK_CARE_LEVELS)]),
                name="patient_status_seek_care_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(seek_care_at__isnull=True, seek_care_level="")
                | Q(seek_care_at__isnull=False) & ~Q(seek_care_level=""),
                name="patient_status_seek_care_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Status of patient {self.patient_id}"

    @property
    def rising_trends(self) -> list[str]:
        return [name for name in TREND_NAMES if getattr(self, name) == "rising"]


TREND_NAMES = ("frequency", "intensity", "spread")


RELIEF_DELAY_CHOICES = [
    (30, "30 minutes"),
    (60, "1 hour"),
    (90, "1 hour 30 minutes"),
    (120, "2 hours"),
    (180, "3 hours"),
    (240, "4 hours"),
]


class FollowupPreferences(models.Model):
    """When and how a patient wants backlog to ask after their flare-ups (Settings >
    Follow-ups). A patient without a row has the defaults below."""

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="followup_preferences",
    )
    relief_delay_minutes = models.PositiveSmallIntegerField(
        "ask how a painkiller worked after",
        default=120,
        choices=RELIEF_DELAY_CHOICES,
    )
    quiet_from = models.TimeField("quiet hours from", default=time(22, 0))
    quiet_until = models.TimeField("quiet hours until", default=time(8, 0))
    checkin_enabled = models.BooleanField("ask every week how my back has been", default=False)
    checkin_weekday = models.PositiveSmallIntegerField(
        "on", default=6, choices=list(enumerate(calendar.day_name))
    )
    checkin_hour = models.PositiveSmallIntegerField(
        "at", default=18, choices=[(h, f"{h:02d}:00") for h in range(24)]
    )
    email_enabled = models.BooleanField("also email me when a question is waiting", default=False)

    class Meta:
        verbose_name_plural = "follow-up preferences"
        constraints = [
            models.CheckConstraint(
                condition=Q(relief_delay_minutes__gte=30, relief_delay_minutes__lte=480),
                name="followup_prefs_delay_range",
            ),
            models.CheckConstraint(
                condition=Q(checkin_weekday__lte=6), name="followup_prefs_weekday_range"
            ),
            models.CheckConstraint(
                condition=Q(checkin_hour__lte=23), name="followup_prefs_hour_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Follow-up preferences of {self.patient_id}"


class FollowupKind(models.TextChoices):
    RELIEF = "relief", "Relief check"
    OVER = "over", "Is it over?"
    CHECKIN = "checkin", "Weekly check-in"


class FollowupAnswer(models.TextChoices):
    READING = "reading", "Pain reading given"
    ENDED = "ended", "Flare-up ended"
    NOT_YET = "not_yet", "Not over yet"
    QUIET = "quiet", "No flare-up this week"
    LOGGED = "logged", "Logged a flare-up"
    CLOSED = "closed", "No longer needed"


class FollowupQuerySet(models.QuerySet):
    def waiting(self, now=None) -> FollowupQuerySet:
        """Due and not answered: what the "waiting for you" card shows."""
        return self.filter(due_at__lte=now or timezone.now(), answered_at__isnull=True)

    def for_patient(self, patient) -> FollowupQuerySet:
        return self.filter(patient=patient)


class Followup(models.Model):
    """One question backlog asks a patient at a set time. Delivery is idempotent: the email
    is claimed by a conditional UPDATE (`email_claimed_at`) before it is sent and marked
    `emailed_at` after, so a killed worker's follow-up is found again and none goes twice."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followups"
    )
    episode = models.ForeignKey(
        Episode, on_delete=models.CASCADE, null=True, blank=True, related_name="followups"
    )
    kind = models.CharField(max_length=10, choices=FollowupKind.choices)
    due_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(max_length=10, choices=FollowupAnswer.choices, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FollowupQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["patient", "answered_at", "due_at"], name="followup_waiting"),
            models.Index(
                fields=["due_at"],
                name="followup_due",
                condition=Q(emailed_at__isnull=True, answered_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FollowupKind.values), name="followup_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(answer__in=["", *FollowupAnswer.values]), name="followup_answer_valid"
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, answer="")
                | Q(answered_at__isnull=False) & ~Q(answer=""),
                name="followup_answer_complete",
            ),
            models.CheckConstraint(
                condition=Q(kind=FollowupKind.CHECKIN, episode__isnull=True)
                | ~Q(kind=FollowupKind.CHECKIN) & Q(episode__isnull=False),
                name="followup_episode_matches_kind",
            ),
            # One relief check per flare-up; one check-in per week slot.
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(kind=FollowupKind.RELIEF),
                name="followup_one_relief_check",
            ),
            models.UniqueConstraint(
                fields=["patient", "due_at"],
                condition=Q(kind=FollowupKind.CHECKIN),
                name="followup_one_checkin_per_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"
