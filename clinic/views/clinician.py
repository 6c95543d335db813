"""The clinician's pages: who shares with them, a patient's summary, history and flare-ups."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from advice.contexts import detail_context
from backlog.attempts import AttemptLimit, client_address
from backlog.roles import clinicians_only
from episodes.access import record_access
from episodes.models import Episode
from episodes.paging import history_page, page_number
from episodes.reports import local_today, trend_report

from .. import services
from ..access import get_readable_patient, get_shared_episode, mark_viewed
from ..forms import PatientListForm, RedeemForm, SummaryPeriodForm
from ..models import Share
from ..patient_list import patient_page
from ..pdf import html_to_pdf
from ..summary import (
    DEFAULT_PERIOD,
    PERIODS,
    Period,
    build_summary,
    changes_since,
    verdicts_of,
)

# A share code is 10 characters from 31 (about 49.5 bits); this keeps guessing hopeless.
SHARE_CODE_LIMIT = AttemptLimit("share-code", failures=5, window=timedelta(minutes=15))
TOO_MANY_CODES = (
    "Too many wrong codes from your account or this network. Wait 15 minutes, then try "
    "again; ask your patient for a new code if this one keeps failing."
)


def patients_context(clinician, query: QueryDict, redeem_form: RedeemForm | None = None) -> dict:
    form = PatientListForm(query or None)
    chosen = form.values()
    page = patient_page(clinician, **chosen)
    kept = {"show": chosen["show"], "q": chosen["search"]}
    return {
        "page": page,
        "filter_form": form,
        "show": chosen["show"],
        "search": chosen["search"],
        "next_query": urlencode({**kept, "page": page.number + 1}),
        "previous_query": urlencode({**kept, "page": page.number - 1}),
        "filters": [
            (value, label, urlencode({"show": value, "q": chosen["search"]}))
            for value, label in PatientListForm.base_fields["show"].choices
        ],
        "redeem_form": redeem_form or RedeemForm(),
    }


@require_GET
@vary_on_headers("HX-Request")
@clinicians_only
def patients(request: HttpRequest) -> HttpResponse:
    context = patients_context(request.user, request.GET)
    # htmx asks for the next page's rows, which take the place of the "more" row.
    template = "clinic/patients.html#rows" if request.htmx else "clinic/patients.html"
    return render(request, template, context)


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
    context = patients_context(request.user, QueryDict(), form)
    return render(request, "clinic/patients.html", context, status=status)


def chosen_period(query: QueryDict, today) -> tuple[Period, SummaryPeriodForm]:
    """The period asked for: a named one (3, 6, 12 months, all), or from and to dates;
    otherwise the last 6 months."""
    form = SummaryPeriodForm(query if ("start" in query or "end" in query) else None)
    key = query.get("period", "")
    if key in PERIODS:
        return Period.named(key, today), form
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"] or today
        if start is not None or end != today:
            start = start or end - (today - Period.named(DEFAULT_PERIOD, today).start)
            label = f"{start:%-d %b %Y} to {end:%-d %b %Y}"
            return Period("custom", label, start, end), form
    return Period.named(DEFAULT_PERIOD, today), form


def summary_context(request: HttpRequest, patient, share: Share | None) -> dict:
    timezone.activate(patient.zone)  # the patient's local days, whoever reads them
    today = local_today(patient)
    period, form = chosen_period(request.GET, today)
    report = trend_report(patient)
    version = Episode.objects.for_patient(patient).version()
    changes = None
    if share is not None and share.last_viewed_at is not None and not request.htmx:
        changes = changes_since(patient, share.last_viewed_at, share.seen_verdicts, report)
    base = reverse("patient_summary", args=[patient.pk])
    period_query = (
        {"period": period.key}
        if period.key in PERIODS
        else {"start": period.start.isoformat(), "end": period.end.isoformat()}
    )
    return {
        "patient": patient,
        "share": share,
        "today": today,
        "printed_at": timezone.localtime(timezone.now(), patient.zone),
        "period": period,
        "period_form": form,
        "periods": [
            (key, label, f"{base}?period={key}", key == period.key)
            for key, (label, _) in PERIODS.items()
        ],
        "pdf_url": reverse("patient_summary_pdf", args=[patient.pk])
        + "?"
        + urlencode(period_query),
        "summary": build_summary(patient, period, today, report, version),
        "report": report,
        "changes": changes,
    }


@require_GET
@vary_on_headers("HX-Request")
def summary(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The pre-visit summary: for a sharing patient's clinician, and for the patient."""
    patient, share = get_readable_patient(request.user, patient_id, action="summary")
    context = summary_context(request, patient, share)
    template = "clinic/summary.html#period" if request.htmx else "clinic/summary.html"
    response = render(request, template, context)
    if share is not None:
        mark_viewed(share, verdicts_of(context["report"]))
    return response


@require_GET
def summary_pdf(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The same period's summary as a PDF, from the page's own print layout."""
    patient, share = get_readable_patient(request.user, patient_id, action="summary pdf")
    context = {**summary_context(request, patient, share), "as_pdf": True}
    html = render_to_string("clinic/summary.html", context, request=request)
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    filename = f"backlog-summary-{patient.pk}-{context['today'].isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    if share is not None:
        mark_viewed(share, verdicts_of(context["report"]))
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
