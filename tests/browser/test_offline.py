"""The log page with no connection, in Chromium: the service worker opens it, logs wait in the
phone's outbox, red flags are answered at once, and everything is sent exactly once when the
connection comes back.

Requests the page makes are routed with `context.route`: a page under a service worker sends
them through the worker, where `page.route` does not see them.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from advice.models import Prompt
from advice.rules import SEEK_CARE_LEVELS, evaluate
from episodes.models import RED_FLAG_FIELDS, Episode, Leg, Side, Spread
from tests.browser.support import (
    assert_accessible,
    csp_violations,
    follow_main_link,
    log_in,
    log_out,
    outbox_entries,
)
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = "Saved on this phone. It will be sent when you are back online."
SADDLE = "Numbness or tingling around the genitals, buttocks or inner thighs"
# The phone's clock: three hours behind the server's, so a flare-up stored with the time it
# arrived would be three hours off.
PHONE_LAG = timedelta(hours=3)


def ready_offline(page) -> None:
    """Wait until the service worker keeps the log page (the page says so)."""
    expect(page.get_by_role("status").filter(has_text="works offline")).to_be_visible()


def log_flare_up(page, *, intensity, side, spread=None, leg=None, flags=()) -> None:
    form = page.locator("form.quick-log")
    form.get_by_label(intensity, exact=True).check()
    form.get_by_label(side, exact=True).check()
    if spread:
        form.get_by_role("radio", name=spread, exact=True).check()
    if leg:
        form.get_by_label(leg, exact=True).check()
    for flag in flags:
        form.get_by_label(flag).check()
    form.get_by_role("button", name="Log flare-up").click()


def reopen_offline(page) -> None:
    """Cut the connection and reload: the page must come from the service worker's copy."""
    page.context.set_offline(True)
    failed = []
    page.context.on("requestfailed", lambda request: failed.append(request))
    response = page.reload()
    assert response.from_service_worker
    # The worker did try the network for the page, and the network was not there.
    assert [request.failure for request in failed if request.url == page.url] == [
        "net::ERR_INTERNET_DISCONNECTED"
    ]


def log_two_offline(page) -> list[dict]:
    log_flare_up(page, intensity="4", side="Middle")
    expect(page.get_by_role("heading", name=SAVED)).to_be_visible()
    log_flare_up(
        page, intensity="7", side="Left side", spread="Thigh", leg="Left leg", flags=(SADDLE,)
    )
    emergency = page.get_by_role("alert").filter(has_text="Emergency")
    expect(emergency).to_contain_text(
        "Go to an emergency department or call the emergency number now."
    )
    expect(emergency).to_contain_text("Numbness around the groin or buttocks")
    expect(page.get_by_role("region", name="Saved on this phone, not sent yet")).to_contain_text(
        "7/10"
    )
    entries = outbox_entries(page)
    assert [entry["status"] for entry in entries] == ["waiting", "waiting"]
    assert Episode.objects.count() == 0
    return entries


def logged_at(entry: dict) -> datetime:
    return datetime.fromisoformat(entry["loggedAt"])


def test_offline_the_log_page_opens_keeps_two_flare_ups_and_sends_them_once_back_online(
    page, patient
):
    page.clock.install(time=datetime.now(UTC) - PHONE_LAG)
    log_in(page, patient.email, PASSWORD)
    ready_offline(page)
    reopen_offline(page)

    entries = log_two_offline(page)
    assert_accessible(page)

    page.context.set_offline(False)
    expect(page.locator("[data-offline-status]")).to_contain_text(
        "2 flare-ups saved on this phone have been sent."
    )
    expect(page.get_by_role("heading", name="Sent: it is in your diary now.")).to_be_visible()
    expect(page.locator("#history-rows li")).to_have_count(2)
    assert outbox_entries(page) == []
    stored = list(Episode.objects.filter(patient=patient).order_by("started_at"))
    assert [episode.started_at for episode in stored] == [logged_at(entry) for entry in entries]
    assert stored[0].created_at - stored[0].started_at > PHONE_LAG - timedelta(minutes=1)
    # The advice is stored with the flare-up, as for any log.
    assert Prompt.objects.filter(episode=stored[1], level="emergency").exists()
    assert csp_violations(page) == []


