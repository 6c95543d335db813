"""A real gunicorn on a throwaway database, and patients who log flare-ups through it.

Used by test_load.py. Nothing here imports the app's models into this process except for
constants: the server runs in its own processes, and the database is read back with the
database's own driver once the server has stopped.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from tests.factories import PASSWORD, quick_log_data

BASE_DIR = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
WORKERS = 3
REQUEST_TIMEOUT = 30  # seconds; a request slower than this is retried like a dropped one
MAX_ATTEMPTS = 8
DOUBLE_TAPS = 0.05  # of the flare-ups are sent twice at once (same client_token)

# The episode and user tables, read back without the ORM.
TOKENS_SQL = (
    "SELECT u.email, e.client_token FROM episodes_episode e"
    " JOIN backlog_user u ON u.id = e.patient_id"
)


class LoadError(AssertionError):
    """Something a patient's browser would call broken (a refused login, a 4xx, giving up)."""


# --- Databases --------------------------------------------------------------------------------

WAIT = 120  # seconds, for any one stage: generous, so a slow machine is slow, not flaky
CONFIGURED_DATABASE = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = CONFIGURED_DATABASE.startswith(("postgres://", "postgresql://"))
DATABASE_KINDS = ["sqlite", "postgresql"] if ON_POSTGRES else ["sqlite"]


@dataclass
class Database:
    kind: str  # "sqlite" or "postgresql"
    env: dict[str, str]
    sqlite_path: Path | None = None
    url: str = ""

    def tokens_by_patient(self) -> dict[str, list[uuid.UUID]]:
        return tokens_by_patient(self.rows(TOKENS_SQL))

    def rows(self, sql: str) -> list[tuple]:
        if self.kind == "sqlite":
            with sqlite3.connect(self.sqlite_path) as connection:
                return connection.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(self.url) as connection:
            return connection.execute(sql).fetchall()

    def integrity(self) -> str:
        """Says "ok", or what is wrong: SQLite's own check, or amcheck on every index."""
        if self.kind == "sqlite":
            return sqlite_integrity(self.sqlite_path)
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
            indexes = connection.execute(
                "SELECT c.oid::regclass::text FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indexrelid"
                " JOIN pg_am am ON am.oid = c.relam"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE am.amname = 'btree' AND n.nspname = 'public'"
            ).fetchall()
            for (index,) in indexes:
                # Raises on a corrupt index, or on a table row missing from its index.
                connection.execute("SELECT bt_index_check(%s::regclass, true)", [index])
            orphans = connection.execute(
                "SELECT count(*) FROM advice_prompt p"
                " LEFT JOIN episodes_episode e ON e.id = p.episode_id WHERE e.id IS NULL"
            ).fetchone()[0]
        return "ok" if indexes and not orphans else f"{len(indexes)} indexes, {orphans} orphans"


def tokens_by_patient(rows: list[tuple]) -> dict[str, list[uuid.UUID]]:
    tokens: dict[str, list[uuid.UUID]] = {}
    for email, token in rows:
        tokens.setdefault(email, []).append(uuid.UUID(str(token)))
    return tokens


