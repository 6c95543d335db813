"""Two app servers (gunicorn, 2 workers each) on one database and one Redis, as in
production behind a proxy: 16 patients log flare-ups through both at once while a worker of
server A is killed and server B is restarted. Nothing acknowledged is lost or stored twice,
no request gets a 5xx, and a log made through A shows on B's Trends page at once.

On a temporary SQLite file (both servers on the one file, in WAL mode: one machine, so
SQLite's locks hold across the two), and on a separate PostgreSQL database when
DATABASE_URL points at PostgreSQL. The cache is the Redis at LOAD_REDIS_URL (database 7 by
default), under a key prefix of this run's own.
"""

from __future__ import annotations

import os
import re
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.factories import quick_log_data

from .harness import (
    DATABASE_KINDS,
    Browser,
    Gunicorn,
    LoadError,
    Tally,
    app_env,
    create_patients,
    log_flare_ups,
    manage,
    throwaway_database,
    wait_for,
)

pytestmark = pytest.mark.load

PATIENTS = 16
FLARE_UPS = 400
WORKERS_EACH = 2
KILL_A_WORKER_ON_A_AFTER = 100  # acknowledged logs
RESTART_B_AFTER = 200
REDIS_URL = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/7")
IN_VIEW = re.compile(r"(\d+) flare-ups? in view")


class ProxiedBrowser(Browser):
    """A patient's browser behind a proxy: requests go to their own server, and to the other
    one while theirs does not answer (refused or cut off), as a proxy's health check would."""

    def __init__(self, ports: list[int], home: int, email: str):
        super().__init__(ports[home], email)
        self.ports, self.home = ports, home

    def request(self, *args, **kwargs):
        self.port = self.ports[self.home]
        try:
            return super().request(*args, **kwargs)
        except ConnectionRefusedError:
            self.port = self.ports[1 - self.home]
            return super().request(*args, **kwargs)


def trends_count(browser: Browser) -> int:
    """How many flare-ups the Trends page says are in view (everything: range=all)."""
    page = browser.request("GET", "/trends/?range=all")
    if page.status != 200:
        raise LoadError(f"Trends answered {page.status}")
    found = IN_VIEW.search(page.body)
    return int(found.group(1)) if found else 0


def log_once(browser: Browser) -> None:
    fields = quick_log_data(
        client_token=str(uuid.uuid4()), csrfmiddlewaretoken=browser.cookies["csrftoken"]
    )
    answer = browser.request("POST", "/log/", fields, {"HX-Request": "true"})
    if answer.status != 200:
        raise LoadError(f"POST /log/ answered {answer.status}")


@dataclass
class TwoServerRun:
    tally: Tally
    stored: dict[str, list[uuid.UUID]]
    integrity: str
    killed_worker: int
    workers_on_a_after: list[int]
    b_restarted_after: int  # acknowledged logs
    b_serving_again: bool
    counts_on_b: list[tuple[int, int]]  # (count B showed, count expected), after each A log
    server_logs: str


