"""The patient's history, newest first, a page at a time."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from backlog.roles import patients_only
from episodes.paging import page_number

from ..contexts import own_history_page


@require_GET
@vary_on_headers("HX-Request")
@patients_only
def history(request: HttpRequest) -> HttpResponse:
    context = own_history_page(request.user, page_number(request.GET))
    template = "advice/history.html#rows" if request.htmx else "advice/history.html"
    return render(request, template, context)
