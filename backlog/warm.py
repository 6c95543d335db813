"""Start-up work that would otherwise fall on a worker's first request."""

from __future__ import annotations

import importlib

# Everything a Trends page, a summary or a quick log imports on first use. Listed by name
# (backlog may not import the apps above it): importing is all that is done here.
HEAVY_MODULES = (
    "numpy",
    "scipy.stats",
    "plotly",
    "episodes.trends",
    "episodes.reports",
    "episodes.charts",
    "advice.chart_advice",
    "advice.contexts",
    "advice.services",
    "clinic.summary",
    "clinic.exports",
)


def import_heavy_modules() -> None:
    for name in HEAVY_MODULES:
        importlib.import_module(name)
