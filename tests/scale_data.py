"""A database at scale, written with PostgreSQL's COPY: patients with 50 flare-ups each
(remedies and the advice they were shown), clinicians sharing about 100 patients each, and
every patient's status row, as the app's write paths would have left them.

    from tests.scale_data import generate
    generate(patients=20_000, clinicians=200)      # a million flare-ups

Run inside the app's process on a freshly migrated, empty PostgreSQL database (the
benchmarks call it through `manage.py shell`). Fixed seed: the same data every time.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

FLARE_UPS_EACH = 50
SHARES_EACH = 100
PASSWORD = "scale-password-2026"
SEED = 20_261_202
YEARS = 3
REMEDY_CODES = ("ibuprofen", "walking", "stretching", "heat", "bed_rest", "other_painkiller")
HELPED = ("yes", "somewhat", "no", "unknown")
KEEP_MOVING = (
    "keep_moving",
    "self_care",
    "Keep moving gently",
    "Gentle movement helps a muscle spasm ease.",
    "NICE NG59 1.2.1; ACP 2017; NHS back pain",
)
NUMBNESS = (
    "numbness",
    "urgent",
    "Numbness or tingling in a leg or foot",
    "Numbness or tingling in a leg or foot needs checking today.",
    "NHS sciatica; NHS back pain; NICE CKS sciatica",
)


def patient_email(number: int) -> str:
    return f"patient{number}@scale.example"


def clinician_email(number: int) -> str:
    return f"clinician{number}@scale.example"


@dataclass
class FlareUp:
    id: int
    patient_id: int
    started_at: datetime
    intensity: int
    side: str
    spread: str
    leg: str
    numbness: bool


def flare_ups(rng: random.Random, patient_id: int, first_id: int, now: datetime) -> list[FlareUp]:
    """One patient's history: steady for most, getting worse for about one in five."""
    worsening = rng.random() < 0.2
    starts = sorted(
        now - timedelta(days=rng.uniform(1, 365 * YEARS)) for _ in range(FLARE_UPS_EACH)
    )
    history = []
    for index, started_at in enumerate(starts):
        progress = index / FLARE_UPS_EACH
        intensity = round(rng.gauss(4 + (4 * progress if worsening else 0), 1.2))
        spread = rng.choice(("none", "none", "buttock", "thigh"))
        history.append(
            FlareUp(
                id=first_id + index,
                patient_id=patient_id,
                started_at=started_at,
                intensity=min(10, max(0, intensity)),
                side=rng.choice(("left", "right", "both", "center")),
                spread=spread,
                leg="" if spread == "none" else rng.choice(("left", "right", "both")),
                numbness=rng.random() < 0.05,
            )
        )
    return history


def status_row(patient_id: int, history: list[FlareUp], prompts_at: dict[int, datetime]) -> tuple:
    """What `advice.status.patient_status_refresh` would store for this history."""
    from episodes.reports import TrendInput
    from episodes.trends import analyze

    today = datetime.now(UTC).date()
    report = analyze(
        [TrendInput(e.started_at, e.intensity, e.side, e.spread, e.leg) for e in history], today
    )
    verdicts = [str(report.frequency.direction), str(report.intensity.direction)]
    verdicts.append(str(report.spread.direction))
    urgent = [e for e in history if e.numbness]
    latest = max(urgent, key=lambda e: prompts_at[e.id], default=None)
    return (
        patient_id,
        len(history),
        max(e.started_at for e in history),
        prompts_at[latest.id] if latest else None,
        NUMBNESS[1] if latest else "",
        NUMBNESS[2] if latest else "",
        *verdicts,
        "rising" in verdicts,
        today,
    )


