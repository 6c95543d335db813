"""The follow-ups' numbers for one patient (episodes.course), read in three queries and cached
until the patient's data changes."""

from __future__ import annotations

from collections import defaultdict

from django.core.cache import cache
from django.utils import timezone

from .course import Course, durations_by_quarter, relief_by_remedy
from .models import Episode, PainReading, Remedy, RemedyCode


def course_of(episodes, zone) -> Course:
    """The course of the flare-ups in `episodes` (a queryset), local times in `zone`."""
    spans = [
        (timezone.localtime(started_at, zone), timezone.localtime(ended_at, zone))
        for started_at, ended_at in episodes.filter(ended_at__isnull=False).values_list(
            "started_at", "ended_at"
        )
    ]
    # The first relief-check answer of each flare-up, against its worst pain.
    checks: dict[int, tuple[int, int]] = {}
    for episode_id, after, worst in (
        PainReading.objects.filter(episode__in=episodes, relief_check=True)
        .order_by("taken_at", "id")
        .values_list("episode_id", "intensity", "episode__intensity")
    ):
        checks.setdefault(episode_id, (worst, after))
    tried: dict[int, list[str]] = defaultdict(list)
    if checks:
        for episode_id, code in Remedy.objects.filter(episode_id__in=list(checks)).values_list(
            "episode_id", "code"
        ):
            tried[episode_id].append(code)
    answers = [(tried[pk], worst, after) for pk, (worst, after) in checks.items()]
    return Course(
        durations=durations_by_quarter(spans),
        relief=relief_by_remedy(answers, dict(RemedyCode.choices)),
    )


def course_report(patient, version: tuple[int, str] | None = None) -> Course:
    """The patient's whole history, cached per version of their data (every reading's write
    moves its flare-up's `updated_at`)."""
    mine = Episode.objects.for_patient(patient)
    count, latest = version or mine.version()
    key = f"course:{patient.pk}:{patient.timezone}:{count}:{latest}"
    course = cache.get(key)
    if course is None:
        course = course_of(mine, patient.zone)
        cache.set(key, course, timeout=24 * 3600)
    return course
