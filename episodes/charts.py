"""The Trends page's four figures, built from plain data (no database access here).

Figures are plain dicts in plotly's figure schema (``{"data": [...], "layout": {...}}``),
written directly rather than through ``plotly.graph_objects``: its validation cost tens of
milliseconds per page for nothing, since the data here are ours. Only scatter and bar traces,
annotations, shapes, subplots and date axes are used, so plotly.js's ``basic`` bundle draws
them (SVG only, no ``*gl``, so the CSP needs no 'unsafe-eval'). Layouts are plain (what the
"none" template gives) and `static/js/charts.js` draws them.

What a chart shows is decided from the data, so it reads right from the first flare-up:

- date axes get their ticks from here, in whole days, months or quarters (never a time of
  day), at most six of them, quarters on two lines so they do not run together on a phone;
- count axes step in whole numbers;
- nothing is written over the plotted data: the verdict is the figure's title, the compared
  window's label sits above the plot, and the notes that used to point at a flare-up (what
  the patient was told, the spasm advice) are in the text version below the chart.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from .describe import escape

Figure = dict[str, Any]

# Colours with at least 3:1 contrast on white; the tables beside each chart carry the
# same numbers for anyone who cannot tell them apart.
BLUE = "#0d47a1"
RED = "#b3261e"
ORANGE = "#b35c00"
GREEN = "#1b7a3a"
GREY = "#5f6368"
PURPLE = "#6a1b9a"
SPREAD_COLOURS = ("#9db4d8", "#5c85c4", "#0d47a1", "#6a1b9a", "#3b0a5c")
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13}


@dataclass(frozen=True)
class IntensityPoint:
    """One flare-up, or (for long histories) one period's flare-ups taken together."""

    when: date | datetime
    intensity: float  # worst pain, or the mean of the worst pains in the period
    hover: str
    count: int = 1
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class Marker:
    """A flare-up to point out on the intensity chart, with what the patient was told."""

    when: date | datetime
    intensity: float
    label: str
    level: str = "urgent"


@dataclass(frozen=True)
class Note:
    """A sentence of advice or a verdict placed on a chart, optionally with a link."""

    text: str
    url: str = ""
    link_text: str = ""

    def html(self) -> str:
        text = escape(self.text)
        if self.url:
            text += f' <a href="{escape(self.url)}">{escape(self.link_text or "More")}</a>'
        return text


@dataclass(frozen=True)
class MonthBar:
    month: date
    count: int


@dataclass(frozen=True)
class QuarterExtent:
    quarter: date
    one_side: int
    both_sides: int
    spread: Mapping[str, int]  # none/buttock/thigh/below_knee/foot -> flare-ups


@dataclass(frozen=True)
class RemedyEffect:
    code: str
    label: str
    short_label: str
    helped: int
    somewhat: int
    not_helped: int
    unknown: int


SPREAD_ORDER = (
    ("none", "Back only"),
    ("buttock", "Buttock"),
    ("thigh", "Thigh"),
    ("below_knee", "Below the knee"),
    ("foot", "Foot"),
)


