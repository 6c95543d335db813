"""Each patient's status at a glance (`PatientStatus`), recomputed after every write to their
flare-ups, so a clinician's patient list reads one small row per patient instead of running
over every patient's whole history.

Every write path calls `patient_status_refresh` once, inside its own transaction: logging and
editing (`advice.services`), ending and deleting (`advice.services.episode_finish` and
`episode_remove`), and the JSON import. Deleting the account deletes the row with it.
"""

from __future__ import annotations

from django.db.models import Count, Max

from episodes.models import Episode
from episodes.reports import local_today, trend_report

from .models import TREND_NAMES, PatientStatus, Prompt
from .rules import SEEK_CARE_LEVELS


def latest_seek_care(patient) -> Prompt | None:
    """The newest emergency or urgent advice the patient was shown (the more urgent of two
    shown at the same moment)."""
    return (
        Prompt.objects.filter(episode__patient=patient, level__in=SEEK_CARE_LEVELS)
        .order_by("-shown_at", "rank")
        .only("shown_at", "level", "title")
        .first()
    )


def patient_status_values(patient) -> dict:
    """What the status row should hold now, computed from the patient's data."""
    extent = Episode.objects.for_patient(patient).aggregate(
        count=Count("id"), last=Max("started_at")
    )
    prompt = latest_seek_care(patient)
    report = trend_report(patient)
    verdicts = {name: str(getattr(report, name).direction) for name in TREND_NAMES}
    return {
        "episode_count": extent["count"],
        "last_started_at": extent["last"],
        "seek_care_at": prompt.shown_at if prompt else None,
        "seek_care_level": prompt.level if prompt else "",
        "seek_care_title": prompt.title if prompt else "",
        **verdicts,
        "rising": "rising" in verdicts.values(),
        "verdicts_on": local_today(patient),
    }


def patient_status_refresh(*, patient) -> PatientStatus:
    """Bring the patient's status row up to date; call after any write to their flare-ups."""
    status, _ = PatientStatus.objects.update_or_create(
        patient=patient, defaults=patient_status_values(patient)
    )
    return status
