"""The patient's side of consent: share with a clinician, stop sharing, see who looked."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from backlog.accounts import has_verified_email
from backlog.models import AccessEvent, Role
from backlog.roles import patients_only

from .. import services
from ..forms import ShareByEmailForm, ShareCodeForm
from ..models import Share


def sharing_context(patient, **extra) -> dict:
    shares = list(
        Share.objects.filter(patient=patient).select_related("clinician").order_by("-created_at")
    )
    # Reads by clinicians, and clinicians' refused attempts. Another patient's refused
    # attempt stays in the audit log only: it would show them a stranger's email.
    looks = (
        AccessEvent.objects.filter(patient_ref=patient.pk)
        .filter(Q(allowed=True) | Q(actor_role=Role.CLINICIAN))
        .order_by("-at")[:100]
    )
    return {
        "shares": shares,
        "looks": looks,
        "email_form": ShareByEmailForm(patient=patient),
        "code_form": ShareCodeForm(),
        "email_verified": has_verified_email(patient),
        **extra,
    }


VERIFY_FIRST = "Verify your email address first: sharing needs an address we know is yours."


def refuse_unverified(request: HttpRequest) -> HttpResponse | None:
    """Sharing needs a verified address; without one the page says so (and offers to resend
    the verification email) and nothing is shared."""
    if has_verified_email(request.user):
        return None
    context = sharing_context(request.user, verify_error=VERIFY_FIRST)
    return render(request, "clinic/sharing.html", context, status=403)


@require_GET
@patients_only
def sharing(request: HttpRequest) -> HttpResponse:
    return render(request, "clinic/sharing.html", sharing_context(request.user))


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
