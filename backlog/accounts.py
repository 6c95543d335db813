"""What other parts of backlog may ask about an account: is the address verified, does the
person have a second factor. Plain functions; any app may import them."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from .models import SECOND_FACTOR_TYPES


def has_verified_email(user) -> bool:
    """True when the account's own address has been verified (sharing with a clinician and
    reminders need it: backlog never sends a person's messages to an unproven address)."""
    if user is None or not user.is_authenticated:
        return False
    return EmailAddress.objects.filter(user_id=user.pk, email=user.email, verified=True).exists()


def has_second_factor(user) -> bool:
    """True when the person has a TOTP authenticator or a passkey/security key.

    The signed-in user comes annotated (backlog.auth.EmailBackend), so this costs no query.
    """
    if user is None or not user.is_authenticated:
        return False
    known = getattr(user, "has_second_factor_now", None)
    if known is not None:
        return bool(known)
    return Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTOR_TYPES).exists()


def vouch_for_email(user) -> None:
    """Record the account's address as verified without an email round trip: for accounts an
    administrator makes for someone they know (createclinician) and the demo accounts."""
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"primary": True, "verified": True}
    )
