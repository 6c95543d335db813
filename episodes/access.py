"""The one place that decides which flare-ups a patient may read and change: their own.

What a clinician may read (through a patient's share) is decided in `clinic.access`, on top
of this. Anything else answers 404, never 403 (existence is not disclosed), and the refused
attempt is written to the access log.
"""

from __future__ import annotations

from django.http import Http404

from backlog.access_log import record_access

from .models import Episode, EpisodeQuerySet

__all__ = ["deny", "get_own_episode", "own_episodes", "owner_of", "record_access"]


def deny(user, patient_ref: int | None, action: str) -> Http404:
    """Log a refused attempt; the caller raises what this returns."""
    record_access(user, patient_ref, action, allowed=False)
    return Http404("No such page.")


def own_episodes(user) -> EpisodeQuerySet:
    return Episode.objects.for_patient(user)


def owner_of(pk: int) -> int | None:
    return Episode.objects.filter(pk=pk).values_list("patient_id", flat=True).first()


def get_own_episode(user, pk: int, *, action: str = "change episode") -> Episode:
    """A flare-up the signed-in patient may read and change; anyone else gets a 404."""
    episode = None
    if user.is_authenticated and user.is_patient:
        episode = own_episodes(user).with_remedies().filter(pk=pk).first()
    if episode is None:
        raise deny(user, owner_of(pk), action)
    return episode
