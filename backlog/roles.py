"""Pages for one role only: anyone else gets a 404, as if the page did not exist.

A clinician's account logs no flare-ups and shares nothing; a patient opens no clinician page.
A clinician without a second factor is taken to set one up before any clinician page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from .accounts import has_second_factor

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
_clinician_role = _only(
    lambda user: getattr(user, "is_clinician", False), "This page is for clinicians."
)

SECOND_FACTOR_NEEDED = (
    "Patients' health data needs a second factor: set up an authenticator app or a passkey "
    "before you open any patient's history."
)


def clinicians_only(view: View) -> View:
    @wraps(view)
    def needs_second_factor(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not has_second_factor(request.user):
            messages.warning(request, SECOND_FACTOR_NEEDED)
            return redirect("mfa_index")
        return view(request, *args, **kwargs)

    return _clinician_role(needs_second_factor)
