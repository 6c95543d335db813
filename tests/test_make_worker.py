"""`make run` and `make serve` start the background worker beside the web server, in one
command, and stop it with the server."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def recipe(target: str) -> str:
    return subprocess.run(
        ["/usr/bin/make", "--no-print-directory", "-n", "-C", str(REPO_ROOT), target],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout


@pytest.mark.parametrize(("target", "server"), [("run", "runserver"), ("serve", "gunicorn")])
def test_the_worker_starts_beside_the_server_and_stops_with_it(target, server):
    text = recipe(target)
    assert "manage.py db_worker" in text
    assert server in text
    assert text.index("manage.py db_worker") < text.index(server)
    assert "trap 'kill $worker" in text
