from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from . import services
from .access import get_own_episode, own_episodes

PAGE_SIZE = 25
LAST_PAGE = 100_000  # 2.5 million flare-ups: past this, page numbers are nonsense


def page_number(request: HttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("page", "1")), 1), LAST_PAGE)
    except ValueError:
        return 1


def history_page(patient, page: int, *, url: str) -> dict:
    """One page of a patient's history, newest first, without a COUNT query; `url` is the
    history page that serves further pages."""
    start = (page - 1) * PAGE_SIZE
    rows = list(own_episodes(patient).newest_first().with_remedies()[start : start + PAGE_SIZE + 1])
    return {
        "episodes": rows[:PAGE_SIZE],
        "page": page,
        "next_page": page + 1 if len(rows) > PAGE_SIZE else None,
        "previous_page": page - 1 if page > 1 else None,
        "history_url": url,
    }


@require_GET
@vary_on_headers("HX-Request")
def history(request: HttpRequest) -> HttpResponse:
    context = history_page(request.user, page_number(request), url=reverse("history"))
    template = "episodes/history.html#rows" if request.htmx else "episodes/history.html"
    return render(request, template, context)


@require_POST
def episode_end(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_own_episode(request.user, pk)
    if episode.is_over:
        messages.info(request, "This flare-up was already marked as over.")
    else:
        services.episode_end(episode=episode)
        messages.success(request, "Marked as over. We hope you feel better.")
    return redirect("episode_detail", pk=episode.pk)


@require_http_methods(["GET", "POST"])
def episode_delete(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_own_episode(request.user, pk)
    if request.method == "POST":
        services.episode_delete(episode=episode)
        messages.success(request, "The flare-up was deleted.")
        return redirect("history")
    return render(request, "episodes/episode_confirm_delete.html", {"episode": episode})
