"""One flare-up: log it with every detail, read it, edit it, mark it over, delete it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from backlog.roles import patients_only
from episodes.access import get_own_episode
from episodes.forms import FullEpisodeForm
from episodes.models import Episode

from .. import services
from ..contexts import detail_context
from ..form_layouts import full_form_helper


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@patients_only
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
    template = "advice/episode_form.html"
    if request.htmx and request.method == "POST":
        template += "#form"
    context = {"form": form, "episode": episode, "helper": full_form_helper()}
    return render(request, template, context)


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


@require_GET
def episode_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The patient's own flare-up (a clinician reads a shared one on the clinic's pages)."""
    episode = get_own_episode(request.user, pk, action="episode")
    return render(request, "advice/episode_detail.html", detail_context(episode))


@require_POST
def episode_end(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_own_episode(request.user, pk)
    if episode.is_over:
        messages.info(request, "This flare-up was already marked as over.")
    else:
        services.episode_finish(episode=episode)
        messages.success(request, "Marked as over. We hope you feel better.")
    return redirect("episode_detail", pk=episode.pk)


@require_http_methods(["GET", "POST"])
def episode_delete(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_own_episode(request.user, pk)
    if request.method == "POST":
        services.episode_remove(episode=episode)
        messages.success(request, "The flare-up was deleted.")
        return redirect("history")
    return render(request, "advice/episode_confirm_delete.html", {"episode": episode})