def _copy(cursor, table: str, columns: tuple[str, ...], rows: Iterator[tuple]) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def generate(*, patients: int, clinicians: int, progress=print) -> dict[str, int]:
    """Fill an empty, migrated PostgreSQL database; returns the row counts written."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    rng = random.Random(SEED)
    now = datetime.now(UTC)
    password = make_password(PASSWORD)  # one hash for every account: hashing is slow
    clinician_ids = range(patients + 1, patients + clinicians + 1)
    counts: dict[str, int] = {}
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        user_columns = (
            "id", "password", "is_superuser", "email", "role", "timezone", "is_staff",
            "is_active", "date_joined", "display_name", "privacy_version", "privacy_agreed_at",
        )  # fmt: skip
        # Patients have agreed to the current privacy notice, so their pages open at once.
        privacy = (settings.PRIVACY_NOTICE_VERSION, now)
        users = [
            (n, password, False, patient_email(n), "patient", "Europe/London", False, True, now,
             f"Patient {n}", *privacy)
            for n in range(1, patients + 1)
        ] + [
            (n, password, False, clinician_email(n - patients), "clinician", "Europe/London",
             False, True, now, "", None, None)
            for n in clinician_ids
        ]  # fmt: skip
        counts["users"] = _copy(cursor, "backlog_user", user_columns, iter(users))
        progress(f"  {counts['users']:,} accounts")

        histories: dict[int, list[FlareUp]] = {}
        next_id = 1
        for patient_id in range(1, patients + 1):
            histories[patient_id] = flare_ups(rng, patient_id, next_id, now)
            next_id += FLARE_UPS_EACH

        def episode_rows() -> Iterator[tuple]:
            for history in histories.values():
                for e in history:
                    logged = e.started_at + timedelta(hours=1)
                    yield (
                        e.id, e.patient_id, e.started_at, e.started_at + timedelta(days=2),
                        e.intensity, e.side, e.spread, e.leg, False, False, e.numbness, False,
                        False, False, False, "", "", logged, logged,
                    )  # fmt: skip

        episode_columns = (
            "id", "patient_id", "started_at", "ended_at", "intensity", "side", "spread", "leg",
            "saddle_numbness", "bladder_bowel", "numbness", "leg_weakness", "fever", "injury",
            "spasm", "trigger", "notes", "created_at", "updated_at",
        )  # fmt: skip
        counts["flare-ups"] = _copy(cursor, "episodes_episode", episode_columns, episode_rows())
        progress(f"  {counts['flare-ups']:,} flare-ups")

        def remedy_rows() -> Iterator[tuple]:
            for history in histories.values():
                for e in history:
                    for code in rng.sample(REMEDY_CODES, rng.randint(1, 2)):
                        yield e.id, code, rng.choice(HELPED)

        counts["remedies"] = _copy(
            cursor, "episodes_remedy", ("episode_id", "code", "helped"), remedy_rows()
        )
        progress(f"  {counts['remedies']:,} remedies")

        prompts_at: dict[int, datetime] = {}

        def prompt_rows() -> Iterator[tuple]:
            for history in histories.values():
                for e in history:
                    shown = e.started_at + timedelta(hours=1)
                    if e.numbness:
                        prompts_at[e.id] = shown
                        yield (e.id, *NUMBNESS, 0, "seek-care", shown)
                    yield (e.id, *KEEP_MOVING, 1 if e.numbness else 0, "keep-moving", shown)

        prompt_columns = (
            "episode_id", "code", "level", "title", "message", "source", "rank", "guidance",
            "shown_at",
        )  # fmt: skip
        counts["advice"] = _copy(cursor, "advice_prompt", prompt_columns, prompt_rows())
        progress(f"  {counts['advice']:,} pieces of advice")

        def share_rows() -> Iterator[tuple]:
            per_clinician = min(SHARES_EACH, patients)
            for index, clinician_id in enumerate(clinician_ids):
                for offset in range(per_clinician):
                    patient_id = (index * per_clinician + offset) % patients + 1
                    looked = (
                        now - timedelta(days=rng.uniform(0, 60)) if rng.random() < 0.8 else None
                    )
                    yield (
                        patient_id, clinician_id, "", now - timedelta(days=365), now,
                        looked, "{}",
                    )  # fmt: skip

        share_columns = (
            "patient_id", "clinician_id", "code_hash", "created_at", "redeemed_at",
            "last_viewed_at", "seen_verdicts",
        )  # fmt: skip
        counts["shares"] = _copy(cursor, "backlog_share", share_columns, share_rows())
        progress(f"  {counts['shares']:,} shares")

        status_columns = (
            "patient_id", "episode_count", "last_started_at", "seek_care_at", "seek_care_level",
            "seek_care_title", "frequency", "intensity", "spread", "rising", "verdicts_on",
        )  # fmt: skip
        statuses = (status_row(p, h, prompts_at) for p, h in histories.items())
        counts["statuses"] = _copy(cursor, "advice_patientstatus", status_columns, statuses)
        progress(f"  {counts['statuses']:,} status rows")

        for table in ("backlog_user", "episodes_episode"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    with raw.cursor() as cursor:  # Django's connection commits each statement on its own
        cursor.execute("VACUUM ANALYZE")
    return counts
