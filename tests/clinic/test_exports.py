import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

# Two validators: fhir.resources 8 validates R5 by default and has no R4 package, so its R4B
# package (R4's technical correction) checks the structure with pydantic, and fhirclient's
# models, generated from the R4 (4.0.1) definitions, check the export as R4 itself.
from fhir.resources.R4B.bundle import Bundle
from fhirclient.models.bundle import Bundle as R4Bundle
from fhirclient.models.fhirabstractbase import FHIRValidationError as R4ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError as FhirValidationError

from advice.services import episode_log
from backlog.models import User
from clinic.exports import (
    CSV_COLUMNS,
    FORMAT,
    VERSION,
    csv_pieces,
    export_csv,
    export_fhir,
    export_json,
    export_queryset,
    export_rows,
    fhir_pieces,
    json_pieces,
)
from episodes.models import RED_FLAG_FIELDS, Episode, PainReading, RemedyCode
from tests.factories import local, log_history

pytestmark = pytest.mark.django_db

REPO_ROOT = Path(__file__).resolve().parents[2]
# The code list as the specification gives it: the export may use these and nothing else.
ALLOWED_CODES = """
| concept | system | code |
| --- | --- | --- |
| pain severity 0-10 numeric rating, reported | LOINC | 72514-3 |
| pain body site | LOINC | 111796-9 (avoid 56840-2, discouraged) |
| low back pain (finding) | SNOMED CT | 279039007 |
| sciatica | SNOMED CT | 23056005 |
| cauda equina syndrome | SNOMED CT | 192970008 |
| left / right / right and left (laterality) | SNOMED CT | 7771000 / 24028007 / 51440002 |
| numbness / paraesthesia | SNOMED CT | 44077006 / 91019004 |
| ibuprofen (substance) / NSAID (substance) | SNOMED CT | 387207008 / 372665008 |
| buttock / thigh / foot | SNOMED CT | 46862004 / 68367000 / 56459004 |
"""
CODES_DOC = REPO_ROOT / "docs" / "fhir-codes.md"

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
SYSTEMS = {"LOINC": LOINC, "SNOMED CT": SNOMED}
LATERALITY_CODES = {"left": "7771000", "right": "24028007", "both": "51440002"}


