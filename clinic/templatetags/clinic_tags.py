from datetime import date

from django import template
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def css_string(value: object) -> SafeString:
    """Text as a quoted CSS string: every character that is not a letter or digit is
    written as a CSS escape, so nothing a person typed can close the string or the rule.
    (Spaces too: a literal space after an escape would be taken as the escape's end.)"""
    escaped = "".join(
        char if char.isascii() and char.isalnum() else f"\\{ord(char):06x}" for char in str(value)
    )
    return SafeString(f'"{escaped}"')


@register.filter
def age_on(born: date | None, today: date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
