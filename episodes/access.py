"""The one place that decides whose flare-ups a person may see or change.

- A patient reads and changes their own flare-ups.
- A clinician reads a patient's flare-ups while that patient's share with them is live
  (not revoked, not expired); every such read is written to the access log.
- Anything else answers 404, never 403 (existence is not disclosed), and the refused
  attempt is written to the access log too.
"""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone

from backlog.models import AccessEvent, Share, User

from .models import Episode, EpisodeQuerySet


def record_access(actor, patient_ref: int | None, action: str, *, allowed: bool) -> None:
    AccessEvent.objects.create(
        actor_ref=actor.pk if actor.is_authenticated else None,
        actor_email=getattr(actor, "email", "") or "",
        actor_role=getattr(actor, "role", "") or "",
        patient_ref=patient_ref,
        action=action,
        allowed=allowed,
    )


def own_episodes(user) -> EpisodeQuerySet:
    return Episode.objects.for_patient(user)


def live_share(clinician, patient_id: int) -> Share | None:
    if not clinician.is_authenticated or not clinician.is_clinician:
        return None
    return (
        Share.objects.live()
        .select_related("patient")
        .filter(clinician=clinician, patient_id=patient_id)
        .first()
    )


def _deny(user, patient_ref: int | None, action: str):
    record_access(user, patient_ref, action, allowed=False)
    return Http404("No such page.")


def get_own_episode(user, pk: int, *, action: str = "change episode") -> Episode:
    """A flare-up the signed-in patient may read and change."""
    episode = own_episodes(user).with_remedies().filter(pk=pk).first()
    if episode is None:
        owner = Episode.objects.filter(pk=pk).values_list("patient_id", flat=True).first()
        raise _deny(user, owner, action)
    return episode


def get_readable_episode(user, pk: int) -> tuple[Episode, Share | None]:
    """A flare-up the user may read: their own, or a sharing patient's (with the share)."""
    episode = Episode.objects.with_remedies().select_related("patient").filter(pk=pk).first()
    if episode is not None and episode.patient_id == user.pk:
        return episode, None
    share = live_share(user, episode.patient_id) if episode is not None else None
    if share is None:
        raise _deny(user, episode.patient_id if episode else None, "episode")
    record_access(user, episode.patient_id, "episode", allowed=True)
    return episode, share


def get_readable_patient(user, patient_id: int, *, action: str) -> tuple[User, Share | None]:
    """The patient whose data the user may read: themselves, or a patient sharing with this
    clinician now (with the share that allows it)."""
    if user.is_authenticated and user.pk == patient_id and user.is_patient:
        return user, None
    share = live_share(user, patient_id)
    if share is None:
        raise _deny(user, patient_id, action)
    record_access(user, patient_id, action, allowed=True)
    return share.patient, share


def mark_viewed(share: Share) -> None:
    Share.objects.filter(pk=share.pk).update(last_viewed_at=timezone.now())