def test_a_connection_dropped_in_the_middle_of_the_send_still_stores_each_flare_up_once(
    page, patient
):
    log_in(page, patient.email, PASSWORD)
    ready_offline(page)
    reopen_offline(page)
    entries = log_two_offline(page)
    sends = []

    def answer_lost_on_the_way_back(route):
        sends.append(parse_qs(route.request.post_data)["client_token"][0])
        if len(sends) == 1:
            assert route.fetch().status == 201  # the server stored it...
            route.abort("connectionreset")  # ...and the phone never heard
        else:
            route.continue_()

    page.context.route("**/log/", answer_lost_on_the_way_back)
    page.context.set_offline(False)
    expect(page.locator("[data-offline-status]")).to_contain_text("saved on this phone ha")
    expect(page.get_by_role("region", name="Saved on this phone, not sent yet")).to_be_hidden()

    assert outbox_entries(page) == []
    tokens = [entry["token"] for entry in entries]
    assert sends == [tokens[0], tokens[0], tokens[1]]
    stored = Episode.objects.filter(patient=patient).order_by("started_at")
    assert [str(episode.client_token) for episode in stored] == tokens
    assert [episode.started_at for episode in stored] == [logged_at(entry) for entry in entries]


def test_a_log_whose_send_gets_no_answer_online_is_kept_on_the_phone_and_sent_again(page, patient):
    log_in(page, patient.email, PASSWORD)
    ready_offline(page)
    dropped = []

    def drop_once(route):
        if not dropped:
            dropped.append(route.request.post_data)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.context.route("**/log/", drop_once)
    log_flare_up(page, intensity="6", side="Right side")
    expect(page.get_by_role("heading", name=SAVED)).to_be_visible()
    expect(page.locator("[data-offline-status]")).to_contain_text(
        "1 flare-up saved on this phone has been sent."
    )
    assert Episode.objects.filter(patient=patient, intensity=6).count() == 1
    assert outbox_entries(page) == []


def test_the_page_s_red_flag_rules_agree_with_the_server_s_for_every_combination_of_answers(
    page, patient
):
    cases = []
    for flags in itertools.product([False, True], repeat=len(RED_FLAG_FIELDS)):
        for side, spread in itertools.product(Side.values, Spread.values):
            for leg in [""] if spread == Spread.NONE else Leg.values:
                answers = {**dict(zip(RED_FLAG_FIELDS, flags, strict=True)), "side": side}
                answers.update(spread=spread, leg=leg)
                prompts = evaluate(SimpleNamespace(**answers))
                expected = [p.code for p in prompts if p.level in SEEK_CARE_LEVELS]
                cases.append({"answers": answers, "expected": expected})
    log_in(page, patient.email, PASSWORD)

    disagreements = page.evaluate(
        """(cases) => {
            const rules = JSON.parse(document.getElementById("offline-rules").textContent);
            const codes = (answers) => BacklogRedFlags.evaluate(answers, rules).map((r) => r.code);
            return cases
                .map((c) => ({...c, got: codes(c.answers)}))
                .filter((c) => JSON.stringify(c.got) !== JSON.stringify(c.expected));
        }""",
        cases,
    )

    assert len(cases) == 2**6 * 4 * 13
    assert sum(1 for case in cases if case["expected"]) > len(cases) / 2
    assert disagreements == []


def add_to_outbox(page, user_id: int, fields: list, logged: datetime) -> None:
    """An entry as the phone's outbox keeps it (static/js/outbox.js)."""
    page.evaluate(
        """([user, fields, loggedAt]) => BacklogOutbox.add({
            user, fields, loggedAt, token: crypto.randomUUID(), summary: "5/10, Left side",
            status: "waiting", message: "", confirmed: false,
        })""",
        [user_id, fields, logged.isoformat()],
    )


def test_an_entry_the_server_refuses_is_shown_with_its_message_and_kept_until_discarded(
    page, patient
):
    log_in(page, patient.email, PASSWORD)
    ready_offline(page)
    page.context.set_offline(True)
    # Logged on a phone whose page still offered a choice the server no longer takes.
    fields = [["intensity", "5"], ["side", "upper"], ["spread", "none"]]
    add_to_outbox(page, patient.pk, fields, datetime.now(UTC))
    page.context.set_offline(False)
    page.reload()

    outbox = page.get_by_role("region", name="Saved on this phone, not sent yet")
    expect(outbox).to_contain_text("backlog did not accept it: Select a valid choice.")
    assert [entry["status"] for entry in outbox_entries(page)] == ["rejected"]
    assert Episode.objects.count() == 0
    assert_accessible(page)

    outbox.get_by_role("button", name=re.compile("^Discard")).click()
    expect(outbox).to_be_hidden()
    assert outbox_entries(page) == []