def sqlite_integrity(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        verdict = "\n".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
        orphans = connection.execute("PRAGMA foreign_key_check").fetchall()
    return verdict if not orphans else f"{verdict}; foreign key orphans: {orphans[:5]}"


def sqlite_database(directory: Path) -> Database:
    path = directory / "load.sqlite3"
    return Database("sqlite", {"SQLITE_PATH": str(path)}, sqlite_path=path)


def with_database_name(url: str, name: str) -> str:
    return urlsplit(url)._replace(path=f"/{name}").geturl()


@contextmanager
def postgres_database(base_url: str, suffix: str) -> Iterator[Database]:
    """A fresh PostgreSQL database next to the configured one (its name plus `suffix`, so two
    checkouts on one server never share it), dropped afterwards."""
    import psycopg

    name = f"{urlsplit(base_url).path.strip('/') or 'backlog'}_{suffix}"
    admin_url = with_database_name(base_url, "postgres")

    def run(sql: str) -> None:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    url = with_database_name(base_url, name)
    try:
        yield Database("postgresql", {"DATABASE_URL": url}, url=url)
    finally:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def throwaway_database(kind: str, directory: Path) -> Iterator[Database]:
    if kind == "sqlite":
        yield sqlite_database(directory)
    else:
        with postgres_database(CONFIGURED_DATABASE, "load") as database:
            yield database


# --- The app's processes ----------------------------------------------------------------------


def app_env(database: Database, directory: Path) -> dict[str, str]:
    """Production settings (DEBUG off), plain HTTP on 127.0.0.1, on the given database."""
    # Nothing of the test run's own set-up leaks in (its database, the browser tests' switch).
    leave_out = {"DATABASE_URL", "SQLITE_PATH", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in leave_out}
    static_root = directory / "static"
    static_root.mkdir(exist_ok=True)
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        HTTPS_ONLY="0",
        # An empty STATIC_ROOT: pages name their static files plainly (nothing is collected:
        # these tests measure the app, and collectstatic's compression alone takes a minute).
        STATIC_ROOT=str(static_root),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        **database.env,
    )
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise LoadError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def create_patients(env: dict[str, str], emails: list[str]) -> None:
    manage(
        env,
        "shell",
        "-c",
        "from django.conf import settings\n"
        "from django.utils import timezone\n"
        "from backlog.models import User\n"
        f"for email in {emails!r}:\n"
        f"    User.objects.create_user(email, {PASSWORD!r},\n"
        "        privacy_version=settings.PRIVACY_NOTICE_VERSION,\n"
        "        privacy_agreed_at=timezone.now())\n",
    )


