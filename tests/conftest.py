"""Factory fixtures shared by every test. Pure-module tests use none of them."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

PASSWORD = "correct-horse-battery-staple"
_emails = itertools.count(1)


@pytest.fixture(scope="session")
def password_hash() -> str:
    """PASSWORD hashed once with the real (Argon2) hasher: hashing is slow on purpose."""
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


@pytest.fixture
def make_user(db, password_hash):
    from backlog.models import User

    def make(email: str | None = None, *, role: str = "patient", tz: str = "UTC", **extra):
        email = email or f"person{next(_emails)}@example.com"
        return User.objects.create(
            email=email, password=password_hash, role=role, timezone=tz, **extra
        )

    return make


@pytest.fixture
def patient(make_user):
    return make_user("pat@example.com")


@pytest.fixture
def other_patient(make_user):
    return make_user("other@example.com")


@pytest.fixture
def clinician(make_user):
    return make_user("doc@example.com", role="clinician")


@pytest.fixture
def make_episode(db):
    """Create a flare-up straight through the service layer (no advice recorded)."""
    from episodes.services import episode_create

    def make(patient, *, remedies=None, **fields):
        fields.setdefault("started_at", timezone.now() - timedelta(hours=1))
        fields.setdefault("intensity", 5)
        fields.setdefault("side", "left")
        return episode_create(patient=patient, remedies=remedies or {}, **fields)

    return make


@pytest.fixture
def patient_client(client, patient):
    client.force_login(patient)
    return client


def quick_log_data(**overrides) -> dict:
    """A valid quick-log POST: every red-flag question answered no unless overridden."""
    data = {"intensity": "5", "side": "left", "spread": "none"}
    data.update(overrides)
    return data


@pytest.fixture
def make_long_history(db):
    """`count` daily flare-ups ending yesterday, written in bulk (the service is too slow for
    thousands), with remedies, some spasms and some seek-care prompts."""
    from advice.models import Prompt
    from episodes.models import Episode, Remedy

    def make(patient, count: int) -> None:
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
                message="m",
                source="source article",
                shown_at=e.started_at,
            )
            for e in episodes
            if e.numbness
        )

    return make
