"""backlog as an installable app: the manifest passes the checks an installability audit makes
(fields, icons read from the PNG files themselves, a maskable icon, start_url in scope,
standalone display), and the service worker is served at the root, allowed by the CSP."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import numpy as np
import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from tests.icons import ICONS, draw, read_png

pytestmark = pytest.mark.django_db

STATIC_URL = "/static/"


@pytest.fixture
def manifest(client) -> dict:
    response = client.get(reverse("manifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    return response.json()


def icon_file(src: str) -> bytes:
    path = urlsplit(src).path
    assert path.startswith(STATIC_URL)
    return Path(finders.find(path.removeprefix(STATIC_URL))).read_bytes()


def test_the_manifest_names_the_app_and_opens_standalone(manifest):
    assert manifest["name"]
    assert manifest["short_name"] == "backlog"
    assert len(manifest["short_name"]) <= 12  # shown under the icon on a home screen
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])


def test_the_start_url_is_the_log_page_and_inside_the_scope(manifest):
    base = "https://backlog.example.org/manifest.webmanifest"
    start, scope = urljoin(base, manifest["start_url"]), urljoin(base, manifest["scope"])
    assert start.startswith(scope)
    assert urlsplit(start).path == reverse("home")
    assert urljoin(base, manifest["id"]) == start


def test_every_icon_is_a_png_of_the_size_the_manifest_says(manifest):
    for icon in manifest["icons"]:
        png = read_png(icon_file(icon["src"]))
        width, height = (int(n) for n in icon["sizes"].split("x"))
        assert icon["type"] == "image/png"
        assert (png["width"], png["height"]) == (width, height), icon["src"]


def test_there_are_icons_of_192_and_512_pixels_for_any_purpose_and_as_maskable(manifest):
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes


def test_a_maskable_icon_is_opaque_and_keeps_its_drawing_inside_the_safe_zone(manifest):
    for icon in manifest["icons"]:
        if icon["purpose"] != "maskable":
            continue
        pixels = read_png(icon_file(icon["src"]))["pixels"]
        size = pixels.shape[0]
        assert (pixels[..., 3] == 255).all()
        centres = np.arange(size) + 0.5 - size / 2
        outside = np.hypot(*np.meshgrid(centres, centres)) > 0.4 * size
        # Outside the centre circle of 40% radius there is only the plain background.
        background = pixels[0, 0]
        assert (pixels[outside] == background).all()
        assert not (pixels[~outside] == background).all()


def test_the_icon_files_are_exactly_what_tests_icons_draws():
    for name, (size, maskable) in ICONS.items():
        committed = read_png(Path(finders.find(f"img/{name}")).read_bytes())
        assert np.array_equal(committed["pixels"], draw(size, maskable)), name


def test_the_page_s_theme_colour_is_the_manifest_s_and_every_page_links_the_manifest(
    manifest, patient
):
    anonymous, logged_in = Client(), Client()
    logged_in.force_login(patient)
    for response in (anonymous.get(reverse("login")), logged_in.get(reverse("home"))):
        assert response.status_code == 200
        page = response.content.decode()
        assert f'<link rel="manifest" href="{reverse("manifest")}">' in page
        assert f'<meta name="theme-color" content="{manifest["theme_color"]}">' in page


def test_the_service_worker_is_served_from_the_root_as_javascript(client):
    response = client.get(reverse("service_worker"))
    assert reverse("service_worker") == "/sw.js"
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    source = response.content.decode()
    assert source.startswith(
        '"use strict";\nself.BACKLOG_WORKER = {"home_url": "/", "log_url": "/log/"'
    )
    for name in ("js/outbox.js", "js/sw.js"):
        assert Path(finders.find(name)).read_text(encoding="utf-8") in source


def test_the_worker_and_the_manifest_are_allowed_by_the_content_security_policy(client):
    for url in (reverse("service_worker"), reverse("manifest"), reverse("login")):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["script-src"] == "'self'"
        assert directives["worker-src"] == "'self'"
        assert directives["manifest-src"] == "'self'"


def test_the_worker_and_the_manifest_answer_only_get(client):
    assert client.post(reverse("service_worker")).status_code in (403, 405)
    assert client.put(reverse("manifest")).status_code == 405
