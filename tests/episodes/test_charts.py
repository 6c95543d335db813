"""The figure builders, from hand-made plain data (no database)."""

import json
import sys
from datetime import date, datetime

import pytest

from episodes import charts


def point(day: int, intensity: float, **extra) -> charts.IntensityPoint:
    return charts.IntensityPoint(when=date(2026, 3, day), intensity=intensity, hover="h", **extra)


def traces(fig) -> list[dict]:
    return fig["data"]


def test_the_intensity_chart_has_a_point_per_flare_up():
    fig = charts.intensity_figure([point(1, 3), point(5, 6), point(9, 8)])
    assert len(fig["data"]) == 1
    assert fig["data"][0]["y"] == [3, 6, 8]
    assert fig["data"][0]["mode"] == "markers"


def test_the_trend_line_is_named_plainly_and_the_verdict_is_the_title():
    fit = ((date(2026, 3, 1), 3.0), (date(2026, 3, 9), 7.5))
    fig = charts.intensity_figure(
        [point(1, 3), point(9, 8)],
        fit_line=fit,
        verdict=charts.Note("Your flare-ups are getting more painful."),
    )
    line = next(trace for trace in fig["data"] if trace["mode"] == "lines")
    assert line["y"] == [3.0, 7.5]
    assert line["name"] == "Trend line"
    assert "getting more painful" in fig["layout"]["title"]["text"]
    assert "Theil-Sen" not in json.dumps(fig)


def test_there_is_no_trend_line_without_a_fit():
    fig = charts.intensity_figure([point(1, 3)])
    assert all(trace["mode"] != "lines" for trace in fig["data"])


def test_seek_care_markers_carry_what_the_patient_was_told_without_covering_a_point():
    markers = [
        charts.Marker(date(2026, 3, 2), 7, "told emergency, numbness in the groin", "emergency"),
        charts.Marker(date(2026, 3, 8), 5, "told urgent, fever with back pain", "urgent"),
    ]
    fig = charts.intensity_figure([point(2, 7), point(8, 5)], markers=markers)
    trace = next(t for t in fig["data"] if t["name"] == "Told to seek care")
    assert trace["text"] == [m.label for m in markers]
    assert trace["marker"]["color"] == [charts.RED, charts.ORANGE]
    # What was said goes in the text version, not in a box over the chart.
    assert not fig["layout"].get("annotations")


def test_spasm_flare_ups_are_marked():
    fig = charts.intensity_figure([point(4, 6)], spasm_points=[point(4, 6)])
    assert any(t["name"] == "Muscle spasm" for t in fig["data"])


def test_grouped_points_show_their_range_as_error_bars():
    fig = charts.intensity_figure([point(1, 5.5, count=4, low=3, high=8)])
    error = fig["data"][0]["error_y"]
    assert (error["array"], error["arrayminus"]) == ([2.5], [2.5])


def test_the_monthly_chart_shades_only_the_recent_half_and_says_what_is_compared():
    months = [charts.MonthBar(date(2026, m, 1), c) for m, c in ((1, 1), (2, 0), (3, 4))]
    fig = charts.monthly_figure(
        months,
        recent_window=(date(2026, 2, 15), date(2026, 3, 31)),
        verdict=charts.Note("4 flare-ups in the last 6 weeks, against 1 before."),
    )
    assert fig["data"][0]["y"] == [1, 0, 4]
    [shape] = fig["layout"]["shapes"]
    assert (shape["x0"], shape["x1"]) == ("2026-02-15", "2026-04-01")
    [label] = fig["layout"]["annotations"]
    assert "compared with the" in label["text"]
    assert (label["yref"], label["yanchor"], label["y"]) == ("paper", "bottom", 1)
    assert "against 1 before" in fig["layout"]["title"]["text"]


def test_a_recent_half_that_covers_the_whole_chart_is_not_shaded():
    months = [charts.MonthBar(date(2026, m, 1), 1) for m in (1, 2, 3)]
    fig = charts.monthly_figure(months, recent_window=(date(2025, 6, 1), date(2026, 3, 31)))
    assert not fig["layout"]["shapes"]


