"""The clinician's patient list at 50 and at 20,000 patients, on PostgreSQL, on a real server.

    DATABASE_URL=postgres://... python -m tests.bench_clinic      (or: make bench-clinic)

For each size, a fresh PostgreSQL database next to the configured one (`<name>_small`,
`<name>_large`) is migrated and filled by `tests.scale_data` (50 flare-ups per patient, with
remedies and advice; the large one has a million flare-ups and 200 clinicians sharing 100
patients each), then one gunicorn (DEBUG off) serves it. A clinician's list (first page, the
"needs attention" filter, the second page) is timed against the bare view (`/healthz`) in the
same server and run: the median of each round, then the median of the rounds. Prints
Markdown tables and the EXPLAIN ANALYZE of the list's main query at each size, and exits 1
if the list's ratio to the bare view at 20,000 patients is more than 1.5 times the one at 50.
Takes several minutes (most of it writing the large database).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.load.harness import Browser, Gunicorn, app_env, manage, postgres_database

ROUNDS = 7
REQUESTS_EACH = 25
WARM_UP = 10
TARGET = 1.5
SIZES = {"50 patients": (50, 1), "20,000 patients": (20_000, 200)}
PAGES = {
    "bare view (/healthz)": "/healthz",
    "patient list": "/clinic/",
    "needs attention": "/clinic/?show=attention",
    "second page": "/clinic/?page=2",
}

GENERATE = """
from tests.scale_data import generate
counts = generate(patients={patients}, clinicians={clinicians})
print(", ".join(f"{{n:,}} {{name}}" for name, n in counts.items()))
"""

EXPLAIN = """
from backlog.models import User
from clinic.patient_list import PAGE_SIZE, search_shares, shares_by_attention
from tests.scale_data import clinician_email
clinician = User.objects.get(email=clinician_email(1))
shares = search_shares(shares_by_attention(clinician), show="all", search="")[: PAGE_SIZE + 1]
print(shares.explain(analyze=True, buffers=True))
"""


def timed(browser: Browser, path: str) -> float:
    started = time.perf_counter()
    response = browser.request("GET", path)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise SystemExit(f"{path}: HTTP {response.status}")
    return elapsed


def measure(port: int) -> dict[str, float]:
    """Median over rounds of each round's median, per page; pages interleaved per round."""
    from tests.scale_data import PASSWORD, clinician_email

    browser = Browser(port, clinician_email(1))
    browser.log_in(PASSWORD)
    for path in PAGES.values():
        for _ in range(WARM_UP):
            timed(browser, path)
    rounds: dict[str, list[float]] = {page: [] for page in PAGES}
    for _ in range(ROUNDS):
        for page, path in PAGES.items():
            rounds[page].append(
                statistics.median(timed(browser, path) for _ in range(REQUESTS_EACH))
            )
    return {page: statistics.median(medians) for page, medians in rounds.items()}


def run_size(base_url: str, label: str, patients: int, clinicians: int) -> tuple[dict, str]:
    suffix = "small" if patients < 1000 else "large"
    with tempfile.TemporaryDirectory(prefix="backlog-bench-clinic-") as folder:
        directory = Path(folder)
        with postgres_database(base_url, suffix) as database:
            env = app_env(database, directory)
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
            with Gunicorn(env, directory / "gunicorn.log") as server:
                results = measure(server.port)
            plan = manage(env, "shell", "-v", "0", "-c", EXPLAIN)
    return results, plan


def main() -> int:
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database (its name is used as a prefix).")
        return 2
    results, plans = {}, {}
    for label, (patients, clinicians) in SIZES.items():
        results[label], plans[label] = run_size(base_url, label, patients, clinicians)

    bare = "bare view (/healthz)"
    lines = [
        "| database | page | median ms | ratio to bare view |",
        "| --- | --- | ---: | ---: |",
    ]
    for label, timings in results.items():
        for page, value in timings.items():
            lines.append(f"| {label} | {page} | {value:.1f} | {value / timings[bare]:.1f}x |")
    small, large = (results[label] for label in SIZES)
    growth = {
        page: (large[page] / large[bare]) / (small[page] / small[bare])
        for page in PAGES
        if page != bare
    }
    print("\n## The patient list on PostgreSQL, same server per size\n")
    print("\n".join(lines))
    print("\n## Growth from 50 to 20,000 patients (ratio to the bare view, large / small)\n")
    for page, factor in growth.items():
        print(f"- {page}: {factor:.2f}x")
    for label, plan in plans.items():
        print(f"\n## EXPLAIN ANALYZE of the list's main query, {label}\n\n```\n{plan.strip()}\n```")
    passed = growth["patient list"] <= TARGET
    print(
        f"\n- {'PASS' if passed else 'FAIL'}: the list within {TARGET}x from 50 to 20,000 patients"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
