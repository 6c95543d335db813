"""The demo patient's summary, printed to PDF by Chromium on A4 and US Letter: one or two
pages, nothing overlapping, no chart wider than the page, the patient's name on every page.
The first page is kept as a PNG under test-results/ for a person to look at."""

import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from backlog.models import User
from clinic.management.commands.seed_demo import DEMO_CLINICIAN, DEMO_NAME, DEMO_PATIENT
from tests.browser.support import DESKTOP, PHONE, assert_accessible, csp_violations, log_in
from tests.factories import give_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
MARGIN_MM = 12  # app.css: @page margin 14mm 12mm
PAPER_WIDTH_MM = {"A4": 210, "Letter": 215.9}

# Boxes of the summary's sections and charts as laid out now, in CSS pixels.
BOXES = """() => {
  const box = (el) => { const r = el.getBoundingClientRect();
    return {name: el.id || el.querySelector('h1,h2')?.id || el.className, left: r.left,
            right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height}; };
  const shown = (el) => getComputedStyle(el).display !== 'none' && el.getClientRects().length;
  return {
    sections: [...document.querySelectorAll('.summary-section')].filter(shown).map(box),
    charts: [...document.querySelectorAll('.chart-block svg')].filter(shown).map(box),
    page: document.documentElement.clientWidth,
  };
}"""


@pytest.fixture
def demo_summary(page, live_server):
    call_command("seed_demo")
    give_totp(User.objects.get(email=DEMO_CLINICIAN[0]))  # as on their first log-in
    patient = User.objects.get(email=DEMO_PATIENT[0])
    page.set_viewport_size(DESKTOP)
    log_in(page, *DEMO_CLINICIAN)
    page.goto(f"/clinic/patients/{patient.pk}/")
    expect(page.get_by_role("heading", name=f"Pre-visit summary: {DEMO_NAME}")).to_be_visible()
    return page


def pdf_info(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))


def page_text(path: Path, number: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(number), "-l", str(number), "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def overlaps(a: dict, b: dict) -> bool:
    # Half a pixel of slack for rounding where two boxes touch.
    return (
        min(a["right"], b["right"]) - max(a["left"], b["left"]) > 0.5
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 0.5
    )


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_demo_summary_prints_on_one_or_two_pages_without_overlap_or_clipping(
    demo_summary, paper
):
    page = demo_summary
    page.emulate_media(media="print")
    # The printable width of the paper, in CSS pixels (96 per inch).
    printable = round((PAPER_WIDTH_MM[paper] - 2 * MARGIN_MM) / 25.4 * 96)
    page.set_viewport_size({"width": printable, "height": 1000})
    boxes = page.evaluate(BOXES)
    sections = boxes["sections"]
    assert len(sections) >= 7
    for index, first in enumerate(sections):
        for second in sections[index + 1 :]:
            assert not overlaps(first, second), (first["name"], second["name"])
    assert len(boxes["charts"]) == 2
    for chart in boxes["charts"]:
        assert chart["left"] >= 0
        assert chart["right"] <= printable + 0.5
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Summary period")).to_be_hidden()
    expect(page.get_by_role("heading", name="Red flags answered yes", exact=False)).to_be_visible()

    RESULTS.mkdir(exist_ok=True)
    pdf = RESULTS / f"demo-summary-{paper}.pdf"
    pdf.write_bytes(page.pdf(format=paper))
    pages = pdf_info(pdf)
    assert 1 <= pages <= 2
    for number in range(1, pages + 1):
        text = page_text(pdf, number)
        assert DEMO_NAME in text  # the running header
        assert "Printed " in text
    first_page = RESULTS / f"demo-summary-{paper}-page1"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "100",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(first_page),
        ],
        check=True,
    )
    png = first_page.with_suffix(".png")
    assert png.read_bytes().startswith(b"\x89PNG")
    assert csp_violations(page) == []


def test_the_summary_has_no_serious_accessibility_problem_on_screen_or_in_print(demo_summary):
    page = demo_summary
    assert_accessible(page)
    page.set_viewport_size(PHONE)  # and nothing makes a phone scroll sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.emulate_media(media="print")
    assert_accessible(page)


def test_the_period_changes_in_place_with_htmx(demo_summary):
    page = demo_summary
    page.get_by_role("link", name="Last 12 months").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Last 12 months: "))).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?period=12m$"))
    expect(page.get_by_role("link", name="Last 12 months")).to_have_attribute(
        "aria-current", "true"
    )
    # The section about the last look stayed: only the period was swapped.
    expect(page.get_by_role("heading", name="Since your last look")).to_be_visible()


def test_the_patient_list_has_no_serious_accessibility_problem_on_screen_or_in_print(
    page, live_server
):
    call_command("seed_demo")
    give_totp(User.objects.get(email=DEMO_CLINICIAN[0]))  # as on their first log-in
    log_in(page, *DEMO_CLINICIAN)
    expect(page.get_by_role("heading", name="Your patients")).to_be_visible()
    # Priya's new urgent advice puts her first, in words.
    first_row = page.get_by_role("row").nth(1)
    expect(first_row).to_contain_text("Priya Shah")
    expect(first_row).to_contain_text("New urgent advice")
    assert_accessible(page)
    page.emulate_media(media="print")
    assert_accessible(page)
