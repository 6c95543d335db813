"""Factory fixtures shared by every test. Pure-module tests use none of them."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import PASSWORD, bulk_history, give_totp, verify_email

_emails = itertools.count(1)


@pytest.fixture(autouse=True)
def no_cache_warming_thread(settings):
    """Warming the cache in a thread after a write (advice.services.cache_warm_later) would
    outlive a test's database; the tests that check it turn it back on."""
    settings.CACHE_WARM_AFTER_WRITE = False


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (ids are reused once a test's rows roll back)."""
    from django.core.cache import cache

    from episodes import reports

    cache.clear()
    reports._INPUTS.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def password_hash() -> str:
    """PASSWORD hashed once with the real (Argon2) hasher: hashing is slow on purpose."""
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


@pytest.fixture
def make_user(db, password_hash):
    """An account as people have them: a verified address, the current privacy notice agreed
    to, and for clinicians an authenticator app (TOTP, tests.factories.TOTP_SECRET).
    `verified=False`, `second_factor=False`, `agreed=False` make one without."""
    from django.conf import settings

    from backlog.models import User

    def make(
        email: str | None = None,
        *,
        role: str = "patient",
        tz: str = "UTC",
        verified: bool = True,
        second_factor: bool | None = None,
        agreed: bool = True,
        **extra,
    ):
        email = email or f"person{next(_emails)}@example.com"
        if agreed:
            extra.setdefault("privacy_version", settings.PRIVACY_NOTICE_VERSION)
            extra.setdefault("privacy_agreed_at", timezone.now())
        user = User.objects.create(
            email=email, password=password_hash, role=role, timezone=tz, **extra
        )
        verify_email(user, verified=verified)
        if second_factor if second_factor is not None else role == "clinician":
            give_totp(user)
        return user

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
    """Create a flare-up straight through the service layer (no advice recorded; the
    patient's status row is refreshed, as every write path does)."""
    from advice.status import patient_status_refresh
    from episodes.services import episode_create

    def make(patient, *, remedies=None, **fields):
        fields.setdefault("started_at", timezone.now() - timedelta(hours=1))
        fields.setdefault("intensity", 5)
        fields.setdefault("side", "left")
        episode = episode_create(patient=patient, remedies=remedies or {}, **fields)
        patient_status_refresh(patient=patient)
        return episode

    return make


@pytest.fixture
def patient_client(client, patient):
    client.force_login(patient)
    return client


@pytest.fixture
def make_long_history(db):
    """`count` daily flare-ups ending yesterday, written in bulk (see tests.factories)."""
    return bulk_history
