"""Restore a JSON history (`clinic.exports.export_json`) into an account.

The file comes from a person's computer, so nothing in it is trusted: every value is checked
for its type, its range and its choices before the model's own `full_clean` and constraints
see it, and any problem becomes one `ValidationError` naming the flare-up and the field.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, NoReturn

from django.contrib.auth.hashers import make_password
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone

from advice.models import Prompt
from advice.rules import RULES, RULES_BY_CODE, Level
from advice.status import patient_status_refresh
from backlog.models import DISPLAY_NAME_MAX_LENGTH, EARLIEST_BIRTH, User
from episodes.models import (
    CLOCK_SKEW,
    EARLIEST,
    INTENSITY_MAX,
    INTENSITY_MIN,
    NOTES_MAX_LENGTH,
    READING_NOTE_MAX_LENGTH,
    RED_FLAG_FIELDS,
    Episode,
    Helped,
    Leg,
    PainReading,
    Remedy,
    RemedyCode,
    Side,
    Spread,
    Trigger,
)

from .exports import FORMAT, VERSION
from .models import HistoryImport

# Bounds well above any real history (a few hundred flare-ups, a few prompts per log), so that
# a hostile file cannot make the import run for minutes.
MAX_EPISODES = 10_000
MAX_PROMPTS_PER_EPISODE = 500
MAX_READINGS_PER_EPISODE = 1_000
MAX_PROMPT_MESSAGE_LENGTH = 5_000
MAX_DATETIME_LENGTH = 64
MAX_RANK = 32767  # PositiveSmallIntegerField

PROMPT_CODES = frozenset(rule.code for rule in RULES)
# The choices, listed once: an enum's `.values` builds a new list on every use.
REMEDY_CODES = tuple(RemedyCode.values)
HELPED = tuple(Helped.values)
SIDES = tuple(Side.values)
SPREADS = tuple(Spread.values)
LEGS = ("", *Leg.values)
TRIGGERS = ("", *Trigger.values)
FLAG_FIELDS = (*RED_FLAG_FIELDS, "spasm")


def _fail(where: str, problem: str) -> NoReturn:
    raise ValidationError(f"{where}: {problem}", code="invalid")


def _shown(value: object) -> str:
    """A short, safe description of a bad value for an error message."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value[:30] + ("..." if len(value) > 30 else ""))
    if (isinstance(value, int) and abs(value) < 10**15) or isinstance(value, float):
        return str(value)
    if isinstance(value, int):
        # Printing a huge int is slow, and refused past 4300 digits.
        return "a very large number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "a value of the wrong type"


def _get(where: str, record: dict, key: str) -> Any:
    if key not in record:
        _fail(where, f'"{key}" is missing.')
    return record[key]


def _storable(where: str, key: str, value: str) -> str:
    # Databases refuse NUL characters (PostgreSQL) and unpaired surrogates (both): refuse them
    # here, with a message, rather than as a database error.
    if "\x00" in value:
        _fail(where, f'"{key}" contains a NUL character.')
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        _fail(where, f'"{key}" is not valid text.')
    return value


def _text(
    where: str,
    record: dict,
    key: str,
    *,
    max_length: int,
    choices: tuple[str, ...] | list[str] | None = None,
    required: bool = False,
) -> str:
    value = _get(where, record, key)
    if not isinstance(value, str):
        _fail(where, f'"{key}" must be text, not {_shown(value)}.')
    if choices is not None and value not in choices:
        allowed = ", ".join(f'"{choice}"' for choice in choices)
        _fail(where, f'"{key}" must be one of {allowed} (not {_shown(value)}).')
    if len(value) > max_length:
        _fail(where, f'"{key}" is too long ({len(value)} characters; at most {max_length}).')
    if required and not value.strip():
        _fail(where, f'"{key}" must not be empty.')
    return _storable(where, key, value)


