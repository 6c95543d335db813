"""The clinician's pages: who shares with them, a patient's summary, history and flare-ups."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from advice.chart_advice import charts_since
from advice.contexts import detail_context
from advice.models import Prompt
from advice.rules import SEEK_CARE_LEVELS
from backlog.attempts import AttemptLimit, client_address
from backlog.roles import clinicians_only
from episodes.access import record_access
from episodes.models import Episode
from episodes.paging import history_page, page_number
from episodes.reports import local_today, trend_report, trend_rows

from .. import services
from ..access import get_readable_patient, get_shared_episode, mark_viewed
from ..forms import RedeemForm, SummaryPeriodForm
from ..models import Share
from ..summary import build_summary

DEFAULT_PERIOD = timedelta(days=182)
# A share code is 10 characters from 31 (about 49.5 bits); this keeps guessing hopeless.
SHARE_CODE_LIMIT = AttemptLimit("share-code", failures=5, window=timedelta(minutes=15))
TOO_MANY_CODES = (
    "Too many wrong codes from your account or this network. Wait 15 minutes, then try "
    "again; ask your patient for a new code if this one keeps failing."
)
COMPACT_CHARTS = ("intensity", "frequency")


def flagged_prompts():
    """Emergency/urgent prompts shown to the share's patient since the clinician last looked
    (or since the share began), newest first; for use as a subquery on shares."""
    return Prompt.objects.filter(
        episode__patient=OuterRef("patient"),
        level__in=SEEK_CARE_LEVELS,
        shown_at__gt=OuterRef("seen_since"),
    )


def patients_context(clinician, redeem_form: RedeemForm | None = None) -> dict:
    flagged = flagged_prompts()
    shares = (
        Share.objects.live()
        .filter(clinician=clinician)
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
    return {"shares": shares, "redeem_form": redeem_form or RedeemForm()}


@require_GET
@clinicians_only
def patients(request: HttpRequest) -> HttpResponse:
    return render(request, "clinic/patients.html", patients_context(request.user))


@require_POST
@clinicians_only
def redeem(request: HttpRequest) -> HttpResponse:
    form = RedeemForm(request.POST)
    # Per account and per address, so that neither many accounts nor many addresses help.
    keys = [f"clinician:{request.user.pk}", f"address:{client_address(request)}"]
    status = 200
    if SHARE_CODE_LIMIT.locked(keys):
        # Checked before the code: while locked, even a right code is refused.
        record_access(request.user, None, "redeem code (locked)", allowed=False)
        form.is_valid()
        form.add_error("code", TOO_MANY_CODES)
        status = 429
    elif form.is_valid():
        try:
            share = services.share_code_redeem(
                clinician=request.user, code=form.cleaned_data["code"]
            )
        except services.CodeNotValid as error:
            SHARE_CODE_LIMIT.failed(keys)
            record_access(request.user, None, "redeem code", allowed=False)
            form.add_error("code", str(error))
        else:
            SHARE_CODE_LIMIT.clear(keys[0])
            messages.success(request, f"{share.patient.email} now shares their history with you.")
            return redirect("clinician_patients")
    # The list stays on screen beside the error: a typo hides nobody.
    context = patients_context(request.user, form)
    return render(request, "clinic/patients.html", context, status=status)


@require_GET
def summary(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The one-page summary: for a sharing patient's clinician, and for the patient."""
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
    context = {**history_page(patient, page_number(request.GET), url=url), "owner": patient}
    template = "advice/history.html#rows" if request.htmx else "advice/history.html"
    return render(request, template, context)


@require_GET
def episode(request: HttpRequest, patient_id: int, pk: int) -> HttpResponse:
    """One flare-up of a sharing patient, read-only, in the patient's local time."""
    found, _ = get_shared_episode(request.user, patient_id, pk)
    timezone.activate(found.patient.zone)
    context = {**detail_context(found), "shared": True}
    return render(request, "advice/episode_detail.html", context)
