"""Pages for one role only: anyone else gets a 404, as if the page did not exist.

A clinician's account logs no flare-ups and shares nothing; a patient opens no clinician page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def _only(role_check: Callable[[object], bool], message: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not role_check(request.user):
                raise Http404(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


patients_only = _only(lambda user: getattr(user, "is_patient", False), "This page is for patients.")
clinicians_only = _only(
    lambda user: getattr(user, "is_clinician", False), "This page is for clinicians."
)