class Gunicorn:
    """`gunicorn backlog.wsgi` on a free port of 127.0.0.1, in its own process group."""

    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        workers: int = WORKERS,
        timeout: int = 30,
        port: int = 0,
    ):
        self.env, self.log_path, self.workers, self.timeout = env, log_path, workers, timeout
        self.process: subprocess.Popen | None = None
        self.port = port  # 0: any free port; a restart passes the port it had

    def __enter__(self) -> Gunicorn:
        # Appended to, so that a restarted server's log follows its first run's.
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    str(GUNICORN),
                    "backlog.wsgi",
                    f"--bind=127.0.0.1:{self.port}",
                    f"--workers={self.workers}",
                    "--preload",  # as `make serve`: numpy, scipy and plotly imported once
                    f"--timeout={self.timeout}",
                    "--graceful-timeout=5",
                    "--no-control-socket",  # several servers may run at once
                    "--error-logfile=-",
                ],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self.port = self._wait_for_port()
            self._wait_until_serving()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _wait_for_port(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(
                r"Listening at: http://127\.0\.0\.1:(\d+)", self.log[self._log_offset :]
            )
            if found:
                return int(found.group(1))
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise LoadError(f"gunicorn did not start:\n{self.log}")

    def _wait_until_serving(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if Browser(self.port, "").request("GET", "/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise LoadError(f"gunicorn does not answer /healthz:\n{self.log}")

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return sorted(int(child) for child in children)

    def worker_in_a_request(self, timeout: float = 2) -> int:
        """A worker holding a client's connection (answering a request), or failing that any."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            connections = self._open_client_connections()
            for pid in self.worker_pids():
                if self._socket_inodes(pid) & connections:
                    return pid
            time.sleep(0.001)
        return self.worker_pids()[0]

    def _open_client_connections(self) -> set[str]:
        """Socket inodes of the established connections to our port (server side)."""
        inodes = set()
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == self.port and fields[3] == "01":  # 01: ESTABLISHED
                inodes.add(fields[9])
        return inodes

    @staticmethod
    def _socket_inodes(pid: int) -> set[str]:
        inodes = set()
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:  # closed meanwhile
                continue
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
        return inodes


# --- Patients and their browsers --------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str


class Browser:
    """One patient's browser: its own cookies, one connection per request (as gunicorn's
    sync workers close each connection after answering)."""

    def __init__(self, port: int, email: str):
        self.port, self.email = port, email
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        fields: dict | bytes | None = None,
        headers: dict | None = None,
        timeout: float = REQUEST_TIMEOUT,
    ) -> Response:
        headers = dict(headers or {})
        body = None
        if isinstance(fields, bytes):
            body = fields
        elif fields is not None:
            body = urlencode(fields, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            response = Response(answer.status, answer.headers, answer.read().decode())
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def upload(
        self, path: str, name: str, filename: str, content: bytes, timeout: float = 300
    ) -> Response:
        """POST one file as a form would (multipart), with the CSRF token."""
        boundary = uuid.uuid4().hex
        token = self.cookies["csrftoken"]
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"'
                f"\r\n\r\n{token}\r\n"
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/json\r\n\r\n'
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.request("POST", path, body, headers, timeout=timeout)

    def log_in(self, password: str = PASSWORD) -> None:
        """Through the real login form, csrf token and all."""
        form = self.request("GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)
        if form.status != 200 or token is None:
            raise LoadError(f"{self.email}: no login form ({form.status})")
        fields = {"csrfmiddlewaretoken": token.group(1), "login": self.email}
        answer = self.request("POST", "/login/", {**fields, "password": password})
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise LoadError(f"{self.email}: login refused ({answer.status})")


def random_flare_up(rng: random.Random) -> dict:
    """Quick-log fields as the form sends them, with a fresh client_token."""
    spread = rng.choice(["none", "none", "buttock", "thigh", "below_knee", "foot"])
    data = quick_log_data(
        intensity=str(rng.randint(0, 10)),
        side=rng.choice(["left", "right", "both", "center"]),
        spread=spread,
        client_token=str(uuid.uuid4()),
    )
    if spread != "none":
        data["leg"] = rng.choice(["left", "right", "both"])
    # Imported here so that the benchmark can load this module before Django is set up.
    from episodes.models import RED_FLAG_FIELDS

    for name in (*RED_FLAG_FIELDS, "spasm"):
        if rng.random() < 0.05:
            data[name] = "on"
    return data


# --- The load ---------------------------------------------------------------------------------


@dataclass
class Tally:
    """What the patients saw, shared by their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(init=False)
    acknowledged: dict[str, set[uuid.UUID]] = field(default_factory=dict)
    requests: int = 0
    retries: int = 0
    dropped: int = 0  # connection reset, timed out or cut short: retried
    server_errors: list[str] = field(default_factory=list)  # 5xx: retried, and a failure
    double_taps: int = 0

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self.lock)

    @property
    def acknowledged_count(self) -> int:
        return sum(len(tokens) for tokens in self.acknowledged.values())

    def snapshot(self) -> dict[str, set[uuid.UUID]]:
        with self.lock:
            return {email: set(tokens) for email, tokens in self.acknowledged.items()}


def log_flare_ups(browser: Browser, count: int, tally: Tally, seed: int) -> None:
    """Log `count` flare-ups; now and then the same one twice at once, like a double tap."""
    rng = random.Random(seed)
    for _ in range(count):
        data = random_flare_up(rng)
        if rng.random() < DOUBLE_TAPS:
            twin = threading.Thread(target=send_until_acknowledged, args=(browser, data, tally))
            twin.start()
            send_until_acknowledged(browser, data, tally)
            twin.join()
            with tally.lock:
                tally.double_taps += 1
        else:
            send_until_acknowledged(browser, data, tally)


def send_until_acknowledged(browser: Browser, data: dict, tally: Tally) -> None:
    """POST /log/ as htmx does, retrying what failed with the same client_token."""
    token = uuid.UUID(data["client_token"])
    for attempt in range(1, MAX_ATTEMPTS + 1):
        fields = {**data, "csrfmiddlewaretoken": browser.cookies["csrftoken"]}
        with tally.lock:
            tally.requests += 1
            tally.retries += attempt > 1
        try:
            answer = browser.request("POST", "/log/", fields, {"HX-Request": "true"})
        except (OSError, http.client.HTTPException):
            with tally.lock:
                tally.dropped += 1
            time.sleep(0.05 * attempt)
            continue
        if answer.status >= 500:
            with tally.lock:
                tally.server_errors.append(f"{answer.status} {answer.body[:200]}")
            time.sleep(0.05 * attempt)
            continue
        if not 200 <= answer.status < 300:
            raise LoadError(f"{browser.email}: POST /log/ answered {answer.status}")
        with tally.changed:
            tally.acknowledged.setdefault(browser.email, set()).add(token)
            tally.changed.notify_all()
        return
    raise LoadError(f"{browser.email}: gave up on {token} after {MAX_ATTEMPTS} attempts")


def wait_for(tally: Tally, count: int, futures: list) -> None:
    """Until `count` logs are acknowledged; a patient's failure is raised at once."""
    deadline = time.monotonic() + WAIT
    while tally.acknowledged_count < count:
        for future in futures:
            if future.done() and future.exception() is not None:
                raise future.exception()
        if time.monotonic() > deadline:
            raise LoadError(f"only {tally.acknowledged_count} of {count} logs after {WAIT}s")
        with tally.changed:
            tally.changed.wait(timeout=0.2)


# --- A large import while another patient logs ---------------------------------------------


@dataclass
class ImportUnderLoad:
    import_status: int
    import_location: str
    import_seconds: float
    quick_log_waits: list[float]  # seconds, each quick log of the other patient
    quick_log_statuses: list[int]
    visible_counts: set[int]  # the importer's flare-ups, as the database showed them


def import_while_logging(
    port: int, importer: str, logger: str, document: bytes, database: Database
) -> ImportUnderLoad:
    """`importer` uploads `document` through /import/ while `logger` quick-logs, one flare-up
    after another, until the import has answered; meanwhile the importer's flare-ups are
    counted straight from the database, as any other reader would see them."""
    uploader, patient = Browser(port, importer), Browser(port, logger)
    uploader.log_in()
    patient.log_in()
    uploader.request("GET", "/import/")
    done = threading.Event()
    result: dict = {}

    def upload() -> None:
        started = time.monotonic()
        try:
            answer = uploader.upload("/import/", "file", "history.json", document)
            result["answer"] = answer
        finally:
            result["seconds"] = time.monotonic() - started
            done.set()

    counts: set[int] = set()
    count_sql = (
        "SELECT count(*) FROM episodes_episode e JOIN backlog_user u ON u.id = e.patient_id"
        f" WHERE u.email = '{importer}'"
    )

    def watch() -> None:
        while not done.is_set():
            counts.add(database.rows(count_sql)[0][0])
            time.sleep(0.02)
        counts.add(database.rows(count_sql)[0][0])

    threads = [threading.Thread(target=upload), threading.Thread(target=watch)]
    for thread in threads:
        thread.start()
    waits, statuses = [], []
    deadline = time.monotonic() + 300
    while not done.is_set() and time.monotonic() < deadline:
        fields = quick_log_data(
            client_token=str(uuid.uuid4()), csrfmiddlewaretoken=patient.cookies["csrftoken"]
        )
        started = time.monotonic()
        answer = patient.request("POST", "/log/", fields, {"HX-Request": "true"})
        waits.append(time.monotonic() - started)
        statuses.append(answer.status)
        time.sleep(0.05)
    for thread in threads:
        thread.join(timeout=300)
    answer = result.get("answer")
    return ImportUnderLoad(
        import_status=answer.status if answer else 0,
        import_location=answer.headers.get("Location", "") if answer else "",
        import_seconds=result.get("seconds", 0.0),
        quick_log_waits=waits,
        quick_log_statuses=statuses,
        visible_counts=counts,
    )


def quick_log_waits(port: int, logger: str, seconds: float) -> list[float]:
    """Quick logs one after another for `seconds`, nothing else running: the baseline."""
    patient = Browser(port, logger)
    patient.log_in()
    waits = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        fields = quick_log_data(
            client_token=str(uuid.uuid4()), csrfmiddlewaretoken=patient.cookies["csrftoken"]
        )
        started = time.monotonic()
        answer = patient.request("POST", "/log/", fields, {"HX-Request": "true"})
        if answer.status != 200:
            raise LoadError(f"{logger}: POST /log/ answered {answer.status}")
        waits.append(time.monotonic() - started)
        time.sleep(0.05)
    return waits
