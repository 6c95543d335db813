"""Page speed, query counts and bytes on the wire, measured on a real server.

    python -m tests.bench_pages        (or: make bench)

One gunicorn (3 workers, --preload, DEBUG off, collected and compressed static files, the
Redis cache at BENCH_REDIS_URL, database 8 by default, emptied first) on a throwaway SQLite
database holding the demo patient (two years, a few dozen flare-ups) and
patients with 10, 50 and 3,650 flare-ups (10 years of daily flare-ups). Every page is timed
against a bare view that returns a constant (/healthz), in the same server and the same run.

Benchmarks that do not cry wolf: each figure is measured in ROUNDS rounds (pages
interleaved), each round's median is taken, and a target is judged on the median of the
rounds; every target prints its margin (how far inside or outside it the median is). A
target fails only when that median misses it. Prints Markdown tables and exits 1 if a target
is missed:

- 3,650 flare-ups, concurrency 1: home and history within 10x of the bare view, quick-log
  POST within 15x, and at most 1.3x its time at 50 flare-ups; the Trends page (warm) under
  150 ms and at most 2x the demo patient's; the Trends page as first viewed a second after
  a log (the cache warmed after the log's response) within 8x of the bare view. The Trends
  page with the cache emptied is shown too (no target: that is the figures' build time);
- database queries per page equal at 10 and at 3,650 flare-ups;
- JavaScript on the Trends page's first visit at most 360,000 bytes (brotli), and none on
  a repeat visit;
- the first chart drawn within 4 s on the Trends page under Chromium's "Fast 3G" emulation;
- a fresh worker's first request under 300 ms.
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
from dataclasses import dataclass
from pathlib import Path

from tests.load.harness import Browser, Gunicorn, app_env, manage, sqlite_database

ROUNDS = 5
REQUESTS_EACH = 11  # per page and round, concurrency 1
WARM_UP = 5
CONCURRENT_CLIENTS = 8
ROUNDS_EACH_CONCURRENT = 6
PATIENTS = {
    "demo": "patient@example.com",
    "10 flare-ups": "ten@example.com",
    "50 flare-ups": "fifty@example.com",
    "3,650 flare-ups": "decade@example.com",
}
# The shared cache, as in production (emptied at the start); without Redis each worker keeps
# its own and a view after a log is often served by a worker that did not warm it.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
# A patient does not log twice within a fraction of a second: before each timed log, the
# previous log's after-commit work (the cache warmed in the background) has time to finish.
PAUSE_BEFORE_A_LOG = 0.3  # seconds
# Chrome DevTools' "Fast 3G" preset, as CDP Network.emulateNetworkConditions takes it.
FAST_3G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8 * 0.9,
    "uploadThroughput": 750 * 1024 / 8 * 0.9,
}
PASSWORD = "bench-password-2026"

SEED = f"""
from django.conf import settings
from django.utils import timezone
from backlog.models import User
from tests.factories import bulk_history
for email, count in (
    ("ten@example.com", 10), ("fifty@example.com", 50), ("decade@example.com", 3650)
):
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
AFTER_LOG = "Trends page, first view after a log"
COLD = "Trends page, cold (cache emptied)"
PAGES = {
    BARE: ("GET", "/healthz"),
    "home (log page)": ("GET", "/"),
    "history": ("GET", "/history/"),
    "Trends page": ("GET", "/trends/"),
    "quick-log POST": ("POST", "/log/"),
    AFTER_LOG: ("GET", "/trends/"),  # a second after a quick-log POST (not timed)
    COLD: ("GET", "/trends/"),  # with the shared cache emptied first
}
# From the log page to the Trends page, a person takes at least a second.
LOG_TO_TRENDS = 1.0  # seconds


def timed(browser: Browser, page: str) -> float:
    method, path = PAGES[page]
    fields, headers = None, {}
    if page == AFTER_LOG:
        time.sleep(PAUSE_BEFORE_A_LOG)
        request(browser, "POST", "/log/")
        time.sleep(LOG_TO_TRENDS)
    if page == COLD:
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
    if method == "POST":
        time.sleep(PAUSE_BEFORE_A_LOG)
        fields = quick_log_fields(browser)
        headers = {"HX-Request": "true", "X-CSRFToken": fields["csrfmiddlewaretoken"]}
    started = time.perf_counter()
    response = browser.request(method, path, fields, headers)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise SystemExit(f"{page}: HTTP {response.status}")
    return elapsed


def request(browser: Browser, method: str, path: str) -> None:
    fields = quick_log_fields(browser) if method == "POST" else None
    headers = {"HX-Request": "true"} if method == "POST" else {}
    if browser.request(method, path, fields, headers).status != 200:
        raise SystemExit(f"{method} {path} failed")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def logged_in(port: int, email: str) -> Browser:
    browser = Browser(port, email)
    browser.log_in(PASSWORD)
    browser.request("GET", "/")  # the csrf cookie
    return browser