def code_rows(text: str) -> list[list[str]]:
    lines = [line for line in text.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def clinical_codes() -> set[tuple[str, str]]:
    """(system URL, code) for every code the specification allows in exports."""
    allowed = set()
    for _concept, system, codes in code_rows(ALLOWED_CODES):
        preferred = codes.split("(", 1)[0]
        allowed |= {(SYSTEMS[system], code.strip()) for code in preferred.split("/")}
    return allowed


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def csv_of(patient) -> list[dict[str, str]]:
    return csv_rows(export_csv(patient, export_queryset(patient)))


def fhir_of(patient) -> dict:
    return export_fhir(patient, export_queryset(patient))


def resources(bundle: dict, resource_type: str) -> list[dict]:
    return [
        entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == resource_type
    ]


def pain_scores(bundle: dict) -> list[dict]:
    """The worst pain of each flare-up (over its period; a pain reading, with the same code,
    has one moment: tests/clinic/test_reading_exports.py)."""
    return [
        observation
        for observation in resources(bundle, "Observation")
        if observation["code"].get("coding", [{}])[0].get("code") == "72514-3"
        and "effectivePeriod" in observation
    ]


def codings(value: object):
    """Every Coding anywhere in a FHIR structure."""
    if isinstance(value, dict):
        if "system" in value and "code" in value:
            yield value
        for item in value.values():
            yield from codings(item)
    elif isinstance(value, list):
        for item in value:
            yield from codings(item)


def references(value: object):
    if isinstance(value, dict):
        if "reference" in value:
            yield value["reference"]
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


# --- which flare-ups -------------------------------------------------------------------------


def test_the_export_queryset_holds_only_the_patients_flare_ups_oldest_first(
    make_episode, patient, other_patient
):
    now = datetime.now(UTC)
    newer = make_episode(patient, started_at=now - timedelta(days=1))
    older = make_episode(patient, started_at=now - timedelta(days=9))
    make_episode(other_patient)
    assert list(export_queryset(patient)) == [older, newer]


@pytest.mark.parametrize("exporter", [export_csv, export_json, export_fhir])
@pytest.mark.parametrize("count", [1, 15])
def test_an_export_takes_the_same_few_queries_however_many_flare_ups(
    make_episode, patient, django_assert_max_num_queries, exporter, count
):
    for days in range(count):
        episode = make_episode(
            patient,
            started_at=datetime.now(UTC) - timedelta(days=days + 1),
            remedies={"walking": "yes", "heat": "no"},
        )
        episode.prompts.create(
            code="keep_moving", level="self_care", rank=0, title="t", message="m", source="s"
        )
    # The flare-ups, and one prefetch each for remedies, prompts and pain readings.
    with django_assert_max_num_queries(4):
        exporter(patient, export_queryset(patient))


@pytest.mark.parametrize(
    "pieces", [csv_pieces, json_pieces, fhir_pieces], ids=["csv", "json", "fhir"]
)
def test_a_streamed_export_reads_each_chunk_in_the_same_few_queries_readings_included(
    make_episode, patient, pieces
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_streaming() -> int:
        with CaptureQueriesContext(connection) as queries:
            "".join(pieces(patient, export_rows(patient)))
        return len(queries)

    first = make_episode(patient, started_at=datetime.now(UTC) - timedelta(days=30))
    PainReading.objects.create(episode=first, intensity=3, taken_at=first.started_at)
    one = queries_for_streaming()
    for days in range(1, 15):
        episode = make_episode(
            patient,
            started_at=datetime.now(UTC) - timedelta(days=days),
            remedies={"ibuprofen": "yes"},
        )
        PainReading.objects.create(episode=episode, intensity=2, taken_at=episode.started_at)
    # The flare-ups, then one query each for the chunk's remedies, prompts and readings.
    assert queries_for_streaming() == one <= 4


# --- CSV -------------------------------------------------------------------------------------


def test_csv_has_a_header_and_one_row_per_flare_up(patient):
    log_history(patient)
    text = export_csv(patient, export_queryset(patient))
    header = next(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert tuple(header) == CSV_COLUMNS
    assert len(csv_rows(text)) == 3


def test_csv_starts_with_a_byte_order_mark_so_excel_reads_utf_8(make_episode, patient):
    make_episode(patient, notes="Zürich 腰痛")
    data = export_csv(patient, export_queryset(patient)).encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    assert "Zürich 腰痛" in data.decode("utf-8-sig")


def test_csv_gives_each_tried_remedy_its_effect_and_leaves_the_others_empty(patient):
    log_history(patient)
    first = csv_of(patient)[0]
    assert first["remedy_ibuprofen"] == "somewhat"
    assert first["remedy_walking"] == "yes"
    assert first["remedy_bed_rest"] == "no"
    assert {first[f"remedy_{code}"] for code in ("heat", "ice", "massage", "other")} == {""}
    assert {f"remedy_{code}" for code in RemedyCode.values} <= set(first)


def test_csv_answers_every_red_flag_question_yes_or_no(patient):
    log_history(patient)
    first, _second, third = csv_of(patient)
    assert first["numbness"] == "yes"
    assert first["saddle_numbness"] == "no"
    assert {third[name] for name in RED_FLAG_FIELDS} - {"no"} == {"yes"}
    assert third["numbness"] == "no"


@pytest.mark.parametrize(
    ("zone", "hour", "minute"),
    [("America/New_York", 23, 30), ("Asia/Tokyo", 0, 30)],
)
def test_csv_dates_a_flare_up_on_the_patients_local_day(
    make_user, make_episode, zone, hour, minute
):
    patient = make_user(tz=zone)
    started_at = local(patient, 2024, 1, 15, hour, minute)
    assert started_at.astimezone(UTC).date() != started_at.date()
    make_episode(patient, started_at=started_at)
    row = csv_of(patient)[0]
    assert row["date"] == "2024-01-15"
    assert row["started_at"] == started_at.isoformat()
    assert row["started_at"].endswith("-05:00" if zone == "America/New_York" else "+09:00")


def test_csv_gives_the_duration_of_an_ended_flare_up_and_none_for_an_ongoing_one(patient):
    log_history(patient)
    first, _second, third = csv_of(patient)
    assert first["duration_hours"] == "32.5"
    assert first["ended_at"] == local(patient, 2024, 1, 17, 8, 0).isoformat()
    assert third["ended_at"] == ""
    assert third["duration_hours"] == ""


def test_csv_shows_the_most_urgent_prompt_level_the_patient_was_shown(patient, make_episode):
    log_history(patient)
    make_episode(patient)  # logged without advice
    rows = csv_of(patient)
    assert [row["most_urgent_prompt"] for row in rows] == ["urgent", "soon", "emergency", ""]


@pytest.mark.parametrize(
    ("notes", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t'=1"),
        ("\r=1", "'\r'=1"),
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("x;=cmd|' /C calc'!A0;y", "x;'=cmd|' /C calc'!A0;y"),
        ("a,+1", "a,'+1"),
        ("a\t@SUM(A1)", "a\t'@SUM(A1)"),
        ("first line\n-1", "first line\n'-1"),
        ('a;"=1+1"', 'a;"\'=1+1"'),
    ],
)
def test_csv_defuses_notes_a_spreadsheet_would_run_as_a_formula(
    make_episode, patient, notes, written
):
    make_episode(patient, notes=notes)
    assert csv_of(patient)[0]["notes"] == written


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE_NOTES = [
    "x;=cmd|' /C calc'!A0;y",
    "ok;+1+1;fine",
    "a,=1+1",
    "tab\t=2+2",
    "semi; @SUM(1)",  # a space first: not a formula, left alone
    'quote;"=1+1";x',
    "line\n=1+1\r\n-3",
    "=start",
]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_no_cell_starts_a_formula_whichever_separator_the_spreadsheet_uses(
    make_episode, patient, delimiter
):
    for notes in HOSTILE_NOTES:
        make_episode(patient, notes=notes)
    text = export_csv(patient, export_queryset(patient)).removeprefix("\ufeff")
    cells = [
        cell
        for line in text.splitlines()
        for row in csv.reader([line], delimiter=delimiter)
        for cell in row
    ]
    cells += [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]
    assert len(cells) > 2 * len(HOSTILE_NOTES)
    assert [cell for cell in cells if cell.startswith(FORMULA_STARTS)] == []


def test_csv_quotes_every_text_cell_and_leaves_the_pain_score_a_number(make_episode, patient):
    log_history(patient)
    text = export_csv(patient, export_queryset(patient)).removeprefix("\ufeff")
    # This reader turns every unquoted cell into a float, and fails on unquoted text.
    rows = list(csv.reader(io.StringIO(text), quoting=csv.QUOTE_NONNUMERIC))
    intensity = CSV_COLUMNS.index("intensity")
    assert all(isinstance(cell, str) for cell in rows[0])
    for row in rows[1:]:
        assert isinstance(row[intensity], float)
        assert all(isinstance(cell, str) for i, cell in enumerate(row) if i != intensity)


def test_csv_leaves_ordinary_notes_as_written(make_episode, patient):
    notes = 'Bent over, "snap"; then 2 days, = not a formula\nNext line'
    make_episode(patient, notes=notes)
    assert csv_of(patient)[0]["notes"] == notes


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(notes=st.text(max_size=300).filter(lambda text: "\x00" not in text))
def test_any_notes_read_back_from_the_csv_and_keep_the_fhir_bundle_valid(
    make_episode, patient, notes
):
    Episode.objects.for_patient(patient).delete()
    make_episode(patient, notes=notes)
    written = csv_of(patient)[0]["notes"]
    # Only apostrophes are ever added, each just before a formula start.
    assert written.replace("'", "") == notes.replace("'", "")
    assert not written.startswith(FORMULA_STARTS)
    Bundle.model_validate(fhir_of(patient))


def test_csv_of_an_empty_history_is_just_the_header(patient):
    text = export_csv(patient, export_queryset(patient))
    assert csv_rows(text) == []
    assert text.removeprefix("\ufeff").strip() == ",".join(f'"{name}"' for name in CSV_COLUMNS)


# --- JSON ------------------------------------------------------------------------------------


def test_json_export_has_its_format_marker_version_and_time_zone(make_user):
    patient = make_user(tz="Asia/Tokyo")
    document = export_json(patient, export_queryset(patient))
    assert document["format"] == FORMAT
    assert document["version"] == VERSION
    assert document["timezone"] == "Asia/Tokyo"
    assert document["exported_at"].endswith("+09:00")
    assert document["episodes"] == []


def test_json_export_is_plain_json(patient):
    log_history(patient)
    document = export_json(patient, export_queryset(patient))
    assert json.loads(json.dumps(document)) == document


def test_json_export_holds_every_field_the_patient_entered(patient):
    log_history(patient)
    first = export_json(patient, export_queryset(patient))["episodes"][0]
    assert first["started_at"] == "2024-01-15T23:30:00+00:00"
    assert first["intensity"] == 6
    assert (first["side"], first["spread"], first["leg"]) == ("left", "thigh", "left")
    assert first["numbness"] is True
    assert first["spasm"] is True
    assert first["trigger"] == "lifting"
    assert first["notes"].startswith("Après le déménagement")
    assert first["remedies"] == [
        {"code": "ibuprofen", "helped": "somewhat"},
        {"code": "bed_rest", "helped": "no"},
        {"code": "walking", "helped": "yes"},
    ]


def test_json_export_keeps_the_prompts_shown_as_history(patient):
    _episode, shown = episode_log(patient=patient, intensity=4, side="left", numbness=True)
    exported = export_json(patient, export_queryset(patient))["episodes"][0]["prompts"]
    assert [prompt["code"] for prompt in exported] == [prompt.code for prompt in shown]
    assert exported[0]["level"] == "urgent"
    assert exported[0]["title"] == shown[0].title
    assert exported[0]["shown_at"] == shown[0].shown_at.isoformat()


def test_json_export_writes_times_with_the_patients_utc_offset(make_user, make_episode):
    patient = make_user(tz="America/New_York")
    make_episode(
        patient,
        started_at=local(patient, 2024, 7, 1, 23, 30),
        ended_at=local(patient, 2024, 7, 2, 1, 0),
    )
    episode = export_json(patient, export_queryset(patient))["episodes"][0]
    assert episode["started_at"] == "2024-07-01T23:30:00-04:00"
    assert episode["ended_at"] == "2024-07-02T01:00:00-04:00"


def test_json_export_holds_no_account_details(patient):
    log_history(patient)
    text = json.dumps(export_json(patient, export_queryset(patient)))
    assert patient.email not in text
    assert patient.password not in text
    assert "argon2" not in text


# --- FHIR ------------------------------------------------------------------------------------


def validate_r4_and_r4b(bundle: dict) -> None:
    Bundle.model_validate(bundle)
    R4Bundle(bundle, strict=True)


def test_fhir_export_is_a_valid_r4_collection_bundle(patient):
    log_history(patient)
    bundle = fhir_of(patient)
    validate_r4_and_r4b(bundle)
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"


def test_the_demo_patients_fhir_export_is_valid_r4_and_r4b():
    call_command("seed_demo", stdout=io.StringIO())
    demo = User.objects.get(email="patient@example.com")
    bundle = fhir_of(demo)
    assert len(pain_scores(bundle)) == Episode.objects.for_patient(demo).count() > 20
    validate_r4_and_r4b(bundle)


def test_the_fhir_validators_are_not_fooled_by_a_malformed_observation(patient):
    log_history(patient)
    bundle = fhir_of(patient)
    pain_scores(bundle)[0]["valueInteger"] = "six"
    with pytest.raises(FhirValidationError):
        Bundle.model_validate(bundle)
    with pytest.raises(R4ValidationError):
        R4Bundle(bundle, strict=True)


def test_the_fhir_validators_refuse_an_offset_with_seconds(patient):
    log_history(patient)
    bundle = fhir_of(patient)
    pain_scores(bundle)[0]["effectivePeriod"]["start"] = "1960-03-01T10:00:00-00:44:30"
    with pytest.raises(FhirValidationError):
        Bundle.model_validate(bundle)
    with pytest.raises(R4ValidationError):
        R4Bundle(bundle, strict=True)


def test_fhir_times_whose_offset_had_seconds_are_written_in_utc_as_the_same_instant(
    make_user, make_episode
):
    # Liberia kept Monrovia mean time, 44 minutes 30 seconds behind UTC, until 1972.
    patient = make_user(tz="Africa/Monrovia")
    started = datetime(1960, 3, 1, 10, 0, tzinfo=UTC)
    make_episode(patient, started_at=started, ended_at=started + timedelta(hours=5, seconds=7))
    make_episode(patient, started_at=datetime(2024, 3, 1, 10, 0, tzinfo=UTC))
    bundle = fhir_of(patient)
    validate_r4_and_r4b(bundle)
    old, recent = (score["effectivePeriod"] for score in pain_scores(bundle))
    assert old == {"start": "1960-03-01T10:00:00Z", "end": "1960-03-01T15:00:07Z"}
    assert datetime.fromisoformat(old["start"]) == started
    assert recent["start"] == "2024-03-01T10:00:00+00:00"


def test_fhir_pain_score_is_coded_as_clinical_md_says(patient):
    log_history(patient)
    first = pain_scores(fhir_of(patient))[0]
    assert first["status"] == "final"
    assert first["category"][0]["coding"][0] == {
        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
        "code": "survey",
        "display": "Survey",
    }
    assert first["code"]["coding"][0]["system"] == LOINC
    assert first["code"]["coding"][0]["code"] == "72514-3"
    assert first["valueInteger"] == 6


def test_fhir_has_one_pain_score_per_flare_up(patient):
    log_history(patient)
    assert [score["valueInteger"] for score in pain_scores(fhir_of(patient))] == [6, 3, 9]


def test_fhir_effective_period_ends_only_when_the_flare_up_is_over(patient):
    log_history(patient)
    first, _second, third = pain_scores(fhir_of(patient))
    assert first["effectivePeriod"] == {
        "start": "2024-01-15T23:30:00+00:00",
        "end": "2024-01-17T08:00:00+00:00",
    }
    assert third["effectivePeriod"] == {"start": "2025-02-03T12:00:00+00:00"}


@pytest.mark.parametrize("side", ["left", "right", "both"])
def test_fhir_body_site_carries_the_laterality_of_the_back_pain(make_episode, patient, side):
    make_episode(patient, side=side)
    bundle = fhir_of(patient)
    site = pain_scores(bundle)[0]["bodySite"]
    assert "Low back" in site["text"]
    target = site["extension"][0]["valueReference"]["reference"]
    structures = {f"urn:uuid:{s['id']}": s for s in resources(bundle, "BodyStructure")}
    qualifier = structures[target]["locationQualifier"][0]["coding"][0]
    assert (qualifier["system"], qualifier["code"]) == (SNOMED, LATERALITY_CODES[side])
    assert structures[target]["location"]["text"] == "Low back"


def test_fhir_pain_in_the_middle_of_the_back_has_no_laterality(make_episode, patient):
    make_episode(patient, side="center")
    bundle = fhir_of(patient)
    assert pain_scores(bundle)[0]["bodySite"] == {"text": "Low back, middle"}
    assert resources(bundle, "BodyStructure") == []


def test_fhir_body_site_is_never_a_loinc_question_code(patient):
    log_history(patient)
    bundle = fhir_of(patient)
    for observation in resources(bundle, "Observation"):
        assert all(c["system"] != LOINC for c in codings(observation.get("bodySite", {})))
    assert "56840-2" not in json.dumps(bundle)


def test_fhir_has_a_red_flag_observation_only_for_each_yes_answer(patient):
    first, second, third = log_history(patient)
    bundle = fhir_of(patient)
    yes_answers = [
        observation["code"]["text"]
        for observation in resources(bundle, "Observation")
        if observation.get("valueBoolean") is True
        and observation["code"]["text"] != ("Pain spreading from the back down the leg")
    ]
    expected = first.red_flag_labels + second.red_flag_labels + third.red_flag_labels
    assert sorted(yes_answers) == sorted(expected)
    assert len(yes_answers) == 6


def test_fhir_codes_numbness_or_tingling_with_both_findings(make_episode, patient):
    make_episode(patient, numbness=True)
    flag = next(o for o in resources(fhir_of(patient), "Observation") if "valueBoolean" in o)
    assert flag["code"]["text"] == "Numbness or tingling in a leg or foot"
    assert {c["code"] for c in flag["code"]["coding"]} == {"44077006", "91019004"}


def test_fhir_red_flags_without_a_code_in_clinical_md_are_text_only(make_episode, patient):
    make_episode(patient, bladder_bowel=True)
    flag = next(o for o in resources(fhir_of(patient), "Observation") if "valueBoolean" in o)
    assert flag["code"] == {
        "text": "New trouble passing urine, or losing control of bladder or bowel"
    }


def test_fhir_pain_down_the_leg_names_how_far_and_which_leg(make_episode, patient):
    make_episode(patient, spread="thigh", leg="right")
    bundle = fhir_of(patient)
    spread = next(o for o in resources(bundle, "Observation") if "valueBoolean" in o)
    assert spread["code"] == {"text": "Pain spreading from the back down the leg"}
    assert spread["bodySite"]["coding"] == [
        {"system": SNOMED, "code": "68367000", "display": "Thigh structure"}
    ]
    target = spread["bodySite"]["extension"][0]["valueReference"]["reference"]
    structure = next(
        s for s in resources(bundle, "BodyStructure") if f"urn:uuid:{s['id']}" == target
    )
    assert structure["locationQualifier"][0]["coding"][0]["code"] == "24028007"


def test_fhir_uses_only_codes_from_the_code_list(patient):
    log_history(patient)
    allowed = clinical_codes() | {
        ("http://terminology.hl7.org/CodeSystem/observation-category", "survey")
    }
    used = {(coding["system"], coding["code"]) for coding in codings(fhir_of(patient))}
    assert used <= allowed


def test_the_repository_documents_exactly_the_allowed_codes():
    def codes_of(text: str) -> set[str]:
        return {
            code.strip()
            for _, _, cell in code_rows(text)
            for code in cell.split("(", 1)[0].split("/")
        }

    assert codes_of(CODES_DOC.read_text(encoding="utf-8")) == codes_of(ALLOWED_CODES)


def test_fhir_references_all_resolve_to_entries_of_the_bundle(patient):
    log_history(patient)
    bundle = fhir_of(patient)
    full_urls = {entry["fullUrl"] for entry in bundle["entry"]}
    (person,) = resources(bundle, "Patient")
    for observation in resources(bundle, "Observation"):
        assert observation["subject"]["reference"] == f"urn:uuid:{person['id']}"
    assert set(references(bundle)) <= full_urls
    for entry in bundle["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"


def test_fhir_patient_has_the_apps_identifier_and_no_invented_demographics(patient):
    (person,) = resources(fhir_of(patient), "Patient")
    assert set(person) == {"resourceType", "id", "identifier"}
    assert person["identifier"][0]["value"] == f"urn:uuid:{person['id']}"
    assert patient.email not in json.dumps(person)


def test_fhir_ids_are_the_same_on_every_export(patient):
    log_history(patient)
    ids = [entry["fullUrl"] for entry in fhir_of(patient)["entry"]]
    assert ids == [entry["fullUrl"] for entry in fhir_of(patient)["entry"]]
    assert len(set(ids)) == len(ids)


def test_fhir_ids_differ_between_patients(make_episode, patient, other_patient):
    make_episode(patient)
    make_episode(other_patient)
    assert not {e["fullUrl"] for e in fhir_of(patient)["entry"]} & {
        e["fullUrl"] for e in fhir_of(other_patient)["entry"]
    }
