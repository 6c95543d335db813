"""Follow-up questions: answering them, their settings, and leaving the emails."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from backlog.accounts import has_verified_email
from backlog.roles import patients_only

from .. import followups
from ..contexts import waiting_context
from ..forms import FollowupPreferencesForm, ReliefAnswerForm
from ..models import Followup, FollowupAnswer, FollowupKind


def _own_followup(user, pk: int) -> Followup:
    followup = (
        Followup.objects.for_patient(user)
        .select_related("episode", "patient")
        .filter(pk=pk)
        .first()
    )
    if followup is None:
        raise Http404("No such question.")
    return followup


def _card_response(request: HttpRequest, message: str, *, form=None, form_for=None) -> HttpResponse:
    """htmx: the card again, with the message or the errors next to the fields; without
    JavaScript: back to the log page, or the question's own page with the errors."""
    if request.htmx:
        context = waiting_context(request.user, message=message, form=form, form_for=form_for)
        return render(request, "advice/_waiting.html", context)
    if form is not None:
        context = {
            "followup": form_for,
            **waiting_context(request.user, form=form, form_for=form_for, only=[form_for]),
        }
        return render(request, "advice/followup_answer.html", context)
    if message:
        messages.success(request, message)
    return redirect("home")


@require_POST
@vary_on_headers("HX-Request")
@patients_only
def followup_answer(request: HttpRequest, pk: int) -> HttpResponse:
    followup = _own_followup(request.user, pk)
    if followup.answered_at is not None:
        return _card_response(request, "That question was answered already.")
    if followup.kind == FollowupKind.RELIEF:
        form = ReliefAnswerForm(request.POST)
        if not form.is_valid():
            return _card_response(request, "", form=form, form_for=followup)
        followups.relief_answer(followup=followup, **form.cleaned_data)
        return _card_response(request, "Thank you: your answer is saved with the flare-up.")
    if followup.kind == FollowupKind.OVER:
        choice = request.POST.get("over")
        if choice not in ("yes", "no"):
            return _card_response(request, "Choose whether the flare-up is over.")
        over = choice == "yes"
        followups.over_answer(
            followup=followup,
            over=over,
            ended_on=followups.ended_on_choice(followup) if over else None,
        )
        return _card_response(
            request,
            "Marked as over. We hope you feel better."
            if over
            else "Thank you: we will ask again tomorrow.",
        )
    if request.POST.get("answer") != FollowupAnswer.QUIET:
        return _card_response(request, "Choose an answer.")
    followups.checkin_answer(followup=followup, answer=FollowupAnswer.QUIET)
    return _card_response(request, "Thank you: a week with no flare-up is saved.")


@require_http_methods(["GET"])
@patients_only
def followup_answer_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A question on its own page (the link a follow-up email or the card leads to)."""
    followup = _own_followup(request.user, pk)
    context = {"followup": followup, **waiting_context(request.user, only=[followup])}
    return render(request, "advice/followup_answer.html", context)


@require_http_methods(["GET", "POST"])
@patients_only
def followup_settings(request: HttpRequest) -> HttpResponse:
    preferences = followups.preferences_for(request.user)
    form = FollowupPreferencesForm(request.POST or None, instance=preferences)
    if request.method == "POST" and form.is_valid():
        preferences = form.save()
        followups.checkin_plan(preferences=preferences)
        messages.success(request, "Follow-up settings saved.")
        return redirect("followup_settings")
    context = {"form": form, "email_verified": has_verified_email(request.user)}
    return render(request, "advice/followup_settings.html", context)


@login_not_required
@csrf_exempt  # mail clients' one-click POST carries no CSRF token; the signed token stands in
@require_http_methods(["GET", "POST"])
def followup_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe (RFC 8058: a POST from the mail client), or a page with a
    button; works without logging in. Turns follow-up emails off, nothing else."""
    patient = followups.patient_for_unsubscribe(token)
    if patient is None:
        return render(request, "advice/followup_unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        followups.email_turn_off(patient)
        return render(request, "advice/followup_unsubscribe.html", {"done": True})
    return render(request, "advice/followup_unsubscribe.html", {"token": token})
