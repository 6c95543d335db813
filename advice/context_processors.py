"""What every page's template may read: the one disclaimer, worded in advice.rules."""

from __future__ import annotations

from django.http import HttpRequest

from .rules import DISCLAIMER


def disclaimer(request: HttpRequest) -> dict[str, str]:
    return {"disclaimer": DISCLAIMER}
