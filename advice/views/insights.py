"""What the patient reads: the Trends page and the movement and stretch guidance."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from backlog.roles import patients_only
from episodes.chart_data import DEFAULT_RANGE, RANGES
from episodes.course_report import course_report

from .. import followups, guidance
from ..chart_advice import trends_charts
from ..rules import LEVEL_MEANING


@require_GET
def guidance_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "advice/guidance.html",
        {
            "movement": guidance.MOVEMENT,
            "stretches": guidance.STRETCHES,
            "stop_rules": guidance.STOP_RULES,
            "level_meaning": LEVEL_MEANING,
        },
    )


@require_GET
@vary_on_headers("HX-Request")
@patients_only
def trends(request: HttpRequest) -> HttpResponse:
    range_key = request.GET.get("range", DEFAULT_RANGE)
    if range_key not in RANGES:
        range_key = DEFAULT_RANGE
    context = {
        "charts": trends_charts(request.user, range_key),
        "ranges": [(key, label) for key, (label, _) in RANGES.items()],
        "range_key": range_key,
        "course": course_report(request.user),
        "checkins": followups.checkin_weeks(request.user),
    }
    template = "advice/trends.html#charts" if request.htmx else "advice/trends.html"
    return render(request, template, context)
