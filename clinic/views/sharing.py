"""The patient's side of consent: share with a clinician, stop sharing, see who looked."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from backlog.access_log import patient_log_page
from backlog.accounts import has_verified_email
from backlog.roles import patients_only

from .. import services
from ..forms import ShareByEmailForm, ShareCodeForm
from ..models import Share


def log_context(patient, before: int | None = None) -> dict:
    """A page of the access log (reads, and grouped refused attempts), newest first."""
    page = patient_log_page(patient.pk, before)
    return {"log_lines": page.lines, "log_older": page.older, "log_is_first": page.is_first}


def sharing_context(patient, *, before: int | None = None, **extra) -> dict:
    shares = list(
        Share.objects.filter(patient=patient).select_related("clinician").order_by("-created_at")
    )
    return {
        "shares": shares,
        **log_context(patient, before),
        "email_form": ShareByEmailForm(patient=patient),
        "code_form": ShareCodeForm(),
        "email_verified": has_verified_email(patient),
        **extra,
    }


def cursor(value: str | None) -> int | None:
    """The `before` of a query string: an event id, or None when missing or not one."""
    if value is None or not value.isdigit() or len(value) > 18:
        return None
    return int(value)


VERIFY_FIRST = "Verify your email address first: sharing needs an address we know is yours."


def refuse_unverified(request: HttpRequest) -> HttpResponse | None:
    """Sharing needs a verified address; without one the page says so (and offers to resend
    the verification email) and nothing is shared."""
    if has_verified_email(request.user):
        return None
    context = sharing_context(request.user, verify_error=VERIFY_FIRST)
    return render(request, "clinic/sharing.html", context, status=403)


@require_GET
@vary_on_headers("HX-Request")
@patients_only
def sharing(request: HttpRequest) -> HttpResponse:
    before = cursor(request.GET.get("before"))
    if request.htmx:
        context = log_context(request.user, before)
        return render(request, "clinic/sharing.html#log_lines", context)
    return render(request, "clinic/sharing.html", sharing_context(request.user, before=before))


@require_POST
@patients_only
def share_by_email(request: HttpRequest) -> HttpResponse:
    if refused := refuse_unverified(request):
        return refused
    form = ShareByEmailForm(request.POST, patient=request.user)
    if not form.is_valid():
        context = sharing_context(request.user, email_form=form)
        return render(request, "clinic/sharing.html", context)
    services.share_with_clinician(
        patient=request.user, clinician=form.clinician, expires_on=form.cleaned_data["expires_on"]
    )
    messages.success(request, f"Your history is now shared with {form.clinician.email}.")
    return redirect("sharing")


@require_POST
@patients_only
def share_code(request: HttpRequest) -> HttpResponse:
    if refused := refuse_unverified(request):
        return refused
    form = ShareCodeForm(request.POST)
    if not form.is_valid():
        return render(request, "clinic/sharing.html", sharing_context(request.user, code_form=form))
    _, code = services.share_code_create(
        patient=request.user, expires_on=form.cleaned_data["expires_on"]
    )
    # Shown once, on this response only: the code is never stored, only its hash.
    context = sharing_context(request.user, new_code=code)
    return render(request, "clinic/sharing.html", context)


@require_POST
@patients_only
def share_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    share = get_object_or_404(Share, pk=pk, patient=request.user)
    services.share_revoke(share=share)
    messages.success(request, "Sharing stopped. They can no longer see your history.")
    return redirect("sharing")
