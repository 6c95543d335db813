"""What a clinician may read: a patient's data while that patient's share with them is live.

Builds on `episodes.access` (a patient's own flare-ups). Every read by someone other than
the patient is written to the patient's access log, and so is every refused attempt; a
refusal always answers 404, so nobody learns whether a patient or flare-up exists.
"""

from __future__ import annotations

from django.utils import timezone

from backlog.accounts import has_second_factor
from backlog.models import User
from episodes.access import deny, owner_of, record_access
from episodes.models import Episode

from .models import Share


def live_share(clinician, patient_id: int | None) -> Share | None:
    if patient_id is None or not clinician.is_authenticated or not clinician.is_clinician:
        return None
    # Health data is read behind two factors: until the clinician has one, no share counts.
    if not has_second_factor(clinician):
        return None
    return (
        Share.objects.live()
        .select_related("patient")
        .filter(clinician=clinician, patient_id=patient_id)
        .first()
    )


def get_readable_patient(user, patient_id: int, *, action: str) -> tuple[User, Share | None]:
    """The patient whose data the user may read: themselves, or a patient sharing with this
    clinician now (with the share that allows it)."""
    if user.is_authenticated and user.pk == patient_id and user.is_patient:
        return user, None
    share = live_share(user, patient_id)
    if share is None:
        raise deny(user, patient_id, action)
    record_access(user, patient_id, action, allowed=True)
    return share.patient, share


def get_shared_episode(user, patient_id: int, pk: int) -> tuple[Episode, Share]:
    """One flare-up of a patient who shares with this clinician now."""
    share = live_share(user, patient_id)
    episode = None
    if share is not None:
        episode = (
            Episode.objects.for_patient(share.patient_id)
            .with_remedies()
            .select_related("patient")
            .filter(pk=pk)
            .first()
        )
    if episode is None:
        raise deny(user, owner_of(pk), "episode")
    record_access(user, patient_id, "episode", allowed=True)
    return episode, share


def mark_viewed(share: Share, verdicts: dict[str, str]) -> None:
    """The clinician has looked now, and seen these trend verdicts."""
    Share.objects.filter(pk=share.pk).update(last_viewed_at=timezone.now(), seen_verdicts=verdicts)