def run_two_servers(kind: str, directory: Path) -> TwoServerRun:
    with throwaway_database(kind, directory) as database:
        # One environment for both servers: the same database, Redis, key prefix and secret
        # key (a session or CSRF token made by one is good on the other).
        env = {
            **app_env(database, directory),
            "REDIS_URL": REDIS_URL,
            "CACHE_KEY_PREFIX": f"load-{uuid.uuid4().hex}",
        }
        manage(env, "migrate", "--noinput")
        emails = [f"two{number}@example.com" for number in range(PATIENTS)]
        create_patients(env, emails)
        tally = Tally()
        log_a, log_b = directory / "server-a.log", directory / "server-b.log"
        server_a = Gunicorn(env, log_a, workers=WORKERS_EACH).__enter__()
        server_b = Gunicorn(env, log_b, workers=WORKERS_EACH).__enter__()
        try:
            ports = [server_a.port, server_b.port]
            browsers = [ProxiedBrowser(ports, n % 2, email) for n, email in enumerate(emails)]

            # Server B shows a log made through server A at once, even with B's cache warm.
            watcher_a = ProxiedBrowser(ports, 0, emails[0])
            watcher_b = ProxiedBrowser(ports, 1, emails[0])
            watcher_a.log_in()
            watcher_b.cookies = watcher_a.cookies  # the same person, the same session
            counts_on_b = []
            for _ in range(3):
                trends_count(watcher_b)  # B builds and caches the page
                log_once(watcher_a)
                expected = len(database.tokens_by_patient().get(emails[0], []))
                counts_on_b.append((trends_count(watcher_b), expected))

            with ThreadPoolExecutor(max_workers=PATIENTS) as pool:
                list(pool.map(Browser.log_in, browsers))
                futures = [
                    pool.submit(
                        log_flare_ups, browser, len(range(n, FLARE_UPS, PATIENTS)), tally, n
                    )
                    for n, browser in enumerate(browsers)
                ]
                wait_for(tally, KILL_A_WORKER_ON_A_AFTER, futures)
                killed_worker = server_a.worker_in_a_request()
                os.kill(killed_worker, signal.SIGKILL)

                wait_for(tally, RESTART_B_AFTER, futures)
                b_restarted_after = tally.acknowledged_count
                port_b = server_b.port
                server_b.__exit__()  # graceful: requests under way are answered first
                server_b = Gunicorn(env, log_b, workers=WORKERS_EACH, port=port_b).__enter__()
                b_serving_again = Browser(port_b, "").request("GET", "/healthz").status == 200

                for future in futures:
                    future.result(timeout=300)
            time.sleep(0.5)  # let server A replace the killed worker before counting
            workers_on_a_after = server_a.worker_pids()
        finally:
            server_a.__exit__()
            server_b.__exit__()
        # Also the three logs the watcher made before the load.
        acknowledged_extra = 3
        stored = database.tokens_by_patient()
        run = TwoServerRun(
            tally=tally,
            stored=stored,
            integrity=database.integrity(),
            killed_worker=killed_worker,
            workers_on_a_after=workers_on_a_after,
            b_restarted_after=b_restarted_after,
            b_serving_again=b_serving_again,
            counts_on_b=counts_on_b,
            server_logs=log_a.read_text(errors="replace")[-3000:]
            + log_b.read_text(errors="replace")[-3000:],
        )
        print(
            f"\n[{kind}, two servers] {tally.requests} requests, {tally.acknowledged_count}"
            f" acknowledged (+{acknowledged_extra} by the watcher),"
            f" {sum(map(len, stored.values()))} rows, {len(tally.server_errors)} 5xx,"
            f" {tally.retries} retries ({tally.dropped} dropped connections),"
            f" B restarted after {b_restarted_after}; B's Trends after A's logs: {counts_on_b}"
        )
        return run


@pytest.fixture(scope="module", params=DATABASE_KINDS)
def two_servers(request, tmp_path_factory) -> TwoServerRun:
    return run_two_servers(request.param, tmp_path_factory.mktemp(f"two-{request.param}"))


def test_every_flare_up_acknowledged_by_either_server_is_stored_exactly_once(two_servers):
    acknowledged = {email: sorted(t) for email, t in two_servers.tally.acknowledged.items()}
    stored = {email: sorted(t) for email, t in two_servers.stored.items()}
    watcher = min(stored)  # two0@example.com: also logged 3 times before the load
    assert two_servers.tally.acknowledged_count == FLARE_UPS
    assert len(acknowledged) == PATIENTS
    assert len(stored[watcher]) == len(acknowledged[watcher]) + 3
    assert set(acknowledged[watcher]) <= set(stored[watcher])
    del stored[watcher], acknowledged[watcher]
    assert stored == acknowledged


def test_no_request_to_either_server_gets_a_server_error(two_servers):
    assert two_servers.tally.server_errors == [], two_servers.server_logs


def test_server_b_shows_a_flare_up_logged_through_server_a_at_once(two_servers):
    assert all(shown == expected for shown, expected in two_servers.counts_on_b)
    assert [expected for _, expected in two_servers.counts_on_b] == [1, 2, 3]


def test_server_a_replaces_its_killed_worker_and_server_b_comes_back_on_its_port(two_servers):
    assert two_servers.killed_worker not in two_servers.workers_on_a_after
    assert len(two_servers.workers_on_a_after) == WORKERS_EACH
    assert 0 < two_servers.b_restarted_after < FLARE_UPS
    assert two_servers.b_serving_again


def test_the_shared_database_passes_its_integrity_check(two_servers):
    assert two_servers.integrity == "ok"
