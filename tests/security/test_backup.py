"""`manage.py backup`: a checked copy of the SQLite database that restores every row.

The command runs in a subprocess against its own SQLite file, whichever database the rest
of the suite uses (under load it is exercised by tests/load).
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from backlog.management.commands.backup import default_backup_path


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def sqlite_env(path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return {**env, "SQLITE_PATH": str(path)}


def every_row(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            table: connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
            for table in tables
        }


def test_a_backup_restores_every_row_and_passes_the_integrity_check(tmp_path):
    env = sqlite_env(tmp_path / "live.sqlite3")
    assert manage("migrate", "--noinput", env=env).returncode == 0
    assert manage("seed_demo", env=env).returncode == 0  # two years of flare-ups with advice
    result = manage("backup", str(tmp_path / "copy.sqlite3"), env=env)
    copy = Path(result.stdout.strip())
    original, restored = every_row(tmp_path / "live.sqlite3"), every_row(copy)
    assert result.returncode == 0, result.stderr
    assert len(restored["episodes_episode"]) > 20
    assert restored == original
    assert sqlite3.connect(copy).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_backup_never_overwrites_an_existing_file(tmp_path):
    env = sqlite_env(tmp_path / "live.sqlite3")
    existing = tmp_path / "copy.sqlite3"
    existing.write_text("yesterday's backup")
    result = manage("backup", str(existing), env=env)
    assert result.returncode != 0
    assert "already exists" in result.stderr
    assert existing.read_text() == "yesterday's backup"


def test_on_postgresql_the_backup_command_refuses_and_points_to_pg_dump(tmp_path):
    # Refused before connecting, so no server is needed at that address.
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nothing"}
    result = manage("backup", str(tmp_path / "copy.sqlite3"), env=env)
    assert result.returncode != 0
    assert "pg_dump" in result.stderr
    assert not (tmp_path / "copy.sqlite3").exists()


def test_by_default_a_backup_is_named_after_the_utc_time_in_the_backups_folder():
    path = default_backup_path()
    assert path.parent == settings.BASE_DIR / "backups"
    assert re.fullmatch(r"backlog-\d{8}T\d{6}Z\.sqlite3", path.name)
