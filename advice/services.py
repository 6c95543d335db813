"""Logging a flare-up and answering it with advice.

The write is short: the flare-up and the advice that needs no history (red flags and the
like) are committed in one small transaction. The advice that reads the whole history (the
trend rules) and the patient's status row are computed after that commit, from the cached
trend report, each in a short transaction of its own: on SQLite the write lock is never held
while the history is analysed. The caller gets the same complete advice either way. Once
the response has gone, the Trends page's charts are built in the background
(`cache_warm_later`), so the patient's first look after a log is usually served from the
cache.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Mapping
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.dispatch import receiver
from django.utils import timezone

from episodes import services as episode_services
from episodes.models import Episode
from episodes.reports import trend_report_as_of

from .followups import followups_plan
from .models import Prompt
from .rules import TREND_CODES, evaluate
from .status import patient_status_refresh

logger = logging.getLogger("backlog.advice")


def _as_prompt(episode: Episode, rank: int, advice, shown_at) -> Prompt:
    return Prompt(
        episode=episode,
        rank=rank,
        code=advice.code,
        level=advice.level,
        title=advice.title,
        message=advice.message,
        source=advice.source,
        guidance=advice.guidance,
        shown_at=shown_at,
    )


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


def history_advice(episode: Episode) -> list:
    """Every rule's advice for this flare-up, its history included, less the trend prompts
    already given for the same rise."""
    report = trend_report_as_of(episode)
    fired = evaluate(episode, report)
    if any(prompt.code in TREND_CODES for prompt in fired):
        given = _already_prompted(episode, report)
        fired = [prompt for prompt in fired if prompt.code not in given]
    return fired


def prompts_record(*, episode: Episode) -> list[Prompt]:
    """Evaluate every rule for this flare-up (its history included) and keep what the
    patient is shown, and when."""
    shown_at = timezone.now()
    advice = history_advice(episode)
    prompts = [_as_prompt(episode, rank, item, shown_at) for rank, item in enumerate(advice)]
    return Prompt.objects.bulk_create(prompts)


def red_flag_prompts_record(*, episode: Episode) -> list[Prompt]:
    """The advice this flare-up alone calls for (no history read): kept in the write."""
    shown_at = timezone.now()
    prompts = [
        _as_prompt(episode, rank, item, shown_at) for rank, item in enumerate(evaluate(episode))
    ]
    return Prompt.objects.bulk_create(prompts)


def history_prompts_record(*, episode: Episode, prompts: list[Prompt]) -> list[Prompt]:
    """Complete the advice recorded by `red_flag_prompts_record` with what the history calls
    for, so that the result is what `prompts_record` would have kept, ranks included."""
    advice = history_advice(episode)
    shown_at = prompts[0].shown_at if prompts else timezone.now()
    kept = {prompt.code: prompt for prompt in prompts}
    wanted = {item.code for item in advice}
    result, added, moved = [], [], []
    for rank, item in enumerate(advice):
        prompt = kept.get(item.code)
        if prompt is None:
            prompt = _as_prompt(episode, rank, item, shown_at)
            added.append(prompt)
        elif prompt.rank != rank:
            prompt.rank = rank
            moved.append(prompt)
        result.append(prompt)
    dropped = [prompt.pk for prompt in prompts if prompt.code not in wanted]
    if added or moved or dropped:
        with transaction.atomic():
            Prompt.objects.filter(pk__in=dropped).delete()
            # Moved ranks first: the new rows take the places they leave.
            Prompt.objects.bulk_update(moved, ["rank"])
            Prompt.objects.bulk_create(added)
    return result


def cache_warm(patient_id: int) -> None:
    """Build what the Trends page caches into the cache: the trend report, the default
    range's charts and the course of the flare-ups."""
    from backlog.models import User
    from episodes.chart_data import DEFAULT_RANGE
    from episodes.course_report import course_report

    from .chart_advice import trends_charts

    patient = User.objects.get(pk=patient_id)
    trends_charts(patient, DEFAULT_RANGE)
    course_report(patient)


