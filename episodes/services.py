"""Writes to the flare-up record. Each function is one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Episode, Remedy

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
    for name, value in fields.items():
        setattr(episode, name, value)
    episode.full_clean(exclude=["patient"])
    episode.save()
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
