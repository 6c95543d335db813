"""backlog's adjustments to allauth: one client address for every counter, email failures
that never break a page, the sign-up's extra fields, and where people land."""

from __future__ import annotations

import logging
import smtplib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.http import HttpRequest

log = logging.getLogger("backlog.accounts")


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "The email address or password is not right.",
        "email_taken": "An account with this email address already exists. Log in instead.",
    }

    def get_client_ip(self, request: HttpRequest) -> str:
        # The address django-axes locks (TRUSTED_PROXY_COUNT decides whether a proxy's
        # X-Forwarded-For is believed): allauth's rate limits and the sessions list agree.
        address = get_client_ip_address(request) or request.META.get("REMOTE_ADDR")
        return address or "0.0.0.0"  # noqa: S104  (no address at all: one shared bucket)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # A mail server that is down must not turn a sign-up or a reset into an error page;
        # the operator sees it in the log (which names the kind of email, never its content).
        try:
            super().send_mail(template_prefix, email, context)
        except (smtplib.SMTPException, OSError) as error:
            log.error(
                "email not sent kind=%s error=%s",
                template_prefix.rsplit("/", 1)[-1],
                type(error).__name__,
            )

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        user.timezone = data.get("timezone") or "UTC"
        if data.get("privacy_consent"):
            user.agree_to_privacy_notice(settings.PRIVACY_NOTICE_VERSION)
        if commit:
            user.save()
        return user


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_issuer(self) -> str:
        return "backlog"

    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        entity = super().get_public_key_credential_rp_entity()
        entity["name"] = "backlog"
        return entity
