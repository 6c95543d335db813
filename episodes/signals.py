"""Every save and delete of a flare-up moves its patient's `DataVersion` on, whichever code
path made it (the services, the admin, an import), so no cache outlives the data it was
built from. Bulk writes send no signals: they add or remove rows, which moves the count in
`EpisodeQuerySet.version` instead.

A saved flare-up's `updated_at` is then restamped by the database's clock, the one clock
every app server shares, so that "what changed since" (`episodes.reports.current_inputs`)
never depends on which server's clock wrote a row."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Now
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import DataVersion, Episode, PainReading


def data_version_bump(*, patient_id: int, create: bool = True) -> None:
    if DataVersion.objects.filter(patient_id=patient_id).update(number=F("number") + 1):
        return
    if not create:
        return
    try:
        with transaction.atomic():
            DataVersion.objects.create(patient_id=patient_id, number=1)
    except IntegrityError:  # created by a concurrent write meanwhile
        DataVersion.objects.filter(patient_id=patient_id).update(number=F("number") + 1)


@receiver(post_save, sender=Episode, dispatch_uid="episode_saved_data_version")
def episode_saved(sender, instance: Episode, raw: bool = False, **kwargs) -> None:
    if raw:  # loading a fixture: rows as they are
        return
    Episode.objects.filter(pk=instance.pk).update(updated_at=Now())
    data_version_bump(patient_id=instance.patient_id)


@receiver(post_delete, sender=Episode, dispatch_uid="episode_deleted_data_version")
def episode_deleted(sender, instance: Episode, **kwargs) -> None:
    # Never create a row here: the patient may be being deleted along with their flare-ups.
    data_version_bump(patient_id=instance.patient_id, create=False)


@receiver(post_save, sender=PainReading, dispatch_uid="reading_saved_data_version")
@receiver(post_delete, sender=PainReading, dispatch_uid="reading_deleted_data_version")
def reading_written(sender, instance: PainReading, raw: bool = False, **kwargs) -> None:
    """A pain reading is part of its flare-up's data (the course, the exports)."""
    if raw:
        return
    patient_id = (
        Episode.objects.filter(pk=instance.episode_id).values_list("patient_id", flat=True).first()
    )
    if patient_id is not None:  # None: the flare-up is being deleted with it
        data_version_bump(patient_id=patient_id, create=kwargs.get("created") is not None)
