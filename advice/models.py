from django.db import models
from django.db.models import Q
from django.utils import timezone

from episodes.models import Episode

from .rules import Level


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
        return f"{self.get_level_display()}: {self.title}"
