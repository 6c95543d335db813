"""The cache is shared through Redis when REDIS_URL says so, and a Redis that cannot be
reached is a cache miss with a warning, never an error page. Against the real Redis on this
machine (REDIS_TEST_URL, database 7 by default) and a real port where nothing listens."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.urls import reverse

from backlog.attempts import AttemptLimit
from backlog.cache import ForgivingRedisCache

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/7")


def closed_port() -> int:
    """A port of 127.0.0.1 on which nothing listens (bound once by the system, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_cache(url: str = REDIS_TEST_URL, prefix: str | None = None) -> ForgivingRedisCache:
    """What one app server's cache is: servers built alike share every entry."""
    return ForgivingRedisCache(url, {"KEY_PREFIX": prefix or f"test-{uuid.uuid4().hex}"})


def configured_cache_backend(**env: str) -> str:
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
            "DJANGO_SETTINGS_MODULE": "backlog.settings",
            "SECRET_KEY": "insecure-test-only-key",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_without_redis_url_each_process_keeps_its_cache_in_memory():
    assert configured_cache_backend() == "django.core.cache.backends.locmem.LocMemCache"


def test_redis_url_selects_the_shared_redis_cache():
    backend = configured_cache_backend(REDIS_URL=REDIS_TEST_URL)
    assert backend == "backlog.cache.ForgivingRedisCache"
    assert issubclass(ForgivingRedisCache, RedisCache)


def test_sessions_stay_in_the_database_whatever_the_cache():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"


def test_what_one_server_caches_another_server_reads():
    prefix = f"test-{uuid.uuid4().hex}"
    server_a, server_b = redis_cache(prefix=prefix), redis_cache(prefix=prefix)
    server_a.set("report", {"verdict": "steady"}, 60)
    assert server_b.get("report") == {"verdict": "steady"}
    server_b.delete("report")


def test_an_attempt_limit_counts_failures_made_on_every_server(monkeypatch):
    prefix = f"test-{uuid.uuid4().hex}"
    servers = [redis_cache(prefix=prefix), redis_cache(prefix=prefix)]
    limit = AttemptLimit("probe", failures=4, window=timedelta(minutes=1))
    for turn in range(4):
        monkeypatch.setattr("backlog.attempts.cache", servers[turn % 2])
        assert not limit.locked(["client"])
        limit.failed(["client"])
    for server in servers:
        monkeypatch.setattr("backlog.attempts.cache", server)
        assert limit.locked(["client"])
    limit.clear("client")


def test_an_unreachable_redis_is_a_miss_and_a_logged_warning(caplog):
    cache = redis_cache(f"redis://127.0.0.1:{closed_port()}/0")
    with caplog.at_level(logging.WARNING, logger="backlog.cache"):
        assert cache.get("anything", "missing") == "missing"
        cache.set("anything", 1, 60)
        assert cache.add("anything", 1, 60) is False
        assert cache.get_many(["a", "b"]) == {}
        cache.delete("anything")
    warnings = [r for r in caplog.records if r.name == "backlog.cache"]
    assert len(warnings) == 1  # one warning, not one per call
    assert "unreachable" in warnings[0].getMessage()


def test_an_attempt_limit_with_redis_down_neither_fails_nor_locks(monkeypatch):
    monkeypatch.setattr(
        "backlog.attempts.cache", redis_cache(f"redis://127.0.0.1:{closed_port()}/0")
    )
    limit = AttemptLimit("probe", failures=1, window=timedelta(minutes=1))
    limit.failed(["client"])
    assert not limit.locked(["client"])


@pytest.fixture
def redis_down(settings):
    """This process's cache is a Redis on a port where nothing listens."""
    settings.CACHES = {
        "default": {
            "BACKEND": "backlog.cache.ForgivingRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["home", "history", "trends"])
def test_pages_are_served_while_redis_is_down(
    redis_down, patient_client, patient, make_long_history, page
):
    make_long_history(patient, 30)
    assert patient_client.get(reverse(page)).status_code == 200


@pytest.mark.django_db
def test_a_quick_log_is_stored_and_answered_while_redis_is_down(
    redis_down, patient_client, patient
):
    from tests.factories import quick_log_data

    response = patient_client.post(reverse("quick_log"), quick_log_data(), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert patient.episodes.count() == 1


@pytest.mark.django_db
def test_the_clinicians_summary_is_served_while_redis_is_down(
    redis_down, client, patient, clinician, make_long_history
):
    from clinic import services

    make_long_history(patient, 30)
    services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    client.force_login(clinician)
    assert client.get(reverse("patient_summary", args=[patient.pk])).status_code == 200
