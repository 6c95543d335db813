"""The Trends page's four figures, built from plain data (no database access here).

Advice reaches the charts as plain `Note`s and `Marker`s made by the page that combines
flare-ups with advice (this app never imports `advice`). SVG traces only (no `*gl`), so the
charts draw under a CSP without 'unsafe-eval'; figures leave as JSON with the "none"
template, and `static/js/charts.js` draws them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .describe import escape

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
    """Break a sentence into lines for an annotation (plotly does not wrap)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


def _layout(fig: go.Figure, *, verdict: Note | None, height: int = 340, **extra) -> go.Figure:
    """Common layout. The chart's name is the page's heading; the figure's own title line
    carries the verdict sentence, so the advice sits on the chart itself."""
    lines = wrap(verdict.html(), 52).count("<br>") + 1 if verdict else 0
    fig.update_layout(
        template="none",
        title={
            "text": wrap(verdict.html(), 52) if verdict else "",
            "x": 0,
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 14, "l": 4},
            "font": {"size": 12},
        },
        font=FONT,
        height=height + 16 * lines,
        margin=extra.pop("margin", {"l": 44, "r": 12, "t": 36 + 17 * lines, "b": 40}),
        legend={"orientation": "h", "y": -0.12, "x": 0, "yanchor": "top"},
        hovermode="closest",
        **extra,
    )
    return fig


def intensity_figure(
    points: Sequence[IntensityPoint],
    *,
    fit_line: tuple[tuple[date, float], tuple[date, float]] | None = None,
    verdict: Note | None = None,
    line_label: str = "",
    markers: Sequence[Marker] = (),
    spasm_note: Note | None = None,
    spasm_points: Sequence[IntensityPoint] = (),
) -> go.Figure:
    fig = go.Figure()
    grouped = any(point.count > 1 for point in points)
    error = None
    if grouped:
        error = {
            "type": "data",
            "symmetric": False,
            "array": [(p.high or p.intensity) - p.intensity for p in points],
            "arrayminus": [
                p.intensity - (p.low if p.low is not None else p.intensity) for p in points
            ],
            "color": "#9db4d8",
            "thickness": 1,
        }
    fig.add_trace(
        go.Scatter(
            name="Worst pain" if not grouped else "Worst pain (average, with range)",
            x=[p.when for p in points],
            y=[p.intensity for p in points],
            mode="markers",
            marker={"color": BLUE, "size": 8, "line": {"width": 1, "color": "#fff"}},
            error_y=error,
            text=[p.hover for p in points],
            hovertemplate="%{text}<extra></extra>",
        )
    )
    if spasm_points:
        fig.add_trace(
            go.Scatter(
                name="Muscle spasm",
                x=[p.when for p in spasm_points],
                y=[p.intensity for p in spasm_points],
                mode="markers",
                marker={"symbol": "diamond-open", "size": 13, "color": GREEN, "line": {"width": 2}},
                text=[p.hover for p in spasm_points],
                hovertemplate="%{text}<extra>Muscle spasm</extra>",
            )
        )
    if fit_line is not None:
        (x0, y0), (x1, y1) = fit_line
        fig.add_trace(
            go.Scatter(
                name="Trend (Theil-Sen)",
                x=[x0, x1],
                y=[y0, y1],
                mode="lines",
                line={"color": ORANGE, "width": 3, "dash": "dash"},
                hovertemplate="Trend: %{y:.1f}/10 on %{x|%d %b %Y}<extra></extra>",
            )
        )
        if line_label:
            fig.add_annotation(
                x=x1,
                y=y1,
                text=escape(line_label),
                showarrow=True,
                arrowhead=2,
                ax=-30,
                ay=40 if y1 > 3 else -40,
                xanchor="right",
                bgcolor="rgba(255,255,255,0.9)",
                bordercolor=ORANGE,
                font={"size": 11, "color": ORANGE},
            )
    if markers:
        fig.add_trace(
            go.Scatter(
                name="Told to seek care",
                x=[m.when for m in markers],
                y=[m.intensity for m in markers],
                mode="markers",
                marker={
                    "symbol": "triangle-up",
                    "size": 15,
                    "color": [RED if m.level == "emergency" else ORANGE for m in markers],
                    "line": {"width": 1, "color": "#000"},
                },
                text=[escape(m.label) for m in markers],
                hovertemplate="%{text}<extra>Seek care</extra>",
            )
        )
        latest = max(markers, key=lambda m: m.when)
        fig.add_annotation(
            x=latest.when,
            y=latest.intensity,
            text=wrap(escape(latest.label), 28),
            showarrow=True,
            arrowhead=2,
            ax=-50,
            ay=-44 if latest.intensity < 8 else 44,
            xanchor="right",
            bgcolor="rgba(255,255,255,0.9)",
            bordercolor=RED,
            font={"size": 10},
        )
    if spasm_points and spasm_note is not None:
        latest_spasm = max(spasm_points, key=lambda p: p.when)
        fig.add_annotation(
            x=latest_spasm.when,
            y=latest_spasm.intensity,
            text=spasm_note.html(),
            showarrow=True,
            arrowhead=2,
            ax=-70,
            ay=70 if latest_spasm.intensity > 3 else -40,
            xanchor="right",
            bgcolor="rgba(255,255,255,0.9)",
            bordercolor=GREEN,
            font={"size": 10, "color": GREEN},
        )
    _layout(fig, verdict=verdict, height=400)
    fig.update_yaxes(range=[-0.5, 10.8], dtick=2, title={"text": "Worst pain (0-10)"})
    fig.update_xaxes(type="date")
    return fig


