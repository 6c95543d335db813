"""The per-patient status row stays equal to a recomputation from the patient's data after
every kind of write, in any order."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from advice import services
from advice.models import PatientStatus, Prompt
from advice.status import patient_status_refresh
from clinic import services as clinic_services
from clinic.exports import export_json, export_queryset
from clinic.imports import history_import
from episodes.models import Episode
from episodes.reports import local_today, trend_inputs
from episodes.trends import analyze

pytestmark = pytest.mark.django_db


def recomputed(patient) -> dict:
    """What the row must say, worked out here from scratch (no cache, no shared code)."""
    episodes = list(Episode.objects.filter(patient=patient))
    seek_care = [
        p
        for p in Prompt.objects.filter(episode__patient=patient)
        if p.level in {"emergency", "urgent"}
    ]
    latest = min(seek_care, key=lambda p: (-p.shown_at.timestamp(), p.rank), default=None)
    report = analyze(trend_inputs(patient), local_today(patient))
    verdicts = {
        name: str(getattr(report, name).direction) for name in ("frequency", "intensity", "spread")
    }
    return {
        "episode_count": len(episodes),
        "last_started_at": max((e.started_at for e in episodes), default=None),
        "seek_care_at": latest.shown_at if latest else None,
        "seek_care_level": latest.level if latest else "",
        "seek_care_title": latest.title if latest else "",
        **verdicts,
        "rising": "rising" in verdicts.values(),
    }


def random_fields(rng: random.Random) -> dict:
    spread = rng.choice(["none", "none", "buttock", "thigh", "foot"])
    return {
        "started_at": timezone.now() - timedelta(days=rng.uniform(0, 700)),
        "intensity": rng.randint(0, 10),
        "side": rng.choice(["left", "right", "both", "center"]),
        "spread": spread,
        "leg": "" if spread == "none" else rng.choice(["left", "right", "both"]),
        "numbness": rng.random() < 0.2,
        "saddle_numbness": rng.random() < 0.05,
        "fever": rng.random() < 0.1,
    }


@pytest.mark.parametrize("seed", range(4))
def test_the_status_row_matches_a_recomputation_after_random_writes(make_user, seed):
    rng = random.Random(seed)
    patient = make_user()
    donor = make_user()
    for _ in range(3):
        services.episode_log(patient=donor, **random_fields(rng))
    for _ in range(18):
        mine = list(Episode.objects.filter(patient=patient))
        action = rng.choice(["log", "log", "log", "revise", "finish", "remove", "import"])
        if action == "log" or not mine:
            services.episode_log(patient=patient, **random_fields(rng))
        elif action == "revise":
            episode = rng.choice(mine)
            services.episode_revise(episode=episode, **random_fields(rng))
        elif action == "finish":
            services.episode_finish(episode=rng.choice(mine))
        elif action == "remove":
            services.episode_remove(episode=rng.choice(mine))
        else:
            data = export_json(donor, export_queryset(donor))
            history_import(patient=patient, data=data)
        expected = recomputed(patient)
        row = PatientStatus.objects.get(patient=patient)
        assert {name: getattr(row, name) for name in expected} == expected, action


def test_a_patient_without_flare_ups_left_has_an_empty_status(make_user):
    patient = make_user()
    episode, _ = services.episode_log(
        patient=patient, intensity=7, side="left", spread="none", numbness=True
    )
    assert PatientStatus.objects.get(patient=patient).seek_care_level == "urgent"
    services.episode_remove(episode=episode)
    row = PatientStatus.objects.get(patient=patient)
    assert (row.episode_count, row.last_started_at, row.seek_care_at, row.seek_care_level) == (
        0,
        None,
        None,
        "",
    )


def test_deleting_the_account_deletes_the_status_row(make_user):
    patient = make_user()
    services.episode_log(patient=patient, intensity=5, side="left", spread="none")
    assert PatientStatus.objects.filter(patient_id=patient.pk).exists()
    clinic_services.account_delete(user=patient)
    assert not PatientStatus.objects.filter(patient_id=patient.pk).exists()


def test_the_most_urgent_advice_wins_when_two_were_shown_at_the_same_moment(make_user):
    patient = make_user()
    services.episode_log(
        patient=patient, intensity=8, side="both", spread="none", saddle_numbness=True, fever=True
    )
    assert PatientStatus.objects.get(patient=patient).seek_care_level == "emergency"


def test_a_refresh_with_nothing_changed_keeps_one_row(make_user):
    patient = make_user()
    services.episode_log(patient=patient, intensity=5, side="left", spread="none")
    patient_status_refresh(patient=patient)
    patient_status_refresh(patient=patient)
    assert PatientStatus.objects.filter(patient=patient).count() == 1
