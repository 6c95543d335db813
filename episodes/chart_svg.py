"""Print-size charts as SVG, drawn on the server from the same plain data as the plotly
figures (`episodes.charts`): the printed summary and its PDF carry these, so a chart on paper
never depends on a browser's layout, and the PDF needs no browser at all.

Every piece of text goes through Django's escaping (`format_html`), so what a patient typed
can never become markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .charts import BLUE, GREY, ORANGE, RED, IntensityPoint, Marker, MonthBar

WIDTH, HEIGHT = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 34, 10, 10, 28
FONT = 'font-family="system-ui, sans-serif" font-size="11"'


def _day(value: date | datetime) -> float:
    if isinstance(value, datetime):
        return value.toordinal() + (value.hour * 60 + value.minute) / 1440
    return float(value.toordinal())


def _frame(label: str, body: SafeString, description: str) -> SafeString:
    return format_html(
        '<svg class="print-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'width="100%" preserveAspectRatio="xMidYMid meet" role="img" aria-label="{}">'
        "<title>{}</title><desc>{}</desc>"
        '<g {}><rect x="0" y="0" width="{}" height="{}" fill="#fff"/>{}</g></svg>',
        WIDTH,
        HEIGHT,
        label,
        label,
        description,
        SafeString(FONT),
        WIDTH,
        HEIGHT,
        body,
    )


def _y_axis(maximum: float, step: float, label: str) -> SafeString:
    ticks = []
    value = 0.0
    while value <= maximum + 1e-9:
        y = _y(value, maximum)
        ticks.append((y, value))
        value += step
    return format_html(
        "{}{}",
        format_html_join(
            "",
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#ddd"/>'
            '<text x="{}" y="{}" text-anchor="end" fill="#333">{}</text>',
            (
                (LEFT, WIDTH - RIGHT, _n(y), _n(y), LEFT - 4, _n(y + 4), f"{value:g}")
                for y, value in ticks
            ),
        ),
        format_html(
            '<text x="4" y="{}" fill="#333" transform="rotate(-90 10 {})">{}</text>',
            TOP + 90,
            TOP + 90,
            label,
        ),
    )


def _n(value: float) -> str:
    """A coordinate, to a tenth of a unit."""
    return f"{value:.1f}"


def _y(value: float, maximum: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / maximum)


def _x(day: float, first: float, last: float) -> float:
    span = max(last - first, 1.0)
    return LEFT + 6 + (WIDTH - LEFT - RIGHT - 12) * (day - first) / span


def _month_ticks(first: float, last: float) -> list[date]:
    start, end = date.fromordinal(int(first)), date.fromordinal(int(last))
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    step = max(1, -(-months // 6))
    ticks, month = [], start.replace(day=1)
    if month.toordinal() < first:
        month = (month + timedelta(days=32)).replace(day=1)
    index = 0
    while month <= end:
        if index % step == 0:
            ticks.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
        index += 1
    return ticks


def _x_axis(ticks: Sequence[tuple[float, str]]) -> SafeString:
    baseline = HEIGHT - BOTTOM
    return format_html(
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#333"/>{}',
        LEFT,
        WIDTH - RIGHT,
        baseline,
        baseline,
        format_html_join(
            "",
            '<text x="{}" y="{}" text-anchor="middle" fill="#333">{}</text>',
            ((_n(x), baseline + 16, text) for x, text in ticks),
        ),
    )


def intensity_svg(
    points: Sequence[IntensityPoint],
    *,
    markers: Sequence[Marker] = (),
    fit_line: tuple[tuple[date, float], tuple[date, float]] | None = None,
    since: date | None = None,
    today: date,
    label: str,
    description: str,
) -> SafeString:
    """Worst pain of each flare-up (or each week's or month's average) from `since` to today,
    with the flare-ups whose advice was to seek care marked by triangles."""
    days = [_day(point.when) for point in points]
    first = _day(since) if since is not None else min(days, default=_day(today) - 30)
    last = _day(today) + 1
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3.2" fill="{}"/>',
        (
            (_n(_x(day, first, last)), _n(_y(point.intensity, 10.5)), BLUE)
            for day, point in zip(days, points, strict=True)
        ),
    )
    trend = SafeString("")
    if fit_line is not None:
        (x0, y0), (x1, y1) = fit_line
        trend = format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" '
            'stroke-width="2.5" stroke-dasharray="6 4"/>',
            _n(_x(max(_day(x0), first), first, last)),
            _n(_y(y0, 10.5)),
            _n(_x(_day(x1), first, last)),
            _n(_y(y1, 10.5)),
            ORANGE,
        )
    triangles = format_html_join(
        "",
        '<path d="M{} {} l5 9 h-10 z" fill="{}" stroke="#000" stroke-width=".8"/>',
        (
            (
                _n(_x(_day(marker.when), first, last)),
                _n(_y(marker.intensity, 10.5) - 6),
                RED if marker.level == "emergency" else ORANGE,
            )
            for marker in markers
            if _day(marker.when) >= first
        ),
    )
    body = format_html(
        "{}{}{}{}{}",
        _y_axis(10, 2, "Worst pain"),
        _x_axis(
            [
                (_x(tick.toordinal(), first, last), f"{tick:%b %Y}")
                for tick in _month_ticks(first, last)
            ]
        ),
        trend,
        dots,
        triangles,
    )
    return _frame(label, body, description)


def monthly_svg(months: Sequence[MonthBar], *, label: str, description: str) -> SafeString:
    """Flare-ups per calendar month, one bar each, the count written on every bar."""
    if not months:
        return _frame(label, SafeString(""), description)
    highest = max(max(bar.count for bar in months), 1)
    step = 1 if highest <= 6 else 2 if highest <= 12 else 5 if highest <= 30 else 10
    top = step * -(-highest // step)
    slot = (WIDTH - LEFT - RIGHT - 12) / len(months)
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="{}" fill="{}">{}</text>',
        (
            (
                _n(LEFT + 6 + index * slot + slot * 0.15),
                _n(_y(bar.count, top)),
                _n(slot * 0.7),
                _n(_y(0, top) - _y(bar.count, top)),
                BLUE,
                _n(LEFT + 6 + index * slot + slot / 2),
                _n(_y(bar.count, top) - 3),
                9 if len(months) > 24 else 10,
                GREY,
                bar.count if bar.count and len(months) <= 36 else "",
            )
            for index, bar in enumerate(months)
        ),
    )
    every = max(1, -(-len(months) // 6))
    ticks = [
        (LEFT + 6 + index * slot + slot / 2, f"{bar.month:%b %Y}")
        for index, bar in enumerate(months)
        if index % every == 0
    ]
    body = format_html("{}{}{}", _y_axis(top, step, "Flare-ups"), _x_axis(ticks), bars)
    return _frame(label, body, description)
