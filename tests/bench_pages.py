"""Page speed, query counts and bytes on the wire, measured on a real server.

    python -m tests.bench_pages        (or: make bench)

One gunicorn (3 workers, DEBUG off, collected and compressed static files) on a throwaway
SQLite database holding the demo patient (two years, a few dozen flare-ups), a patient with
10 flare-ups and one with 10 years of daily flare-ups (3,650). Every page is timed against a
bare view that returns a constant (/healthz), in the same server and the same run, at
concurrency 1 and 8. Prints Markdown tables and exits 1 if a target is missed:

- 3,650 flare-ups, concurrency 1: home and history within 10x of the bare view, quick-log
  POST within 15x, the Trends page under 150 ms at the median and at most 2x the demo
  patient's;
- database queries per page equal at 10 and at 3,650 flare-ups;
- a repeat visit downloads no JavaScript.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from tests.load.harness import Browser, Gunicorn, app_env, manage, sqlite_database

ROUNDS = 60
WARM_UP = 5
CONCURRENT_CLIENTS = 8
ROUNDS_EACH_CONCURRENT = 15
PATIENTS = {
    "demo": "patient@example.com",
    "10 flare-ups": "ten@example.com",
    "3,650 flare-ups": "decade@example.com",
}
PASSWORD = "bench-password-2026"

SEED = f"""
from django.conf import settings
from django.utils import timezone
from backlog.models import User
from tests.factories import bulk_history
for email, count in (("ten@example.com", 10), ("decade@example.com", 3650)):
    user = User.objects.create_user(
        email, {PASSWORD!r},
        privacy_version=settings.PRIVACY_NOTICE_VERSION, privacy_agreed_at=timezone.now(),
    )
    bulk_history(user, count)
demo = User.objects.get(email="patient@example.com")
demo.set_password({PASSWORD!r})
demo.save()
"""


def quick_log_fields(browser: Browser) -> dict:
    return {
        "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        "intensity": "5",
        "side": "left",
        "spread": "none",
        "client_token": str(uuid.uuid4()),
    }


BARE = "bare view (/healthz)"
PAGES = {
    BARE: ("GET", "/healthz"),
    "home (log page)": ("GET", "/"),
    "history": ("GET", "/history/"),
    "Trends page": ("GET", "/trends/"),
    "quick-log POST": ("POST", "/log/"),
}


def timed(browser: Browser, page: str) -> float:
    method, path = PAGES[page]
    fields, headers = None, {}
    if method == "POST":
        fields = quick_log_fields(browser)
        headers = {"HX-Request": "true", "X-CSRFToken": fields["csrfmiddlewaretoken"]}
    started = time.perf_counter()
    response = browser.request(method, path, fields, headers)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise SystemExit(f"{page}: HTTP {response.status}")
    return elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(port: int, email: str, page: str, concurrency: int) -> list[float]:
    browsers = [Browser(port, email) for _ in range(concurrency)]
    for browser in browsers:
        browser.log_in(PASSWORD)
        browser.request("GET", "/")  # the csrf cookie
        for _ in range(WARM_UP):
            timed(browser, page)
    if concurrency == 1:
        return [timed(browsers[0], page) for _ in range(ROUNDS)]
    times: list[float] = []
    lock = threading.Lock()

    def client(browser: Browser) -> None:
        mine = [timed(browser, page) for _ in range(ROUNDS_EACH_CONCURRENT)]
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client, args=(b,)) for b in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def latency_table(port: int) -> tuple[list[str], dict]:
    lines = [
        "| patient | page | c=1 p50 ms | c=1 p95 ms | ratio to bare (p50) | c=8 p50 ms | "
        "c=8 p95 ms | ratio to bare (p50) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    results = {}
    for patient in ("demo", "3,650 flare-ups"):
        email = PATIENTS[patient]
        for page in PAGES:  # the bare view first: it is every other row's yardstick
            row = [patient, page]
            for concurrency in (1, CONCURRENT_CLIENTS):
                times = measure(port, email, page, concurrency)
                p50, p95 = statistics.median(times), percentile(times, 0.95)
                results[(patient, page, concurrency)] = p50
                ratio = p50 / results[(patient, BARE, concurrency)]
                row += [f"{p50:.1f}", f"{p95:.1f}", f"{ratio:.1f}x"]
            lines.append("| " + " | ".join(row) + " |")
    return lines, results


def query_table(env: dict[str, str]) -> tuple[list[str], bool]:
    """Queries per page for 10 and 3,650 flare-ups, counted in-process on the same database."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backlog.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from backlog.models import User

    pages = {
        "home (log page)": lambda user: "/",
        "history": lambda user: "/history/",
        "Trends page": lambda user: "/trends/?range=all",
        "flare-up page": lambda user: f"/episodes/{user.episodes.first().pk}/",
        "summary": lambda user: f"/clinic/patients/{user.pk}/",
    }
    counts: dict[tuple[str, str], int] = {}
    for patient in ("10 flare-ups", "3,650 flare-ups"):
        user = User.objects.get(email=PATIENTS[patient])
        client = Client()
        client.force_login(user)
        client.get("/")
        for page, url in pages.items():
            path = url(user)
            client.get(path)  # warm: the cache holds the trend report from here on
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            counts[(patient, page)] = len(queries)
    lines = ["| page | queries, 10 flare-ups | queries, 3,650 flare-ups |", "| --- | ---: | ---: |"]
    equal = True
    for page in pages:
        small, large = counts[("10 flare-ups", page)], counts[("3,650 flare-ups", page)]
        equal &= small == large
        lines.append(f"| {page} | {small} | {large} |")
    return lines, equal


