"""Shared test data and helpers: the password every test account has, form data, a small
history with every kind of field, and bulk histories (thousands of flare-ups, faster than
the services). Test modules import from here, never from each other."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.utils import timezone

PASSWORD = "correct-horse-battery-staple"
# Words that would tell a reader of an email something about the person's health.
HEALTH_WORDS = re.compile(
    r"pain|flare|sciatic|numb|tingl|spasm|red flag|intensity|episode|ibuprofen|urgent|"
    r"emergency|bladder|\bleg\b|symptom|diagnos|stiff after",
    re.IGNORECASE,
)
# A fixed TOTP secret (base32) for test accounts' authenticator apps.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def give_totp(user, secret: str = TOTP_SECRET):
    """Set up an authenticator app (TOTP) for `user`, as allauth's own activation does."""
    from allauth.mfa.totp.internal.auth import TOTP

    return TOTP.activate(user, secret).instance


def totp_code(secret: str = TOTP_SECRET, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or `steps_ahead` 30-second steps later)."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + steps_ahead))


def verify_email(user, *, verified: bool = True):
    """The account's address as allauth keeps it (primary), verified unless told otherwise."""
    from allauth.account.models import EmailAddress

    address, _ = EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"primary": True, "verified": verified}
    )
    return address


def quick_log_data(**overrides) -> dict:
    """A valid quick-log POST: every red-flag question answered no unless overridden."""
    data = {"intensity": "5", "side": "left", "spread": "none"}
    data.update(overrides)
    return data


def bulk_history(patient, count: int) -> None:
    """`count` daily flare-ups ending yesterday, with remedies, some spasms and some
    seek-care prompts, written in bulk."""
    from advice.models import Prompt
    from advice.status import patient_status_refresh
    from episodes.models import Episode, Remedy

    now = timezone.now()
    episodes = Episode.objects.bulk_create(
        Episode(
            patient=patient,
            started_at=now - timedelta(days=count - i, hours=i % 7),
            ended_at=now - timedelta(days=count - i) + timedelta(hours=20),
            intensity=(3 + i // max(count // 5, 1) + i % 3) % 11,
            side=("left", "right", "both", "center")[i % 4],
            spread=("none", "buttock", "thigh")[i % 3],
            leg="" if i % 3 == 0 else ("left", "both")[i % 2],
            spasm=i % 5 == 0,
            numbness=i % 97 == 0,
            notes="note" if i % 50 == 0 else "",
        )
        for i in range(count)
    )
    Remedy.objects.bulk_create(
        Remedy(episode=e, code=code, helped=("yes", "somewhat", "no", "unknown")[i % 4])
        for i, e in enumerate(episodes)
        for code in (("ibuprofen", "walking") if i % 2 else ("bed_rest", "stretching"))
    )
    Prompt.objects.bulk_create(
        Prompt(
            episode=e,
            code="numbness",
            level="urgent",
            rank=0,
            title="Numbness or tingling in a leg or foot",
            message="Numbness or tingling in a leg or foot needs checking today.",
            source="source article",
            shown_at=e.started_at,
        )
        for e in episodes
        if e.numbness
    )
    patient_status_refresh(patient=patient)  # as every write path does


def local(patient, *args: int) -> datetime:
    return datetime(*args, tzinfo=patient.zone)


def log_history(patient) -> list:
    """Three flare-ups with every kind of field: remedies and what they did, unicode notes,
    an ended one and an ongoing one, red flags, and the prompts the patient was shown."""
    from advice.services import episode_log

    first, _ = episode_log(
        patient=patient,
        started_at=local(patient, 2024, 1, 15, 23, 30),
        ended_at=local(patient, 2024, 1, 17, 8, 0),
        intensity=6,
        side="left",
        spread="thigh",
        leg="left",
        numbness=True,
        spasm=True,
        trigger="lifting",
        notes='Après le déménagement: "heavy", boxes; 腰痛 🙂\nsecond line',
        remedies={"ibuprofen": "somewhat", "walking": "yes", "bed_rest": "no"},
    )
    second, _ = episode_log(
        patient=patient,
        started_at=local(patient, 2024, 6, 1, 7, 0),
        ended_at=local(patient, 2024, 6, 1, 18, 45),
        intensity=3,
        side="center",
        remedies={"heat": "unknown"},
    )
    third, _ = episode_log(
        patient=patient,
        started_at=local(patient, 2025, 2, 3, 12, 0),
        intensity=9,
        side="both",
        spread="foot",
        leg="both",
        saddle_numbness=True,
        bladder_bowel=True,
        leg_weakness=True,
        fever=True,
        injury=True,
    )
    return [first, second, third]


def history_document(count: int, *, prompts_every: int = 10) -> dict:
    """A valid history file (`clinic.exports.export_json`'s format) with `count` flare-ups,
    6 hours apart from 1 January 2020, each with two remedies and some with a prompt: the
    largest import the limits allow is `history_document(10_000)` (about 4.5 MB of JSON)."""
    from datetime import UTC

    start = datetime(2020, 1, 1, 8, 0, tzinfo=UTC)
    episodes = []
    for index in range(count):
        started = start + timedelta(hours=6 * index)
        spread = ("none", "buttock", "thigh")[index % 3]
        episode = {
            "started_at": started.isoformat(),
            "ended_at": (started + timedelta(hours=3)).isoformat(),
            "intensity": index % 11,
            "side": ("left", "right", "both", "center")[index % 4],
            "spread": spread,
            "leg": "" if spread == "none" else "left",
            "saddle_numbness": False,
            "bladder_bowel": False,
            "numbness": False,
            "leg_weakness": False,
            "fever": False,
            "injury": False,
            "spasm": index % 2 == 0,
            "trigger": "lifting",
            "notes": f"Flare-up number {index}",
            "remedies": [
                {"code": "walking", "helped": "yes"},
                {"code": "heat", "helped": "somewhat"},
            ],
            "prompts": [],
        }
        if index % prompts_every == 0:
            episode["prompts"].append(
                {
                    "code": "keep_moving",
                    "level": "self_care",
                    "rank": 0,
                    "title": "Keep moving gently",
                    "message": "Move gently, a little and often.",
                    "source": "NHS back pain",
                    "guidance": "keep-moving",
                    "shown_at": (started + timedelta(hours=1)).isoformat(),
                }
            )
        episodes.append(episode)
    return {
        "format": "backlog-history",
        "version": 1,
        "exported_at": "2026-01-01T00:00:00+00:00",
        "timezone": "UTC",
        "episodes": episodes,
    }


def page_text(response) -> str:
    """The words a page shows, as one line: no tags, attributes, scripts or styles."""
    from html.parser import HTMLParser

    class Words(HTMLParser):
        def __init__(self):
            super().__init__()
            self.skipping = 0
            self.parts: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.skipping += tag in ("script", "style")

        def handle_endtag(self, tag):
            self.skipping -= tag in ("script", "style")

        def handle_data(self, data):
            if not self.skipping:
                self.parts.append(data)

    parser = Words()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.parts).split())