def wrap(text: str, width: int = 60) -> str:
    """Break a sentence into lines for a title (plotly does not wrap)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


def plotly_date(value: date | datetime) -> str:
    """A date or wall-clock datetime as plotly reads it (no zone: it is the patient's)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value.isoformat()


def _day_of(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _month_start(day: date, months: int = 0) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, 1)


def _quarter_name(day: date) -> str:
    return f"Q{(day.month - 1) // 3 + 1}<br>{day.year}"


MAX_TICKS = 6


def date_ticks(first: date, last: date, *, middle: str = "") -> dict:
    """An x axis over whole days from `first` to `last` with at most six ticks on days,
    months or quarters (never a time of day). `middle` ("month" or "quarter") puts month or
    quarter ticks in the middle of each period, under bars that fill it."""
    span = (last - first).days
    ticks: list[tuple[date, str]] = []
    if span <= 62 and not middle:
        step = next(days for days in (1, 2, 7, 14, 21, 31) if span // days + 1 <= MAX_TICKS)
        day = first
        while day <= last:
            ticks.append((day, f"{day.day} {day:%b}"))
            day += timedelta(days=step)
        start, end = first - timedelta(hours=12), last + timedelta(hours=12)
        if span < 6:  # a little room either side of a few days
            start, end = first - timedelta(days=1), last + timedelta(days=1)
    else:
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        quarterly = middle == "quarter" or months > 24
        unit = 3 if quarterly else 1
        steps = (1, 2, 4, 8, 12, 20, 40) if quarterly else (1, 2, 3, 6, 12)
        periods = math.ceil(months / unit) + 1
        step = next((s for s in steps if math.ceil(periods / s) <= MAX_TICKS), steps[-1])
        month = _month_start(first)
        if quarterly:
            month = _month_start(month, -((month.month - 1) % 3))
        ticks_from = month
        while month <= last:
            at = month + timedelta(days=14 * unit) if middle else month
            if quarterly:
                label = str(month.year) if step >= 4 else _quarter_name(month)
            else:
                label = f"{month:%b}<br>{month.year}" if step < 12 else str(month.year)
            ticks.append((at, label))
            month = _month_start(month, unit * step)
        start = ticks_from if middle else first - timedelta(days=max(1, span // 40))
        end = (
            _month_start(_month_start(last), unit - ((last.month - 1) % unit if quarterly else 0))
            if middle
            else last + timedelta(days=max(1, span // 40))
        )
        if not middle and start > ticks[0][0]:
            start = ticks[0][0]
    return {
        "type": "date",
        "range": [plotly_date(start), plotly_date(end)],
        "tickmode": "array",
        "tickvals": [plotly_date(day) for day, _ in ticks],
        "ticktext": [label for _, label in ticks],
        "showgrid": True,
        "gridcolor": "#eee",
        "zeroline": False,
        "fixedrange": True,
    }


def count_axis(highest: float, title: str = "Flare-ups") -> dict:
    """A count axis from zero in whole-number steps (1, 2, 5, 10, ...)."""
    highest = max(1, math.ceil(highest))
    step = next(
        size * scale
        for scale in (1, 10, 100, 1000, 10_000)
        for size in (1, 2, 5)
        if highest / (size * scale) <= 6
    )
    top = math.ceil(highest / step) * step
    return {
        "title": {"text": title},
        "range": [0, top + step * 0.15],
        "tick0": 0,
        "dtick": step,
        "tickformat": "d",
        "rangemode": "tozero",
        "zeroline": True,
        "showgrid": True,
        "gridcolor": "#eee",
        "fixedrange": True,
    }


def _layout(*, verdict: Note | None, height: int = 340, top_extra: int = 0, **extra: Any) -> dict:
    """Common layout. The chart's name is the page's heading; the figure's own title line
    carries the verdict sentence, so the advice sits on the chart itself."""
    title = wrap(verdict.html(), 52) if verdict else ""
    lines = title.count("<br>") + 1 if verdict else 0
    layout = {
        "title": {
            "text": title,
            "x": 0,
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 14, "l": 4},
            "font": {"size": 12},
        },
        "font": FONT,
        "height": height + 16 * lines + top_extra,
        "margin": {"l": 48, "r": 12, "t": 36 + 17 * lines + top_extra, "b": 48},
        "legend": {"orientation": "h", "y": -0.14, "x": 0, "yanchor": "top"},
        "hovermode": "closest",
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "showlegend": True,
        "dragmode": False,
    }
    layout.update(extra)
    return layout


def _when_range(values: Sequence[date | datetime], *extra: date | datetime) -> tuple[date, date]:
    days = [_day_of(value) for value in (*values, *extra)]
    return min(days), max(days)


def intensity_figure(
    points: Sequence[IntensityPoint],
    *,
    fit_line: tuple[tuple[date, float], tuple[date, float]] | None = None,
    verdict: Note | None = None,
    markers: Sequence[Marker] = (),
    spasm_points: Sequence[IntensityPoint] = (),
) -> Figure | None:
    """Worst pain per flare-up (or per period), the trend line and the flare-ups that were
    told to seek care. None when there is nothing to plot. What the patient was told and the
    spasm advice go in the text version; the legend names each kind of mark."""
    if not points:
        return None
    grouped = any(point.count > 1 for point in points)
    worst = {
        "type": "scatter",
        "name": "Worst pain" if not grouped else "Worst pain (average, with range)",
        "x": [plotly_date(p.when) for p in points],
        "y": [p.intensity for p in points],
        "mode": "markers",
        "marker": {"color": BLUE, "size": 8, "line": {"width": 1, "color": "#fff"}},
        "text": [p.hover for p in points],
        "hovertemplate": "%{text}<extra></extra>",
    }
    if grouped:
        worst["error_y"] = {
            "type": "data",
            "symmetric": False,
            "array": [(p.high or p.intensity) - p.intensity for p in points],
            "arrayminus": [
                p.intensity - (p.low if p.low is not None else p.intensity) for p in points
            ],
            "color": "#9db4d8",
            "thickness": 1,
        }
    data = [worst]
    if spasm_points:
        data.append(
            {
                "type": "scatter",
                "name": "Muscle spasm",
                "x": [plotly_date(p.when) for p in spasm_points],
                "y": [p.intensity for p in spasm_points],
                "mode": "markers",
                "marker": {
                    "symbol": "diamond-open",
                    "size": 13,
                    "color": GREEN,
                    "line": {"width": 2},
                },
                "text": [p.hover for p in spasm_points],
                "hovertemplate": "%{text}<extra>Muscle spasm</extra>",
            }
        )
    extra_days: list[date] = []
    if fit_line is not None:
        (x0, y0), (x1, y1) = fit_line
        extra_days = [x0, x1]
        data.append(
            {
                "type": "scatter",
                "name": "Trend line",
                "x": [plotly_date(x0), plotly_date(x1)],
                "y": [y0, y1],
                "mode": "lines",
                "line": {"color": ORANGE, "width": 3, "dash": "dash"},
                "hovertemplate": "Trend line: %{y:.1f}/10 on %{x|%d %b %Y}<extra></extra>",
            }
        )
    if markers:
        data.append(
            {
                "type": "scatter",
                "name": "Told to seek care",
                "x": [plotly_date(m.when) for m in markers],
                "y": [m.intensity for m in markers],
                "mode": "markers",
                "marker": {
                    "symbol": "triangle-up",
                    "size": 15,
                    "color": [RED if m.level == "emergency" else ORANGE for m in markers],
                    "line": {"width": 1, "color": "#000"},
                },
                "text": [escape(m.label) for m in markers],
                "hovertemplate": "%{text}<extra>Seek care</extra>",
            }
        )
    first, last = _when_range([p.when for p in points], *extra_days)
    layout = _layout(verdict=verdict, height=400)
    layout["xaxis"] = date_ticks(first, last)
    layout["yaxis"] = {
        "title": {"text": "Worst pain (0-10)"},
        "range": [-0.5, 10.8],
        "tick0": 0,
        "dtick": 2,
        "showgrid": True,
        "gridcolor": "#eee",
        "zeroline": False,
        "fixedrange": True,
    }
    return {"data": data, "layout": layout}


def recent_half_label(recent_window: tuple[date, date], earlier_start: date | None) -> str:
    """What the shaded band compares, in words."""
    start, end = recent_window
    days = (end - start).days + 1
    months = round(days / (365.25 / 12))
    half = f"{months} months" if months >= 2 else f"{days} days"
    return f"Shaded: the last {half}, compared with the {half} before"


def monthly_figure(
    months: Sequence[MonthBar],
    *,
    recent_window: tuple[date, date] | None = None,
    verdict: Note | None = None,
) -> Figure | None:
    """Flare-ups per month; the recent half the frequency verdict compares is shaded when
    it begins inside the chart (a band over the whole chart would compare nothing)."""
    if not months:
        return None
    data = [
        {
            "type": "bar",
            "name": "Flare-ups",
            "x": [plotly_date(m.month + timedelta(days=14)) for m in months],
            "y": [m.count for m in months],
            "marker": {"color": BLUE},
            "customdata": [f"{m.month:%B %Y}" for m in months],
            "hovertemplate": "%{customdata}: %{y} flare-up(s)<extra></extra>",
        }
    ]
    first, last = months[0].month, months[-1].month
    xaxis = date_ticks(first, last, middle="month")
    shapes, annotations = [], []
    top_extra = 0
    if recent_window is not None and first < recent_window[0] <= last + timedelta(days=31):
        start, end = recent_window
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": plotly_date(start),
                "x1": plotly_date(min(end + timedelta(days=1), _month_start(last, 1))),
                "y0": 0,
                "y1": 1,
                "fillcolor": "#ffe69c",
                "opacity": 0.45,
                "line": {"width": 0},
                "layer": "below",
            }
        )
        # Above the plot area, never over a bar.
        annotations.append(
            {
                "text": recent_half_label(recent_window, first),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 1,
                "xanchor": "left",
                "yanchor": "bottom",
                "yshift": 4,
                "showarrow": False,
                "align": "left",
                "font": {"size": 11, "color": "#5c4400"},
                "bgcolor": "#ffe69c",
            }
        )
        top_extra = 22
    layout = _layout(verdict=verdict, showlegend=False, top_extra=top_extra)
    layout.update(
        xaxis=xaxis,
        yaxis=count_axis(max(m.count for m in months)),
        shapes=shapes,
        annotations=annotations,
        bargap=0.15,
    )
    return {"data": data, "layout": layout}


def extent_figure(
    quarters: Sequence[QuarterExtent], *, verdict: Note | None = None
) -> Figure | None:
    """Side and reach of the pain per quarter, stacked, in two panels sharing the dates.
    None for fewer than two quarters: one bar per panel shows no change over time."""
    if len(quarters) < 2:
        return None
    x = [plotly_date(q.quarter + timedelta(days=45)) for q in quarters]
    quarter_names = [_quarter_name(q.quarter).replace("<br>", " ") for q in quarters]
    data = []
    for name, values, colour in (
        ("One side or the middle", [q.one_side for q in quarters], "#9db4d8"),
        ("Both sides", [q.both_sides for q in quarters], ORANGE),
    ):
        data.append(
            {
                "type": "bar",
                "name": name,
                "x": x,
                "y": values,
                "xaxis": "x",
                "yaxis": "y",
                "marker": {"color": colour},
                "legendgroup": "side",
                "customdata": quarter_names,
                "hovertemplate": f"%{{customdata}}, {name.lower()}: %{{y}}<extra></extra>",
            }
        )
    for (code, label), colour in zip(SPREAD_ORDER, SPREAD_COLOURS, strict=True):
        data.append(
            {
                "type": "bar",
                "name": label,
                "x": x,
                "y": [q.spread.get(code, 0) for q in quarters],
                "xaxis": "x2",
                "yaxis": "y2",
                "marker": {"color": colour},
                "legendgroup": "spread",
                "customdata": quarter_names,
                "hovertemplate": f"%{{customdata}}, {label.lower()}: %{{y}}<extra></extra>",
            }
        )
    highest = max(q.one_side + q.both_sides for q in quarters)
    xaxis = date_ticks(quarters[0].quarter, quarters[-1].quarter, middle="quarter")
    layout = _layout(verdict=verdict, height=540, barmode="stack", top_extra=18)
    layout.update(
        xaxis={**xaxis, "anchor": "y", "showticklabels": False, "domain": [0, 1]},
        xaxis2={**xaxis, "anchor": "y2", "matches": "x", "domain": [0, 1]},
        yaxis={**count_axis(highest), "domain": [0.58, 1], "anchor": "x"},
        yaxis2={**count_axis(highest), "domain": [0, 0.42], "anchor": "x2"},
        annotations=[
            _panel_title("Side of the back", "y"),
            _panel_title("How far down the leg", "y2"),
        ],
    )
    return {"data": data, "layout": layout}


def _panel_title(text: str, axis: str) -> dict:
    """A panel's name just above its top edge, outside the plotted area."""
    return {
        "text": f"<b>{text}</b>",
        "xref": "paper",
        "yref": f"{axis} domain",
        "x": 0,
        "y": 1,
        "xanchor": "left",
        "yanchor": "bottom",
        "yshift": 2,
        "showarrow": False,
        "font": {"size": 12},
    }


def remedies_figure(rows: Sequence[RemedyEffect]) -> Figure | None:
    """How often each thing tried helped, one stacked bar each. None when nothing was tried.
    Advice about them (bed rest, stretching) goes in the text version, not on the bars."""
    if not rows:
        return None
    labels = [row.short_label for row in rows]
    data = []
    for name, attribute, colour in (
        ("Helped", "helped", GREEN),
        ("Helped somewhat", "somewhat", "#7cb342"),
        ("Did not help", "not_helped", RED),
        ("Not sure", "unknown", "#bdbdbd"),
    ):
        data.append(
            {
                "type": "bar",
                "name": name,
                "y": labels,
                "x": [getattr(row, attribute) for row in rows],
                "orientation": "h",
                "marker": {"color": colour},
                "hovertemplate": f"%{{y}}: {name.lower()} %{{x}} time(s)<extra></extra>",
            }
        )
    totals = [row.helped + row.somewhat + row.not_helped + row.unknown for row in rows]
    layout = _layout(
        verdict=None,
        height=max(240, 70 + 30 * len(rows)),
        barmode="stack",
        margin={"l": 8, "r": 12, "t": 16, "b": 48},
    )
    layout["legend"] = {
        "orientation": "h",
        "y": -0.18,
        "x": 0,
        "yanchor": "top",
        "traceorder": "normal",
    }
    layout["xaxis"] = count_axis(max(totals, default=1), "Times tried")
    layout["yaxis"] = {"autorange": "reversed", "automargin": True, "fixedrange": True}
    return {"data": data, "layout": layout}


def figure_json(fig: Figure | None) -> str:
    return json.dumps(fig, separators=(",", ":"))
