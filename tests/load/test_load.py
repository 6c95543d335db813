"""1,000 flare-ups from 16 logged-in patients at once, through gunicorn, while a worker is
killed and a backup is taken: nothing acknowledged is lost, nothing is stored twice.

Runs on a temporary SQLite file, and also on a separate PostgreSQL database (<name>_load,
created and dropped here) when DATABASE_URL points at PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from .harness import (
    CONFIGURED_DATABASE,
    DATABASE_KINDS,
    WAIT,
    WORKERS,
    Browser,
    Database,
    Gunicorn,
    Tally,
    app_env,
    create_patients,
    log_flare_ups,
    manage,
    postgres_database,
    sqlite_integrity,
    throwaway_database,
    wait_for,
)

pytestmark = pytest.mark.load

PATIENTS = 16
FLARE_UPS = 1000
KILL_A_WORKER_AFTER = 250  # acknowledged logs
BACK_UP_AFTER = 500


@dataclass
class LoadRun:
    tally: Tally
    duration: float
    stored: dict[str, list[uuid.UUID]]
    integrity: str
    killed_worker: int
    acknowledged_when_killed: int
    seconds_until_serving_again: float
    workers_after: list[int]
    acknowledged_before_backup: dict[str, set[uuid.UUID]]
    acknowledged_while_backing_up: int
    backed_up: dict[str, list[uuid.UUID]]
    backup_integrity: str
    server_log: str


def back_up(database: Database, env: dict[str, str], directory: Path) -> Path:
    """The live database, copied the way README.md says to: `manage.py backup` or pg_dump."""
    if database.kind == "sqlite":
        return Path(manage(env, "backup", str(directory / "during-load.sqlite3")).strip())
    dump = directory / "during-load.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={dump}", database.url],
        check=True,
        capture_output=True,
        timeout=WAIT,
    )
    return dump


def read_back_up(database: Database, backup: Path) -> tuple[dict[str, list[uuid.UUID]], str]:
    """What the backup restores to: (tokens by patient, integrity verdict)."""
    if database.kind == "sqlite":
        restored = Database("sqlite", {}, sqlite_path=backup)
        return restored.tokens_by_patient(), sqlite_integrity(backup)
    with postgres_database(CONFIGURED_DATABASE, "load_restore") as restored:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored.url}", backup],
            check=True,
            capture_output=True,
            timeout=WAIT,
        )
        return restored.tokens_by_patient(), restored.integrity()


def run_load(database: Database, directory: Path) -> LoadRun:
    env = app_env(database, directory)
    manage(env, "migrate", "--noinput")
    emails = [f"load{number}@example.com" for number in range(PATIENTS)]
    create_patients(env, emails)
    tally = Tally()
    with Gunicorn(env, directory / "gunicorn.log") as server:
        browsers = [Browser(server.port, email) for email in emails]
        with ThreadPoolExecutor(max_workers=PATIENTS) as pool:
            list(pool.map(Browser.log_in, browsers))
            started = time.monotonic()
            futures = [
                pool.submit(log_flare_ups, browser, len(range(n, FLARE_UPS, PATIENTS)), tally, n)
                for n, browser in enumerate(browsers)
            ]
            wait_for(tally, KILL_A_WORKER_AFTER, futures)
            killed_worker = server.worker_in_a_request()
            os.kill(killed_worker, signal.SIGKILL)
            killed_at, acknowledged_when_killed = time.monotonic(), tally.acknowledged_count
            wait_for(tally, acknowledged_when_killed + 20, futures)
            seconds_until_serving_again = time.monotonic() - killed_at

            wait_for(tally, BACK_UP_AFTER, futures)
            acknowledged_before_backup = tally.snapshot()
            backup = back_up(database, env, directory)
            acknowledged_while_backing_up = tally.acknowledged_count - sum(
                map(len, acknowledged_before_backup.values())
            )
            for future in futures:
                future.result(timeout=WAIT)
            duration = time.monotonic() - started
        workers_after = server.worker_pids()
    server_log = server.log
    backed_up, backup_integrity = read_back_up(database, backup)
    run = LoadRun(
        tally=tally,
        duration=duration,
        stored=database.tokens_by_patient(),
        integrity=database.integrity(),
        killed_worker=killed_worker,
        acknowledged_when_killed=acknowledged_when_killed,
        seconds_until_serving_again=seconds_until_serving_again,
        workers_after=workers_after,
        acknowledged_before_backup=acknowledged_before_backup,
        acknowledged_while_backing_up=acknowledged_while_backing_up,
        backed_up=backed_up,
        backup_integrity=backup_integrity,
        server_log=server_log,
    )
    print(  # shown with `pytest -s` or -rP: the numbers the README quotes
        f"\n[{database.kind}] {tally.requests} requests, {tally.acknowledged_count} acknowledged,"
        f" {sum(map(len, run.stored.values()))} rows, {len(tally.server_errors)} 5xx,"
        f" {tally.retries} retries ({tally.dropped} dropped connections),"
        f" {tally.double_taps} double taps,"
        f" {duration:.1f}s for the logs; worker {killed_worker} killed after"
        f" {acknowledged_when_killed}, serving again in {seconds_until_serving_again:.2f}s;"
        f" {acknowledged_while_backing_up} logs acknowledged while backing up"
    )
    return run


@pytest.fixture(scope="module", params=DATABASE_KINDS)
def load_run(request, tmp_path_factory) -> LoadRun:
    directory = tmp_path_factory.mktemp(f"load-{request.param}")
    with throwaway_database(request.param, directory) as database:
        return run_load(database, directory)


def test_every_acknowledged_flare_up_is_stored_exactly_once(load_run):
    acknowledged = {email: sorted(tokens) for email, tokens in load_run.tally.acknowledged.items()}
    stored = {email: sorted(tokens) for email, tokens in load_run.stored.items()}
    assert load_run.tally.acknowledged_count == FLARE_UPS
    assert len(acknowledged) == PATIENTS
    assert stored == acknowledged


def test_no_log_is_answered_with_a_server_error(load_run):
    assert load_run.tally.server_errors == [], load_run.server_log[-5000:]


def test_the_other_workers_keep_serving_when_one_is_killed_and_it_is_replaced(load_run):
    assert 0 < load_run.acknowledged_when_killed < FLARE_UPS
    assert load_run.seconds_until_serving_again < 15
    assert load_run.killed_worker not in load_run.workers_after
    assert len(load_run.workers_after) == WORKERS


def test_the_database_passes_its_integrity_check_after_the_load(load_run):
    assert load_run.integrity == "ok"


def test_a_backup_taken_during_the_load_restores_every_flare_up_acknowledged_before_it(load_run):
    backed_up = {email: set(tokens) for email, tokens in load_run.backed_up.items()}
    missing = {
        email: tokens - backed_up.get(email, set())
        for email, tokens in load_run.acknowledged_before_backup.items()
    }
    assert load_run.backup_integrity == "ok"
    assert sum(map(len, load_run.acknowledged_before_backup.values())) >= BACK_UP_AFTER
    assert not any(missing.values())
