"""A flare-up's pain readings: add, change, delete (plain forms; no JavaScript needed)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from episodes import services as episode_services
from episodes.access import get_own_episode
from episodes.forms import ReadingForm

from ..status import patient_status_refresh


def _own_reading(episode, reading_pk: int):
    reading = episode.readings.filter(pk=reading_pk).first()
    if reading is None:
        raise Http404("No such reading.")
    reading.episode = episode
    return reading


@require_http_methods(["GET", "POST"])
def reading_new(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_own_episode(request.user, pk)
    form = ReadingForm(request.POST or None, episode=episode)
    if request.method == "POST" and form.is_valid():
        try:
            episode_services.reading_add(episode=episode, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            patient_status_refresh(patient=request.user)
            messages.success(request, "Reading saved.")
            return redirect("episode_detail", pk=episode.pk)
    return render(request, "advice/reading_form.html", {"form": form, "episode": episode})


@require_http_methods(["GET", "POST"])
def reading_edit(request: HttpRequest, pk: int, reading_pk: int) -> HttpResponse:
    episode = get_own_episode(request.user, pk)
    reading = _own_reading(episode, reading_pk)
    form = ReadingForm(request.POST or None, instance=reading, episode=episode)
    if request.method == "POST" and form.is_valid():
        episode_services.reading_update(reading=reading, **form.cleaned_data)
        patient_status_refresh(patient=request.user)
        messages.success(request, "Reading saved.")
        return redirect("episode_detail", pk=episode.pk)
    context = {"form": form, "episode": episode, "reading": reading}
    return render(request, "advice/reading_form.html", context)


@require_http_methods(["GET", "POST"])
def reading_delete(request: HttpRequest, pk: int, reading_pk: int) -> HttpResponse:
    episode = get_own_episode(request.user, pk)
    reading = _own_reading(episode, reading_pk)
    if request.method == "POST":
        episode_services.reading_delete(reading=reading)
        patient_status_refresh(patient=request.user)
        messages.success(request, "Reading deleted.")
        return redirect("episode_detail", pk=episode.pk)
    return render(
        request, "advice/reading_confirm_delete.html", {"episode": episode, "reading": reading}
    )
