"""Real-browser fixtures: Debian's Chromium driven by Playwright, against pytest-django's
live server. Nothing here skips: without Chromium these tests fail, loudly."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, PHONE

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Make a page in a fresh browser context: a phone by default, or any viewport, with or
    without JavaScript. Console errors are kept on `page.console_errors`."""
    contexts = []

    def make(*, viewport: dict = PHONE, javascript: bool = True):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, java_script_enabled=javascript
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda message: message.type == "error" and page.console_errors.append(message.text),
        )
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
