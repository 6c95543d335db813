"""Helpers for the browser tests: Debian's Chromium, the phone viewport, axe, logging in."""

from __future__ import annotations

import os
import re

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


def log_in(page, email: str, password: str, totp_secret: str = TOTP_SECRET) -> None:
    """Through the log-in page; an account with an authenticator app (every clinician test
    account: tests.factories.TOTP_SECRET) is then asked for its code, typed in as well."""
    page.goto("/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url(re.compile(r"/(clinic/|2fa/authenticate/)?$"))
    if "/2fa/authenticate/" in page.url:
        page.get_by_label("Code").fill(totp_code(totp_secret))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(re.compile(r"/(clinic/)?$"))
