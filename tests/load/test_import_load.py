"""The largest import the limits allow (10,000 flare-ups), through gunicorn on SQLite, while
another patient logs flare-ups: every quick log succeeds, and the import is never seen half
done. How long the quick logs wait is measured by `make bench` (tests/bench_import.py)."""

from __future__ import annotations

import json

import pytest

from tests.factories import history_document

from .harness import (
    Gunicorn,
    app_env,
    create_patients,
    import_while_logging,
    manage,
    sqlite_database,
)

pytestmark = pytest.mark.load

IMPORTER, LOGGER = "importer@example.com", "logger@example.com"
FLARE_UPS = 10_000


def test_quick_logs_succeed_during_the_largest_import_which_appears_all_at_once(tmp_path):
    database = sqlite_database(tmp_path)
    env = app_env(database, tmp_path)
    manage(env, "migrate", "--noinput")
    create_patients(env, [IMPORTER, LOGGER])
    document = json.dumps(history_document(FLARE_UPS)).encode()
    # A worker may take longer than gunicorn's usual 30 s over this import on a busy machine.
    with Gunicorn(env, tmp_path / "gunicorn.log", timeout=300) as server:
        run = import_while_logging(server.port, IMPORTER, LOGGER, document, database)
        log = server.log
    assert (run.import_status, run.import_location) == (302, "/history/"), log[-2000:]
    assert run.quick_log_statuses, "no quick log was sent during the import"
    assert set(run.quick_log_statuses) == {200}
    assert run.visible_counts <= {0, FLARE_UPS}
    assert FLARE_UPS in run.visible_counts
    logged = database.rows(
        "SELECT count(*) FROM episodes_episode e JOIN backlog_user u ON u.id = e.patient_id"
        f" WHERE u.email = '{LOGGER}'"
    )[0][0]
    assert logged == len(run.quick_log_statuses)
    assert database.rows("SELECT count(*) FROM clinic_historyimport") == [(0,)]
