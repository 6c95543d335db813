"""Seek-care and self-care prompts for one flare-up, from the rules table in CLINICAL.md.

Pure Python on purpose (stdlib only): the rules are tested without Django and read plain
attributes, so a model instance and a ``types.SimpleNamespace`` both work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    EMERGENCY = "emergency"
    URGENT = "urgent"
    SOON = "soon"
    SELF_CARE = "self_care"


LEVEL_ORDER: tuple[Level, ...] = (Level.EMERGENCY, Level.URGENT, Level.SOON, Level.SELF_CARE)

# Word for word from the urgency table in CLINICAL.md; a test compares them with the file.
LEVEL_MEANING: dict[Level, str] = {
    Level.EMERGENCY: "Go to an emergency department or call the emergency number now.",
    Level.URGENT: (
        "Get medical attention today (your doctor, an urgent-care service, or a medical helpline)."
    ),
    Level.SOON: "Book an appointment with your clinician; do not keep treating this alone.",
    Level.SELF_CARE: (
        "What to do yourself now: keep moving gently, stretch within comfort, avoid strain."
    ),
}

DISCLAIMER = "This app does not diagnose. If in doubt, contact a clinician."

# Short source names as CLINICAL.md's rules table spells them. A rule cites one or more of
# them joined with "; ", so a test can check each part against the file.
BMJ_CAUDA_EQUINA = "BMJ Best Practice, cauda equina"
NHS = "NHS"
NHS_BACK_PAIN = "NHS back pain"
NHS_SCIATICA = "NHS sciatica"
EUR_SPINE_J = "Eur Spine J 2011 (PMC3082683)"
SOURCE_ARTICLE = "source article"
NICE_NG59 = "NICE NG59"
NICE_NG59_STAY_ACTIVE = "NICE NG59 1.1.3"
LANCET_HARTVIGSEN = "Lancet 2018 (Hartvigsen)"
COCHRANE_BED_REST = "Cochrane CD007612"
ACP_2017 = "ACP 2017"
NICE_KTT13 = "NICE KTT13"

SOURCES: tuple[str, ...] = (
    BMJ_CAUDA_EQUINA,
    NHS,
    NHS_BACK_PAIN,
    NHS_SCIATICA,
    EUR_SPINE_J,
    SOURCE_ARTICLE,
    NICE_NG59,
    NICE_NG59_STAY_ACTIVE,
    LANCET_HARTVIGSEN,
    COCHRANE_BED_REST,
    ACP_2017,
    NICE_KTT13,
)


def cite(*names: str) -> str:
    return "; ".join(names)


# Anchors on the guidance page (advice.guidance lists them; a test keeps the two in step).
SEEK_CARE_ANCHOR = "seek-care"
KEEP_MOVING_ANCHOR = "keep-moving"
NO_STRAIN_ANCHOR = "no-strain"
STRETCHES_ANCHOR = "stretches"

_TODAY = "Get medical attention today: your doctor, an urgent-care service or a medical helpline."
_NOW = "Go to an emergency department or call the emergency number now."
_BOOK = "Book an appointment with your clinician."

THIGH_OR_FURTHER = frozenset({"thigh", "below_knee", "foot"})


@dataclass(frozen=True)
class EpisodeFacts:
    """The attributes the rules read, taken once from a model instance or any plain object.

    Reading ``tried`` once matters: on a model it walks the remedies relation.
    """

    intensity: int = 0
    side: str = ""
    spread: str = "none"
    leg: str = ""
    numbness: bool = False
    leg_weakness: bool = False
    saddle_numbness: bool = False
    bladder_bowel: bool = False
    fever: bool = False
    injury: bool = False
    spasm: bool = False
    tried: frozenset[str] = frozenset()

    @classmethod
    def read(cls, episode: object) -> EpisodeFacts:
        return cls(
            intensity=getattr(episode, "intensity", 0) or 0,
            side=getattr(episode, "side", "") or "",
            spread=getattr(episode, "spread", "none") or "none",
            leg=getattr(episode, "leg", "") or "",
            numbness=bool(getattr(episode, "numbness", False)),
            leg_weakness=bool(getattr(episode, "leg_weakness", False)),
            saddle_numbness=bool(getattr(episode, "saddle_numbness", False)),
            bladder_bowel=bool(getattr(episode, "bladder_bowel", False)),
            fever=bool(getattr(episode, "fever", False)),
            injury=bool(getattr(episode, "injury", False)),
            spasm=bool(getattr(episode, "spasm", False)),
            tried=frozenset(getattr(episode, "tried", ()) or ()),
        )


Predicate = Callable[[EpisodeFacts, Any], bool]


@dataclass(frozen=True)
class Rule:
    code: str
    level: Level
    title: str
    # May name report facts in braces ({episode_count}, {frequency_summary}, ...), filled in
    # at evaluation; only rules that need a report use them.
    message: str
    source: str
    guidance: str
    applies: Predicate
    # Codes of other rules that, when they fire, make this one redundant.
    unless: tuple[str, ...] = ()


@dataclass(frozen=True)
class Prompt:
    level: Level
    code: str
    title: str
    message: str
    source: str
    guidance: str

    @property
    def meaning(self) -> str:
        return LEVEL_MEANING[self.level]


def _always(episode: EpisodeFacts, report: Any) -> bool:
    return True


def _both_legs(episode: EpisodeFacts, report: Any) -> bool:
    return episode.leg == "both" and (
        episode.spread in THIGH_OR_FURTHER or episode.numbness or episode.leg_weakness
    )


def _spreads_down_leg(episode: EpisodeFacts, report: Any) -> bool:
    return episode.spread != "none"


def _recurring(episode: EpisodeFacts, report: Any) -> bool:
    return report is not None and (getattr(report, "episode_count", 0) or 0) >= 2


def _rising(trend_name: str) -> Predicate:
    def is_rising(episode: EpisodeFacts, report: Any) -> bool:
        trend = getattr(report, trend_name, None)
        return getattr(trend, "direction", None) == "rising"

    is_rising.__name__ = f"{trend_name}_is_rising"
    return is_rising


def _tried(remedy: str) -> Predicate:
    def has_tried(episode: EpisodeFacts, report: Any) -> bool:
        return remedy in episode.tried

    has_tried.__name__ = f"tried_{remedy}"
    return has_tried


def _heat_on_numb_skin(episode: EpisodeFacts, report: Any) -> bool:
    return "heat" in episode.tried and (episode.numbness or episode.saddle_numbness)


# The nerve warnings that outrank "pain spreading down the leg" (CLINICAL.md: "without the
# above"). Fever and injury are not here: they say nothing about the leg, so the leg-pain
# prompt still adds something next to them.
NERVE_WARNINGS = ("saddle_numbness", "bladder_bowel", "both_legs", "leg_weakness", "numbness")

# In CLINICAL.md's table order, which is also most urgent first.
RULES: tuple[Rule, ...] = (
    Rule(
        code="saddle_numbness",
        level=Level.EMERGENCY,
        title="Numbness around the groin or buttocks",
        message=(
            "Numbness or tingling around the genitals, buttocks or inner thighs needs "
            f"checking straight away. {_NOW}"
        ),
        source=cite(BMJ_CAUDA_EQUINA, NHS_BACK_PAIN),
        guidance=SEEK_CARE_ANCHOR,
        applies=lambda episode, report: episode.saddle_numbness,
    ),
    Rule(
        code="bladder_bowel",
        level=Level.EMERGENCY,
        title="Changes in bladder or bowel control",
        message=(
            "New trouble passing urine, or losing control of your bladder or bowel, needs "
            f"checking straight away. {_NOW}"
        ),
        source=cite(BMJ_CAUDA_EQUINA, NHS_BACK_PAIN),
        guidance=SEEK_CARE_ANCHOR,
        applies=lambda episode, report: episode.bladder_bowel,
    ),
    Rule(
        code="both_legs",
        level=Level.EMERGENCY,
        title="Pain, numbness or weakness in both legs",
        message=f"Pain, numbness or weakness in both legs needs checking straight away. {_NOW}",
        source=cite(NHS_SCIATICA, EUR_SPINE_J),
        guidance=SEEK_CARE_ANCHOR,
        applies=_both_legs,
    ),
    # When both legs are involved the emergency prompt already names the weakness or the
    # numbness; adding "get attention today" for the same symptom would blur "go now".
    # Suppressing only ever leaves a more urgent prompt in place, so it is safe.
    Rule(
        code="leg_weakness",
        level=Level.URGENT,
        title="Weakness in a leg",
        message=(
            f"A leg that feels weak, or weaker than before, needs a clinician to check it. {_TODAY}"
        ),
        source=NHS_BACK_PAIN,
        guidance=SEEK_CARE_ANCHOR,
        applies=lambda episode, report: episode.leg_weakness,
        unless=("both_legs",),
    ),
    Rule(
        code="numbness",
        level=Level.URGENT,
        title="Numbness or tingling in a leg or foot",
        message=(
            "Numbness or tingling in a leg or foot can be a sign of a more serious problem. "
            f"Do not wait for it to pass. {_TODAY}"
        ),
        source=SOURCE_ARTICLE,
        guidance=SEEK_CARE_ANCHOR,
        applies=lambda episode, report: episode.numbness,
        unless=("both_legs",),
    ),
    Rule(
        code="fever",
        level=Level.URGENT,
        title="Fever with back pain",
        message=(
            "Back pain with a fever, or feeling hot and shivery, needs checking by a "
            f"clinician. {_TODAY}"
        ),
        source=cite(NICE_NG59, NHS),
        guidance=SEEK_CARE_ANCHOR,
        applies=lambda episode, report: episode.fever,
    ),
    Rule(
        code="injury",
        level=Level.URGENT,
        title="Pain after a fall or injury",
        message=(
            "Back pain that started after a fall, accident or injury needs checking by a "
            f"clinician. {_TODAY}"
        ),
        source=cite(NHS, NICE_NG59),
        guidance=SEEK_CARE_ANCHOR,
        applies=lambda episode, report: episode.injury,
    ),
    Rule(
        code="radiating_pain",
        level=Level.SOON,
        title="Pain spreading down the leg",
        message=(
            "Pain that travels from your back down your leg should not be ignored or treated "
            f"on your own. {_BOOK} If numbness, tingling or weakness appears, get medical "
            "attention today."
        ),
        source=SOURCE_ARTICLE,
        guidance=SEEK_CARE_ANCHOR,
        applies=_spreads_down_leg,
        unless=NERVE_WARNINGS,
    ),
    Rule(
        code="recurring",
        level=Level.SOON,
        title="Back pain that keeps coming back",
        message=(
            "You have logged {episode_count} flare-ups. Back pain that keeps coming back needs "
            f"a clinician's help: rest or a pill only eases it for a while. {_BOOK}"
        ),
        source=SOURCE_ARTICLE,
        guidance=SEEK_CARE_ANCHOR,
        applies=_recurring,
    ),
    Rule(
        code="rising_frequency",
        level=Level.SOON,
        title="Flare-ups coming more often",
        message=(
            # The summary already says what is rising, with the numbers behind it.
            f"{{frequency_summary}} {_BOOK} Show them this diary."
        ),
        source=cite(SOURCE_ARTICLE, LANCET_HARTVIGSEN),
        guidance=SEEK_CARE_ANCHOR,
        applies=_rising("frequency"),
    ),
    Rule(
        code="rising_intensity",
        level=Level.SOON,
        title="Flare-ups getting more painful",
        message=(
            # The summary already says what is rising, with the numbers behind it.
            f"{{intensity_summary}} {_BOOK} Show them this diary."
        ),
        source=cite(SOURCE_ARTICLE, LANCET_HARTVIGSEN),
        guidance=SEEK_CARE_ANCHOR,
        applies=_rising("intensity"),
    ),
    Rule(
        code="spreading",
        level=Level.SOON,
        title="Pain covering a wider area",
        message=(
            # The summary already says what is rising, with the numbers behind it.
            f"{{spread_summary}} {_BOOK} Show them this diary."
        ),
        source=cite(SOURCE_ARTICLE, LANCET_HARTVIGSEN),
        guidance=SEEK_CARE_ANCHOR,
        applies=_rising("spread"),
    ),
    Rule(
        code="bed_rest",
        level=Level.SELF_CARE,
        title="Try not to lie flat all day",
        message=(
            "Lying flat all day is the worst thing for sore back muscles: they work like pumps "
            "and need movement. Get up and move gently a little at a time, even just a few "
            "steps."
        ),
        source=cite(SOURCE_ARTICLE, COCHRANE_BED_REST),
        guidance=KEEP_MOVING_ANCHOR,
        applies=_tried("bed_rest"),
    ),
    Rule(
        code="keep_moving",
        level=Level.SELF_CARE,
        title="Keep moving gently",
        message=(
            "Move gently, a little and often: a slow walk, shifting your weight from foot to "
            "foot, or rocking side to side. If moving is very hard, do as little as you can, "
            "but do something. Don't lie flat all day."
        ),
        source=cite(SOURCE_ARTICLE, NICE_NG59_STAY_ACTIVE, ACP_2017),
        guidance=KEEP_MOVING_ANCHOR,
        applies=_always,
    ),
    Rule(
        code="no_strain",
        level=Level.SELF_CARE,
        title="Go easy while it hurts",
        message=(
            "While you are in pain, don't walk briskly, run or lift things. Pushing through "
            "the pain is not the way: slow, gentle movement is enough for now."
        ),
        source=SOURCE_ARTICLE,
        guidance=NO_STRAIN_ANCHOR,
        applies=_always,
    ),
    Rule(
        code="stretch_gently",
        level=Level.SELF_CARE,
        title="Stretch gently, never into pain",
        message=(
            "Gentle stretches can help during a muscle spasm. Stretch only until you feel a "
            "gentle stretch, never into pain. Stop and get checked if pain shoots down your "
            "leg or numbness appears."
        ),
        source=SOURCE_ARTICLE,
        guidance=STRETCHES_ANCHOR,
        applies=_always,
    ),
    Rule(
        code="heat_on_numb_skin",
        level=Level.SELF_CARE,
        title="No heat on numb skin",
        message=(
            "You used heat while part of you feels numb. Don't put a hot-water bottle or heat "
            "pad on skin that feels numb."
        ),
        source=NHS_SCIATICA,
        guidance="",
        applies=_heat_on_numb_skin,
    ),
    Rule(
        code="nsaid_use",
        level=Level.SELF_CARE,
        title="Taking ibuprofen",
        message=(
            "If you take ibuprofen or another anti-inflammatory, use the lowest dose that works, "
            "for the shortest time. Check with a pharmacist or doctor that it is safe for you."
        ),
        source=NICE_KTT13,
        guidance="",
        applies=_tried("ibuprofen"),
    ),
)


RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


def _sentence(text: str) -> str:
    text = (text or "").strip()
    return text if not text or text[-1] in ".!?" else f"{text}."


def _report_facts(report: Any) -> Mapping[str, object]:
    if report is None:
        return {}
    return {
        "episode_count": getattr(report, "episode_count", 0),
        **{
            f"{name}_summary": _sentence(getattr(getattr(report, name, None), "summary", ""))
            for name in ("frequency", "intensity", "spread")
        },
    }


def _urgency(level: Level) -> int:
    return LEVEL_ORDER.index(level)


def evaluate(episode: object, report: Any = None) -> list[Prompt]:
    """Prompts for one flare-up, most urgent first; pass a trend report to add trend rules."""
    facts = EpisodeFacts.read(episode)
    fired = [rule for rule in RULES if rule.applies(facts, report)]
    fired_codes = {rule.code for rule in fired}
    report_facts = _report_facts(report)
    prompts = [
        Prompt(
            level=rule.level,
            code=rule.code,
            title=rule.title,
            message=rule.message.format_map(report_facts),
            source=rule.source,
            guidance=rule.guidance,
        )
        for rule in fired
        if fired_codes.isdisjoint(rule.unless)
    ]
    # sorted() is stable, so rules of the same level keep the table's order.
    return sorted(prompts, key=lambda prompt: _urgency(prompt.level))


def top_level(prompts: Iterable[Prompt]) -> Level | None:
    return min((prompt.level for prompt in prompts), key=_urgency, default=None)


# The rules that read the whole history (the trend report) rather than one flare-up.
TREND_CODES = ("recurring", "rising_frequency", "rising_intensity", "spreading")


def trend_prompts(report: Any) -> list[Prompt]:
    """The seek-care prompts the patient's history calls for, whatever the latest flare-up."""
    return [prompt for prompt in evaluate(EpisodeFacts(), report) if prompt.code in TREND_CODES]
