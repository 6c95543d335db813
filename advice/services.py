"""Logging a flare-up and answering it with advice: one transaction each."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, time
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from episodes import services as episode_services
from episodes.models import Episode
from episodes.reports import trend_report_as_of

from .followups import followups_plan
from .models import Prompt
from .rules import TREND_CODES, evaluate
from .status import patient_status_refresh


def _already_prompted(episode: Episode, report) -> set[str]:
    """Trend prompts already given for the rise now shown: one prompt per onset, even when
    two flare-ups share the onset's day or the onset's flare-up is edited."""
    codes = {"rising_frequency": "frequency", "rising_intensity": "intensity"}
    codes["spreading"] = "spread"
    given = set()
    for code, name in codes.items():
        onset = getattr(report, name).onset
        if onset is None:
            continue
        since = datetime.combine(onset, time.min, tzinfo=episode.patient.zone)
        if Prompt.objects.filter(
            episode__patient=episode.patient, code=code, episode__started_at__gte=since
        ).exists():
            given.add(code)
    return given


def prompts_record(*, episode: Episode) -> list[Prompt]:
    """Evaluate the rules for this flare-up and keep what the patient is shown, and when."""
    shown_at = timezone.now()
    report = trend_report_as_of(episode)
    fired = evaluate(episode, report)
    if any(prompt.code in TREND_CODES for prompt in fired):
        given = _already_prompted(episode, report)
        fired = [prompt for prompt in fired if prompt.code not in given]
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
        for rank, prompt in enumerate(fired)
    ]
    return Prompt.objects.bulk_create(prompts)


def logged_before(patient, client_token: uuid.UUID | None) -> Episode | None:
    """The flare-up an earlier submission of the same form already logged, if any."""
    if client_token is None:
        return None
    return Episode.objects.filter(patient=patient, client_token=client_token).first()


@transaction.atomic
def episode_log(
    *,
    patient,
    remedies: Mapping[str, str] | None = None,
    client_token: uuid.UUID | None = None,
    **fields: Any,
) -> tuple[Episode, list[Prompt]]:
    """Log a flare-up and record the advice; a repeated `client_token` logs nothing new."""
    already = logged_before(patient, client_token)
    if already is not None:
        return already, Prompt.objects.latest_for(already)
    try:
        with transaction.atomic():
            episode = episode_services.episode_create(
                patient=patient, remedies=remedies, client_token=client_token, **fields
            )
    except IntegrityError:
        # The same submission, retried while the first was still being saved.
        already = Episode.objects.filter(patient=patient, client_token=client_token).first()
        if client_token is None or already is None:
            raise
        return already, Prompt.objects.latest_for(already)
    prompts = prompts_record(episode=episode)
    patient_status_refresh(patient=patient)
    followups_plan(episode=episode)
    return episode, prompts


@transaction.atomic
def episode_revise(
    *, episode: Episode, remedies: Mapping[str, str] | None = None, **fields: Any
) -> tuple[Episode, list[Prompt]]:
    episode = episode_services.episode_update(episode=episode, remedies=remedies, **fields)
    prompts = prompts_record(episode=episode)
    patient_status_refresh(patient=episode.patient)
    followups_plan(episode=episode)
    return episode, prompts


@transaction.atomic
def episode_finish(*, episode: Episode) -> Episode:
    """Mark a flare-up as over now (`episodes.services.episode_end`), status kept current."""
    episode = episode_services.episode_end(episode=episode)
    patient_status_refresh(patient=episode.patient)
    followups_plan(episode=episode)
    return episode


@transaction.atomic
def episode_remove(*, episode: Episode) -> None:
    """Delete a flare-up and the advice it was given, status kept current."""
    patient = episode.patient
    episode_services.episode_delete(episode=episode)
    patient_status_refresh(patient=patient)
