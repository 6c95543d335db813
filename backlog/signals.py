"""Log lines for logins, logouts and failed logins, on the "backlog.accounts" logger.

They name people by user id (or, for a failed attempt, the email that was typed) and the
client's IP address; never a password, which Django has already masked in `credentials`.
"""

from __future__ import annotations

import logging

from allauth.account.signals import password_reset
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from .auth import attempted_email

log = logging.getLogger("backlog.accounts")


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return "-"
    # django-axes has already worked out the address (proxy headers included) for this request.
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR") or "-"


@receiver(user_logged_in, dispatch_uid="backlog.log_login")
def log_login(sender, request: HttpRequest | None, user, **kwargs) -> None:
    log.info("login user_id=%s ip=%s", user.pk, client_ip(request))


@receiver(user_logged_out, dispatch_uid="backlog.log_logout")
def log_logout(sender, request: HttpRequest | None, user, **kwargs) -> None:
    log.info("logout user_id=%s ip=%s", getattr(user, "pk", None), client_ip(request))


@receiver(user_login_failed, dispatch_uid="backlog.log_login_failed")
def log_login_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs):
    # Only the typed email, repr()-quoted so that a newline in it cannot forge a log line.
    email = attempted_email(None, credentials)
    log.warning("login failed email=%r ip=%s", email, client_ip(request))


@receiver(password_reset, dispatch_uid="backlog.end_sessions_on_password_reset")
def end_sessions_on_password_reset(sender, request: HttpRequest, user, **kwargs) -> None:
    """A reset password ends every session of that person, on every device: whoever knew
    the old password is out at once (their session rows are deleted, not just outdated)."""
    from allauth.usersessions.models import UserSession

    for session in UserSession.objects.filter(user_id=user.pk):
        session.end()
    log.info("password reset user_id=%s ip=%s", user.pk, client_ip(request))
