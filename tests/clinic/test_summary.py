"""The pre-visit summary: written for a clinician, what changed since their last look, the
period, red flags first, a fixed query count, and the same page as a PDF."""

import re
import subprocess
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from advice.rules import RULES_BY_CODE
from advice.services import episode_log
from backlog.models import AccessEvent
from clinic import services
from clinic.models import Share

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(patient, clinician):
    return services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)


def log(patient, *, days_ago=1, **fields):
    fields.setdefault("intensity", 5)
    fields.setdefault("side", "left")
    fields.setdefault("spread", "none")
    return episode_log(
        patient=patient, started_at=timezone.now() - timedelta(days=days_ago), **fields
    )[0]


def summary_url(patient, **query) -> str:
    url = reverse("patient_summary", args=[patient.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def read(client, patient, **query) -> str:
    response = client.get(summary_url(patient, **query))
    assert response.status_code == 200
    return response.content.decode()


def test_the_top_identifies_the_patient_by_name_email_birth_date_zone_and_period(
    client, make_user, clinician
):
    patient = make_user(
        "jo@example.com",
        tz="Europe/Paris",
        display_name="Jo Bloggs",
        date_of_birth=date(1970, 3, 1),
    )
    services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    client.force_login(clinician)
    content = read(client, patient)
    assert "Pre-visit summary: Jo Bloggs" in content
    assert "jo@example.com" in content
    assert "1 Mar 1970 (age " in content
    assert "Europe/Paris" in content
    today = timezone.localtime(timezone.now(), patient.zone).date()
    assert f"Last 6 months: {today - timedelta(days=182):%-d %b %Y} to {today:%-d %b %Y}" in content


def test_the_counts_are_written_in_the_third_person_with_clinical_figures(
    client, patient, clinician, shared
):
    log(patient, days_ago=3, intensity=9)
    log(patient, days_ago=2, intensity=4)
    client.force_login(clinician)
    content = read(client, patient)
    assert "<strong>2</strong> flare-ups from" in content
    assert "worst pain <strong>6.5/10</strong> on average, highest <strong>9/10</strong>" in content
    assert "Your flare-ups" not in content
    assert "you have" not in content


def test_patient_coaching_is_left_out_and_the_advice_shown_is_listed_with_level_rule_and_source(
    client, patient, clinician, shared
):
    log(patient, spasm=True, remedies={"bed_rest": "no"})
    client.force_login(clinician)
    content = read(client, patient)
    # What the patient was told to do is not repeated here: only which rule, when, from where.
    assert "Spasm: stretch gently" not in content
    assert reverse("guidance") not in content
    for code in ("bed_rest", "keep_moving", "stretch_gently"):
        message = " ".join(RULES_BY_CODE[code].message.split())[:60]
        assert message not in content
    assert "Advice the patient was shown in this period" in content
    advice = content[content.index("Advice the patient was shown") :]
    assert re.search(r"Self-care</span></td><th scope=\"row\">Try not to lie flat all day", advice)
    assert "Cochrane CD007612" in advice


def test_red_flags_come_before_the_charts_with_date_and_the_advice_given(
    client, patient, clinician, shared
):
    log(patient, days_ago=4, bladder_bowel=True)
    client.force_login(clinician)
    content = read(client, patient)
    flags = content.index('id="flags-heading"')
    assert flags < content.index('id="charts-heading"')
    section = content[flags : content.index('id="count-heading"')]
    assert "New trouble passing urine" in section
    assert "Emergency</span>" in section
    day = timezone.localtime(timezone.now() - timedelta(days=4), patient.zone)
    assert f"{day:%-d %b %Y}" in section


def test_a_first_look_says_so(client, patient, clinician, shared):
    client.force_login(clinician)
    assert "This is your first look at this history" in read(client, patient)


def test_what_changed_since_the_last_look_lists_new_flare_ups_and_new_urgent_advice(
    client, patient, clinician, shared
):
    client.force_login(clinician)
    read(client, patient)
    log(patient, days_ago=0, intensity=8, fever=True)
    content = read(client, patient)
    section = content[content.index('id="changes"') : content.index('id="period"')]
    assert "<strong>1</strong> new flare-up logged" in section
    assert "New emergency or urgent advice" in section
    assert "Fever" in section


def test_a_changed_trend_verdict_is_named(client, patient, clinician, shared):
    client.force_login(clinician)
    read(client, patient)
    Share.objects.update(seen_verdicts={"frequency": "rising", "intensity": "insufficient"})
    content = read(client, patient)
    assert "Coming more often? was <em>rising</em>, now <strong>not enough data</strong>" in content


def test_the_patient_reading_their_own_summary_has_no_last_look_section(patient_client, patient):
    content = read(patient_client, patient)
    assert "Pre-visit summary" in content
    assert 'id="changes"' not in content


@pytest.mark.parametrize(("key", "days"), [("3m", 91), ("6m", 182), ("12m", 365), ("all", None)])
def test_the_period_can_be_3_6_12_months_or_everything(
    client, patient, clinician, shared, key, days
):
    log(patient, days_ago=300)
    log(patient, days_ago=800)
    client.force_login(clinician)
    response = client.get(summary_url(patient, period=key))
    summary = response.context["summary"]
    today = response.context["today"]
    if days is None:
        assert summary.start is None
        assert summary.count == 2
    else:
        assert summary.start == today - timedelta(days=days)
        assert summary.count == (1 if key == "12m" else 0)


def test_the_period_links_work_with_htmx_and_without(client, patient, clinician, shared):
    client.force_login(clinician)
    content = read(client, patient)
    url = summary_url(patient, period="12m")
    assert f'href="{url}" hx-get="{url}" hx-target="#period"' in content
    partial = client.get(url, headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="period"')
    assert "Last 12 months:" in body
    assert "HX-Request" in partial["Vary"]


def test_an_empty_period_says_when_the_latest_flare_up_was(client, patient, clinician, shared):
    log(patient, days_ago=400)
    client.force_login(clinician)
    content = read(client, patient)
    day = timezone.localtime(timezone.now() - timedelta(days=400), patient.zone)
    assert f"None logged in this period (latest flare-up: {day:%-d %b %Y})" in content


def summary_queries(client, patient, django_assert_num_queries, expected):
    with django_assert_num_queries(expected):
        assert client.get(summary_url(patient)).status_code == 200


@pytest.mark.parametrize("count", [10, 3650])
def test_the_summary_costs_the_same_queries_at_10_and_3650_flare_ups_on_every_look(
    client, patient, clinician, shared, make_long_history, django_assert_num_queries, count
):
    make_long_history(patient, count)
    client.force_login(clinician)
    # First look, cold (two of these are allauth's usersessions row, written once per session;
    # two read how long flare-ups lasted and the relief checks, episodes.course_report).
    summary_queries(client, patient, django_assert_num_queries, 27)
    # Later looks: the period comes from the cache whatever the date of the last look.
    summary_queries(client, patient, django_assert_num_queries, 10)
    Share.objects.update(last_viewed_at=timezone.now() - timedelta(days=40))
    summary_queries(client, patient, django_assert_num_queries, 10)


# --- The PDF ----------------------------------------------------------------------------------


def pdf_pages(data: bytes, tmp_path) -> int:
    path = tmp_path / "summary.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "summary.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_pdf_is_the_periods_summary_rendered_on_the_server(
    client, make_user, clinician, tmp_path
):
    patient = make_user("pdf@example.com", display_name="Sam Example")
    services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    log(patient, days_ago=10, numbness=True, notes="Worse after gardening.")
    client.force_login(clinician)
    response = client.get(reverse("patient_summary_pdf", args=[patient.pk]), {"period": "3m"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="backlog-summary-')
    assert response.content.startswith(b"%PDF")
    assert 1 <= pdf_pages(response.content, tmp_path) <= 2
    text = pdf_text(response.content, tmp_path)
    assert "Pre-visit summary: Sam Example" in text
    assert "Last 3 months" in text
    assert "Red flags answered yes" in text
    assert "Worse after gardening." in text
    assert "Page 1 of" in text  # the running header and footer of the print layout
    # The print layout leaves out the screen-only parts.
    assert "Since your last look" not in text
    assert "Show these dates" not in text


def test_downloading_the_pdf_is_in_the_patients_access_log(client, patient, clinician, shared):
    client.force_login(clinician)
    client.get(reverse("patient_summary_pdf", args=[patient.pk]))
    event = AccessEvent.objects.get()
    assert (event.action, event.patient_ref, event.allowed) == ("summary pdf", patient.pk, True)


def test_the_pdf_fetches_nothing_but_the_apps_own_static_files():
    from clinic.pdf import NotAStaticFile, static_file

    assert static_file("https://backlog.invalid/static/css/app.css").name == "app.css"
    for url in (
        "https://example.org/tracker.png",
        "file:///etc/passwd",
        "https://backlog.invalid/static/../../etc/passwd",
        "https://backlog.invalid/media/secret.pdf",
    ):
        with pytest.raises(NotAStaticFile):
            static_file(url)


def test_a_patient_name_cannot_break_out_of_the_print_header(client, make_user):
    patient = make_user(display_name='Bo"; } body { display: none } </style><b>x')
    client.force_login(patient)
    content = read(client, patient)
    style = content[content.index("<style>") : content.index("</style>")]
    assert '"; }' not in style
    assert "<b>" not in style


def test_every_chart_has_its_numbers_as_text(client, patient, clinician, shared):
    log(patient, days_ago=40, intensity=3)
    log(patient, days_ago=5, intensity=8, fever=True)
    client.force_login(clinician)
    charts = {
        chart.key: chart for chart in client.get(summary_url(patient)).context["summary"].charts
    }
    pain = [value for _, value in charts["intensity"].rows]
    assert pain == ["3/10", "8/10 - advised to seek care"]
    months = dict(charts["frequency"].rows)
    assert sum(int(count) for count in months.values()) == 2
    for chart in charts.values():
        assert f'aria-label="{chart.title}"' in chart.svg
