"""Pain readings leave in every export (CSV, JSON, FHIR: an Observation per reading with its
effectiveDateTime) and come back with the JSON import."""

from __future__ import annotations

import copy
import csv
import io
import json
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhirclient.models.bundle import Bundle as R4Bundle

from backlog.models import User
from clinic.exports import export_csv, export_fhir, export_json, export_queryset
from clinic.imports import history_import
from episodes import services
from episodes.models import PainReading

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(patient, make_episode):
    episode = make_episode(
        patient, started_at=timezone.now() - timedelta(hours=5), intensity=8, notes="x"
    )
    first = services.reading_add(
        episode=episode,
        intensity=5,
        taken_at=episode.started_at + timedelta(hours=2),
        note="after ibuprofen",
        relief_check=True,
    )
    second = services.reading_add(
        episode=episode, intensity=2, taken_at=episode.started_at + timedelta(hours=4)
    )
    return episode, [first, second]


def test_the_csv_lists_the_readings_of_each_flare_up(patient, course):
    text = export_csv(patient, export_queryset(patient))
    [row] = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    readings = row["pain_readings"].split("; ")
    assert len(readings) == 2
    assert readings[0].endswith(" 5/10 (after ibuprofen)")
    assert readings[1].endswith(" 2/10")


def test_the_json_carries_each_reading(patient, course):
    [episode] = export_json(patient, export_queryset(patient))["episodes"]
    assert [(r["intensity"], r["note"], r["relief_check"]) for r in episode["readings"]] == [
        (5, "after ibuprofen", True),
        (2, "", False),
    ]


def test_the_fhir_bundle_has_an_observation_per_reading_and_stays_valid(patient, course):
    _episode, readings = course
    bundle = export_fhir(patient, export_queryset(patient))
    Bundle.model_validate(bundle)
    R4Bundle(bundle, strict=True)
    timed = [
        entry["resource"] for entry in bundle["entry"] if "effectiveDateTime" in entry["resource"]
    ]
    assert [resource["valueInteger"] for resource in timed] == [5, 2]
    first = timezone.localtime(readings[0].taken_at, patient.zone).isoformat()
    assert timed[0]["effectiveDateTime"] == first
    assert timed[0]["code"]["coding"][0]["code"] == "72514-3"


def test_the_json_import_round_trips_the_readings(patient, course):
    document = json.loads(json.dumps(export_json(patient, export_queryset(patient))))
    other = User.objects.create_user("copy@example.com", "a-long-password-123")
    assert history_import(patient=other, data=document) == 1
    copied = list(PainReading.objects.filter(episode__patient=other).order_by("taken_at"))
    original = list(PainReading.objects.filter(episode__patient=patient).order_by("taken_at"))
    assert [(r.taken_at, r.intensity, r.note, r.relief_check) for r in copied] == [
        (r.taken_at, r.intensity, r.note, r.relief_check) for r in original
    ]


def test_an_imported_reading_before_the_start_is_refused_with_a_message(patient, course):
    document = json.loads(json.dumps(export_json(patient, export_queryset(patient))))
    bad = copy.deepcopy(document)
    started = datetime.fromisoformat(bad["episodes"][0]["started_at"])
    bad["episodes"][0]["readings"][0]["taken_at"] = (started - timedelta(hours=1)).isoformat()
    other = User.objects.create_user("copy@example.com", "a-long-password-123")
    with pytest.raises(ValidationError, match="reading 1"):
        history_import(patient=other, data=bad)
    assert not PainReading.objects.filter(episode__patient=other).exists()


def test_an_imported_reading_above_10_is_refused(patient, course):
    document = json.loads(json.dumps(export_json(patient, export_queryset(patient))))
    document["episodes"][0]["readings"][1]["intensity"] = 11
    other = User.objects.create_user("copy@example.com", "a-long-password-123")
    with pytest.raises(ValidationError, match="from 0 to 10"):
        history_import(patient=other, data=document)


def test_a_file_from_before_readings_still_imports(patient, course):
    document = json.loads(json.dumps(export_json(patient, export_queryset(patient))))
    del document["episodes"][0]["readings"]
    other = User.objects.create_user("copy@example.com", "a-long-password-123")
    assert history_import(patient=other, data=document) == 1
