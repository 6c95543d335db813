"""A million flare-ups on PostgreSQL: every page a patient and a clinician use, at 50 and at
20,000 patients, on a real server with the shared Redis cache.

    DATABASE_URL=postgres://... python -m tests.bench_scale      (or: make bench-scale)

For each size, a fresh PostgreSQL database next to the configured one (`<name>_small`,
`<name>_big`) is migrated and filled by `tests.scale_data` with COPY (50 flare-ups per
patient with remedies and advice; 200 clinicians sharing 100 patients each at 20,000
patients, one clinician sharing all 50 at 50). Then both sizes are served at once, each by
its own gunicorn (2 workers, DEBUG off, --preload) with REDIS_URL (BENCH_REDIS_URL, Redis
database 8 by default, emptied first; a key prefix per size), and measured in turn, page by
page, so that the machine's other work weighs on both alike. Each page is timed against the
bare view (`/healthz`) of the same server, in the same run:
the patient's home, history, Trends (cold: the cache emptied before each request; warm),
the quick-log POST, and the clinician's patient list and summary. Each page: the median of
each round, then the median of the rounds. Prints Markdown tables, the EXPLAIN ANALYZE of
each page's main query at each size, and exits 1 if any page's ratio to the bare view at
20,000 patients is more than 1.5 times its ratio at 50. Takes several minutes.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

from tests.load.harness import Browser, Gunicorn, app_env, manage, postgres_database

ROUNDS = 5
REQUESTS_EACH = 9
COLD_EACH = 3
WARM_UP = 5
TARGET = 1.5
SIZES = {"50 patients": (50, 1), "20,000 patients": (20_000, 200)}
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
BARE = "bare view (/healthz)"

GENERATE = """
from tests.scale_data import generate
counts = generate(patients={patients}, clinicians={clinicians})
print(", ".join(f"{{n:,}} {{name}}" for name, n in counts.items()))
"""

# Sessions made directly (as a log-in would leave them): the clinician has an authenticator
# app, as every clinician must to read a history; nothing here measures logging in.
SESSIONS = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from backlog.models import User
from tests.factories import give_totp
from tests.scale_data import clinician_email, patient_email
patient = User.objects.get(email=patient_email(1))
clinician = User.objects.get(email=clinician_email(1))
give_totp(clinician)
for user in (patient, clinician):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "backlog.auth.EmailBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    print(user.pk, session.session_key)
"""

EXPLAIN = """
from django.db.models import Count, Max
from django.utils import timezone
from backlog.models import User
from clinic.patient_list import PAGE_SIZE, search_shares, shares_by_attention
from clinic.summary import Period
from episodes.models import Episode
from episodes.paging import PAGE_SIZE as HISTORY_PAGE
from tests.scale_data import clinician_email, patient_email
patient = User.objects.get(email=patient_email(1))
clinician = User.objects.get(email=clinician_email(1))
mine = Episode.objects.for_patient(patient)
today = timezone.localdate()
queries = {{
    "home and history: a page of the history": mine.newest_first()[: HISTORY_PAGE + 1],
    "every page: the data version (cache key)": mine.values("patient").annotate(
        n=Count("id"), latest=Max("updated_at"), stamp=Max("patient__data_version__number")
    ),
    "Trends (cold): the trend inputs": mine.values_list(
        "id", "started_at", "intensity", "side", "spread", "leg"
    ),
    "quick-log POST: the same submission logged before?": Episode.objects.filter(
        patient=patient, client_token="00000000-0000-0000-0000-000000000000"
    ),
    "patient list: the first page": search_shares(
        shares_by_attention(clinician), show="all", search=""
    )[: PAGE_SIZE + 1],
    "summary: the period's flare-ups": mine.filter(
        started_at__date__gte=Period.named("6m", today).start
    ).order_by("started_at"),
}}
for name, queryset in queries.items():
    print(f"### {{name}}\\n")
    print(queryset.explain(analyze=True))
    print()
"""


def flush_cache() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def timed(browser: Browser, method: str, path: str, fields=None, headers=None) -> float:
    started = time.perf_counter()
    response = browser.request(method, path, fields, headers)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise SystemExit(f"{method} {path}: HTTP {response.status}")
    return elapsed


def quick_log(browser: Browser) -> float:
    time.sleep(0.3)  # a person's pace: the previous log's background work has finished
    fields = {
        "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        "intensity": "5",
        "side": "left",
        "spread": "none",
        "client_token": str(uuid.uuid4()),
    }
    headers = {"HX-Request": "true", "X-CSRFToken": fields["csrfmiddlewaretoken"]}
    return timed(browser, "POST", "/log/", fields, headers)


def trends_cold(browser: Browser) -> float:
    flush_cache()
    return timed(browser, "GET", "/trends/")


