from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from episodes.models import Episode

from .rules import SEEK_CARE_LEVELS, Level


class PromptQuerySet(models.QuerySet):
    def latest_for(self, episode: Episode) -> list["Prompt"]:
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
