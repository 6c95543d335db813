"""The follow-up worker killed in the middle of a batch of emails loses nothing and sends
nothing twice: a real `manage.py db_worker` process sends to a real SMTP server (aiosmtpd),
is killed with SIGKILL while an email is half sent, and a second worker finishes the batch.

Runs on a temporary SQLite file, and on a separate PostgreSQL database too when DATABASE_URL
points at PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from .harness import BASE_DIR, app_env, manage, postgres_database, sqlite_database

pytestmark = pytest.mark.load

PATIENTS = 24
KILL_AT_MESSAGE = 9  # the worker dies while sending this one (after 8 were accepted)
CLAIM_SECONDS = 2
WAIT = 120

CONFIGURED_DATABASE = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = CONFIGURED_DATABASE.startswith(("postgres://", "postgresql://"))
DATABASE_KINDS = ["sqlite", "postgresql"] if ON_POSTGRES else ["sqlite"]

SET_UP = """
from datetime import timedelta
from django.conf import settings
from django.utils import timezone
from advice.models import Followup, FollowupKind, FollowupPreferences
from advice.services import episode_log
from backlog.accounts import vouch_for_email
from backlog.models import User
for number in range({count}):
    user = User.objects.create_user(
        f"patient{{number}}@example.com", "a-long-password-123",
        privacy_version=settings.PRIVACY_NOTICE_VERSION, privacy_agreed_at=timezone.now())
    vouch_for_email(user)
    FollowupPreferences.objects.create(patient=user, email_enabled=True)
    episode_log(patient=user, intensity=6, side="left", remedies={{"ibuprofen": "unknown"}})
Followup.objects.filter(kind=FollowupKind.RELIEF).update(
    due_at=timezone.now() - timedelta(minutes=5))
print(Followup.objects.filter(kind=FollowupKind.RELIEF).count())
"""

EMAILED_SQL = (
    "SELECT count(*) FROM advice_followup WHERE kind = 'relief' AND emailed_at IS NOT NULL"
)


class Mailbox:
    """Counts every message the SMTP server accepted; kills the worker when the Nth one
    arrives, before accepting it (the worker is then between claiming and recording it)."""

    def __init__(self) -> None:
        self.accepted: list[tuple[str, str]] = []  # (recipient, Message-ID)
        self.started = 0
        self.worker: subprocess.Popen | None = None
        self.killed = threading.Event()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.started += 1
            if self.started == KILL_AT_MESSAGE and self.worker is not None:
                os.kill(self.worker.pid, signal.SIGKILL)
                self.worker.wait()
                self.killed.set()
                return "451 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message_id = ""
        for line in envelope.content.decode("utf-8", "replace").splitlines():
            if line.lower().startswith("message-id:"):
                message_id = line.split(":", 1)[1].strip()
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.accepted.append((recipient, message_id))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-reload",
            "--interval",
            "0.2",
            "--no-startup-delay",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture(scope="module", params=DATABASE_KINDS)
def delivery(request, tmp_path_factory):
    directory = tmp_path_factory.mktemp(f"worker-{request.param}")
    if request.param == "sqlite":
        database = sqlite_database(directory)
        yield from run_delivery(database, directory)
    else:
        with postgres_database(CONFIGURED_DATABASE, "worker") as database:
            yield from run_delivery(database, directory)


def run_delivery(database, directory: Path):
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    env = app_env(database, directory)
    env.update(
        EMAIL_URL=f"smtp://127.0.0.1:{port}",
        FOLLOWUP_CLAIM_SECONDS=str(CLAIM_SECONDS),
        FOLLOWUP_SWEEP_SECONDS="1",
        LOG_LEVEL="INFO",
    )
    log = directory / "worker.log"
    second = None
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        due = int(manage(env, "shell", "-c", SET_UP.format(count=PATIENTS)).split()[-1])
        mailbox.worker = start_worker(env, log)
        wait_until(mailbox.killed.is_set, "the first worker to be killed mid-batch")
        accepted_before_restart = len(mailbox.accepted)
        second = start_worker(env, log)
        wait_until(lambda: len(mailbox.accepted) >= PATIENTS, "every follow-up to be emailed")
        # Longer than a lapsed claim and two sweeps: time for any duplicate to show up.
        time.sleep(CLAIM_SECONDS + 3)
        emailed = database.rows(EMAILED_SQL)[0][0]
        yield {
            "due": due,
            "accepted": list(mailbox.accepted),
            "accepted_before_restart": accepted_before_restart,
            "emailed_rows": emailed,
            "first_exit": mailbox.worker.returncode,
            "log": log.read_text(),
        }
    finally:
        for process in (mailbox.worker, second):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        controller.stop()


def test_the_first_worker_was_killed_in_the_middle_of_the_batch(delivery):
    assert delivery["first_exit"] == -signal.SIGKILL
    assert delivery["accepted_before_restart"] == KILL_AT_MESSAGE - 1
    assert delivery["due"] == PATIENTS


def test_every_follow_up_is_emailed_exactly_once(delivery):
    recipients = Counter(recipient for recipient, _ in delivery["accepted"])
    expected = {f"patient{number}@example.com" for number in range(PATIENTS)}
    assert set(recipients) == expected, delivery["log"][-3000:]
    assert max(recipients.values()) == 1
    message_ids = Counter(message_id for _, message_id in delivery["accepted"])
    assert len(message_ids) == PATIENTS
    assert max(message_ids.values()) == 1


def test_every_follow_up_is_recorded_as_emailed(delivery):
    assert delivery["emailed_rows"] == PATIENTS
