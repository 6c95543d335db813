"""Writes to the flare-up record. Each function is one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Episode, PainReading, Remedy

READING_BEFORE_START = (
    "A pain reading of this flare-up is from before this time: change or delete it first."
)

EDITABLE_FIELDS = frozenset(
    f.name
    for f in Episode._meta.get_fields()
    if f.concrete and not f.auto_created and f.name not in {"patient", "created_at", "updated_at"}
)


def _check_fields(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Not fields of a flare-up: {', '.join(sorted(unknown))}")


def _add_remedies(episode: Episode, remedies: Mapping[str, str]) -> None:
    Remedy.objects.bulk_create(
        Remedy(episode=episode, code=code, helped=helped) for code, helped in remedies.items()
    )
    # A prefetch made before the write would show the old remedies.
    getattr(episode, "_prefetched_objects_cache", {}).pop("remedies", None)


@transaction.atomic
def episode_create(*, patient, remedies: Mapping[str, str] | None = None, **fields: Any) -> Episode:
    _check_fields(fields)
    episode = Episode(patient=patient, **fields)
    episode.full_clean(exclude=["patient"])
    episode.save()
    _add_remedies(episode, remedies or {})
    return episode


@transaction.atomic
def episode_update(
    *, episode: Episode, remedies: Mapping[str, str] | None = None, **fields: Any
) -> Episode:
    """Change the given fields; when `remedies` is given it replaces what was tried."""
    _check_fields(fields)
    start_moved = "started_at" in fields and fields["started_at"] != episode.started_at
    for name, value in fields.items():
        setattr(episode, name, value)
    episode.full_clean(exclude=["patient"])
    if start_moved and episode.readings.filter(taken_at__lt=episode.started_at).exists():
        raise ValidationError({"started_at": READING_BEFORE_START})
    episode.save()  # moves the readings' copy of the start too (Episode.save)
    if remedies is not None:
        episode.remedies.all().delete()
        _add_remedies(episode, remedies)
    return episode


@transaction.atomic
def episode_end(*, episode: Episode, ended_at: datetime | None = None) -> Episode:
    """Mark a flare-up as over (now, unless told when); the start is never moved."""
    ended_at = ended_at or timezone.now()
    episode.ended_at = max(ended_at, episode.started_at)
    episode.save(update_fields=["ended_at", "updated_at"])
    return episode


@transaction.atomic
def episode_delete(*, episode: Episode) -> None:
    episode.delete()


def _touch_with_peak(episode: Episode, intensity: int) -> None:
    """A reading above the recorded worst becomes the new worst; either way the flare-up's
    `updated_at` moves, so every cache keyed on it sees the change."""
    fields = ["updated_at"]
    if intensity > episode.intensity:
        episode.intensity = intensity
        fields.append("intensity")
    episode.save(update_fields=fields)


@transaction.atomic
def reading_add(
    *,
    episode: Episode,
    intensity: int,
    taken_at: datetime | None = None,
    note: str = "",
    relief_check: bool = False,
) -> PainReading:
    reading = PainReading(
        episode=episode,
        intensity=intensity,
        taken_at=taken_at or timezone.now(),
        note=note,
        relief_check=relief_check,
    )
    if reading.taken_at < episode.started_at:
        raise ValidationError({"taken_at": "A reading cannot be from before the flare-up began."})
    reading.full_clean(exclude=["episode", "episode_started_at"])
    reading.save()
    _touch_with_peak(episode, intensity)
    return reading


@transaction.atomic
def reading_update(*, reading: PainReading, **fields: Any) -> PainReading:
    unknown = set(fields) - {"intensity", "taken_at", "note"}
    if unknown:
        raise TypeError(f"Not fields of a reading: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(reading, name, value)
    reading.full_clean(exclude=["episode", "episode_started_at"])
    reading.save()
    _touch_with_peak(reading.episode, reading.intensity)
    return reading


@transaction.atomic
def reading_delete(*, reading: PainReading) -> None:
    episode = reading.episode
    reading.delete()
    episode.save(update_fields=["updated_at"])
