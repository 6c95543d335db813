"""A flare-up in a few words: where it hurt, how long it lasted, what was tried.

Plain functions shared by the patient's pages, the clinician's pages and the chart hover
texts (the template filters in `episodes.templatetags.episode_tags` call these).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

SPREAD_PHRASES = {
    "buttock": "into the buttock",
    "thigh": "down to the thigh",
    "below_knee": "down below the knee",
    "foot": "down to the foot",
}
LEG_WORDS = {"left": "left leg", "right": "right leg", "both": "both legs"}


def escape(text: object) -> str:
    """Plotly renders a subset of HTML in chart text; what a patient typed must stay text."""
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def span(delta: timedelta) -> str:
    """A duration in the largest unit that reads naturally: 40 minutes, 5 hours, 3 days."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return _plural(minutes, "minute")
    hours = minutes // 60
    if hours < 48:
        return _plural(hours, "hour")
    days = hours // 24
    if days < 21:
        return _plural(days, "day")
    return _plural(days // 7, "week")


def duration_so_far(episode, now: datetime | None = None) -> str:
    """ "lasted 3 days"; for one still going on, "started just now", "going on since 14:05"
    (within the hour) or "going on for 5 hours"."""
    if episode.ended_at:
        return f"lasted {span(episode.ended_at - episode.started_at)}"
    elapsed = (now or timezone.now()) - episode.started_at
    if elapsed < timedelta(minutes=1):
        return "started just now"
    if elapsed < timedelta(hours=1):
        return f"going on since {timezone.localtime(episode.started_at):%H:%M}"
    return f"going on for {span(elapsed)}"


def where(episode) -> str:
    """Side and spread in a few words: 'Left side; left leg, down to the thigh'."""
    text = episode.get_side_display()
    if episode.spread in SPREAD_PHRASES:
        text += f"; {LEG_WORDS.get(episode.leg, 'leg')}, {SPREAD_PHRASES[episode.spread]}"
    return text


def tried_text(episode) -> str:
    """'Walking (helped); Heat (not sure yet)', or "" when nothing was tried."""
    return "; ".join(
        f"{remedy.get_code_display()} ({remedy.get_helped_display().lower()})"
        for remedy in episode.remedies_in_order
    )


def hover_text(episode, zone) -> str:
    """The chart tooltip for one flare-up: plotly renders it as HTML, so text is escaped."""
    started = timezone.localtime(episode.started_at, zone)
    lines = [
        started.strftime("%a %d %b %Y, %H:%M"),
        # An ongoing flare-up's "so far" would go stale in the cached figure.
        f"Worst pain {episode.intensity}/10, "
        + (duration_so_far(episode) if episode.ended_at else "still going on"),
        escape(where(episode)),
    ]
    tried = tried_text(episode)
    if tried:
        lines.append(escape(f"Tried: {tried}"))
    return "<br>".join(lines)
