"""What the patient's pages put on screen, as plain functions (views never import views)."""

from __future__ import annotations

from django.urls import reverse

from episodes.models import Episode
from episodes.paging import history_page
from episodes.reports import trend_report, trend_rows

from .models import Prompt
from .rules import trend_prompts


def advice_context(episode: Episode | None, prompts: list | None = None) -> dict:
    if episode is not None and prompts is None:
        prompts = Prompt.objects.latest_for(episode)
    return {
        "advised_episode": episode,
        "prompts": prompts or [],
    }


def verdicts_context(user) -> dict:
    report = trend_report(user)
    return {
        "report": report,
        "trend_rows": trend_rows(report),
        "trend_prompts": trend_prompts(report),
    }


def own_history_page(user, page: int = 1) -> dict:
    return history_page(user, page, url=reverse("history"))


def dashboard_context(user) -> dict:
    history = own_history_page(user)
    latest = history["episodes"][0] if history["episodes"] else None
    return {**history, **advice_context(latest), **verdicts_context(user)}


def detail_context(episode: Episode, prompts: list | None = None) -> dict:
    """A flare-up with its advice: what was said last, and everything said before."""
    history = list(Prompt.objects.filter(episode=episode).order_by("-shown_at", "rank"))
    if prompts is None:
        prompts = [p for p in history if p.shown_at == history[0].shown_at]
    return {**advice_context(episode, prompts), "episode": episode, "prompt_history": history}
