"""The charts are drawn by plotly.js's basic bundle (scatter and bar traces only), served by
the app: every trace of every figure on the Trends page is drawn, with no console error, and
the clinician's summary draws its charts with no console error either."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from backlog.models import User
from clinic.management.commands.seed_demo import DEMO_CLINICIAN, DEMO_NAME, DEMO_PATIENT
from tests.browser.support import DESKTOP, csp_violations, log_in
from tests.factories import PASSWORD, give_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# How plotly.js draws each trace type it is given, in the SVG.
TRACE_SELECTORS = {"scatter": ".scatterlayer .trace", "bar": ".barlayer .trace"}

FIGURES = """() => [...document.querySelectorAll('[data-figure]')].map((div) => ({
  id: div.id,
  types: JSON.parse(document.getElementById(div.dataset.figure).textContent)
           .data.map((trace) => trace.type || 'scatter'),
}))"""

SCRIPTS = "() => [...document.scripts].map((script) => script.src).filter(Boolean)"


def test_the_trends_page_draws_every_trace_of_every_chart_with_the_basic_bundle(
    page, patient, make_long_history
):
    make_long_history(patient, 400)
    log_in(page, patient.email, PASSWORD)
    page.goto("/trends/?range=all")
    scripts = page.evaluate(SCRIPTS)
    assert any(src.endswith(".js") and "/plotly/plotly-basic" in src for src in scripts)
    assert not any("plotly.min" in src for src in scripts)
    figures = page.evaluate(FIGURES)
    assert len(figures) == 4
    for figure in figures:
        chart = page.locator(f"#{figure['id']}")
        expect(chart.locator("svg.main-svg").first).to_be_visible()
        assert set(figure["types"]) <= set(TRACE_SELECTORS), figure
        for kind, selector in TRACE_SELECTORS.items():
            expected = figure["types"].count(kind)
            expect(chart.locator(selector)).to_have_count(expected)
    assert page.console_errors == []
    assert csp_violations(page) == []


def test_the_trends_page_loads_no_plotly_but_the_basic_bundle(page, patient):
    log_in(page, patient.email, PASSWORD)
    responses = []
    page.on("response", lambda response: responses.append(response.url))
    page.goto("/trends/")
    page.wait_for_load_state("networkidle")
    plotly_files = [url for url in responses if "plotly" in url]
    assert len(plotly_files) == 1
    assert "plotly-basic" in plotly_files[0]


def test_the_clinicians_summary_draws_its_charts_with_no_console_error(page, live_server):
    call_command("seed_demo")
    # As every clinician must before reading a history (the demo one does it at first log-in).
    give_totp(User.objects.get(email=DEMO_CLINICIAN[0]))
    patient = User.objects.get(email=DEMO_PATIENT[0])
    page.set_viewport_size(DESKTOP)
    log_in(page, *DEMO_CLINICIAN)
    page.goto(f"/clinic/patients/{patient.pk}/")
    expect(page.get_by_role("heading", name=f"Pre-visit summary: {DEMO_NAME}")).to_be_visible()
    charts = page.locator(".summary-charts .chart-block svg")
    assert charts.count() >= 1
    for index in range(charts.count()):
        expect(charts.nth(index)).to_be_visible()
    assert page.console_errors == []
    assert csp_violations(page) == []
