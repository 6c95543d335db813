"""Sharing (the patient's side) and the clinician's pages."""

from __future__ import annotations

import json
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from advice.models import Prompt
from advice.trends_page import charts_since
from backlog.models import AccessEvent, Role, Share
from episodes.access import get_readable_patient, mark_viewed
from episodes.analysis import local_today, trend_report, trend_rows
from episodes.models import Episode
from episodes.views import history_page, page_number

from . import exports, services
from .forms import DeleteAccountForm, RedeemForm, ShareByEmailForm, ShareCodeForm, SummaryPeriodForm
from .forms_import import ImportForm
from .imports import history_import
from .summary import SEEK_CARE_LEVELS, build_summary

DEFAULT_PERIOD = timedelta(days=182)
COMPACT_CHARTS = ("intensity", "frequency")


def patients_only(request: HttpRequest) -> None:
    if not request.user.is_patient:
        raise Http404("Only patients share their own history.")


def clinicians_only(request: HttpRequest) -> None:
    if not request.user.is_clinician:
        raise Http404("This page is for clinicians.")


# --- The patient's side ---------------------------------------------------------------------


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
        **extra,
    }


@require_GET
def sharing(request: HttpRequest) -> HttpResponse:
    patients_only(request)
    return render(request, "clinic/sharing.html", sharing_context(request.user))


@require_POST
def share_by_email(request: HttpRequest) -> HttpResponse:
    patients_only(request)
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
def share_code(request: HttpRequest) -> HttpResponse:
    patients_only(request)
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
def share_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    patients_only(request)
    share = get_object_or_404(Share, pk=pk, patient=request.user)
    services.share_revoke(share=share)
    messages.success(request, "Sharing stopped. They can no longer see your history.")
    return redirect("sharing")


@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.account_delete(user=user)
        messages.success(request, "Your account and all your data have been deleted.")
        return redirect("home")
    return render(request, "clinic/account_delete.html", {"form": form})


# --- The clinician's side -------------------------------------------------------------------


def flagged_prompts():
    """Emergency/urgent prompts shown to the share's patient since the clinician last looked
    (or since the share began), newest first; for use as a subquery on shares."""
    return Prompt.objects.filter(
        episode__patient=OuterRef("patient"),
        level__in=SEEK_CARE_LEVELS,
        shown_at__gt=OuterRef("seen_since"),
    )


@require_GET
def patients(request: HttpRequest) -> HttpResponse:
    clinicians_only(request)
    flagged = flagged_prompts()
    shares = (
        Share.objects.live()
        .filter(clinician=request.user)
        .select_related("patient")
        .annotate(seen_since=Coalesce("last_viewed_at", "created_at"))
        .annotate(
            last_flare_up=Subquery(
                Episode.objects.filter(patient=OuterRef("patient"))
                .order_by("-started_at")
                .values("started_at")[:1]
            ),
            flagged_count=Coalesce(
                Subquery(
                    flagged.order_by()
                    .values("episode__patient")
                    .annotate(n=Count("id"))
                    .values("n")
                ),
                0,
            ),
            flagged_title=Subquery(flagged.order_by("-shown_at", "rank").values("title")[:1]),
            flagged_level=Subquery(flagged.order_by("-shown_at", "rank").values("level")[:1]),
            flagged_at=Subquery(flagged.order_by("-shown_at", "rank").values("shown_at")[:1]),
        )
        .order_by("patient__email")
    )
    return render(request, "clinic/patients.html", {"shares": shares, "redeem_form": RedeemForm()})


@require_POST
def redeem(request: HttpRequest) -> HttpResponse:
    clinicians_only(request)
    form = RedeemForm(request.POST)
    if form.is_valid():
        try:
            share = services.share_code_redeem(
                clinician=request.user, code=form.cleaned_data["code"]
            )
        except services.CodeNotValid as error:
            form.add_error("code", str(error))
        else:
            messages.success(request, f"{share.patient.email} now shares their history with you.")
            return redirect("clinician_patients")
    return render(request, "clinic/patients.html", {"shares": [], "redeem_form": form})


@require_GET
def summary(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient, share = get_readable_patient(request.user, patient_id, action="summary")
    timezone.activate(patient.zone)  # the patient's local days, whoever reads them
    today = local_today(patient)
    period = SummaryPeriodForm(request.GET or None)
    start = end = None
    if period.is_valid():
        start, end = period.cleaned_data["start"], period.cleaned_data["end"]
    end = end or today
    if start is None:
        last_look = share.last_viewed_at if share else None
        start = (
            timezone.localtime(last_look, patient.zone).date()
            if last_look
            else today - DEFAULT_PERIOD
        )
    report = trend_report(patient)
    compact = [chart for chart in charts_since(patient, start) if chart.key in COMPACT_CHARTS]
    context = {
        "charts": compact,
        "patient": patient,
        "share": share,
        "summary": build_summary(patient, start, end, today),
        "report": report,
        "trend_rows": trend_rows(report),
        "period": period,
        "today": today,
        "six_months_ago": today - DEFAULT_PERIOD,
        "year_ago": today - timedelta(days=365),
    }
    response = render(request, "clinic/summary.html", context)
    if share is not None:
        mark_viewed(share)
    return response


@require_GET
@vary_on_headers("HX-Request")
def history(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient, _ = get_readable_patient(request.user, patient_id, action="history")
    timezone.activate(patient.zone)
    url = reverse("clinician_history", args=[patient.pk])
    context = {**history_page(patient, page_number(request), url=url), "owner": patient}
    template = "episodes/history.html#rows" if request.htmx else "episodes/history.html"
    return render(request, template, context)


# --- Exports and import ----------------------------------------------------------------------

EXPORTS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json", "json"),
    "fhir": ("application/fhir+json", "fhir.json"),
}


@require_GET
def export(request: HttpRequest, patient_id: int, fmt: str) -> HttpResponse:
    """A patient's history as CSV, JSON or FHIR R4, for the patient or a shared clinician."""
    if fmt not in EXPORTS:
        raise Http404("No such export.")
    patient, _ = get_readable_patient(request.user, patient_id, action=f"export {fmt}")
    episodes = exports.export_queryset(patient)
    if fmt == "csv":
        body = exports.export_csv(patient, episodes)
    else:
        builder = exports.export_json if fmt == "json" else exports.export_fhir
        body = json.dumps(builder(patient, episodes), ensure_ascii=False, indent=1)
    content_type, extension = EXPORTS[fmt]
    response = HttpResponse(body.encode("utf-8"), content_type=content_type)
    filename = f"backlog-{patient.pk}-{local_today(patient).isoformat()}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def my_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return export(request, request.user.pk, fmt)


@require_http_methods(["GET", "POST"])
def import_history(request: HttpRequest) -> HttpResponse:
    patients_only(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = history_import(patient=request.user, data=form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(
                request,
                f"Imported {count} flare-up{'s' if count != 1 else ''}"
                + ("." if count else ": they were all here already."),
            )
            return redirect("history")
    return render(request, "clinic/import.html", {"form": form})
