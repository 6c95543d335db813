"""Helpers for the browser tests: Debian's Chromium, the phone viewport, axe, logging in."""

from __future__ import annotations

import os
import re

from axe_playwright_python.sync_playwright import Axe

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


def log_in(page, email: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/(clinic/)?$"))


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
