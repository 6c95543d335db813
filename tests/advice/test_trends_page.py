import json

import pytest
from django.urls import reverse

from tests.factories import quick_log_data

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
CHARTS = ("intensity", "frequency", "spread", "remedies")


def figures(response) -> dict[str, str]:
    """The figure JSON of each chart, as the page embeds it."""
    content = response.content.decode()
    found = {}
    for key in CHARTS:
        start = content.index(f'id="figure-{key}" type="application/json">')
        start = content.index(">", start) + 1
        found[key] = content[start : content.index("</script>", start)]
    return found


def test_the_trends_page_has_the_four_charts_with_text_alternatives(
    patient_client, patient, make_long_history
):
    make_long_history(patient, 40)
    response = patient_client.get(reverse("trends"))
    assert response.status_code == 200
    content = response.content.decode()
    for key in CHARTS:
        assert f'data-figure="figure-{key}"' in content
    assert content.count("Show as a table") >= 3
    assert all(json.loads(text)["data"] for text in figures(response).values())


def test_the_trends_page_is_drawn_from_plotly_served_by_the_app(patient_client):
    content = patient_client.get(reverse("trends")).content.decode()
    assert '/static/plotly/plotly-basic.min.js"' in content
    assert "<script>" not in content.replace('type="application/json"', "")


def test_the_log_page_does_not_load_plotly(patient_client):
    assert b"plotly" not in patient_client.get(reverse("home")).content


def test_switching_the_range_with_htmx_returns_only_the_charts(
    patient_client, patient, make_long_history
):
    make_long_history(patient, 200)
    response = patient_client.get(reverse("trends"), {"range": "3m"}, **HTMX)
    content = response.content.decode()
    assert "<html" not in content
    assert 'data-range="3m"' in content
    monthly = json.loads(figures(response)["frequency"])
    assert len(monthly["data"][0]["x"]) <= 4


def test_an_unknown_range_falls_back_to_the_default(patient_client):
    response = patient_client.get(reverse("trends"), {"range": "forever"})
    assert response.status_code == 200
    assert 'data-range="1y"' in response.content.decode()


def test_each_figure_stays_under_60_kb_for_ten_years_of_daily_flare_ups(
    patient_client, patient, make_long_history
):
    make_long_history(patient, 3650)
    response = patient_client.get(reverse("trends"), {"range": "all"})
    sizes = {key: len(text.encode()) for key, text in figures(response).items()}
    assert max(sizes.values()) < 60_000, sizes


def test_the_trends_page_query_count_does_not_grow_with_the_history(
    patient_client, patient, make_long_history, django_assert_max_num_queries
):
    make_long_history(patient, 10)
    patient_client.get(reverse("home"))  # the once-a-minute session renewal
    with django_assert_max_num_queries(16) as small:
        patient_client.get(reverse("trends"), {"range": "all"})
    make_long_history(patient, 600)
    with django_assert_max_num_queries(len(small.captured_queries)):
        patient_client.get(reverse("trends"), {"range": "all"})


def test_a_repeat_visit_is_served_from_the_cache_until_the_data_changes(
    patient_client, patient, make_long_history, django_assert_max_num_queries
):
    make_long_history(patient, 30)
    patient_client.get(reverse("trends"))
    with django_assert_max_num_queries(3):
        patient_client.get(reverse("trends"))
    patient_client.post(reverse("quick_log"), quick_log_data(intensity="9"), **HTMX)
    response = patient_client.get(reverse("trends"), {"range": "all"})
    intensity = json.loads(figures(response)["intensity"])
    assert 9 in intensity["data"][0]["y"]


def test_the_charts_carry_the_advice(patient_client, patient, make_long_history):
    make_long_history(patient, 120)
    response = patient_client.get(reverse("trends"), {"range": "all"})
    found = figures(response)
    intensity = json.loads(found["intensity"])
    names = [trace.get("name") for trace in intensity["data"]]
    assert "Told to seek care" in names
    assert "Muscle spasm" in names
    remedies = found["remedies"]
    assert "lie flat" in remedies
    assert "/guidance/#stretches" in remedies
