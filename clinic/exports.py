"""A patient's flare-up history as a spreadsheet (CSV), a restorable JSON file, or FHIR R4.

Every builder takes the patient and an iterable of their flare-ups with remedies and prompts
prefetched (`export_queryset`), so an export costs the same few queries per chunk however
long the history is. Times are written in the patient's own zone, with its UTC offset.

Each format is also a generator of text pieces (`csv_pieces`, `json_pieces`, `fhir_pieces`)
that the export view streams: flare-ups are read `EXPORT_CHUNK` at a time
(`export_rows`), so a worker's memory does not grow with the history's length.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from advice.models import Prompt
from advice.rules import LEVEL_ORDER
from episodes.models import (
    PATIENT_FIELDS,
    RED_FLAG_FIELDS,
    Episode,
    EpisodeQuerySet,
    Leg,
    PainReading,
    Remedy,
    RemedyCode,
    Side,
    Spread,
)

FORMAT = "backlog-history"
VERSION = 1

# Every field of a flare-up the patient enters, in the order of the full form. The JSON export
# writes all of them and the import requires all of them.
EPISODE_FIELDS = PATIENT_FIELDS
PROMPT_FIELDS = ("code", "level", "rank", "title", "message", "source", "guidance", "shown_at")


EXPORT_CHUNK = 500  # flare-ups read (and their remedies and prompts prefetched) at a time


def export_queryset(patient) -> EpisodeQuerySet:
    return (
        Episode.objects.for_patient(patient)
        .order_by("started_at", "id")
        .prefetch_related("remedies", "prompts", "readings")
    )


def export_rows(patient) -> Iterator[Episode]:
    """The patient's flare-ups for an export (as `export_queryset` gives them, remedies and
    prompts included), read `EXPORT_CHUNK` at a time rather than all at once."""
    episodes = (
        Episode.objects.for_patient(patient)
        .order_by("started_at", "id")
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    chunk: list[Episode] = []
    for episode in episodes:
        chunk.append(episode)
        if len(chunk) == EXPORT_CHUNK:
            yield from _with_remedies_and_prompts(chunk)
            chunk = []
    yield from _with_remedies_and_prompts(chunk)


def _with_remedies_and_prompts(chunk: list[Episode]) -> list[Episode]:
    """One query each for the chunk's remedies, prompts and pain readings, kept where Django
    keeps a prefetch, so `episode.remedies.all()` (and the others) read no more. Plain
    lists rather than `prefetch_related`'s one queryset per flare-up and relation, which
    took most of an export's time."""
    if not chunk:
        return chunk
    ids = [episode.pk for episode in chunk]
    remedies: dict[int, list] = {}
    for remedy in Remedy.objects.filter(episode_id__in=ids).order_by("pk"):
        remedies.setdefault(remedy.episode_id, []).append(remedy)
    prompts: dict[int, list] = {}
    for prompt in Prompt.objects.filter(episode_id__in=ids).order_by("pk"):
        prompts.setdefault(prompt.episode_id, []).append(prompt)
    readings: dict[int, list] = {}
    for reading in PainReading.objects.filter(episode_id__in=ids).order_by("taken_at", "pk"):
        readings.setdefault(reading.episode_id, []).append(reading)
    for episode in chunk:
        episode._prefetched_objects_cache = {
            "remedies": remedies.get(episode.pk, []),
            "prompts": prompts.get(episode.pk, []),
            "readings": readings.get(episode.pk, []),
        }
    return chunk


def _birth_date(patient) -> str:
    return patient.date_of_birth.isoformat() if patient.date_of_birth else ""


def _local_iso(value: datetime | None, patient) -> str | None:
    return None if value is None else value.astimezone(patient.zone).isoformat()


def fhir_datetime(value: datetime | None, patient) -> str | None:
    """A FHIR dateTime/instant in the patient's zone, or in UTC ("Z") when that zone's offset
    then had seconds (Africa/Monrovia before 1972 was -00:44:30): FHIR offsets are hours and
    minutes only. Both name the same instant."""
    if value is None:
        return None
    local = value.astimezone(patient.zone)
    if local.utcoffset().total_seconds() % 60:
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return local.isoformat()


def readings_of(episode: Episode) -> list[PainReading]:
    """The flare-up's pain readings, oldest first, from the prefetch (`export_queryset`) when
    there is one, so that it works on `iterator(chunk_size=...)` too."""
    return sorted(episode.readings.all(), key=lambda reading: (reading.taken_at, reading.pk))