def measure_rounds(port: int, patients: list[str]) -> dict[tuple[str, str], list[float]]:
    """Each round's median per patient and page, concurrency 1, pages interleaved."""
    browsers = {patient: logged_in(port, PATIENTS[patient]) for patient in patients}
    for browser in browsers.values():
        for page in PAGES:
            for _ in range(1 if page in (AFTER_LOG, COLD) else WARM_UP):
                timed(browser, page)
    medians: dict[tuple[str, str], list[float]] = {}
    for _ in range(ROUNDS):
        # Patients in turn for each page, so that the machine's other work weighs on the
        # figures compared with each other (50 and 3,650 flare-ups) alike.
        for page in PAGES:
            for patient, browser in browsers.items():
                each = 3 if page in (AFTER_LOG, COLD) else REQUESTS_EACH
                times = [timed(browser, page) for _ in range(each)]
                medians.setdefault((patient, page), []).append(statistics.median(times))
    return medians


_CONCURRENT_BROWSERS: dict[str, list[Browser]] = {}


def measure_concurrent(port: int, email: str, page: str) -> list[float]:
    # Logged in once per patient and kept: logins are rate-limited (per address, shared by
    # every worker through the cache), and logging in is not what this measures.
    if email not in _CONCURRENT_BROWSERS:
        _CONCURRENT_BROWSERS[email] = [logged_in(port, email) for _ in range(CONCURRENT_CLIENTS)]
    browsers = _CONCURRENT_BROWSERS[email]
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
        f"| patient | page | c=1 median of {ROUNDS} round medians, ms | rounds, ms | "
        f"ratio to bare | c={CONCURRENT_CLIENTS} p50 ms | c={CONCURRENT_CLIENTS} p95 ms |",
        "| --- | --- | ---: | --- | ---: | ---: | ---: |",
    ]
    patients = ["demo", "50 flare-ups", "3,650 flare-ups"]
    rounds = measure_rounds(port, patients)
    results = {key: statistics.median(values) for key, values in rounds.items()}
    for patient in patients:
        for page in PAGES:
            value = results[(patient, page)]
            ratio = value / results[(patient, BARE)]
            spread = " ".join(f"{v:.0f}" for v in rounds[(patient, page)])
            concurrent = ["", ""]
            if patient != "50 flare-ups" and page not in (AFTER_LOG, COLD):
                times = measure_concurrent(port, PATIENTS[patient], page)
                concurrent = [f"{statistics.median(times):.1f}", f"{percentile(times, 0.95):.1f}"]
            lines.append(
                f"| {patient} | {page} | {value:.1f} | {spread} | {ratio:.1f}x | "
                + " | ".join(concurrent)
                + " |"
            )
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
    trends_js = 0
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
            if path == "/trends/":
                trends_js = first_js
            lines.append(f"| {name} | {first:,} | {first_js:,} | {repeat:,} | {repeat_js:,} |")
            context.close()
        browser.close()
    return lines, no_js_on_repeat, trends_js


def logged_in_context(browser, port: int, email: str):
    """A fresh browser profile (empty cache), logged in without loading any page."""
    context = browser.new_context(base_url=f"http://127.0.0.1:{port}")
    login = context.request.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text())
    context.request.post(
        "/login/",
        form={"csrfmiddlewaretoken": token.group(1), "login": email, "password": PASSWORD},
        headers={"Referer": f"http://127.0.0.1:{port}/login/"},
    )
    return context


def first_chart_paint(port: int, throttled: bool) -> list[float]:
    """Seconds from navigation to the first chart's SVG on the Trends page, a first visit
    (empty cache) each time, with or without Fast 3G emulation."""
    from playwright.sync_api import sync_playwright

    from tests.browser.support import CHROMIUM, CHROMIUM_ARGS

    seconds = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        for _ in range(ROUNDS):
            context = logged_in_context(browser, port, PATIENTS["demo"])
            page = context.new_page()
            if throttled:
                session = context.new_cdp_session(page)
                session.send("Network.enable")
                session.send("Network.emulateNetworkConditions", FAST_3G)
            page.goto("/trends/", wait_until="commit", timeout=60_000)
            page.wait_for_selector(".chart svg.main-svg", timeout=60_000)
            navigation_to_now = page.evaluate("performance.now()")
            seconds.append(navigation_to_now / 1000)
            context.close()
        browser.close()
    return seconds


