"""The figure builders, from hand-made plain data (no database)."""

from datetime import date, datetime

from episodes import charts


def point(day: int, intensity: float, **extra) -> charts.IntensityPoint:
    return charts.IntensityPoint(when=date(2026, 3, day), intensity=intensity, hover="h", **extra)


def annotation_texts(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations]


def test_the_intensity_chart_has_a_point_per_flare_up():
    fig = charts.intensity_figure([point(1, 3), point(5, 6), point(9, 8)])
    assert len(fig.data) == 1
    assert list(fig.data[0].y) == [3, 6, 8]
    assert fig.data[0].mode == "markers"


def test_the_trend_line_and_its_verdict_label_sit_on_the_intensity_chart():
    fit = ((date(2026, 3, 1), 3.0), (date(2026, 3, 9), 7.5))
    fig = charts.intensity_figure(
        [point(1, 3), point(9, 8)],
        fit_line=fit,
        verdict=charts.Note("Your flare-ups are getting more painful."),
        line_label="Yes, more painful",
    )
    line = next(trace for trace in fig.data if trace.mode == "lines")
    assert list(line.y) == [3.0, 7.5]
    label = next(a for a in fig.layout.annotations if a.text == "Yes, more painful")
    assert (label.x, label.y) == (date(2026, 3, 9), 7.5)
    assert "getting more painful" in fig.layout.title.text


def test_there_is_no_trend_line_without_a_fit():
    fig = charts.intensity_figure([point(1, 3)])
    assert all(trace.mode != "lines" for trace in fig.data)


def test_seek_care_markers_carry_what_the_patient_was_told():
    markers = [
        charts.Marker(date(2026, 3, 2), 7, "told emergency, numbness in the groin", "emergency"),
        charts.Marker(date(2026, 3, 8), 5, "told urgent, fever with back pain", "urgent"),
    ]
    fig = charts.intensity_figure([point(2, 7), point(8, 5)], markers=markers)
    trace = next(t for t in fig.data if t.name == "Told to seek care")
    assert list(trace.text) == [m.label for m in markers]
    assert trace.marker.color == (charts.RED, charts.ORANGE)
    assert any("fever" in text for text in annotation_texts(fig))


def test_spasm_flare_ups_get_the_stretch_guidance_with_a_link():
    fig = charts.intensity_figure(
        [point(4, 6)],
        spasm_points=[point(4, 6)],
        spasm_note=charts.Note("Spasm: stretch gently", url="/guidance/#s", link_text="How"),
    )
    assert any(t.name == "Muscle spasm" for t in fig.data)
    assert any('href="/guidance/#s"' in text for text in annotation_texts(fig))


def test_grouped_points_show_their_range_as_error_bars():
    fig = charts.intensity_figure([point(1, 5.5, count=4, low=3, high=8)])
    error = fig.data[0].error_y
    assert (list(error.array), list(error.arrayminus)) == ([2.5], [2.5])


def test_the_monthly_chart_has_a_bar_per_month_the_verdict_and_the_shaded_window():
    months = [charts.MonthBar(date(2026, m, 1), c) for m, c in ((1, 1), (2, 0), (3, 4))]
    fig = charts.monthly_figure(
        months,
        recent_window=(date(2026, 2, 15), date(2026, 3, 31)),
        verdict=charts.Note("4 flare-ups in the last 6 weeks, against 1 before."),
    )
    assert list(fig.data[0].y) == [1, 0, 4]
    shape = fig.layout.shapes[0]
    assert (shape.x0, shape.x1) == (date(2026, 2, 15), date(2026, 3, 31))
    assert "against 1 before" in fig.layout.title.text


def test_the_where_it_hurts_chart_stacks_sides_and_spread_per_quarter():
    quarters = [
        charts.QuarterExtent(date(2026, 1, 1), 3, 0, {"none": 3}),
        charts.QuarterExtent(date(2026, 4, 1), 1, 4, {"none": 1, "thigh": 4}),
    ]
    fig = charts.extent_figure(quarters, verdict=charts.Note("Your pain is reaching a wider area."))
    assert len(fig.data) == 2 + len(charts.SPREAD_ORDER)
    both = next(t for t in fig.data if t.name == "Both sides")
    thigh = next(t for t in fig.data if t.name == "Thigh")
    assert (list(both.y), list(thigh.y)) == ([0, 4], [0, 4])
    assert fig.layout.barmode == "stack"
    assert "wider area" in fig.layout.title.text


def test_the_what_helped_chart_notes_bed_rest_and_links_stretching():
    rows = [
        charts.RemedyEffect("bed_rest", "Bed rest (lying flat)", "Bed rest", 0, 1, 3, 0),
        charts.RemedyEffect("stretching", "Stretching", "Stretching", 2, 1, 0, 1),
    ]
    fig = charts.remedies_figure(
        rows,
        notes={
            "bed_rest": charts.Note("Try not to lie flat all day", url="/g#m", link_text="Why"),
            "stretching": charts.Note("Never into pain", url="/g#stretches", link_text="Stretches"),
        },
    )
    assert [t.name for t in fig.data] == ["Helped", "Helped somewhat", "Did not help", "Not sure"]
    assert list(fig.data[2].x) == [3, 0]
    notes = {a.y: a.text for a in fig.layout.annotations}
    assert "lie flat" in notes["Bed rest"]
    assert 'href="/g#stretches"' in notes["Stretching"]


def test_patient_text_cannot_inject_markup_into_a_chart():
    note = charts.Note('<img src=x onerror="alert(1)">', url='/"><script>', link_text="<b>x</b>")
    assert "<img" not in note.html()
    assert "<script>" not in note.html()
    assert "&lt;b&gt;x&lt;/b&gt;" in note.html()


def test_only_svg_traces_are_used():
    fig = charts.intensity_figure(
        [point(1, 3)],
        fit_line=((date(2026, 3, 1), 3), (date(2026, 3, 2), 4)),
        markers=[charts.Marker(datetime(2026, 3, 1, 8), 3, "x")],
    )
    assert all(not trace.type.endswith("gl") for trace in fig.data)
    assert all(trace.type == "scatter" for trace in fig.data)