def test_an_entry_older_than_seven_days_waits_for_the_patient_and_keeps_its_time(page, patient):
    log_in(page, patient.email, PASSWORD)
    ready_offline(page)
    logged = (datetime.now(UTC) - timedelta(days=9)).replace(microsecond=0)
    sends = []
    page.context.route("**/log/", lambda route: (sends.append(1), route.continue_()))
    add_to_outbox(
        page, patient.pk, [["intensity", "5"], ["side", "left"], ["spread", "none"]], logged
    )
    page.reload()

    outbox = page.get_by_role("region", name="Saved on this phone, not sent yet")
    expect(outbox).to_contain_text("Logged more than 7 days ago.")
    assert sends == []
    outbox.get_by_role("button", name=re.compile("^Send with the original time")).click()

    expect(page.locator("[data-offline-status]")).to_contain_text("1 flare-up saved on this phone")
    assert list(Episode.objects.values_list("started_at", flat=True)) == [logged]
    assert outbox_entries(page) == []


def test_an_outbox_waits_for_its_own_account_and_is_never_sent_under_another(
    page, patient, other_patient
):
    log_in(page, patient.email, PASSWORD)
    ready_offline(page)
    reopen_offline(page)
    log_flare_up(page, intensity="3", side="Middle")
    expect(page.get_by_role("heading", name=SAVED)).to_be_visible()
    # Back online, but every send is cut off, so the log is still on the phone at log-out.
    page.context.route("**/log/", lambda route: route.abort("connectionreset"))
    page.context.set_offline(False)
    log_out(page)
    page.context.unroute("**/log/")
    sends = []
    page.context.route("**/log/", lambda route: (sends.append(1), route.continue_()))

    log_in(page, other_patient.email, PASSWORD)
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("region", name="Saved on this phone, not sent yet")).to_be_hidden()
    assert sends == []
    assert [entry["user"] for entry in outbox_entries(page)] == [patient.pk]
    log_out(page)

    log_in(page, patient.email, PASSWORD)
    expect(page.locator("[data-offline-status]")).to_contain_text(
        "1 flare-up saved on this phone has been sent."
    )
    assert list(Episode.objects.values_list("patient", flat=True)) == [patient.pk]
    assert outbox_entries(page) == []


def test_without_javascript_the_quick_log_posts_as_a_plain_form(browser, live_server, patient):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, patient.email, PASSWORD)
    form = page.locator("form.quick-log")
    form.get_by_label("5", exact=True).check()
    form.get_by_label("Left side").check()
    form.get_by_role("button", name="Log flare-up").click()
    expect(page.get_by_role("heading", name=re.compile("^Flare-up of"))).to_be_visible()
    assert Episode.objects.filter(patient=patient).count() == 1
    assert page.locator("#outbox").is_hidden()
    context.close()


def test_offline_another_page_says_there_is_no_connection_and_leads_back_to_the_log_page(
    page, patient
):
    log_in(page, patient.email, PASSWORD)
    ready_offline(page)
    page.context.set_offline(True)
    follow_main_link(page, "History")
    expect(page.get_by_role("heading", name="No connection")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Log a flare-up").click()
    expect(page.get_by_role("heading", name="Log a flare-up")).to_be_visible()


def test_back_online_a_background_sync_sends_the_outbox_with_no_log_page_open(page, patient):
    log_in(page, patient.email, PASSWORD)
    ready_offline(page)
    reopen_offline(page)
    entries = log_two_offline(page)
    # The "no connection" page runs no script: only the service worker can send now.
    follow_main_link(page, "History")
    expect(page.get_by_role("heading", name="No connection")).to_be_visible()
    assert page.evaluate("document.scripts.length") == 0

    page.context.set_offline(False)

    for _ in range(100):
        if not outbox_entries(page):
            break
        page.wait_for_timeout(100)
    assert outbox_entries(page) == []
    stored = Episode.objects.filter(patient=patient).order_by("started_at")
    assert [episode.started_at for episode in stored] == [logged_at(entry) for entry in entries]
