"""The home page and the quick log on it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from backlog.roles import patients_only
from episodes.access import own_episodes
from episodes.forms import QuickLogForm

from .. import services
from ..contexts import advice_context, dashboard_context, own_history_page, verdicts_context


@login_not_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "landing.html")
    if request.user.is_clinician:
        return redirect("clinician_patients")
    context = dashboard_context(request.user)
    context["form"] = QuickLogForm()
    return render(request, "advice/home.html", context)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@patients_only
def quick_log(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        # Reached by logging in again after a session ran out mid-log: the form is at home.
        return redirect("home")
    form = QuickLogForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return render(request, "advice/home.html#log_panel", {"form": form})
        context = dashboard_context(request.user)
        return render(request, "advice/home.html", {**context, "form": form})
    fields = form.episode_fields
    replayed = services.logged_before(request.user, fields["client_token"]) is not None
    episode, prompts = services.episode_log(patient=request.user, remedies=form.remedies, **fields)
    if not request.htmx:
        return redirect("episode_detail", pk=episode.pk)
    # The new row goes on top of the history on screen; a replayed submission, or a first
    # flare-up (there is no list on screen yet), redraws the history instead.
    redraw_history = replayed or not own_episodes(request.user).exclude(pk=episode.pk).exists()
    context = {
        **verdicts_context(request.user),
        **advice_context(episode, prompts),
        "form": QuickLogForm(),
        "just_logged": True,
        "new_row": None if redraw_history else episode,
    }
    if redraw_history:
        context.update(own_history_page(request.user))
    return render(request, "advice/quick_log_done.html", context)
