"""The one place that decides which flare-ups a person may see or change.

Another person's flare-up answers 404, never 403: its existence is not disclosed.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from .models import Episode, EpisodeQuerySet


def own_episodes(user) -> EpisodeQuerySet:
    return Episode.objects.for_patient(user)


def get_own_episode(user, pk: int) -> Episode:
    """A flare-up the signed-in patient may read and change."""
    return get_object_or_404(own_episodes(user).with_remedies(), pk=pk)
