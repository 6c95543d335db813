"""Counting failed attempts in a time window, in Django's cache (shared by every worker when
the cache is), to refuse guessing after too many failures.

Each key counts separately (for example one per account and one per client address); a
window starts at the first failure and lasts `window`, then the count starts again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from axes.helpers import get_client_ip_address
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address as django-axes works it out for logins (its proxy settings
    included), so that every limit keys on the same address."""
    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR") or "unknown"


@dataclass(frozen=True)
class AttemptLimit:
    name: str
    failures: int
    window: timedelta

    def _key(self, key: str) -> str:
        return f"attempts:{self.name}:{key}"

    def locked(self, keys: list[str]) -> bool:
        counts = cache.get_many([self._key(key) for key in keys])
        return any(count >= self.failures for count in counts.values())

    def failed(self, keys: list[str]) -> None:
        timeout = self.window.total_seconds()
        for key in map(self._key, keys):
            # add() starts the window only if there is none; incr() keeps its expiry.
            cache.add(key, 0, timeout)
            try:
                cache.incr(key)
            except ValueError:  # expired between the two calls
                cache.add(key, 1, timeout)

    def clear(self, key: str) -> None:
        cache.delete(self._key(key))