def pages_of(port: int, sessions: dict[str, tuple[int, str]]) -> dict:
    patient_id, patient_session = sessions["patient"]
    _, clinician_session = sessions["clinician"]
    patient, clinician = Browser(port, "patient"), Browser(port, "clinician")
    patient.cookies["sessionid"] = patient_session
    clinician.cookies["sessionid"] = clinician_session
    patient.request("GET", "/")  # the csrf cookie
    return {
        BARE: lambda: timed(patient, "GET", "/healthz"),
        "patient: home (log page)": lambda: timed(patient, "GET", "/"),
        "patient: history": lambda: timed(patient, "GET", "/history/"),
        "patient: Trends, cold": lambda: trends_cold(patient),
        "patient: Trends, warm": lambda: timed(patient, "GET", "/trends/"),
        "patient: quick-log POST": lambda: quick_log(patient),
        "clinician: patient list": lambda: timed(clinician, "GET", "/clinic/"),
        "clinician: summary": lambda: timed(clinician, "GET", f"/clinic/patients/{patient_id}/"),
    }


def measure(servers: dict[str, dict]) -> dict[str, dict[str, float]]:
    """Median over rounds of each round's median, per size and page. Both sizes are served
    at once and measured in turn, page by page, so that whatever else the machine is doing
    weighs on both alike."""
    for pages in servers.values():
        for page in pages.values():
            for _ in range(WARM_UP):
                page()
    rounds: dict[str, dict[str, list[float]]] = {
        label: {name: [] for name in pages} for label, pages in servers.items()
    }
    for _ in range(ROUNDS):
        for name in next(iter(servers.values())):
            for label, pages in servers.items():
                each = COLD_EACH if "cold" in name else REQUESTS_EACH
                rounds[label][name].append(statistics.median(pages[name]() for _ in range(each)))
    return {
        label: {name: statistics.median(values) for name, values in pages.items()}
        for label, pages in rounds.items()
    }


def prepare(stack: ExitStack, base_url: str, directory: Path, label: str, size: tuple) -> dict:
    """A migrated, filled database for one size; returns its environment and sessions."""
    patients, clinicians = size
    suffix = "small" if patients < 1000 else "big"
    database = stack.enter_context(postgres_database(base_url, suffix))
    folder = directory / suffix
    folder.mkdir()
    env = {**app_env(database, folder), "REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": suffix}
    print(f"{label}: migrate, then write the data...", flush=True)
    manage(env, "migrate", "--noinput")
    started = time.monotonic()
    written = manage(
        env,
        "shell",
        "-v",
        "0",
        "-c",
        GENERATE.format(patients=patients, clinicians=clinicians),
        timeout=3600,
    )
    print(f"  {written.strip()} ({time.monotonic() - started:.0f} s)", flush=True)
    lines = manage(env, "shell", "-v", "0", "-c", SESSIONS).split()
    sessions = {"patient": (int(lines[0]), lines[1]), "clinician": (int(lines[2]), lines[3])}
    return {"env": env, "sessions": sessions, "folder": folder}


def main() -> int:
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database (its name is used as a prefix).")
        return 2
    with tempfile.TemporaryDirectory(prefix="backlog-bench-scale-") as folder, ExitStack() as stack:
        sizes = {
            label: prepare(stack, base_url, Path(folder), label, size)
            for label, size in SIZES.items()
        }
        flush_cache()
        servers = {}
        for label, size in sizes.items():
            server = stack.enter_context(
                Gunicorn(size["env"], size["folder"] / "gunicorn.log", workers=2)
            )
            servers[label] = pages_of(server.port, size["sessions"])
        print("Timing both sizes in turn...", flush=True)
        results = measure(servers)
        plans = {
            label: manage(size["env"], "shell", "-v", "0", "-c", EXPLAIN.format())
            for label, size in sizes.items()
        }

    small_label, large_label = SIZES
    small, large = results[small_label], results[large_label]
    lines = [
        f"| page | {small_label}: median ms | ratio to bare | {large_label}: median ms "
        "| ratio to bare | growth (target <= 1.5x) | margin |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    failed = []
    for page in small:
        small_ratio, large_ratio = small[page] / small[BARE], large[page] / large[BARE]
        growth = large_ratio / small_ratio
        margin = (TARGET - growth) / TARGET
        verdict = "" if page == BARE else f"{growth:.2f}x"
        if page != BARE and growth > TARGET:
            failed.append(page)
        lines.append(
            f"| {page} | {small[page]:.1f} | {small_ratio:.1f}x | {large[page]:.1f} | "
            f"{large_ratio:.1f}x | {verdict} | {'' if page == BARE else f'{margin:+.0%}'} |"
        )
    print("\n## Pages on PostgreSQL with the Redis cache, same server per size (medians)\n")
    print("\n".join(lines))
    for label, plan in plans.items():
        print(
            f"\n## EXPLAIN ANALYZE of each page's main query, {label}\n\n```\n{plan.strip()}\n```"
        )
    print()
    for page in small:
        if page != BARE:
            mark = "FAIL" if page in failed else "PASS"
            print(f"- {mark}: {page} within {TARGET}x of its 50-patient ratio")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
