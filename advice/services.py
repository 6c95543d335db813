"""Logging a flare-up and answering it with advice: one transaction each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from episodes import services as episode_services
from episodes.analysis import trend_report_as_of
from episodes.models import Episode

from .models import Prompt
from .rules import evaluate


def prompts_record(*, episode: Episode) -> list[Prompt]:
    """Evaluate the rules for this flare-up and keep what the patient is shown, and when."""
    shown_at = timezone.now()
    prompts = [
        Prompt(
            episode=episode,
            rank=rank,
            code=prompt.code,
            level=prompt.level,
            title=prompt.title,
            message=prompt.message,
            source=prompt.source,
            guidance=prompt.guidance,
            shown_at=shown_at,
        )
        for rank, prompt in enumerate(evaluate(episode, trend_report_as_of(episode)))
    ]
    return Prompt.objects.bulk_create(prompts)


@transaction.atomic
def episode_log(
    *, patient, remedies: Mapping[str, str] | None = None, **fields: Any
) -> tuple[Episode, list[Prompt]]:
    episode = episode_services.episode_create(patient=patient, remedies=remedies, **fields)
    return episode, prompts_record(episode=episode)


@transaction.atomic
def episode_revise(
    *, episode: Episode, remedies: Mapping[str, str] | None = None, **fields: Any
) -> tuple[Episode, list[Prompt]]:
    episode = episode_services.episode_update(episode=episode, remedies=remedies, **fields)
    return episode, prompts_record(episode=episode)
