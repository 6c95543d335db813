"""The shared cache: Django's own Redis backend, except that a Redis outage is a cache miss.

Everything the project keeps in the cache can be computed again (trend reports, charts,
summaries) or is a convenience (attempt counters: logins are limited by django-axes in the
database). So while Redis cannot be reached, reads miss, writes are dropped and pages are
computed as if the cache were empty: slower, never a 500. A warning is logged, at most once
every `WARN_EVERY` seconds per process, and Redis is not asked again for `RETRY_AFTER`
seconds, so that an unreachable server costs one connection attempt, not one per call.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("backlog.cache")

RETRY_AFTER = 2.0
WARN_EVERY = 60.0


class ForgivingRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache` that degrades to no cache on errors."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0
        self._warned_at = -WARN_EVERY

    def _unavailable(self) -> bool:
        return time.monotonic() < self._down_until

    def _failed(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        self._down_until = now + RETRY_AFTER
        if now - self._warned_at >= WARN_EVERY:
            self._warned_at = now
            logger.warning(
                "Redis cache unreachable (%s: %s): computing without the cache",
                operation,
                type(error).__name__,
            )

    def _call(self, operation: str, fallback, *args, **kwargs):
        if self._unavailable():
            return fallback
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except RedisError as error:
            self._failed(operation, error)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        if self._unavailable():
            raise ValueError(f"Key '{key}' not found (the cache is unreachable)")
        try:
            return super().incr(key, delta, version)
        except RedisError as error:
            self._failed("incr", error)
            # What the base class says of a missing key: callers already handle it.
            raise ValueError(f"Key '{key}' not found (the cache is unreachable)") from None

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", False)
