"""Sharing writes: consent given, redeemed and withdrawn; and leaving for good."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, time, timedelta
from importlib import import_module

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from backlog.models import User

from .models import Share

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud, typed by hand
CODE_LENGTH = 10
CODE_VALID_FOR = timedelta(days=14)


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def end_of_day(day: date | None, zone) -> datetime | None:
    """A share "until 3 May" lasts to the end of 3 May where the patient lives."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


@transaction.atomic
def share_with_clinician(*, patient: User, clinician: User, expires_on: date | None) -> Share:
    """Share with a clinician's account; an existing live share just gets the new expiry."""
    expires_at = end_of_day(expires_on, patient.zone)
    share = Share.objects.live().filter(patient=patient, clinician=clinician).first()
    if share is not None:
        share.expires_at = expires_at
        share.save(update_fields=["expires_at"])
        return share
    return Share.objects.create(patient=patient, clinician=clinician, expires_at=expires_at)


@transaction.atomic
def share_code_create(*, patient: User, expires_on: date | None) -> tuple[Share, str]:
    """A one-time code for a clinician to redeem. Only its hash is stored."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    share = Share.objects.create(
        patient=patient,
        code_hash=hash_code(raw),
        code_expires_at=timezone.now() + CODE_VALID_FOR,
        expires_at=end_of_day(expires_on, patient.zone),
    )
    return share, f"{raw[:5]}-{raw[5:]}"


class CodeNotValid(Exception):
    pass


@transaction.atomic
def share_code_redeem(*, clinician: User, code: str) -> Share:
    share = (
        Share.objects.pending_codes().select_for_update().filter(code_hash=hash_code(code)).first()
    )
    if share is None:
        raise CodeNotValid("That code is not valid. It may be mistyped, used, revoked or expired.")
    existing = Share.objects.live().filter(patient=share.patient, clinician=clinician).first()
    if existing is not None:
        # One live share per clinician and patient: the newer consent replaces the older.
        existing.revoked_at = timezone.now()
        existing.save(update_fields=["revoked_at"])
    share.clinician = clinician
    share.redeemed_at = timezone.now()
    share.code_hash = ""  # one time only
    share.save(update_fields=["clinician", "redeemed_at", "code_hash"])
    return share


@transaction.atomic
def share_revoke(*, share: Share) -> Share:
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
    return share


def session_keys_of(user: User) -> list[str]:
    """Every stored session signed in as this user (on any device), expired ones included.

    Sessions do not index their user, so each is decoded; they end after 30 idle minutes,
    so the table holds few besides the expired ones `clearsessions` has not removed yet.
    """
    user_id = str(user.pk)
    return [
        session.session_key
        for session in Session.objects.only("session_key", "session_data").iterator(2000)
        if str(session.get_decoded().get(SESSION_KEY)) == user_id
    ]


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete the person and everything of theirs, and sign out every device they used; only
    access-log rows (no health data) remain, since they name people by id, not by foreign
    key."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in session_keys_of(user):
        store(session_key=key).delete()
    AccessAttempt.objects.filter(username__iexact=user.email).delete()
    user.delete()
