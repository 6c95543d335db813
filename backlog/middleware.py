import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
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
        return get_response(request)

    return middleware