def _prompts_in_order(episode: Episode) -> list[Prompt]:
    return sorted(episode.prompts.all(), key=lambda prompt: (prompt.shown_at, prompt.rank))


def most_urgent_level(episode: Episode) -> str:
    """The most urgent level the patient was ever shown for this flare-up ("" when none).

    Every time shown counts, not only the latest: a clinician needs to know that someone was
    once told to go to the emergency department, even if a later edit calmed the advice.
    """
    levels = {prompt.level for prompt in episode.prompts.all()}
    return next((str(level) for level in LEVEL_ORDER if level in levels), "")


# --- CSV ------------------------------------------------------------------------------------

REMEDY_COLUMNS = {code: f"remedy_{code}" for code in RemedyCode.values}
CSV_COLUMNS = (
    "date",
    "started_at",
    "ended_at",
    "duration_hours",
    "intensity",
    "side",
    "spread",
    "leg",
    *RED_FLAG_FIELDS,
    "spasm",
    "trigger",
    "notes",
    *REMEDY_COLUMNS.values(),
    # Every pain reading after the start: "time intensity/10 (note)", separated by "; ".
    "pain_readings",
    "most_urgent_prompt",
    # Who the rows are about, on every row so that a filtered or merged sheet still says so;
    # empty when the patient gave no name or date of birth.
    "patient_name",
    "patient_date_of_birth",
)

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV
# injection"). Every text cell is quoted, but a spreadsheet set to another separator (`;` in
# German, French or Dutch locales, or tab) does not see the quotes as ours and splits the text
# at its own separator: so a formula start at the beginning of the text, or right after any
# separator or line break in it, gets a leading apostrophe, which makes the piece plain text.
FORMULA_STARTS = "=+-@\t\r"
SEPARATORS = ",;\t\r\n"
# Quotes may stand between: a separator and `"=` are read as `=` by a spreadsheet that
# does not see where our quoted cell begins.
_RISKY_PIECE = re.compile(f'(^|[{re.escape(SEPARATORS)}])("*)(?=[{re.escape(FORMULA_STARTS)}])')


_FORMULA_CHARACTERS = frozenset(FORMULA_STARTS)


def defuse(value: object) -> object:
    # Most cells ("yes", "left", a remedy's verdict) hold no formula start at all.
    if isinstance(value, str) and not _FORMULA_CHARACTERS.isdisjoint(value):
        return _RISKY_PIECE.sub(r"\1\2'", value)
    return value


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _csv_row(patient, episode: Episode) -> dict[str, object]:
    helped = {remedy.code: remedy.helped for remedy in episode.remedies.all()}
    duration = (
        f"{(episode.ended_at - episode.started_at).total_seconds() / 3600:.1f}"
        if episode.ended_at is not None
        else ""
    )
    row: dict[str, object] = {
        "date": episode.started_at.astimezone(patient.zone).date().isoformat(),
        "started_at": _local_iso(episode.started_at, patient),
        "ended_at": _local_iso(episode.ended_at, patient) or "",
        "duration_hours": duration,
        "intensity": episode.intensity,
        "side": episode.side,
        "spread": episode.spread,
        "leg": episode.leg,
        **{name: _yes_no(getattr(episode, name)) for name in RED_FLAG_FIELDS},
        "spasm": _yes_no(episode.spasm),
        "trigger": episode.trigger,
        "notes": episode.notes,
        **{column: helped.get(code, "") for code, column in REMEDY_COLUMNS.items()},
        "pain_readings": "; ".join(
            f"{_local_iso(reading.taken_at, patient)} {reading.intensity}/10"
            + (f" ({reading.note})" if reading.note else "")
            for reading in readings_of(episode)
        ),
        "most_urgent_prompt": most_urgent_level(episode),
        "patient_name": patient.display_name,
        "patient_date_of_birth": _birth_date(patient),
    }
    return {column: defuse(value) for column, value in row.items()}


CSV_ROWS_PER_PIECE = 100