def monthly_figure(
    months: Sequence[MonthBar],
    *,
    recent_window: tuple[date, date] | None = None,
    verdict: Note | None = None,
) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            name="Flare-ups",
            x=[m.month for m in months],
            y=[m.count for m in months],
            marker={"color": BLUE},
            hovertemplate="%{x|%B %Y}: %{y} flare-up(s)<extra></extra>",
            xperiod="M1",
            xperiodalignment="middle",
        )
    )
    if recent_window is not None:
        start, end = recent_window
        fig.add_vrect(
            x0=start,
            x1=end,
            fillcolor="#ffe69c",
            opacity=0.45,
            line_width=0,
            layer="below",
            annotation={"text": "Recent half, compared", "font": {"size": 11}},
            annotation_position="top left",
        )
    _layout(fig, verdict=verdict, showlegend=False)
    fig.update_yaxes(
        title={"text": "Flare-ups"}, rangemode="tozero", dtick=1 if _small(months) else None
    )
    fig.update_xaxes(type="date")
    return fig


def _small(months: Sequence[MonthBar]) -> bool:
    return max((m.count for m in months), default=0) <= 6


def extent_figure(quarters: Sequence[QuarterExtent], *, verdict: Note | None = None) -> go.Figure:
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=("Side of the back", "How far down the leg"),
    )
    x = [q.quarter for q in quarters]
    for name, values, colour in (
        ("One side or the middle", [q.one_side for q in quarters], "#9db4d8"),
        ("Both sides", [q.both_sides for q in quarters], ORANGE),
    ):
        fig.add_trace(
            go.Bar(
                name=name,
                x=x,
                y=values,
                marker={"color": colour},
                legendgroup="side",
                hovertemplate=f"{name}: %{{y}}<extra></extra>",
                xperiod="M3",
                xperiodalignment="middle",
            ),
            row=1,
            col=1,
        )
    for (code, label), colour in zip(SPREAD_ORDER, SPREAD_COLOURS, strict=True):
        fig.add_trace(
            go.Bar(
                name=label,
                x=x,
                y=[q.spread.get(code, 0) for q in quarters],
                marker={"color": colour},
                legendgroup="spread",
                hovertemplate=f"{label}: %{{y}}<extra></extra>",
                xperiod="M3",
                xperiodalignment="middle",
            ),
            row=2,
            col=1,
        )
    _layout(fig, verdict=verdict, height=520, barmode="stack")
    fig.update_yaxes(rangemode="tozero", title={"text": "Flare-ups"})
    fig.update_xaxes(type="date", tickangle=0, nticks=6)
    return fig


def remedies_figure(
    rows: Sequence[RemedyEffect], *, notes: Mapping[str, Note] | None = None
) -> go.Figure:
    notes = notes or {}
    labels = [row.short_label for row in rows]
    fig = go.Figure()
    for name, attribute, colour in (
        ("Helped", "helped", GREEN),
        ("Helped somewhat", "somewhat", "#7cb342"),
        ("Did not help", "not_helped", RED),
        ("Not sure", "unknown", "#bdbdbd"),
    ):
        fig.add_trace(
            go.Bar(
                name=name,
                y=labels,
                x=[getattr(row, attribute) for row in rows],
                orientation="h",
                marker={"color": colour},
                hovertemplate=f"%{{y}}: {name.lower()} %{{x}} time(s)<extra></extra>",
            )
        )
    totals = [row.helped + row.somewhat + row.not_helped + row.unknown for row in rows]
    for row, total in zip(rows, totals, strict=True):
        note = notes.get(row.code)
        if note is not None:
            # Beside the bar's end, inside the plot: the x axis leaves room for it.
            fig.add_annotation(
                x=total,
                y=row.short_label,
                text=note.html(),
                showarrow=False,
                xanchor="left",
                xshift=6,
                align="left",
                bgcolor="rgba(255,255,255,0.92)",
                bordercolor=GREY,
                font={"size": 10},
            )
    _layout(
        fig,
        verdict=None,
        height=max(240, 70 + 30 * len(rows)),
        barmode="stack",
        margin={"l": 8, "r": 8, "t": 16, "b": 40},
    )
    fig.update_layout(legend={"traceorder": "normal", "y": -0.18})
    fig.update_xaxes(rangemode="tozero", range=[0, max(totals, default=1) * 2.1])
    fig.update_yaxes(autorange="reversed", automargin=True)
    return fig


def figure_json(fig: go.Figure) -> str:
    return fig.to_json(pretty=False, remove_uids=True)
