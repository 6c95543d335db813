"""How a person is authenticated: allauth's backend by email, and the one name under which
django-axes counts failed attempts."""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model

from .models import normalise_email


class EmailBackend(AuthenticationBackend):
    """allauth's email backend; the signed-in user is loaded with whether they have a second
    factor, in the same query (see backlog.accounts.has_second_factor)."""

    def get_user(self, user_id):
        user = get_user_model()._default_manager.with_second_factor().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


def attempted_email(request, credentials: dict | None = None) -> str:
    """The address a log-in attempt was for, normalised like stored addresses, so that
    "Pat@Example.com" and "pat@example.com " share one counter.

    allauth authenticates with `email`, the admin and other callers with `username`, and
    allauth's form posts `login`.
    """
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value and request is not None:
        data = getattr(request, "POST", None) or {}
        value = data.get("login") or data.get("username") or data.get("email")
    return normalise_email(str(value or ""))[:254]
