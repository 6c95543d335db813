"""One page of a patient's history, for the patient's pages and the clinician's alike."""

from __future__ import annotations

from collections.abc import Mapping

from .models import Episode

PAGE_SIZE = 25
LAST_PAGE = 100_000  # 2.5 million flare-ups: past this, page numbers are nonsense


def page_number(query: Mapping[str, str]) -> int:
    """The `page` of a query string, 1 when it is missing or not a number."""
    try:
        return min(max(int(query.get("page", "1")), 1), LAST_PAGE)
    except (TypeError, ValueError):
        return 1


def history_page(patient, page: int, *, url: str) -> dict:
    """One page of a patient's history, newest first, without a COUNT query; `url` is the
    history page that serves further pages."""
    start = (page - 1) * PAGE_SIZE
    rows = list(
        Episode.objects.for_patient(patient)
        .newest_first()
        .with_remedies()[start : start + PAGE_SIZE + 1]
    )
    return {
        "episodes": rows[:PAGE_SIZE],
        "page": page,
        "next_page": page + 1 if len(rows) > PAGE_SIZE else None,
        "previous_page": page - 1 if page > 1 else None,
        "history_url": url,
    }
