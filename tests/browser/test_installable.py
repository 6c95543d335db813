"""Chromium's own installability check on the running app, and the worker's scope."""

import pytest
from playwright.sync_api import expect

from tests.browser.support import csp_violations, log_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chromium_finds_the_app_installable_with_a_worker_for_the_whole_site(
    page, patient, live_server
):
    log_in(page, patient.email, PASSWORD)
    expect(page.get_by_role("status").filter(has_text="works offline")).to_be_visible()
    devtools = page.context.new_cdp_session(page)

    manifest = devtools.send("Page.getAppManifest")
    problems = devtools.send("Page.getInstallabilityErrors")["installabilityErrors"]

    assert manifest["url"] == f"{live_server.url}/manifest.webmanifest"
    assert manifest["errors"] == []
    # A Playwright context is a private window, where Chromium installs nothing; that is the
    # one reason it may give.
    assert [
        problem["errorId"] for problem in problems if problem["errorId"] != "in-incognito"
    ] == []
    scope = page.evaluate(
        "navigator.serviceWorker.ready.then((registration) => registration.scope)"
    )
    assert scope == f"{live_server.url}/"
    assert (
        page.evaluate("navigator.serviceWorker.controller.scriptURL") == f"{live_server.url}/sw.js"
    )
    assert csp_violations(page) == []