def csv_pieces(patient, episodes: Iterable[Episode]) -> Iterator[str]:
    """`export_csv`, as pieces of text of about `CSV_ROWS_PER_PIECE` rows each."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, quoting=csv.QUOTE_NONNUMERIC)
    writer.writeheader()
    for number, episode in enumerate(episodes, start=1):
        writer.writerow(_csv_row(patient, episode))
        if number % CSV_ROWS_PER_PIECE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_csv(patient, episodes: Iterable[Episode]) -> str:
    """One row per flare-up, oldest first; the text starts with a BOM so Excel reads UTF-8.
    Every text cell is quoted and defused (`defuse`); the intensity is a bare number.

    Encode the result as plain "utf-8" (the BOM is already in the text).
    """
    return "".join(csv_pieces(patient, episodes))


# --- JSON -----------------------------------------------------------------------------------


def _episode_json(patient, episode: Episode) -> dict[str, Any]:
    fields: dict[str, Any] = {name: getattr(episode, name) for name in EPISODE_FIELDS}
    fields["started_at"] = _local_iso(episode.started_at, patient)
    fields["ended_at"] = _local_iso(episode.ended_at, patient)
    return {
        # For reading alongside the app only; the import ignores it.
        "id": episode.pk,
        **fields,
        "remedies": [
            {"code": remedy.code, "helped": remedy.helped} for remedy in episode.remedies_in_order
        ],
        "readings": [
            {
                "taken_at": _local_iso(reading.taken_at, patient),
                "intensity": reading.intensity,
                "note": reading.note,
                "relief_check": reading.relief_check,
            }
            for reading in readings_of(episode)
        ],
        # What the app told the patient, kept as history: read-only, never re-evaluated.
        "prompts": [
            {
                **{name: getattr(prompt, name) for name in PROMPT_FIELDS},
                "shown_at": _local_iso(prompt.shown_at, patient),
            }
            for prompt in _prompts_in_order(episode)
        ],
    }


def _json_head(patient) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _local_iso(timezone.now(), patient),
        "timezone": patient.timezone,
        "patient": {"name": patient.display_name, "date_of_birth": _birth_date(patient) or None},
    }


def export_json(patient, episodes: Iterable[Episode]) -> dict[str, Any]:
    """Everything the patient entered, and what they were shown; `history_import` reads it back.

    The flare-ups given, the patient's time zone, and the name and date of birth they gave
    (empty when none); no other account details.
    """
    return {
        **_json_head(patient),
        "episodes": [_episode_json(patient, episode) for episode in episodes],
    }


def _dumps(value: Any) -> str:
    # Compact, so that json's C encoder does the work (it is not used with `indent`); each
    # flare-up or FHIR entry still starts a line of its own (`json_list_pieces`).
    return json.dumps(value, ensure_ascii=False)


def json_list_pieces(
    head: dict[str, Any], name: str, items: Iterable[dict[str, Any]]
) -> Iterator[str]:
    """The JSON text of `{**head, name: [*items]}`, an item at a time: the document
    `json.dumps` writes, without holding the list."""
    opening = _dumps({**head, name: []})
    yield opening[: opening.rindex("[") + 1]  # the head's fields, then the list opened
    separator = "\n"
    for item in items:
        yield separator + _dumps(item)
        separator = ",\n"
    yield "\n]}\n"


def json_pieces(patient, episodes: Iterable[Episode]) -> Iterator[str]:
    """`export_json` as streamed text."""
    return json_list_pieces(
        _json_head(patient),
        "episodes",
        (_episode_json(patient, episode) for episode in episodes),
    )


# --- FHIR R4 --------------------------------------------------------------------------------
#
# Codes come only from backlog's fixed code list (docs/fhir-codes.md). Where the list has no
# code for a concept, the CodeableConcept carries text alone: an invented or guessed code is
# worse than none, because a receiving system would trust it.

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
# Core R4 extension (valueReference to a BodyStructure) for details a bodySite code cannot hold.
BODY_SITE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/bodySite"
URI_IDENTIFIER_SYSTEM = "urn:ietf:rfc:3986"

# Resource ids are uuid5 names under this fixed namespace, built from the app's own ids, so the
# same history always exports with the same ids (a receiving system can update, not duplicate).
FHIR_NAMESPACE = uuid.UUID("b38d8778-72ec-4c01-a099-f0814fffe2d6")

PAIN_SEVERITY = {
    "system": LOINC,
    "code": "72514-3",
    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
}
SURVEY = {"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}
NUMBNESS = {"system": SNOMED, "code": "44077006", "display": "Numbness"}
PARAESTHESIA = {"system": SNOMED, "code": "91019004", "display": "Paresthesia"}

# The SNOMED CT laterality qualifiers (the body-site laterality value set) for a side of the
# back or a leg. A pain in the middle of the back has no laterality.
LATERALITY = {
    "left": {"system": SNOMED, "code": "7771000", "display": "Left"},
    "right": {"system": SNOMED, "code": "24028007", "display": "Right"},
    "both": {"system": SNOMED, "code": "51440002", "display": "Right and left"},
}
# How far down the leg the pain reaches, as a body structure; "below the knee" has no code in
# the code list, so it goes as text.
SPREAD_SITES = {
    "buttock": {"system": SNOMED, "code": "46862004", "display": "Buttock structure"},
    "thigh": {"system": SNOMED, "code": "68367000", "display": "Thigh structure"},
    "foot": {"system": SNOMED, "code": "56459004", "display": "Foot structure"},
}

# Each red-flag question answered yes becomes an Observation whose code.text is the question
# exactly as asked. Codings only where the code list has a code for what the question asks:
# "numbness or tingling" names both findings, so both codings go with the text that says "or".
# Deliberately not coded: cauda equina syndrome (192970008) and sciatica (23056005) are
# disorders, i.e. diagnoses; a patient's yes to a screening question is a reported symptom, and
# the app never diagnoses. Bladder/bowel, weakness, fever and injury have no code in the table.
RED_FLAG_CODINGS = {
    "saddle_numbness": (NUMBNESS, PARAESTHESIA),
    "numbness": (NUMBNESS, PARAESTHESIA),
}
RED_FLAG_SITES = {
    "saddle_numbness": "Genitals, buttocks or inner thighs (saddle area)",
    "numbness": "Leg or foot",
}
SPREAD_TEXT = "Pain spreading from the back down the leg"


def fhir_uuid(*parts: object) -> uuid.UUID:
    return uuid.uuid5(FHIR_NAMESPACE, "/".join(str(part) for part in parts))


def _reference(resource_id: uuid.UUID) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource_id}"}


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}


class _FhirBundle:
    """Collects the entries; body structures are made once per patient, site and side."""

    def __init__(self, patient) -> None:
        self.patient = patient
        self.patient_id = fhir_uuid("patient", patient.pk)
        self.body_structures: dict[uuid.UUID, dict[str, Any]] = {}
        self.observations: list[dict[str, Any]] = []

    @property
    def subject(self) -> dict[str, str]:
        return _reference(self.patient_id)

    def patient_resource(self) -> dict[str, Any]:
        # The app's own id, and the name and birth date only when the patient gave them:
        # backlog invents no demographics (and holds no sex or gender).
        resource = {
            "resourceType": "Patient",
            "id": str(self.patient_id),
            "identifier": [
                {
                    # Derived from the account id, so stable, and unique beyond this app
                    # without a domain of its own to name a system by.
                    "type": {"text": "backlog account"},
                    "system": URI_IDENTIFIER_SYSTEM,
                    "value": f"urn:uuid:{self.patient_id}",
                    "assigner": {"display": "backlog"},
                }
            ],
        }
        if self.patient.display_name:
            resource["name"] = [{"text": self.patient.display_name}]
        if self.patient.date_of_birth:
            resource["birthDate"] = self.patient.date_of_birth.isoformat()
        return resource

    def body_site(
        self, *, key: str, text: str, location: dict[str, Any], laterality: str
    ) -> dict[str, Any]:
        """A bodySite CodeableConcept with its laterality, the R4 way.

        R4's Observation.bodySite is one CodeableConcept, and every coding in it must mean the
        same concept, so a laterality qualifier cannot sit next to the site as a second coding
        (it would claim the site *is* "left"). R4 puts the qualifier on a BodyStructure
        (`locationQualifier`, bound to the laterality codes), linked from bodySite by the core
        `bodySite` extension; the bodySite text also says the side, for systems that ignore
        extensions.
        """
        site: dict[str, Any] = {"text": text}
        if "coding" in location:
            site["coding"] = location["coding"]
        qualifier = LATERALITY.get(laterality)
        if qualifier is None:
            return site
        structure_id = fhir_uuid("patient", self.patient.pk, "body-structure", key, laterality)
        self.body_structures.setdefault(
            structure_id,
            {
                "resourceType": "BodyStructure",
                "id": str(structure_id),
                "description": text,
                "location": location,
                "locationQualifier": [{"coding": [qualifier], "text": qualifier["display"]}],
                "patient": self.subject,
            },
        )
        site["extension"] = [
            {"url": BODY_SITE_EXTENSION, "valueReference": _reference(structure_id)}
        ]
        return site

    def observation(self, episode: Episode, name: str, **content: Any) -> None:
        period = {"start": fhir_datetime(episode.started_at, self.patient)}
        if episode.ended_at is not None:
            period["end"] = fhir_datetime(episode.ended_at, self.patient)
        self.observations.append(
            {
                "resourceType": "Observation",
                "id": str(fhir_uuid("episode", episode.pk, name)),
                "status": "final",
                "category": [{"coding": [SURVEY]}],
                "subject": self.subject,
                "effectivePeriod": period,
                **content,
            }
        )

    def reading(self, episode: Episode, reading: PainReading) -> None:
        """One pain reading of the flare-up's course: the same pain score at one moment."""
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "id": str(fhir_uuid("episode", episode.pk, "reading", reading.pk)),
            "status": "final",
            "category": [{"coding": [SURVEY]}],
            "code": {"coding": [PAIN_SEVERITY], "text": "Pain (0-10)"},
            "subject": self.subject,
            "effectiveDateTime": fhir_datetime(reading.taken_at, self.patient),
            "valueInteger": reading.intensity,
            "derivedFrom": [_reference(fhir_uuid("episode", episode.pk, "pain"))],
        }
        if reading.note.strip():
            resource["note"] = [{"text": reading.note}]
        self.observations.append(resource)

    def add_episode(self, episode: Episode) -> None:
        # Body site of the pain score. The code list's LOINC 111796-9 ("pain body site") is an
        # observable, i.e. a question: it belongs in the code of an Observation whose *value*
        # is the site, never inside bodySite, which holds anatomy (SNOMED body structures). The
        # list has no body-structure code for the low back (279039007 is the finding "low
        # back pain", not a place), so the site is text, with the side as laterality.
        side_label = Side(episode.side).label.lower()
        pain = {
            "code": {"coding": [PAIN_SEVERITY], "text": "Worst pain (0-10)"},
            "valueInteger": episode.intensity,
            "bodySite": self.body_site(
                key="low-back",
                text=f"Low back, {side_label}",
                location={"text": "Low back"},
                laterality=episode.side,
            ),
        }
        if episode.notes.strip():
            pain["note"] = [{"text": episode.notes}]
        self.observation(episode, "pain", **pain)

        for reading in readings_of(episode):
            self.reading(episode, reading)

        for name in episode.red_flags:
            question = str(Episode._meta.get_field(name).verbose_name)
            code: dict[str, Any] = {"text": question}
            if name in RED_FLAG_CODINGS:
                code["coding"] = list(RED_FLAG_CODINGS[name])
            content: dict[str, Any] = {"code": code, "valueBoolean": True}
            if name in RED_FLAG_SITES:
                content["bodySite"] = {"text": RED_FLAG_SITES[name]}
            self.observation(episode, f"red-flag/{name}", **content)

        if episode.spread != Spread.NONE:
            reach = Spread(episode.spread).label
            location: dict[str, Any] = {"text": reach}
            if episode.spread in SPREAD_SITES:
                location["coding"] = [SPREAD_SITES[episode.spread]]
            self.observation(
                episode,
                "spread",
                code={"text": SPREAD_TEXT},
                valueBoolean=True,
                bodySite=self.body_site(
                    key=f"spread-{episode.spread}",
                    text=f"{reach} ({Leg(episode.leg).label.lower()})",
                    location=location,
                    laterality=episode.leg,
                ),
            )

    def head(self) -> dict[str, Any]:
        return {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": fhir_datetime(timezone.now(), self.patient),
        }

    def as_dict(self) -> dict[str, Any]:
        resources = [
            self.patient_resource(),
            *self.body_structures.values(),
            *self.observations,
        ]
        return {**self.head(), "entry": [_entry(resource) for resource in resources]}

    def entries(self, episodes: Iterable[Episode]) -> Iterator[dict[str, Any]]:
        """The same entries as `as_dict`, as the flare-ups are read: the Patient, each
        flare-up's Observations, then the BodyStructures they referred to (a collection's
        entries may come in any order; references resolve within the whole Bundle)."""
        yield _entry(self.patient_resource())
        for episode in episodes:
            self.add_episode(episode)
            for observation in self.observations:
                yield _entry(observation)
            self.observations.clear()
        for structure in self.body_structures.values():
            yield _entry(structure)


def export_fhir(patient, episodes: Iterable[Episode]) -> dict[str, Any]:
    """A FHIR R4 Bundle (collection): the Patient, a pain-score Observation per flare-up and
    one per pain reading (with its `effectiveDateTime`), an
    Observation per red-flag answered yes, one for pain spreading down a leg, and the
    BodyStructures that carry laterality."""
    bundle = _FhirBundle(patient)
    for episode in episodes:
        bundle.add_episode(episode)
    return bundle.as_dict()


def fhir_pieces(patient, episodes: Iterable[Episode]) -> Iterator[str]:
    """`export_fhir` as streamed text."""
    bundle = _FhirBundle(patient)
    return json_list_pieces(bundle.head(), "entry", bundle.entries(episodes))