def fresh_worker_first_request(env: dict[str, str], directory: Path) -> list[float]:
    """A new server with one worker (as `make serve` starts it: --preload), its very first
    request timed: the log-in page. Several servers, one request each."""
    times = []
    for number in range(ROUNDS):
        with Gunicorn(env, directory / f"fresh-{number}.log", workers=1) as server:
            started = time.perf_counter()
            response = Browser(server.port, "").request("GET", "/login/")
            times.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise SystemExit(f"fresh worker: HTTP {response.status}")
    return times


@dataclass
class Target:
    name: str
    value: float
    limit: float
    unit: str = ""

    @property
    def passed(self) -> bool:
        return self.value <= self.limit

    @property
    def margin(self) -> str:
        """How far inside (+) or outside (-) the limit the median is, as a share of it."""
        return f"{(self.limit - self.value) / self.limit:+.0%}"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="backlog-bench-") as folder:
        directory = Path(folder)
        database = sqlite_database(directory)
        env = {**app_env(database, directory), "REDIS_URL": REDIS_URL}
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        print("Preparing: migrate, demo data, 3,650 flare-ups, collectstatic...", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        manage(env, "shell", "-c", SEED, timeout=600)
        manage(env, "collectstatic", "--noinput", timeout=600)
        with Gunicorn(env, directory / "gunicorn.log") as server:
            print("Timing pages...", flush=True)
            latency, results = latency_table(server.port)
            print("Bytes on the wire and first chart paint...", flush=True)
            wire, no_js_on_repeat, trends_js = bytes_table(server.port)
            paint = first_chart_paint(server.port, throttled=False)
            paint_3g = first_chart_paint(server.port, throttled=True)
        first_requests = fresh_worker_first_request(env, directory)
        queries, equal = query_table(env)

    big, fifty, demo = "3,650 flare-ups", "50 flare-ups", "demo"
    bare = results[(big, BARE)]
    ratio = lambda patient, page: results[(patient, page)] / results[(patient, BARE)]  # noqa: E731
    targets = [
        Target("home within 10x of the bare view", ratio(big, "home (log page)"), 10, "x"),
        Target("history within 10x of the bare view", ratio(big, "history"), 10, "x"),
        Target("quick-log POST within 15x of the bare view", ratio(big, "quick-log POST"), 15, "x"),
        Target(
            "quick-log POST at 3,650 flare-ups at most 1.3x its time at 50",
            results[(big, "quick-log POST")] / results[(fifty, "quick-log POST")],
            1.3,
            "x",
        ),
        Target("Trends page (warm) under 150 ms", results[(big, "Trends page")], 150, " ms"),
        Target(
            "Trends page at most 2x the demo patient's",
            results[(big, "Trends page")] / results[(demo, "Trends page")],
            2,
            "x",
        ),
        Target(
            "Trends page, first view after a log, within 8x of the bare view",
            ratio(big, AFTER_LOG),
            8,
            "x",
        ),
        Target("JavaScript on the Trends page, first visit (bytes)", trends_js, 360_000),
        Target("first chart paint under Fast 3G (s)", statistics.median(paint_3g), 4, " s"),
        Target("a fresh worker's first request (ms)", statistics.median(first_requests), 300),
    ]
    print("\n## Latency (ms), same server, same run\n")
    print(f"Bare view at 3,650 flare-ups: {bare:.1f} ms.\n")
    print("\n".join(latency))
    print("\n## Database queries per page\n")
    print("\n".join(queries))
    print("\n## Bytes on the wire (compressed), demo patient\n")
    print("\n".join(wire))
    print("\n## First chart on the Trends page, first visit, demo patient (s)\n")
    print("| network | median | each round |")
    print("| --- | ---: | --- |")
    for name, values in (("unthrottled", paint), ("Fast 3G (CDP emulation)", paint_3g)):
        rounds = " ".join(f"{v:.2f}" for v in values)
        print(f"| {name} | {statistics.median(values):.2f} | {rounds} |")
    print("\n## A fresh worker's first request (GET /login/, ms)\n")
    print(" ".join(f"{v:.0f}" for v in first_requests))
    print("\n## Targets (medians; margin: how far inside (+) or outside (-) the limit)\n")
    print("| target | median | limit | margin | verdict |")
    print("| --- | ---: | ---: | ---: | --- |")
    for target in targets:
        value = f"{target.value:,.2f}" if target.value < 100 else f"{target.value:,.0f}"
        limit = f"{target.limit:,}"
        verdict = "PASS" if target.passed else "FAIL"
        print(f"| {target.name} | {value} | {limit} | {target.margin} | {verdict} |")
    checks = [
        ("query counts equal at 10 and 3,650 flare-ups", equal),
        ("no JavaScript downloaded on a repeat visit", no_js_on_repeat),
    ]
    for name, passed in checks:
        print(f"- {'PASS' if passed else 'FAIL'}: {name}")
    passed = all(t.passed for t in targets) and all(ok for _, ok in checks)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
