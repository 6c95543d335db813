"""Helpers for the browser tests: Debian's Chromium, the phone viewport, axe, logging in."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe

from tests.factories import TOTP_SECRET, totp_code

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def csp_violations(page) -> list[str]:
    return [text for text in page.console_errors if "Content Security Policy" in text]


def assert_accessible(page) -> None:
    """axe-core over the page as it is now: no serious or critical WCAG 2.1 A/AA violation."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, results.generate_report()


def follow_main_link(page, name: str) -> None:
    """Follow a link of the header, opening the phone's Menu first when the link is in it."""
    link = page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        page.locator("header summary", has_text="Menu").click()
    link.click()


def log_out(page) -> None:
    """The header's Log out button, opening the phone's Menu first when it is in it."""
    button = page.get_by_role("button", name="Log out")
    if not button.is_visible():
        page.locator("header summary", has_text="Menu").click()
    button.click()


def logged_in(page) -> None:
    """Wait until the page is one a logged-in person sees (its header has Log out)."""
    page.get_by_role("button", name="Log out", include_hidden=True).wait_for(state="attached")


def log_in(page, email: str, password: str, totp_secret: str = TOTP_SECRET) -> None:
    """Through the log-in page; an account with an authenticator app (every clinician test
    account: tests.factories.TOTP_SECRET) is then asked for its code, typed in as well."""
    page.goto("/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    # Paths, not patterns: "/login/" itself ends in a slash, and a pattern matching it would
    # let a slow log-in go on from the page it started on.
    page.wait_for_url(lambda url: urlsplit(url).path in ("/", "/clinic/", "/2fa/authenticate/"))
    if urlsplit(page.url).path == "/2fa/authenticate/":
        page.get_by_label("Code").fill(totp_code(totp_secret))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(lambda url: urlsplit(url).path in ("/", "/clinic/"))


def outbox_entries(page) -> list[dict]:
    """Everything in this browser's outbox (static/js/outbox.js), whoever logged it."""
    return page.evaluate(
        """async () => {
            const known = await indexedDB.databases();
            if (!known.some((db) => db.name === "backlog")) return [];
            return new Promise((resolve, reject) => {
                const opening = indexedDB.open("backlog");
                opening.onerror = () => reject(opening.error);
                opening.onsuccess = () => {
                    const db = opening.result;
                    if (!db.objectStoreNames.contains("outbox")) {
                        db.close();
                        resolve([]);
                        return;
                    }
                    const reading = db.transaction("outbox").objectStore("outbox").getAll();
                    reading.onsuccess = () => { db.close(); resolve(reading.result); };
                    reading.onerror = () => reject(reading.error);
                };
            });
        }"""
    )
