"""plotly.js comes from npm (package.json, package-lock.json), pinned to the version the
installed Python plotly targets, and is served by the app itself."""

import json

from django.conf import settings
from django.contrib.staticfiles import finders

from backlog.settings import BASE_DIR


def test_the_locked_basic_bundle_is_the_plotly_js_the_python_package_targets():
    lock = json.loads((BASE_DIR / "package-lock.json").read_text())
    locked = lock["packages"]["node_modules/plotly.js-basic-dist-min"]["version"]
    wanted = json.loads((BASE_DIR / "package.json").read_text())["dependencies"]
    assert locked == wanted["plotly.js-basic-dist-min"] == settings.PLOTLY_JS_VERSION


def test_the_installed_basic_bundle_is_that_version_and_is_found_by_the_static_files():
    found = finders.find("plotly/plotly-basic.min.js")
    assert found is not None
    with open(found, encoding="utf-8") as bundle:
        head = bundle.read(200)
    assert f"plotly.js (basic - minified) v{settings.PLOTLY_JS_VERSION}" in head


def test_the_full_plotly_bundle_is_no_longer_served():
    assert finders.find("plotly/plotly.min.js") is None
