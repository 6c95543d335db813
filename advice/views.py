"""Pages that combine flare-ups with the advice that answers them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from episodes.access import get_own_episode, get_readable_episode, own_episodes
from episodes.analysis import DEFAULT_RANGE, RANGES, trend_report, trend_rows
from episodes.forms import FullEpisodeForm, QuickLogForm
from episodes.models import Episode
from episodes.views import history_page

from . import guidance, services
from .models import Prompt
from .rules import DISCLAIMER, LEVEL_MEANING, trend_prompts
from .trends_page import trends_charts


def advice_context(episode: Episode | None, prompts: list | None = None) -> dict:
    if episode is not None and prompts is None:
        prompts = Prompt.objects.latest_for(episode)
    return {
        "advised_episode": episode,
        "prompts": prompts or [],
        "disclaimer": DISCLAIMER,
    }


def trends_context(user) -> dict:
    report = trend_report(user)
    return {
        "report": report,
        "trend_rows": trend_rows(report),
        "trend_prompts": trend_prompts(report),
    }


def dashboard_context(user) -> dict:
    history = history_page(user, 1, url=reverse("history"))
    latest = history["episodes"][0] if history["episodes"] else None
    return {**history, **advice_context(latest), **trends_context(user)}


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
        **trends_context(request.user),
        **advice_context(episode, prompts),
        "form": QuickLogForm(),
        "just_logged": True,
        "new_row": None if redraw_history else episode,
    }
    if redraw_history:
        context.update(history_page(request.user, 1, url=reverse("history")))
    return render(request, "advice/quick_log_done.html", context)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def episode_new(request: HttpRequest) -> HttpResponse:
    form = FullEpisodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        episode, prompts = services.episode_log(
            patient=request.user, remedies=form.remedies, **form.episode_fields
        )
        return saved_response(request, episode, prompts)
    return form_response(request, form, episode=None)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def episode_edit(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_own_episode(request.user, pk)
    form = FullEpisodeForm(request.POST or None, instance=episode)
    if request.method == "POST" and form.is_valid():
        episode, prompts = services.episode_revise(
            episode=episode, remedies=form.remedies, **form.episode_fields
        )
        return saved_response(request, episode, prompts)
    return form_response(request, form, episode=episode)


def form_response(request: HttpRequest, form, *, episode: Episode | None) -> HttpResponse:
    template = "episodes/episode_form.html"
    if request.htmx and request.method == "POST":
        template += "#form"
    return render(request, template, {"form": form, "episode": episode})


def saved_response(request: HttpRequest, episode: Episode, prompts: list) -> HttpResponse:
    """After a save: the flare-up with its advice, most urgent first (htmx), or a redirect."""
    url = reverse("episode_detail", args=[episode.pk])
    if not request.htmx:
        return redirect(url)
    response = render(
        request,
        "advice/episode_detail.html#content",
        {**detail_context(episode, prompts), "just_saved": True},
    )
    response["HX-Push-Url"] = url
    response["HX-Retarget"] = "#content"
    response["HX-Reswap"] = "innerHTML show:window:top"
    return response


def detail_context(episode: Episode, prompts: list | None = None) -> dict:
    history = list(Prompt.objects.filter(episode=episode).order_by("-shown_at", "rank"))
    if prompts is None:
        prompts = [p for p in history if p.shown_at == history[0].shown_at]
    return {**advice_context(episode, prompts), "episode": episode, "prompt_history": history}


@require_GET
def episode_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The patient's own flare-up, or (read-only) a sharing patient's for their clinician."""
    episode, share = get_readable_episode(request.user, pk)
    if share is not None:
        # A flare-up belongs to the patient's local day, for their clinician too.
        timezone.activate(episode.patient.zone)
    context = {**detail_context(episode), "shared": share is not None}
    return render(request, "advice/episode_detail.html", context)


@require_GET
def guidance_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "advice/guidance.html",
        {
            "movement": guidance.MOVEMENT,
            "stretches": guidance.STRETCHES,
            "stop_rules": guidance.STOP_RULES,
            "disclaimer": DISCLAIMER,
            "level_meaning": LEVEL_MEANING,
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def trends(request: HttpRequest) -> HttpResponse:
    range_key = request.GET.get("range", DEFAULT_RANGE)
    if range_key not in RANGES:
        range_key = DEFAULT_RANGE
    context = {
        "charts": trends_charts(request.user, range_key),
        "ranges": [(key, label) for key, (label, _) in RANGES.items()],
        "range_key": range_key,
        "disclaimer": DISCLAIMER,
    }
    template = "advice/trends.html#charts" if request.htmx else "advice/trends.html"
    return render(request, template, context)
