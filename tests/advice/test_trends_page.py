import json

import pytest
from django.urls import reverse

from tests.factories import quick_log_data

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
CHARTS = ("intensity", "frequency", "spread", "remedies")


def figures(response) -> dict[str, str]:
    """The figure JSON of each chart drawn, as the page embeds it."""
    content = response.content.decode()
    found = {}
    for key in CHARTS:
        if f'id="figure-{key}" type="application/json">' not in content:
            continue
        start = content.index(f'id="figure-{key}" type="application/json">')
        start = content.index(">", start) + 1
        found[key] = content[start : content.index("</script>", start)]
    return found


def test_the_trends_page_has_the_four_charts_with_text_alternatives(
    patient_client, patient, make_long_history
):
    make_long_history(patient, 200)
    response = patient_client.get(reverse("trends"))
    assert response.status_code == 200
    content = response.content.decode()
    for key in CHARTS:
        assert f'data-figure="figure-{key}"' in content
    assert content.count("Show as a table") >= 3
    drawn = figures(response)
    assert set(drawn) == set(CHARTS)
    assert all(json.loads(text)["data"] for text in drawn.values())


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
    # 3, the version of the data that the follow-ups' numbers are cached under, and the
    # weekly check-ins' answers.
    with django_assert_max_num_queries(5):
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
    content = response.content.decode()
    remedies = content[content.index('id="chart-remedies-title"') :]
    assert "lie flat" in remedies
    assert 'href="/guidance/#stretches"' in remedies
    # Advice sits in the text version, never written over the bars.
    assert "annotations" not in json.loads(found["remedies"])["layout"]


def log_flare_ups(patient_client, count: int) -> None:
    for intensity in range(4, 4 + count):
        patient_client.post(reverse("quick_log"), quick_log_data(intensity=str(intensity)), **HTMX)


@pytest.mark.parametrize("count", [1, 3])
def test_a_new_patients_date_axes_show_days_never_times_of_day(patient_client, count):
    log_flare_ups(patient_client, count)
    response = patient_client.get(reverse("trends"))
    content = response.content.decode()
    for key in ("intensity", "frequency"):
        start = content.index(f'id="figure-{key}" type="application/json">')
        start = content.index(">", start) + 1
        layout = json.loads(content[start : content.index("</script>", start)])["layout"]
        assert layout["xaxis"]["tickmode"] == "array"
        assert layout["xaxis"]["ticktext"]
        assert not any(":" in label for label in layout["xaxis"]["ticktext"])


def test_counts_step_in_whole_numbers(patient_client):
    log_flare_ups(patient_client, 3)
    response = patient_client.get(reverse("trends"))
    content = response.content.decode()
    start = content.index('id="figure-frequency" type="application/json">')
    start = content.index(">", start) + 1
    yaxis = json.loads(content[start : content.index("</script>", start)])["layout"]["yaxis"]
    assert yaxis["dtick"] == 1
    assert yaxis["tickformat"] == "d"


def test_charts_with_nothing_to_show_say_so_in_words(patient_client):
    log_flare_ups(patient_client, 1)
    content = patient_client.get(reverse("trends")).content.decode()
    assert 'data-figure="figure-remedies"' not in content
    assert 'data-figure="figure-spread"' not in content
    assert "Nothing tried logged yet" in content
    assert "fall in one quarter" in content


def test_each_verdict_sentence_is_said_once(patient_client):
    log_flare_ups(patient_client, 2)
    content = patient_client.get(reverse("trends")).content.decode()
    assert "to tell: Not enough" not in content
    assert content.count("Not enough flare-ups logged yet to tell whether they are coming") == 1


def test_the_page_says_how_often_a_steady_diary_sees_a_false_rise(patient_client):
    content = patient_client.get(reverse("trends")).content.decode()
    assert "How this is decided" in content
    assert "about 1 steady diary in 10 sees one false" in content
