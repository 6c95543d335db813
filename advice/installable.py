"""backlog as an installable app: its web app manifest, and its service worker's source.

Both are served from the root (advice.views.app), so the worker's scope is the whole site
without a Service-Worker-Allowed header. The worker keeps the log page working without a
connection (static/js/sw.js) and sends the phone's outbox (static/js/outbox.js).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from episodes.forms import OUTBOX_MAX_AGE

# The navigation bar's colour (static/css/app.css); templates/base.html says it again in its
# theme-color meta tag, and a test keeps the two the same.
THEME_COLOUR = "#0d47a1"
BACKGROUND_COLOUR = "#ffffff"

# (static file, size in pixels, purpose): drawn by `python -m tests.icons`.
ICONS = (
    ("img/icon-192.png", 192, "any"),
    ("img/icon-512.png", 512, "any"),
    ("img/icon-maskable-192.png", 192, "maskable"),
    ("img/icon-maskable-512.png", 512, "maskable"),
)

# The worker is its configuration followed by these static files, in this order.
WORKER_SOURCES = ("js/outbox.js", "js/sw.js")


def web_manifest() -> dict:
    home = reverse("home")
    return {
        "id": home,
        "name": "backlog: back pain diary",
        "short_name": "backlog",
        "description": "Log a back-pain flare-up in seconds, even without a signal.",
        "lang": "en",
        "start_url": home,
        "scope": home,
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {
                "src": static(path),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": purpose,
            }
            for path, size, purpose in ICONS
        ],
    }


def worker_config() -> dict:
    return {
        "home_url": reverse("home"),
        "log_url": reverse("quick_log"),
        "static_url": settings.STATIC_URL,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "max_age_days": OUTBOX_MAX_AGE.days,
    }


def service_worker_source() -> str:
    parts = ['"use strict";', f"self.BACKLOG_WORKER = {json.dumps(worker_config())};"]
    for name in WORKER_SOURCES:
        parts.append(Path(finders.find(name)).read_text(encoding="utf-8"))
    return "\n".join(parts)