def bytes_table(port: int) -> tuple[list[str], bool]:
    """Compressed bytes a real browser downloads, first and repeat visit."""
    from playwright.sync_api import sync_playwright

    from tests.browser.support import CHROMIUM, CHROMIUM_ARGS

    lines = [
        "| page | first visit, bytes | of which JavaScript | repeat visit, bytes | "
        "JavaScript on repeat |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    no_js_on_repeat = True
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        for name, path in (("log page (/)", "/"), ("Trends page", "/trends/")):
            # A fresh browser profile, logged in without loading any page, so that the
            # first visit really starts with an empty cache.
            context = browser.new_context(base_url=f"http://127.0.0.1:{port}")
            login = context.request.get("/login/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text())
            context.request.post(
                "/login/",
                form={
                    "csrfmiddlewaretoken": token.group(1),
                    "login": PATIENTS["demo"],
                    "password": PASSWORD,
                },
                headers={"Referer": f"http://127.0.0.1:{port}/login/"},
            )
            page = context.new_page()
            visits = []
            for _ in range(2):
                received: list = []

                def note(request, received=received) -> None:
                    received.append(request)

                # The context sees the service worker's requests as well as the page's.
                context.on("requestfinished", note)
                page.goto(path, wait_until="networkidle")
                # A first visit installs the service worker, which keeps the log page and the
                # files it uses: that belongs to the first visit's bytes.
                page.evaluate("navigator.serviceWorker.ready.then(() => true)")
                page.wait_for_load_state("networkidle")
                context.remove_listener("requestfinished", note)
                total = script = 0
                for request in received:
                    response = request.response()
                    if response is not None and response.from_service_worker:
                        continue  # the worker answered: its own request, if any, is counted
                    sizes = request.sizes()
                    size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
                    total += size
                    if request.url.endswith(".js"):
                        script += size
                visits.append((total, script))
            (first, first_js), (repeat, repeat_js) = visits
            no_js_on_repeat &= repeat_js == 0
            lines.append(f"| {name} | {first:,} | {first_js:,} | {repeat:,} | {repeat_js:,} |")
            context.close()
        browser.close()
    return lines, no_js_on_repeat


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="backlog-bench-") as folder:
        directory = Path(folder)
        database = sqlite_database(directory)
        env = app_env(database, directory)
        print("Preparing: migrate, demo data, 3,650 flare-ups, collectstatic...", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        manage(env, "shell", "-c", SEED, timeout=600)
        manage(env, "collectstatic", "--noinput", timeout=600)
        with Gunicorn(env, directory / "gunicorn.log") as server:
            latency, results = latency_table(server.port)
            wire, no_js_on_repeat = bytes_table(server.port)
        queries, equal = query_table(env)

    big, demo = "3,650 flare-ups", "demo"
    bare = results[(big, BARE, 1)]
    checks = [
        ("home within 10x of the bare view", results[(big, "home (log page)", 1)] <= 10 * bare),
        ("history within 10x of the bare view", results[(big, "history", 1)] <= 10 * bare),
        (
            "quick-log POST within 15x of the bare view",
            results[(big, "quick-log POST", 1)] <= 15 * bare,
        ),
        ("Trends page under 150 ms (median)", results[(big, "Trends page", 1)] < 150),
        (
            "Trends page at most 2x the demo patient's",
            results[(big, "Trends page", 1)] <= 2 * results[(demo, "Trends page", 1)],
        ),
        ("query counts equal at 10 and 3,650 flare-ups", equal),
        ("no JavaScript downloaded on a repeat visit", no_js_on_repeat),
    ]
    print("\n## Latency (ms), same server, same run\n")
    print("\n".join(latency))
    print("\n## Database queries per page\n")
    print("\n".join(queries))
    print("\n## Bytes on the wire (compressed), demo patient\n")
    print("\n".join(wire))
    print("\n## Targets\n")
    for name, passed in checks:
        print(f"- {'PASS' if passed else 'FAIL'}: {name}")
    return 0 if all(passed for _, passed in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
