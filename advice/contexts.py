"""What the patient's pages put on screen, as plain functions (views never import views)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from episodes.forms import OUTBOX_MAX_AGE, QuickLogForm
from episodes.models import LEG_REQUIRED, Episode
from episodes.paging import history_page
from episodes.reports import trend_report, trend_rows

from .followups import ended_on_choice, waiting_for
from .forms import ReliefAnswerForm
from .models import FollowupKind, Prompt
from .rules import DISCLAIMER, RULES, SEEK_CARE_LEVELS, THIGH_OR_FURTHER, trend_prompts
from .templatetags.advice_tags import LEVEL_STYLES


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
    return {
        **history,
        **advice_context(latest),
        **verdicts_context(user),
        **offline_log_context(user),
        **waiting_context(user),
    }


def waiting_context(user, *, message: str = "", form=None, form_for=None, only=None) -> dict:
    """The "waiting for you" card: each question with what it needs on screen (a relief
    check's form, re-shown with its errors after a bad answer; the day "it ended on")."""
    items = []
    for followup in only if only is not None else waiting_for(user):
        item = {"followup": followup}
        if followup.kind == FollowupKind.RELIEF:
            bound = form if form_for is not None and form_for.pk == followup.pk else None
            item["form"] = bound or ReliefAnswerForm(auto_id=f"id_q{followup.pk}_%s")
        elif followup.kind == FollowupKind.OVER:
            item["ended_on"] = ended_on_choice(followup)
        items.append(item)
    return {"waiting_items": items, "waiting_message": message}


def seek_care_rules() -> dict:
    """The emergency and urgent rules as data, for the log page to answer a red flag ticked
    without a connection (static/js/red-flags.js evaluates them with the same conditions;
    a browser test compares it with rules.evaluate over every combination of answers)."""
    return {
        "levels": {
            level.value: {
                "label": level.label,
                "meaning": level.meaning,
                "style": LEVEL_STYLES[level],
            }
            for level in SEEK_CARE_LEVELS
        },
        "rules": [
            {
                "code": rule.code,
                "level": rule.level.value,
                "title": rule.title,
                "message": rule.message,
                "source": rule.source,
                "unless": list(rule.unless),
            }
            for rule in RULES
            if rule.level in SEEK_CARE_LEVELS
        ],
        "thigh_or_further": sorted(THIGH_OR_FURTHER),
        "disclaimer": DISCLAIMER,
    }


def offline_log_context(user) -> dict:
    """What the log page needs to keep working without a connection (static/js/offline-log.js):
    whose outbox it shows, where to send it, and the messages for answers left out."""
    form_fields = QuickLogForm.base_fields
    return {
        "offline_config": {
            "user": user.pk,
            "home_url": reverse("home"),
            "log_url": reverse("quick_log"),
            "csrf_cookie": settings.CSRF_COOKIE_NAME,
            "max_age_days": OUTBOX_MAX_AGE.days,
            "required": {
                "intensity": str(form_fields["intensity"].error_messages["required"]),
                "side": str(form_fields["side"].error_messages["required"]),
                "spread": str(form_fields["spread"].error_messages["required"]),
                "leg": LEG_REQUIRED,
            },
        },
        "offline_rules": seek_care_rules(),
    }


def detail_context(episode: Episode, prompts: list | None = None) -> dict:
    """A flare-up with its advice: what was said last, and everything said before."""
    history = list(Prompt.objects.filter(episode=episode).order_by("-shown_at", "rank"))
    if prompts is None:
        prompts = [p for p in history if p.shown_at == history[0].shown_at]
    return {**advice_context(episode, prompts), "episode": episode, "prompt_history": history}
