"""The home page and the quick log on it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
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


def _wants_json(request: HttpRequest) -> bool:
    """The phone's outbox asks for JSON (static/js/outbox.js); a browser's form post or htmx
    prefers the page."""
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _rejection(form: QuickLogForm) -> dict:
    errors = form.errors.get_json_data()
    messages = dict.fromkeys(error["message"] for field in errors.values() for error in field)
    return {"message": " ".join(messages), "errors": errors}


def _acknowledgement(episode, prompts, *, replayed: bool) -> dict:
    return {
        "episode": {
            "id": episode.pk,
            "started_at": episode.started_at.isoformat(),
            "url": reverse("episode_detail", kwargs={"pk": episode.pk}),
        },
        "replayed": replayed,
        "prompts": [
            {"code": prompt.code, "level": prompt.level, "title": prompt.title}
            for prompt in prompts
        ],
    }


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request", "Accept")
@patients_only
def quick_log(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        # Reached by logging in again after a session ran out mid-log: the form is at home.
        return redirect("home")
    wants_json = _wants_json(request)
    owner = request.POST.get("outbox_user")
    if owner is not None and owner != str(request.user.pk):
        # Saved on this phone under another account: never stored under this one.
        message = "This was saved on this phone by another account: log in to that one to send it."
        return JsonResponse(
            {
                "message": message,
                "errors": {"outbox_user": [{"message": message, "code": "other_account"}]},
            },
            status=409,
        )
    form = QuickLogForm(request.POST)
    if not form.is_valid():
        if wants_json:
            return JsonResponse(_rejection(form), status=400)
        if request.htmx:
            return render(request, "advice/home.html#log_panel", {"form": form})
        context = dashboard_context(request.user)
        return render(request, "advice/home.html", {**context, "form": form})
    fields = form.episode_fields
    replayed = services.logged_before(request.user, fields["client_token"]) is not None
    episode, prompts = services.episode_log(patient=request.user, remedies=form.remedies, **fields)
    if wants_json:
        return JsonResponse(
            _acknowledgement(episode, prompts, replayed=replayed), status=200 if replayed else 201
        )
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
