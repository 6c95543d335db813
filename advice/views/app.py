"""The installable app: the web app manifest and the service worker, both at the root."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from ..installable import service_worker_source, web_manifest


@login_not_required
@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    return JsonResponse(web_manifest(), content_type="application/manifest+json")


@login_not_required
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(service_worker_source(), content_type="text/javascript; charset=utf-8")
    # The browser checks for a new worker on its own schedule; it must never run a stale one.
    response["Cache-Control"] = "no-cache"
    return response
