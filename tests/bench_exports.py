"""Exports on a real server: time to download each format at 3,700 flare-ups, and how much
a worker's peak memory grows during one export at 3,650 and at 36,500 flare-ups.

    python -m tests.bench_exports        (or: make bench)

One gunicorn (1 worker, --preload, DEBUG off) on a throwaway SQLite database. Each export is
downloaded whole, as a browser would. Timing: the median of ROUNDS downloads per format.
Memory: a fresh server for each size and format, the worker's peak resident size (VmHWM in
/proc) read after a first small request and again after the export. Prints Markdown tables
and exits 1 if a target is missed: each export under 0.5 s at 3,700 flare-ups; the peak's
growth at 36,500 flare-ups within 10 MiB of its growth at 3,650 (memory flat in history
length).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.load.harness import Browser, Gunicorn, app_env, manage, sqlite_database

ROUNDS = 5
FORMATS = ("csv", "json", "fhir")
TIME_LIMIT = 0.5  # seconds
FLAT_WITHIN = 10 * 1024  # KiB
PATIENTS = {3_650: "m3650@example.com", 3_700: "t3700@example.com", 36_500: "m36500@example.com"}
PASSWORD = "bench-password-2026"

SEED = f"""
from django.conf import settings
from django.utils import timezone
from backlog.models import User
from tests.factories import bulk_history
for count, email in {PATIENTS!r}.items():
    user = User.objects.create_user(
        email, {PASSWORD!r},
        privacy_version=settings.PRIVACY_NOTICE_VERSION, privacy_agreed_at=timezone.now(),
    )
    bulk_history(user, count)
"""


def peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def download(browser: Browser, fmt: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = browser.request("GET", f"/export/{fmt}/", timeout=300)
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise SystemExit(f"export {fmt}: HTTP {response.status}")
    return elapsed, len(response.body.encode())


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="backlog-bench-exports-") as folder:
        directory = Path(folder)
        env = app_env(sqlite_database(directory), directory)
        print("Preparing: migrate, 3,650 + 3,700 + 36,500 flare-ups...", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "shell", "-c", SEED, timeout=1800)

        timings: dict[str, list[float]] = {}
        sizes: dict[str, int] = {}
        with Gunicorn(env, directory / "timing.log", workers=1) as server:
            browser = Browser(server.port, PATIENTS[3_700])
            browser.log_in(PASSWORD)
            for fmt in FORMATS:
                download(browser, fmt)  # warm
            for _ in range(ROUNDS):
                for fmt in FORMATS:
                    elapsed, size = download(browser, fmt)
                    timings.setdefault(fmt, []).append(elapsed)
                    sizes[fmt] = size

        growth: dict[tuple[int, str], int] = {}
        for count in (3_650, 36_500):
            for fmt in FORMATS:
                log = directory / f"memory-{count}-{fmt}.log"
                with Gunicorn(env, log, workers=1) as server:
                    browser = Browser(server.port, PATIENTS[count])
                    browser.log_in(PASSWORD)
                    browser.request("GET", "/history/")
                    (worker,) = server.worker_pids()
                    before = peak_kib(worker)
                    download(browser, fmt)
                    growth[(count, fmt)] = peak_kib(worker) - before

    print("\n## Export download at 3,700 flare-ups (one worker)\n")
    print(f"| format | bytes | median s | each round, s | target < {TIME_LIMIT} s | margin |")
    print("| --- | ---: | ---: | --- | --- | ---: |")
    failed = []
    for fmt in FORMATS:
        median = statistics.median(timings[fmt])
        rounds = " ".join(f"{t:.2f}" for t in timings[fmt])
        passed = median < TIME_LIMIT
        failed += [] if passed else [f"{fmt} export under {TIME_LIMIT} s"]
        margin = (TIME_LIMIT - median) / TIME_LIMIT
        verdict = "PASS" if passed else "FAIL"
        print(f"| {fmt} | {sizes[fmt]:,} | {median:.3f} | {rounds} | {verdict} | {margin:+.0%} |")
    print("\n## Growth of the worker's peak memory during one export (MiB)\n")
    print("| format | 3,650 flare-ups | 36,500 flare-ups | flat (within 10 MiB) |")
    print("| --- | ---: | ---: | --- |")
    for fmt in FORMATS:
        small, large = growth[(3_650, fmt)], growth[(36_500, fmt)]
        flat = large - small <= FLAT_WITHIN
        failed += [] if flat else [f"{fmt} export memory flat"]
        verdict = "PASS" if flat else "FAIL"
        print(f"| {fmt} | {small / 1024:.1f} | {large / 1024:.1f} | {verdict} |")
    print()
    for name in failed:
        print(f"- FAIL: {name}")
    if not failed:
        print("- PASS: every export target")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
