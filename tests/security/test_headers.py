"""Security headers on every response: pages, redirects, 404s, htmx partials, downloads."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.urls import reverse

from clinic.models import Share
from tests.factories import quick_log_data

from .site import every_url

pytestmark = pytest.mark.django_db


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for directive in filter(None, (part.strip() for part in header.split(";"))):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


def header_problems(response) -> list[str]:
    """What is missing or too loose in this response's security headers."""
    csp = csp_directives(response.get("Content-Security-Policy", ""))
    problems = []
    if csp.get("script-src") != ["'self'"]:
        problems.append(f"script-src is {csp.get('script-src')}")
    if csp.get("frame-ancestors") != ["'none'"]:
        problems.append(f"frame-ancestors is {csp.get('frame-ancestors')}")
    if any("'unsafe-eval'" in sources for sources in csp.values()):
        problems.append("'unsafe-eval' is allowed")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.get("Referrer-Policy") != settings.SECURE_REFERRER_POLICY:
        problems.append(f"Referrer-Policy is {response.get('Referrer-Policy')}")
    if response.get("X-Frame-Options") != "DENY":
        problems.append(f"X-Frame-Options is {response.get('X-Frame-Options')}")
    return problems


@pytest.fixture
def site(patient, clinician, make_episode) -> dict[str, str]:
    """Every URL of the site, with ids that exist, seen by a patient who shares with a
    clinician."""
    episode = make_episode(patient, notes="Bent down to tie a shoe.")
    Share.objects.create(patient=patient, clinician=clinician)
    return every_url({"pk": episode.pk, "patient_id": patient.pk, "fmt": "csv"})


@pytest.mark.parametrize("role", ["anonymous", "patient", "clinician"])
def test_every_page_sends_the_security_headers_whatever_its_status(
    role, client, site, patient, clinician
):
    if role != "anonymous":
        client.force_login(patient if role == "patient" else clinician)
    urls = [*site.values(), "/no-such-page/", f"/episodes/{10**9}/"]
    responses = {url: client.get(url) for url in urls}
    problems = {url: header_problems(r) for url, r in responses.items() if header_problems(r)}
    statuses = {response.status_code for response in responses.values()}
    assert problems == {}
    assert {302, 404} <= statuses


def test_form_posts_redirects_and_htmx_partials_send_the_security_headers(patient_client):
    responses = [
        patient_client.post(reverse("quick_log"), quick_log_data(client_token=uuid.uuid4())),
        patient_client.post(reverse("quick_log"), quick_log_data(intensity="11")),
        patient_client.post(reverse("quick_log"), quick_log_data(), headers={"HX-Request": "true"}),
        patient_client.get(reverse("history"), headers={"HX-Request": "true"}),
        patient_client.post(reverse("logout")),
    ]
    assert [r.status_code for r in responses] == [302, 200, 200, 200, 302]
    assert [header_problems(r) for r in responses] == [[]] * len(responses)


def test_no_page_allows_inline_script(client):
    csp = csp_directives(client.get(reverse("login"))["Content-Security-Policy"])
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "script-src-attr" not in csp
    assert csp["object-src"] == ["'none'"]
