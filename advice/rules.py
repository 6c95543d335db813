"""Seek-care and self-care prompts for one flare-up: the rules as data, each citing its
public source (advice.sources; docs/clinical-sources.md).

Pure Python on purpose (stdlib only): the rules are tested without Django and read plain
attributes, so a model instance and a ``types.SimpleNamespace`` both work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .sources import cite, cite_section, short


class Level(StrEnum):
    """The four urgency levels, most urgent first. The one definition: the Prompt model's
    choices, the templates and the exports all read it."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    SOON = "soon"
    SELF_CARE = "self_care"

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]

    @property
    def meaning(self) -> str:
        return LEVEL_MEANING[self]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(level.value, level.label) for level in cls]


LEVEL_ORDER: tuple[Level, ...] = tuple(Level)
LEVEL_LABELS: dict[Level, str] = {
    Level.EMERGENCY: "Emergency",
    Level.URGENT: "Urgent",
    Level.SOON: "Soon",
    Level.SELF_CARE: "Self-care",
}
# The levels that tell a person to get care today or now.
SEEK_CARE_LEVELS: tuple[Level, ...] = (Level.EMERGENCY, Level.URGENT)

# What each level asks the person to do, shown with every prompt at that level.
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

# Said once, in these words, at the foot of every page (advice.context_processors) and with
# every piece of advice.
DISCLAIMER = (
    "backlog does not diagnose. If in doubt, contact a clinician. "
    "In an emergency, call your local emergency number."
)

# The sources rules cite, by the short names advice.sources lists (with URLs and
# identifiers; docs/clinical-sources.md says what each is used for).
BMJ_CAUDA_EQUINA = short("bmj_best_practice_cauda_equina")
NHS_BACK_PAIN = short("nhs_back_pain")
NHS_SCIATICA = short("nhs_sciatica")
NHS_INFORM_SELF_HELP = short("nhs_inform_back_pain_self_help")
NHS_INFORM_EXERCISES = short("nhs_inform_exercises_back_pain")
NICE_CKS_SCIATICA = short("nice_cks_sciatica")
EUR_SPINE_J = short("eur_spine_j_2011")
NICE_NG59 = short("nice_ng59")
NICE_NG59_ASSESS = cite_section("nice_ng59", "1.1.1-1.1.2")
NICE_NG59_STRATIFY = cite_section("nice_ng59", "1.1.1")
NICE_NG59_STAY_ACTIVE = cite_section("nice_ng59", "1.2.1")
LANCET_HARTVIGSEN = short("lancet_hartvigsen_2018")
JOSPT_DA_SILVA = short("jospt_da_silva_2017")
COCHRANE_BED_REST = short("cochrane_cd007612")
ACP_2017 = short("acp_2017")
NICE_KTT13 = short("nice_ktt13")
BJSM_OWEN = short("bjsm_owen_2020")


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
    """The shown verdict is rising and the rise began at this look (its onset): the prompt
    comes once, when the rise is first shown, not again at every later look. A report that
    does not say when its looks were (no ``today``) counts every rise as new."""

    def is_rising(episode: EpisodeFacts, report: Any) -> bool:
        trend = getattr(report, trend_name, None)
        if getattr(trend, "direction", None) != "rising":
            return False
        looked_on = getattr(report, "today", None)
        return looked_on is None or getattr(trend, "onset", None) == looked_on

    is_rising.__name__ = f"{trend_name}_is_rising"
    return is_rising


def _tried(remedy: str) -> Predicate:
    def has_tried(episode: EpisodeFacts, report: Any) -> bool:
        return remedy in episode.tried

    has_tried.__name__ = f"tried_{remedy}"
    return has_tried


def _heat_on_numb_skin(episode: EpisodeFacts, report: Any) -> bool:
    return "heat" in episode.tried and (episode.numbness or episode.saddle_numbness)


# The nerve warnings that outrank "pain spreading down the leg" (that prompt is for leg pain
# without them). Fever and injury are not here: they say nothing about the leg, so the leg-pain
# prompt still adds something next to them.
NERVE_WARNINGS = ("saddle_numbness", "bladder_bowel", "both_legs", "leg_weakness", "numbness")

# Most urgent first; within a level, in the order the questions are asked.
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
        source=cite(NHS_SCIATICA, NHS_BACK_PAIN, NICE_CKS_SCIATICA),
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
        source=cite(NICE_NG59, NHS_BACK_PAIN),
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
        source=cite(NHS_BACK_PAIN, NICE_NG59),
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
        source=cite(NHS_SCIATICA, NICE_CKS_SCIATICA),
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
        source=cite(NICE_NG59_ASSESS, JOSPT_DA_SILVA),
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
        source=cite(LANCET_HARTVIGSEN, NICE_NG59_STRATIFY),
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
        source=cite(LANCET_HARTVIGSEN, NICE_NG59_STRATIFY),
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
        source=cite(LANCET_HARTVIGSEN, NICE_NG59_STRATIFY),
        guidance=SEEK_CARE_ANCHOR,
        applies=_rising("spread"),
    ),
    Rule(
        code="bed_rest",
        level=Level.SELF_CARE,
        title="Try not to lie flat all day",
        message=(
            "Staying in bed or lying flat for long periods does not help a sore back get "
            "better: people who keep gently active recover at least as well. Get up and move "
            "gently a little at a time, even just a few steps."
        ),
        source=cite(COCHRANE_BED_REST, NHS_BACK_PAIN),
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
        source=cite(NICE_NG59_STAY_ACTIVE, ACP_2017, NHS_BACK_PAIN),
        guidance=KEEP_MOVING_ANCHOR,
        applies=_always,
    ),
    Rule(
        code="no_strain",
        level=Level.SELF_CARE,
        title="Go easy while it hurts",
        message=(
            "While you are in pain, don't walk briskly, run or lift heavy things. Keep active "
            "within what is comfortable and pace yourself: slow, gentle movement is enough "
            "for now."
        ),
        source=cite(NHS_BACK_PAIN, NHS_INFORM_SELF_HELP),
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
        source=cite(NHS_INFORM_EXERCISES, BJSM_OWEN),
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


class _WhileShown:
    """A report read as if every shown rise were new: the verdicts card shows a rise's prompt
    for as long as the rise is shown, while a flare-up's advice carries it only at onset."""

    today = None

    def __init__(self, report: Any) -> None:
        self._report = report

    def __getattr__(self, name: str) -> Any:
        return getattr(self._report, name)


def trend_prompts(report: Any) -> list[Prompt]:
    """The seek-care prompts the patient's history calls for, whatever the latest flare-up."""
    if report is None:
        return []
    shown = _WhileShown(report)
    return [prompt for prompt in evaluate(EpisodeFacts(), shown) if prompt.code in TREND_CODES]
