"""The quick log's write is short: the flare-up and the advice it alone calls for are
committed first; the history is analysed after that commit, and the patient gets the same
advice as before. After the commit the Trends charts are warmed in the background."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from advice import services
from advice.models import PatientStatus, Prompt
from advice.rules import evaluate
from episodes import reports
from episodes.models import Episode
from episodes.reports import trend_report_as_of


@pytest.fixture
def analyses_inside_a_transaction(monkeypatch):
    """Whether each analysis of a history ran while a transaction was open."""
    seen: list[bool] = []
    real = reports.analyze

    def analyze(*args, **kwargs):
        seen.append(connection.in_atomic_block)
        return real(*args, **kwargs)

    monkeypatch.setattr(reports, "analyze", analyze)
    return seen


@pytest.mark.django_db(transaction=True)
def test_the_history_is_analysed_after_the_quick_log_commits(
    patient, make_long_history, analyses_inside_a_transaction
):
    make_long_history(patient, 30)
    services.episode_log(patient=patient, intensity=5, side="left", spread="none")
    assert analyses_inside_a_transaction  # the trend advice and status were computed
    assert not any(analyses_inside_a_transaction)


@pytest.mark.django_db(transaction=True)
def test_the_quick_log_keeps_the_same_advice_as_evaluating_everything_at_once(
    patient, make_long_history
):
    make_long_history(patient, 90)
    episode, prompts = services.episode_log(
        patient=patient, intensity=8, side="both", spread="foot", leg="both", numbness=True
    )
    expected = [p.code for p in evaluate(episode, trend_report_as_of(episode))]
    assert [p.code for p in prompts] == expected
    stored = Prompt.objects.latest_for(episode)
    assert [(p.code, p.rank) for p in stored] == [(code, i) for i, code in enumerate(expected)]
    assert len({p.shown_at for p in stored}) == 1


@pytest.mark.django_db(transaction=True)
def test_the_patients_status_is_current_after_a_quick_log(patient, make_long_history):
    make_long_history(patient, 20)
    services.episode_log(patient=patient, intensity=5, side="left", spread="none")
    status = PatientStatus.objects.get(patient=patient)
    assert status.episode_count == Episode.objects.for_patient(patient).count() == 21


@pytest.mark.django_db(transaction=True)
def test_after_a_log_the_trends_charts_are_built_into_the_cache_once_the_response_is_sent(
    client, patient, make_long_history, settings, monkeypatch
):
    from django.urls import reverse

    from advice import chart_advice
    from episodes.chart_data import DEFAULT_RANGE
    from tests.factories import quick_log_data

    settings.CACHE_WARM_AFTER_WRITE = True
    started: list[threading.Thread] = []
    real_start = threading.Thread.start

    def start(thread):
        started.append(thread)
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", start)
    make_long_history(patient, 20)
    client.force_login(patient)
    response = client.post(reverse("quick_log"), quick_log_data(), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    warmers = [thread for thread in started if thread.name == "cache-warm"]
    assert len(warmers) == 1
    warmers[0].join(timeout=30)
    built: list = []
    monkeypatch.setattr(chart_advice, "build", lambda *a: built.append(a) or [])
    chart_advice.trends_charts(patient, DEFAULT_RANGE)
    assert built == []  # served from the cache the thread filled


@pytest.mark.django_db(transaction=True)
def test_a_log_outside_a_request_warms_nothing(patient, settings, monkeypatch):
    settings.CACHE_WARM_AFTER_WRITE = True
    started: list[threading.Thread] = []
    monkeypatch.setattr(threading.Thread, "start", lambda thread: started.append(thread))
    services.episode_log(patient=patient, intensity=5, side="left", spread="none")
    assert [t for t in started if t.name == "cache-warm"] == []
