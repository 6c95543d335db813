"""How long flare-ups last and how much the relief check found the pain dropped: the pure
numbers (episodes.course), then the Trends page and the clinician's summary showing them."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from episodes.course import NOT_ENOUGH, durations_by_quarter, relief_by_remedy
from tests.factories import page_text

LABELS = {"ibuprofen": "Ibuprofen", "heat": "Heat"}


def span(month: int, day: int, days: float) -> tuple[datetime, datetime]:
    start = datetime(2026, month, day, 9)
    return start, start + timedelta(days=days)


def test_the_course_module_imports_no_django():
    from pathlib import Path

    import episodes.course  # noqa: F401

    source = Path(sys.modules["episodes.course"].__file__).read_text()
    assert "import django" not in source
    assert "from django" not in source


def test_median_days_to_over_by_quarter_of_the_start():
    spans = [span(1, d, days) for d, days in zip(range(1, 6), [1, 2, 3, 4, 10], strict=True)]
    spans += [span(4, 2, 5)]
    rows = durations_by_quarter(spans)
    assert [(r.quarter, r.count, r.median_days) for r in rows] == [
        ("2026 Q1", 5, 3.0),
        ("2026 Q2", 1, None),
    ]
    assert rows[1].text == NOT_ENOUGH


def test_four_answers_are_not_enough_for_a_median_and_five_are():
    four = [(["ibuprofen"], 8, 4)] * 4
    [row] = relief_by_remedy(four, LABELS)
    assert (row.count, row.median_drop, row.text) == (4, None, NOT_ENOUGH)
    five = [*four, (["ibuprofen"], 8, 8)]
    [row] = relief_by_remedy(five, LABELS)
    assert (row.count, row.median_drop) == (5, 4)
    assert row.text == "4 points"


def test_each_remedy_tried_gets_its_own_row_in_the_forms_order():
    answers = [(["heat", "ibuprofen"], 7, 3)] * 5 + [(["ibuprofen"], 6, 6)] * 2
    rows = relief_by_remedy(answers, LABELS)
    assert [(r.code, r.count, r.median_drop) for r in rows] == [
        ("ibuprofen", 7, 4),
        ("heat", 5, 4),
    ]


# On the pages


def answered_relief_checks(patient, count: int, *, worst: int = 8, after: int = 3):
    from advice import followups
    from advice.models import Followup, FollowupKind
    from advice.services import episode_log

    for number in range(count):
        episode, _ = episode_log(
            patient=patient,
            intensity=worst,
            side="left",
            started_at=timezone.now() - timedelta(days=number + 1),
            remedies={"ibuprofen": "unknown"},
        )
        relief = Followup.objects.get(episode=episode, kind=FollowupKind.RELIEF)
        followups.relief_answer(followup=relief, intensity=after, helped="yes")


def ended_flare_ups(patient, make_episode, count: int, days: int = 4):
    for number in range(count):
        start = timezone.now() - timedelta(days=30 + number)
        make_episode(patient, started_at=start, ended_at=start + timedelta(days=days))


@pytest.mark.django_db
def test_the_trends_page_says_not_enough_answers_below_five(patient_client, patient):
    answered_relief_checks(patient, 4)
    text = page_text(patient_client.get(reverse("trends")))
    assert "How much the pain dropped by the relief check" in text
    assert "Ibuprofen or another anti-inflammatory (NSAID) 4 not enough answers yet" in text


@pytest.mark.django_db
def test_the_trends_page_shows_the_median_drop_and_days_to_over(
    patient_client, patient, make_episode
):
    answered_relief_checks(patient, 5, worst=8, after=3)
    ended_flare_ups(patient, make_episode, 5, days=4)
    text = page_text(patient_client.get(reverse("trends")))
    assert "Ibuprofen or another anti-inflammatory (NSAID) 5 5 points" in text
    assert "4.0 days" in text


@pytest.mark.django_db
def test_the_clinicians_summary_shows_the_relief_check_and_days_to_over(
    client, patient, clinician, make_episode
):
    from clinic.services import share_with_clinician

    share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    answered_relief_checks(patient, 6, worst=9, after=5)
    ended_flare_ups(patient, make_episode, 2, days=2)
    client.force_login(clinician)
    response = client.get(reverse("patient_summary", args=[patient.pk]), {"period": "all"})
    text = page_text(response)
    assert "How long flare-ups lasted, and the relief check" in text
    assert "Ibuprofen or another anti-inflammatory (NSAID): 4 points (6 answers)" in text
    assert "not enough answers yet" in text  # two flare-ups over: no median
