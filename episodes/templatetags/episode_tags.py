from datetime import datetime, timedelta

from django import template
from django.utils import timezone

register = template.Library()


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


@register.filter
def span(delta: timedelta) -> str:
    """A duration in the largest unit that reads naturally: 40 minutes, 5 hours, 3 days."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 60:
        return _plural(minutes, "minute")
    hours = minutes // 60
    if hours < 48:
        return _plural(hours, "hour")
    days = hours // 24
    if days < 21:
        return _plural(days, "day")
    return _plural(days // 7, "week")


@register.filter
def duration_so_far(episode, now: datetime | None = None) -> str:
    if episode.ended_at:
        return f"lasted {span(episode.ended_at - episode.started_at)}"
    return f"going on for {span((now or timezone.now()) - episode.started_at)}"


SPREAD_PHRASES = {
    "buttock": "into the buttock",
    "thigh": "down to the thigh",
    "below_knee": "down below the knee",
    "foot": "down to the foot",
}
LEG_WORDS = {"left": "left leg", "right": "right leg", "both": "both legs"}


@register.filter
def where(episode) -> str:
    """Side and spread in a few words: 'Left side; left leg, down to the thigh'."""
    text = episode.get_side_display()
    if episode.spread in SPREAD_PHRASES:
        text += f"; {LEG_WORDS.get(episode.leg, 'leg')}, {SPREAD_PHRASES[episode.spread]}"
    return text