def _cache_warm_quietly(patient_id: int) -> None:
    close_old_connections()
    try:
        cache_warm(patient_id)
    except Exception as error:  # a cold cache is only slower: never let this surface
        # The kind of error only: a message could quote a patient's data.
        logger.warning("Warming the cache after a write failed (%s)", type(error).__name__)
    finally:
        connection.close()


_pending = threading.local()


def cache_warm_later(patient) -> None:
    """Once the current transaction commits and the response has gone to the patient, warm
    their Trends cache in a thread of this process, so that neither the write nor its
    response waits for it (or shares the interpreter with it). CACHE_WARM_AFTER_WRITE=0
    turns it off. Outside a request (a management command) nothing is warmed."""
    if not getattr(settings, "CACHE_WARM_AFTER_WRITE", True):
        return
    patient_id = patient.pk

    def remember() -> None:
        if not hasattr(_pending, "patient_ids"):
            _pending.patient_ids = set()
        _pending.patient_ids.add(patient_id)

    transaction.on_commit(remember)


@receiver(request_started, dispatch_uid="advice_cache_warm_reset")
def _nothing_pending(sender, **kwargs) -> None:
    _pending.patient_ids = set()  # a command's writes before this request are not its own


@receiver(request_finished, dispatch_uid="advice_cache_warm_after_response")
def _warm_after_response(sender, **kwargs) -> None:
    patient_ids = getattr(_pending, "patient_ids", None)
    if not patient_ids:
        return
    _pending.patient_ids = set()
    for patient_id in patient_ids:
        threading.Thread(
            target=_cache_warm_quietly, args=(patient_id,), name="cache-warm", daemon=True
        ).start()


def logged_before(patient, client_token: uuid.UUID | None) -> Episode | None:
    """The flare-up an earlier submission of the same form already logged, if any."""
    if client_token is None:
        return None
    return Episode.objects.filter(patient=patient, client_token=client_token).first()


def episode_log(
    *,
    patient,
    remedies: Mapping[str, str] | None = None,
    client_token: uuid.UUID | None = None,
    **fields: Any,
) -> tuple[Episode, list[Prompt]]:
    """Log a flare-up and record the advice; a repeated `client_token` logs nothing new."""
    with transaction.atomic():
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
        prompts = red_flag_prompts_record(episode=episode)
        followups_plan(episode=episode)
    return episode, _after_write(episode, prompts)


def _after_write(episode: Episode, prompts: list[Prompt]) -> list[Prompt]:
    """What follows a committed write: the history's advice, the status row, a warm cache."""
    prompts = history_prompts_record(episode=episode, prompts=prompts)
    patient_status_refresh(patient=episode.patient)
    cache_warm_later(episode.patient)
    return prompts


def episode_revise(
    *, episode: Episode, remedies: Mapping[str, str] | None = None, **fields: Any
) -> tuple[Episode, list[Prompt]]:
    with transaction.atomic():
        episode = episode_services.episode_update(episode=episode, remedies=remedies, **fields)
        prompts = red_flag_prompts_record(episode=episode)
        followups_plan(episode=episode)
    return episode, _after_write(episode, prompts)


def episode_finish(*, episode: Episode) -> Episode:
    """Mark a flare-up as over now (`episodes.services.episode_end`), status kept current."""
    with transaction.atomic():
        episode = episode_services.episode_end(episode=episode)
        followups_plan(episode=episode)
    patient_status_refresh(patient=episode.patient)
    cache_warm_later(episode.patient)
    return episode


def episode_remove(*, episode: Episode) -> None:
    """Delete a flare-up and the advice it was given, status kept current."""
    patient = episode.patient
    episode_services.episode_delete(episode=episode)
    patient_status_refresh(patient=patient)
    cache_warm_later(patient)
