"""Exports carry the patient's free text verbatim, so they must never be read as a page."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

NOTES = '<script>alert(1)</script> <img src=x onerror=alert(1)> "><svg onload=alert(1)>'


@pytest.mark.parametrize("fmt", ["csv", "json", "fhir"])
def test_exports_with_script_in_notes_are_downloads_never_html(fmt, client, patient, make_episode):
    make_episode(patient, notes=NOTES)
    client.force_login(patient)
    response = client.get(reverse("my_export", args=[fmt]))
    assert response.status_code == 200
    assert "html" not in response["Content-Type"]
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
