"""The Trends charts as drawn by the browser: nothing written over the data, no two notes on
top of each other, axis labels that do not run together, for the demo patient and for a new
patient with three flare-ups, on a phone and on a desktop."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from backlog.models import User
from clinic.management.commands.seed_demo import DEMO_PATIENT
from tests.browser.support import DESKTOP, PHONE, log_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOXES = """() => {
  const box = (element) => {
    const r = element.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
            width: r.width, height: r.height};
  };
  const seen = (b) => b.width > 0 && b.height > 0;
  return [...document.querySelectorAll('.chart')].map((chart) => ({
    id: chart.id,
    annotations: [...chart.querySelectorAll('.annotation-text-g')].map(box).filter(seen),
    markers: [...chart.querySelectorAll(
      '.scatterlayer .points path, .barlayer .point path')].map(box).filter(seen),
    ticks: [...chart.querySelectorAll('.xtick text')].map((t) => ({...box(t), text: t.textContent}))
      .filter(seen),
  }));
}"""


def overlaps(a: dict, b: dict) -> bool:
    # Half a pixel of slack where two boxes only touch.
    return (
        min(a["right"], b["right"]) - max(a["left"], b["left"]) > 0.5
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 0.5
    )


def trends_boxes(page) -> list[dict]:
    page.goto("/trends/?range=all")
    charts = page.locator(".chart")
    for index in range(charts.count()):
        expect(charts.nth(index).locator("svg.main-svg").first).to_be_visible()
    return page.evaluate(BOXES)


def demo_patient():
    call_command("seed_demo")
    return DEMO_PATIENT


def three_flare_ups(make_user, make_episode):
    patient = make_user("three@example.com")
    now = timezone.now()
    for hours, intensity in ((30, 4), (20, 9), (2, 6)):
        make_episode(patient, started_at=now - timedelta(hours=hours), intensity=intensity)
    return patient.email, PASSWORD


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("history", ["demo", "three flare-ups"])
def test_no_note_covers_a_data_point_or_another_note(
    new_page, history, viewport, make_user, make_episode
):
    email, password = (
        demo_patient() if history == "demo" else three_flare_ups(make_user, make_episode)
    )
    page = new_page(viewport=viewport)
    log_in(page, email, password)

    charts = trends_boxes(page)

    assert charts
    assert any(chart["markers"] for chart in charts)
    for chart in charts:
        for note in chart["annotations"]:
            assert not any(overlaps(note, marker) for marker in chart["markers"]), chart["id"]
        for index, note in enumerate(chart["annotations"]):
            for other in chart["annotations"][index + 1 :]:
                assert not overlaps(note, other), chart["id"]
        ticks = chart["ticks"]
        assert not any(":" in tick["text"] for tick in ticks), chart["id"]
        for index, tick in enumerate(ticks):
            for other in ticks[index + 1 :]:
                assert not overlaps(tick, other), (chart["id"], tick["text"], other["text"])
    assert page.console_errors == []


def test_the_demo_patients_recent_half_band_is_labelled_with_what_is_compared(new_page):
    page = new_page(viewport=DESKTOP)
    log_in(page, *demo_patient())
    page.goto("/trends/?range=all")
    label = page.locator("#chart-frequency .annotation-text-g")
    expect(label).to_contain_text("compared with the")
    demo = User.objects.get(email=DEMO_PATIENT[0])
    assert demo.episodes.exists()
