"""Bulk data for tests and benchmarks: thousands of flare-ups, faster than the services."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone


def bulk_history(patient, count: int) -> None:
    """`count` daily flare-ups ending yesterday, with remedies, some spasms and some
    seek-care prompts, written in bulk."""
    from advice.models import Prompt
    from episodes.models import Episode, Remedy

    now = timezone.now()
    episodes = Episode.objects.bulk_create(
        Episode(
            patient=patient,
            started_at=now - timedelta(days=count - i, hours=i % 7),
            ended_at=now - timedelta(days=count - i) + timedelta(hours=20),
            intensity=(3 + i // max(count // 5, 1) + i % 3) % 11,
            side=("left", "right", "both", "center")[i % 4],
            spread=("none", "buttock", "thigh")[i % 3],
            leg="" if i % 3 == 0 else ("left", "both")[i % 2],
            spasm=i % 5 == 0,
            numbness=i % 97 == 0,
            notes="note" if i % 50 == 0 else "",
        )
        for i in range(count)
    )
    Remedy.objects.bulk_create(
        Remedy(episode=e, code=code, helped=("yes", "somewhat", "no", "unknown")[i % 4])
        for i, e in enumerate(episodes)
        for code in (("ibuprofen", "walking") if i % 2 else ("bed_rest", "stretching"))
    )
    Prompt.objects.bulk_create(
        Prompt(
            episode=e,
            code="numbness",
            level="urgent",
            rank=0,
            title="Numbness or tingling in a leg or foot",
            message="Numbness or tingling in a leg or foot needs checking today.",
            source="source article",
            shown_at=e.started_at,
        )
        for e in episodes
        if e.numbness
    )