def test_the_where_it_hurts_chart_stacks_sides_and_spread_per_quarter():
    quarters = [
        charts.QuarterExtent(date(2026, 1, 1), 3, 0, {"none": 3}),
        charts.QuarterExtent(date(2026, 4, 1), 1, 4, {"none": 1, "thigh": 4}),
    ]
    fig = charts.extent_figure(quarters, verdict=charts.Note("Your pain is reaching a wider area."))
    assert len(fig["data"]) == 2 + len(charts.SPREAD_ORDER)
    both = next(t for t in fig["data"] if t["name"] == "Both sides")
    thigh = next(t for t in fig["data"] if t["name"] == "Thigh")
    assert (both["y"], thigh["y"]) == ([0, 4], [0, 4])
    assert fig["layout"]["barmode"] == "stack"
    assert "wider area" in fig["layout"]["title"]["text"]
    assert fig["layout"]["xaxis2"]["ticktext"] == ["Q1<br>2026", "Q2<br>2026"]


def test_a_single_quarter_is_not_drawn():
    assert charts.extent_figure([charts.QuarterExtent(date(2026, 1, 1), 3, 0, {"none": 3})]) is None


def test_the_what_helped_chart_has_a_stacked_bar_per_remedy_and_nothing_written_on_it():
    rows = [
        charts.RemedyEffect("bed_rest", "Bed rest (lying flat)", "Bed rest", 0, 1, 3, 0),
        charts.RemedyEffect("stretching", "Stretching", "Stretching", 2, 1, 0, 1),
    ]
    fig = charts.remedies_figure(rows)
    assert [t["name"] for t in fig["data"]] == [
        "Helped",
        "Helped somewhat",
        "Did not help",
        "Not sure",
    ]
    assert fig["data"][2]["x"] == [3, 0]
    assert not fig["layout"].get("annotations")
    assert fig["layout"]["xaxis"]["dtick"] == 1


def test_nothing_tried_draws_no_chart():
    assert charts.remedies_figure([]) is None
    assert charts.intensity_figure([]) is None
    assert charts.monthly_figure([]) is None


def test_patient_text_cannot_inject_markup_into_a_chart():
    note = charts.Note('<img src=x onerror="alert(1)">', url='/"><script>', link_text="<b>x</b>")
    assert "<img" not in note.html()
    assert "<script>" not in note.html()
    assert "&lt;b&gt;x&lt;/b&gt;" in note.html()


def test_only_scatter_and_bar_traces_are_used():
    figures = [
        charts.intensity_figure(
            [point(1, 3)],
            fit_line=((date(2026, 3, 1), 3), (date(2026, 3, 2), 4)),
            markers=[charts.Marker(datetime(2026, 3, 1, 8), 3, "x")],
        ),
        charts.monthly_figure([charts.MonthBar(date(2026, 3, 1), 2)]),
        charts.remedies_figure([charts.RemedyEffect("walking", "Walking", "Walking", 1, 0, 0, 0)]),
    ]
    assert {trace["type"] for fig in figures for trace in fig["data"]} <= {"scatter", "bar"}


def test_figures_are_plain_json_without_plotly_python():
    sys.modules.pop("plotly.graph_objects", None)
    fig = charts.intensity_figure([point(1, 3)])
    assert json.loads(charts.figure_json(fig)) == fig
    assert "plotly.graph_objects" not in sys.modules


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (datetime(2026, 3, 1, 5, 31), datetime(2026, 3, 1, 5, 31)),
        (datetime(2026, 3, 1, 5, 31), datetime(2026, 3, 1, 11, 59)),
        (date(2026, 3, 1), date(2026, 3, 9)),
        (date(2026, 1, 1), date(2026, 4, 20)),
        (date(2024, 1, 1), date(2026, 4, 20)),
        (date(2016, 1, 1), date(2026, 4, 20)),
    ],
)
def test_date_axes_show_days_months_or_quarters_never_times_of_day(first, last):
    fig = charts.intensity_figure(
        [
            charts.IntensityPoint(when=first, intensity=3, hover="h"),
            charts.IntensityPoint(when=last, intensity=5, hover="h"),
        ]
    )
    xaxis = fig["layout"]["xaxis"]
    assert xaxis["tickmode"] == "array"
    assert 1 <= len(xaxis["tickvals"]) <= charts.MAX_TICKS
    assert all(len(value) == 10 for value in xaxis["tickvals"])  # whole days
    assert not any(":" in label for label in xaxis["ticktext"])


@pytest.mark.parametrize("highest", [1, 2, 3, 7, 13, 40, 250])
def test_count_axes_step_in_whole_numbers(highest):
    axis = charts.count_axis(highest)
    assert axis["dtick"] == int(axis["dtick"]) >= 1
    assert axis["tickformat"] == "d"
    assert axis["range"][1] >= highest
