"""What a clinician reads before a visit, computed from a patient's flare-ups."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import mean

from django.db.models import Prefetch
from django.utils import timezone

from advice.models import Prompt
from advice.rules import SEEK_CARE_LEVELS
from episodes.models import Episode, Helped, RemedyCode

NSAID_WINDOW_DAYS = 30


@dataclass(frozen=True)
class RemedyRow:
    code: str
    label: str
    tried: int
    helped: int
    somewhat: int
    not_helped: int
    unknown: int


@dataclass(frozen=True)
class RedFlagRow:
    episode: Episode
    flags: list[str]
    prompts: list[Prompt]


@dataclass(frozen=True)
class Summary:
    start: date
    end: date
    episodes: list[Episode]
    intensities: list[int]
    red_flags: list[RedFlagRow]
    remedies: list[RemedyRow]
    nsaid_days: int
    notes: list[Episode]

    @property
    def count(self) -> int:
        return len(self.episodes)

    @property
    def intensity_mean(self) -> float | None:
        return round(mean(self.intensities), 1) if self.intensities else None

    @property
    def intensity_max(self) -> int | None:
        return max(self.intensities, default=None)


def local_bounds(start: date, end: date, zone) -> tuple[datetime, datetime]:
    """The instants that begin `start` and end `end` in the patient's zone."""
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def episodes_between(patient, start: date, end: date) -> list[Episode]:
    since, until = local_bounds(start, end, patient.zone)
    prompts = Prompt.objects.order_by("shown_at", "rank")
    return list(
        Episode.objects.for_patient(patient)
        .filter(started_at__gte=since, started_at__lt=until)
        .order_by("started_at")
        .prefetch_related("remedies", Prefetch("prompts", queryset=prompts))
    )


def remedy_rows(episodes: list[Episode]) -> list[RemedyRow]:
    effects: dict[str, Counter] = {code: Counter() for code in RemedyCode.values}
    for episode in episodes:
        for remedy in episode.remedies.all():
            effects[remedy.code][remedy.helped] += 1
    return [
        RemedyRow(
            code=code,
            label=label,
            tried=sum(effects[code].values()),
            helped=effects[code][Helped.YES],
            somewhat=effects[code][Helped.SOMEWHAT],
            not_helped=effects[code][Helped.NO],
            unknown=effects[code][Helped.UNKNOWN],
        )
        for code, label in RemedyCode.choices
        if effects[code]
    ]


def red_flag_rows(episodes: list[Episode]) -> list[RedFlagRow]:
    return [
        RedFlagRow(
            episode=episode,
            flags=episode.red_flag_labels,
            prompts=[p for p in episode.prompts.all() if p.level in SEEK_CARE_LEVELS],
        )
        for episode in episodes
        if episode.red_flags
    ]


def nsaid_days(patient, today: date) -> int:
    """Days in the last 30 (today included) on which a flare-up treated with ibuprofen or
    another NSAID was going on. backlog records what was tried per flare-up, not doses,
    so this counts days of exposure, not tablets."""
    window_start = today - timedelta(days=NSAID_WINDOW_DAYS - 1)
    since, until = local_bounds(window_start, today, patient.zone)
    spans = (
        Episode.objects.for_patient(patient)
        .filter(remedies__code=RemedyCode.IBUPROFEN, started_at__lt=until)
        .exclude(ended_at__lt=since)
        .values_list("started_at", "ended_at")
    )
    days: set[date] = set()
    for started_at, ended_at in spans:
        first = max(timezone.localtime(started_at, patient.zone).date(), window_start)
        last = timezone.localtime(ended_at, patient.zone).date() if ended_at else today
        last = min(last, today)
        days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return len(days)


def build_summary(patient, start: date, end: date, today: date) -> Summary:
    episodes = episodes_between(patient, start, end)
    return Summary(
        start=start,
        end=end,
        episodes=episodes,
        intensities=[episode.intensity for episode in episodes],
        red_flags=red_flag_rows(episodes),
        remedies=remedy_rows(episodes),
        nsaid_days=nsaid_days(patient, today),
        notes=[episode for episode in episodes if episode.notes],
    )
