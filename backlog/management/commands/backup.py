"""A consistent copy of the live SQLite database, taken while the site keeps running.

The copy is made with SQLite's online backup API inside one read transaction, so it is the
database as it stood at one instant even while other processes write (a plain file copy of a
WAL database can be torn, or miss what is still in the -wal file). On PostgreSQL use pg_dump.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection


def default_backup_path() -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return settings.BASE_DIR / "backups" / f"backlog-{stamp}.sqlite3"


def sqlite_backup(source: sqlite3.Connection, destination: Path) -> None:
    """Copy `source` into a new file at `destination`, checked, or raise CommandError."""
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    copy = sqlite3.connect(partial)
    try:
        # pages=-1: every page in one step, under one read lock. Copying in steps would
        # restart whenever another process writes, which on a busy site may be forever.
        source.backup(copy, pages=-1)
        # One self-contained file, without -wal and -shm companions.
        copy.execute("PRAGMA journal_mode=DELETE")
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        copy.close()
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise CommandError(f"The copy failed its integrity check ({verdict}); nothing was kept.")
    # Only a finished, checked copy ever carries the final name.
    partial.rename(destination)


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the live SQLite database to PATH "
        "(default backups/backlog-<UTC timestamp>.sqlite3) and print the path."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="Where to write the copy (a new file).")

    def handle(self, *args, path: str | None = None, **options) -> None:
        if connection.vendor != "sqlite":
            raise CommandError(
                f"backup copies SQLite databases; this site runs on {connection.display_name}. "
                "Back it up with pg_dump instead: pg_dump --format=custom --file=backlog.dump "
                '"$DATABASE_URL" (restore with pg_restore; see README.md, Backups).'
            )
        destination = Path(path) if path else default_backup_path()
        if destination.exists():
            raise CommandError(f"{destination} already exists; choose a new file.")
        destination.parent.mkdir(parents=True, exist_ok=True)
        connection.ensure_connection()
        sqlite_backup(connection.connection, destination)
        self.stdout.write(str(destination))
