from django import template

from clinic.access_words import access_in_words

register = template.Library()


@register.filter
def in_words(event) -> str:
    """An access log entry's action as the patient reads it."""
    return access_in_words(event.action, allowed=event.allowed)