def _flag(where: str, record: dict, key: str) -> bool:
    value = _get(where, record, key)
    if not isinstance(value, bool):
        _fail(where, f'"{key}" must be true or false, not {_shown(value)}.')
    return value


def _whole_number(where: str, record: dict, key: str, low: int, high: int, problem: str) -> int:
    value = _get(where, record, key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        _fail(where, f'"{key}" {problem} (not {_shown(value)}).')
    return value


def _moment(where: str, record: dict, key: str, *, optional: bool = False) -> datetime | None:
    value = _get(where, record, key)
    if value is None and optional:
        return None
    expected = f'"{key}" must be a date and time like "2024-03-01T08:30:00+01:00"'
    if not isinstance(value, str) or len(value) > MAX_DATETIME_LENGTH:
        _fail(where, f"{expected}, not {_shown(value)}.")
    try:
        moment = datetime.fromisoformat(value)
        if moment.utcoffset() is None:
            _fail(where, f"{expected}: it needs its UTC offset.")
        in_utc = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        _fail(where, f"{expected}, not {_shown(value)}.")
    if in_utc < EARLIEST:
        _fail(where, f'"{key}" is before 1900.')
    if in_utc > timezone.now() + CLOCK_SKEW:
        _fail(where, f'"{key}" is in the future.')
    return moment


def _records(where: str, record: dict, key: str, *, max_items: int) -> list[dict]:
    value = _get(where, record, key)
    if not isinstance(value, list):
        _fail(where, f'"{key}" must be a list, not {_shown(value)}.')
    if len(value) > max_items:
        _fail(where, f'"{key}" has {len(value)} entries; at most {max_items} are allowed.')
    return value


@dataclass(frozen=True)
class _Entry:
    number: int
    fields: dict[str, Any]
    remedies: dict[str, str]
    prompts: list[dict[str, Any]]
    readings: list[dict[str, Any]]

    @property
    def key(self) -> tuple:
        """What makes two flare-ups the same one, for skipping duplicates."""
        fields = self.fields
        return (
            fields["started_at"],
            fields["intensity"],
            fields["side"],
            fields["spread"],
            fields["leg"],
        )


def _remedies(where: str, record: dict) -> dict[str, str]:
    remedies: dict[str, str] = {}
    for index, remedy in enumerate(
        _records(where, record, "remedies", max_items=len(REMEDY_CODES)), start=1
    ):
        here = f"{where}, remedy {index}"
        if not isinstance(remedy, dict):
            _fail(here, f'must be an object with a "code" and "helped", not {_shown(remedy)}.')
        code = _text(here, remedy, "code", max_length=20, choices=REMEDY_CODES)
        if code in remedies:
            _fail(here, f'"{code}" is listed twice.')
        remedies[code] = _text(here, remedy, "helped", max_length=10, choices=HELPED)
    return remedies


def _readings(where: str, record: dict, started_at: datetime) -> list[dict[str, Any]]:
    """A flare-up's pain readings; a file from before readings existed has none."""
    if "readings" not in record:
        return []
    readings = []
    for index, reading in enumerate(
        _records(where, record, "readings", max_items=MAX_READINGS_PER_EPISODE), start=1
    ):
        here = f"{where}, reading {index}"
        if not isinstance(reading, dict):
            _fail(
                here, f'must be an object with "taken_at" and "intensity", not {_shown(reading)}.'
            )
        fields = {
            "taken_at": _moment(here, reading, "taken_at"),
            "intensity": _whole_number(
                here,
                reading,
                "intensity",
                INTENSITY_MIN,
                INTENSITY_MAX,
                f"must be a whole number from {INTENSITY_MIN} to {INTENSITY_MAX}",
            ),
            "note": _text(here, reading, "note", max_length=READING_NOTE_MAX_LENGTH)
            if "note" in reading
            else "",
            "relief_check": _flag(here, reading, "relief_check")
            if "relief_check" in reading
            else False,
        }
        if fields["taken_at"] < started_at:
            _fail(here, '"taken_at" is before the flare-up\'s "started_at".')
        readings.append(fields)
    return readings


def _prompt(where: str, prompt: object) -> dict[str, Any]:
    if not isinstance(prompt, dict):
        _fail(where, f"must be an object, not {_shown(prompt)}.")
    fields = {
        "code": _text(where, prompt, "code", max_length=40),
        "level": _text(
            where, prompt, "level", max_length=10, choices=[level.value for level in Level]
        ),
        "rank": _whole_number(
            where, prompt, "rank", 0, MAX_RANK, f"must be a whole number from 0 to {MAX_RANK}"
        ),
        "title": _text(where, prompt, "title", max_length=200, required=True),
        "message": _text(
            where, prompt, "message", max_length=MAX_PROMPT_MESSAGE_LENGTH, required=True
        ),
        "source": _text(where, prompt, "source", max_length=300, required=True),
        "guidance": _text(where, prompt, "guidance", max_length=40),
        "shown_at": _moment(where, prompt, "shown_at"),
    }
    # Only advice the app can give: a file cannot make up new kinds of prompt.
    if fields["code"] not in PROMPT_CODES:
        _fail(where, f"{_shown(fields['code'])} is not a kind of advice backlog gives.")
    rule = RULES_BY_CODE[fields["code"]]
    if fields["level"] != rule.level:
        _fail(where, f'"level" for {_shown(rule.code)} must be {_shown(str(rule.level))}.')
    # What is stored is backlog's own wording for that advice, never the file's: an edited
    # file must not be able to put words such as "harmless" in the app's mouth.
    return {**fields, **rule_wording(rule)}


def rule_wording(rule) -> dict[str, str]:
    """A rule's title, message, source and guidance, with history-specific figures (which
    an imported file cannot vouch for) left out of the message."""
    message = rule.message.format_map(_Blank(episode_count="several"))
    return {
        "title": rule.title,
        "message": " ".join(message.split()),
        "source": rule.source,
        "guidance": rule.guidance,
    }


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _entry(number: int, record: object) -> _Entry:
    where = f"Flare-up {number}"
    if not isinstance(record, dict):
        _fail(where, f"must be an object with the flare-up's fields, not {_shown(record)}.")
    fields: dict[str, Any] = {
        "started_at": _moment(where, record, "started_at"),
        "ended_at": _moment(where, record, "ended_at", optional=True),
        "intensity": _whole_number(
            where,
            record,
            "intensity",
            INTENSITY_MIN,
            INTENSITY_MAX,
            f"must be a whole number from {INTENSITY_MIN} to {INTENSITY_MAX}",
        ),
        "side": _text(where, record, "side", max_length=10, choices=SIDES),
        "spread": _text(where, record, "spread", max_length=10, choices=SPREADS),
        "leg": _text(where, record, "leg", max_length=5, choices=LEGS),
        **{name: _flag(where, record, name) for name in FLAG_FIELDS},
        "trigger": _text(where, record, "trigger", max_length=10, choices=TRIGGERS),
        "notes": _text(where, record, "notes", max_length=NOTES_MAX_LENGTH),
    }
    if fields["ended_at"] is not None and fields["ended_at"] < fields["started_at"]:
        _fail(where, '"ended_at" is before "started_at".')
    if fields["spread"] == Spread.NONE and fields["leg"]:
        _fail(where, '"leg" must be empty when the pain stays in the back ("spread" is "none").')
    if fields["spread"] != Spread.NONE and not fields["leg"]:
        _fail(where, '"leg" is needed when the pain spreads down a leg.')
    remedies = _remedies(where, record)
    prompts = [
        _prompt(f"{where}, prompt {index}", prompt)
        for index, prompt in enumerate(
            _records(where, record, "prompts", max_items=MAX_PROMPTS_PER_EPISODE), start=1
        )
    ]
    readings = _readings(where, record, fields["started_at"])
    return _Entry(
        number=number, fields=fields, remedies=remedies, prompts=prompts, readings=readings
    )


def _entries(data: object) -> list[_Entry]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationError(
            'This is not a backlog history file (it has no "format": "backlog-history").',
            code="format",
        )
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValidationError("This history file has no version number.", code="version")
    if version != VERSION:
        newer = " It was made by a newer backlog." if version > VERSION else ""
        raise ValidationError(
            f"This history file is version {_shown(version)}; this backlog reads version "
            f"{VERSION}.{newer}",
            code="version",
        )
    episodes = data.get("episodes")
    if not isinstance(episodes, list):
        raise ValidationError('This history file has no list of "episodes".', code="episodes")
    if len(episodes) > MAX_EPISODES:
        raise ValidationError(
            f"This history file has {len(episodes)} flare-ups; at most {MAX_EPISODES} can be "
            "imported at once.",
            code="episodes",
        )
    return [_entry(number, record) for number, record in enumerate(episodes, start=1)]


def _model_problem(where: str, error: ValidationError) -> ValidationError:
    if hasattr(error, "error_dict"):
        parts = [
            message if field == NON_FIELD_ERRORS else f'"{field}": {message}'
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    else:
        parts = error.messages
    return ValidationError(f"{where}: {' '.join(parts)}", code="invalid")


def _prompts(entry: _Entry, episode: Episode) -> list[Prompt]:
    prompts = [Prompt(episode=episode, **fields) for fields in entry.prompts]
    for index, prompt in enumerate(prompts, start=1):
        try:
            # The episode is made below, and the one constraint (a valid level) is checked
            # above: skip their queries, one per prompt.
            prompt.full_clean(exclude=["episode"], validate_constraints=False)
        except ValidationError as error:
            raise _model_problem(f"Flare-up {entry.number}, prompt {index}", error) from None
    return prompts


@dataclass
class _Staged:
    episode: Episode
    remedies: list[Remedy]
    prompts: list[Prompt]
    readings: list[PainReading]


def _staged(entry: _Entry) -> _Staged:
    """A flare-up checked by the model as `episode_create` would, not yet written."""
    episode = Episode(**entry.fields)
    try:
        episode.full_clean(exclude=["patient"])
    except ValidationError as error:
        raise _model_problem(f"Flare-up {entry.number}", error) from None
    remedies = [Remedy(code=code, helped=helped) for code, helped in entry.remedies.items()]
    readings = [
        PainReading(episode_started_at=episode.started_at, **fields) for fields in entry.readings
    ]
    return _Staged(episode, remedies, _prompts(entry, episode), readings)


# --- Writing: short batches to a hidden account, then one move -------------------------------
#
# SQLite lets one writer in at a time. A 10,000-row import written in one transaction held that
# lock for seconds, and every other patient's quick log waited. So the rows are written in
# batches of short transactions to a hidden "holder" account (invisible to everyone: every
# read is by patient), and moved to the patient by one UPDATE at the end, all or nothing. A
# failure deletes what was staged, in batches too.

BATCH = 250  # flare-ups per batch: a few milliseconds of writing on SQLite
# Between two batches on SQLite: longer than the longest sleep of SQLite's busy handler
# (100 ms), so a writer waiting for the lock gets it before the next batch does.
PAUSE_SECONDS = 0.12
# A running import shows a sign of life at every batch; one silent this long has died.
STALE_AFTER = timedelta(minutes=2)
BUSY = "Another import into your account is still running. Try again when it has finished."
HOLDER_DOMAIN = "import.invalid"  # a reserved name: no one receives mail there


def _pause(pausing: bool) -> None:
    if pausing and connection.vendor == "sqlite":
        time.sleep(PAUSE_SECONDS)


def _start(patient) -> HistoryImport:
    discard_abandoned_imports()
    try:
        with transaction.atomic():
            holder = User.objects.create(
                email=f"{uuid.uuid4().hex}@{HOLDER_DOMAIN}",
                password=make_password(None),
                is_active=False,
            )
            return HistoryImport.objects.create(patient=patient, holder=holder)
    except IntegrityError:
        raise ValidationError(BUSY, code="busy") from None


def _inserts(model, objs: list, *, returning: bool = False) -> list[tuple[str, tuple]]:
    """Multi-row INSERT statements for `objs` (with `RETURNING` their ids), values prepared by
    each field as `bulk_create` would. Built before the transaction, so that SQLite's write
    lock is held only while they run; Django's own statement compiler is several times slower
    at this, and was most of an import's time."""
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    columns = ", ".join(quote(field.column) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    tail = f" RETURNING {quote(meta.pk.column)}" if returning else ""
    size = max(connection.ops.bulk_batch_size(fields, objs), 1)
    statements = []
    for start in range(0, len(objs), size):
        chunk = objs[start : start + size]
        params = tuple(
            field.get_db_prep_save(field.pre_save(obj, True), connection)
            for obj in chunk
            for field in fields
        )
        values = ", ".join([row] * len(chunk))
        # Names come from the model and are quoted; every value is a parameter.
        sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {values}{tail}"  # noqa: S608
        statements.append((sql, params))
    return statements


def _execute(
    run: HistoryImport,
    statements: list[tuple[str, tuple]],
    *,
    returning: list[tuple[str, tuple]] = (),
) -> list[int]:
    """One short transaction: `statements`, then `returning` (whose new ids it returns); and
    the run's sign of life."""
    ids: list[int] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
        for sql, params in returning:
            cursor.execute(sql, params)
            ids += [row[0] for row in cursor.fetchall()]
        HistoryImport.objects.filter(pk=run.pk).update(touched_at=timezone.now())
    return ids


def _write_all(run: HistoryImport, staged: list[_Staged], *, pausing: bool) -> None:
    """A transaction per batch: the batch's flare-ups, with the remedies and prompts of the
    batch before (they need their flare-up's id, known only once it is written). Until the
    move, all of it belongs to the holder, so the order is harmless."""
    children: list[tuple[str, tuple]] = []
    for start in range(0, len(staged), BATCH):
        batch = staged[start : start + BATCH]
        episodes = [item.episode for item in batch]
        for episode in episodes:
            episode.patient_id = run.holder_id
        inserts = _inserts(Episode, episodes, returning=True)
        if start:
            _pause(pausing)
        ids = _execute(run, children, returning=inserts)
        remedies, prompts, readings = [], [], []
        for item, episode_id in zip(batch, ids, strict=True):
            item.episode.pk = episode_id
            for child in (*item.remedies, *item.prompts, *item.readings):
                child.episode_id = episode_id
            remedies += item.remedies
            prompts += item.prompts
            readings += item.readings
        children = (
            _inserts(Remedy, remedies) + _inserts(Prompt, prompts) + _inserts(PainReading, readings)
        )
    _pause(pausing)
    _execute(run, children)


def _publish(run: HistoryImport, patient) -> None:
    with transaction.atomic():
        # Stamped by the database's clock, like every other write (episodes.signals).
        Episode.objects.filter(patient_id=run.holder_id).update(patient=patient, updated_at=Now())
        HistoryImport.objects.filter(pk=run.pk).delete()
    with transaction.atomic():
        User.objects.filter(pk=run.holder_id).delete()


def _discard(holder_id: int, *, pausing: bool) -> None:
    """Delete what an import staged, a batch per transaction, then its holder (and so its
    run)."""
    while True:
        with transaction.atomic():
            batch = list(
                Episode.objects.filter(patient_id=holder_id).values_list("pk", flat=True)[:BATCH]
            )
            Prompt.objects.filter(episode_id__in=batch).delete()
            Remedy.objects.filter(episode_id__in=batch).delete()
            PainReading.objects.filter(episode_id__in=batch).delete()
            Episode.objects.filter(pk__in=batch).delete()
        if len(batch) < BATCH:
            break
        _pause(pausing)
    with transaction.atomic():
        User.objects.filter(pk=holder_id).delete()


def discard_abandoned_imports() -> int:
    """Clean up after imports whose process died, or whose patient left, mid-way."""
    abandoned = HistoryImport.objects.filter(
        Q(patient__isnull=True) | Q(touched_at__lt=timezone.now() - STALE_AFTER)
    )
    holders = list(abandoned.values_list("holder_id", flat=True))
    for holder_id in holders:
        _discard(holder_id, pausing=False)
    return len(holders)


def _identity(data: dict) -> dict[str, Any]:
    """The name and date of birth in the file (both optional; absent in older files)."""
    where = "The patient's details"
    record = data.get("patient")
    if record is None:
        return {}
    if not isinstance(record, dict):
        _fail(where, f'"patient" must be an object, not {_shown(record)}.')
    found: dict[str, Any] = {}
    if record.get("name") is not None:
        found["display_name"] = " ".join(
            _text(where, record, "name", max_length=DISPLAY_NAME_MAX_LENGTH).split()
        )
    born = record.get("date_of_birth")
    if born is not None:
        if not isinstance(born, str) or len(born) != 10:
            _fail(where, f'"date_of_birth" must be a date like "1970-03-01", not {_shown(born)}.')
        try:
            day = date.fromisoformat(born)
        except ValueError:
            _fail(where, f'"date_of_birth" must be a date like "1970-03-01", not {_shown(born)}.')
        if not EARLIEST_BIRTH <= day <= timezone.localdate():
            _fail(where, '"date_of_birth" must be between 1900 and today.')
        found["date_of_birth"] = day
    return {name: value for name, value in found.items() if value}


def _identity_fill(patient, identity: dict[str, Any]) -> None:
    """Fill in the name and date of birth the account does not have yet (never overwrite
    what the person entered here)."""
    missing = {name: value for name, value in identity.items() if not getattr(patient, name)}
    if missing:
        User.objects.filter(pk=patient.pk).update(**missing)
        for name, value in missing.items():
            setattr(patient, name, value)


def history_import(*, patient, data: dict) -> int:
    """Add the flare-ups of a JSON history to `patient`, all or nothing; returns how many.

    A flare-up already in the account (same start, intensity, side, spread and leg) is
    skipped, so importing the same file twice adds nothing the second time. The prompts come
    along as the record of what the patient was told; they are not evaluated again. Nothing
    is visible to anyone until every row is written; one import per account at a time.
    """
    entries = _entries(data)
    identity = _identity(data)
    seen = set(
        Episode.objects.for_patient(patient).values_list(
            "started_at", "intensity", "side", "spread", "leg"
        )
    )
    new_entries = []
    for entry in entries:
        if entry.key not in seen:
            seen.add(entry.key)
            new_entries.append(entry)
    # Every check before the first write, so that a bad file writes nothing at all.
    staged = [_staged(entry) for entry in new_entries]
    if not staged:
        _identity_fill(patient, identity)
        return 0
    run = _start(patient)
    # A few short transactions need no pause; many back to back would starve other writers.
    pausing = len(staged) > BATCH
    try:
        _write_all(run, staged, pausing=pausing)
        _pause(pausing)
        _publish(run, patient)
    except BaseException as error:
        _discard(run.holder_id, pausing=pausing)
        if isinstance(error, IntegrityError | DataError):
            # The database's constraints are the last guard; the checks above should leave
            # them nothing to refuse.
            raise ValidationError(
                "This history file could not be imported: the database refused part of it.",
                code="refused",
            ) from None
        raise
    _identity_fill(patient, identity)
    patient_status_refresh(patient=patient)
    return len(staged)
