import re
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

Handler = Callable[[HttpRequest], HttpResponse]


def user_timezone(get_response: Handler) -> Handler:
    """Show and read times in the signed-in person's own zone (stored in UTC)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(user.zone)
        else:
            timezone.deactivate()
        try:
            return get_response(request)
        finally:
            timezone.deactivate()

    return middleware


def htmx_redirects(get_response: Handler) -> Handler:
    """Turn a redirect answering an htmx request into a full-page navigation.

    Without this, htmx would follow the redirect itself and swap a whole page (the login page
    after a session expired, say) into a small region of the current one.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if getattr(request, "htmx", False) and response.status_code in (301, 302, 303):
            location = response["Location"]
            response = HttpResponse(status=204)
            response["HX-Redirect"] = location
        return response

    return middleware


# C0 control characters and DEL, except tab, which HTTP allows inside a header value.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def clean_headers(get_response: Handler) -> Handler:
    """Strip control characters (NUL...) from every request header value.

    Servers such as gunicorn refuse them, others pass them on; django-axes and the sessions
    list store the User-Agent, and PostgreSQL refuses NUL in text, which would turn a wrong
    password into an error page and leave it uncounted.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        meta = request.META
        for key, value in list(meta.items()):
            if (
                key.startswith("HTTP_")
                and isinstance(value, str)
                and CONTROL_CHARACTERS.search(value)
            ):
                meta[key] = CONTROL_CHARACTERS.sub("", value)
        return get_response(request)

    return middleware


SESSION_RENEW_AFTER = 60  # seconds


def idle_timeout(get_response: Handler) -> Handler:
    """Keep an active session alive: renew its expiry (SESSION_COOKIE_AGE) once a minute.

    Saving on every request would cost a database write per page view; once a minute is
    close enough for a 30-minute idle timeout.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        session = request.session
        if session.session_key is not None and request.user.is_authenticated:
            now = int(time.time())
            if now - session.get("_renewed", 0) >= SESSION_RENEW_AFTER:
                session["_renewed"] = now
                seen(request)
        return get_response(request)

    return middleware


def seen(request: HttpRequest) -> None:
    """Settings > Sessions: when this session was last used (one UPDATE a minute)."""
    from allauth.account.adapter import get_adapter
    from allauth.usersessions.models import UserSession

    key, user_id, now = request.session.session_key, request.user.pk, timezone.now()
    if UserSession.objects.filter(session_key=key, user_id=user_id).update(last_seen_at=now):
        return
    # A session not started by allauth's log-in (one from before the sessions list existed):
    # listed from now on, so that "log out everywhere else" reaches it too.
    longest = UserSession._meta.get_field("user_agent").max_length
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:longest]
    UserSession.objects.bulk_create(
        [
            UserSession(
                user_id=user_id,
                session_key=key,
                ip=get_adapter().get_client_ip(request),
                user_agent=user_agent,
                last_seen_at=now,
            )
        ],
        ignore_conflicts=True,
    )


class PrivacyConsentMiddleware:
    """A patient who has not agreed to the current privacy notice (new version, or an account
    from before there was one) is asked to first; their data stays as it is meanwhile, and
    they can still read the notice, export their data, delete their account or log out."""

    ALLOWED = frozenset(
        {
            "privacy",
            "privacy_agree",
            "account_logout",
            "logout",
            "my_export",
            "account_delete",
            "healthz",
        }
    )

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, args, kwargs) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_patient:
            return None
        if user.privacy_version == settings.PRIVACY_NOTICE_VERSION:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in self.ALLOWED:
            return None
        target = reverse("privacy_agree")
        if request.method == "GET":
            target = f"{target}?{urlencode({'next': request.get_full_path()})}"
        return redirect(target)
