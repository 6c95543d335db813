"""What the guidance page says: movement advice and a few gentle low-back stretches.

Data only (no Django), so tests and the rules can check it without a database. Each entry
cites its public source (advice.sources); the stretches are common gentle positions, and
every one carries the same stop rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from advice.rules import (
    ACP_2017,
    BJSM_OWEN,
    COCHRANE_BED_REST,
    DISCLAIMER,
    KEEP_MOVING_ANCHOR,
    NHS_BACK_PAIN,
    NHS_INFORM_EXERCISES,
    NHS_INFORM_SELF_HELP,
    NICE_NG59_STAY_ACTIVE,
    NO_STRAIN_ANCHOR,
    SEEK_CARE_ANCHOR,
    STRETCHES_ANCHOR,
)
from advice.sources import cite

__all__ = [
    "ANCHORS",
    "DISCLAIMER",
    "MOVEMENT",
    "SEEK_CARE_ANCHOR",
    "STOP_RULES",
    "STRETCHES",
    "STRETCHES_ANCHOR",
    "Advice",
    "Stretch",
]

GENTLE_STRETCH_ONLY = "Stretch only until you feel a gentle stretch, never into pain."
STOP_IF_NERVE_SIGNS = (
    "Stop and seek care if pain shoots down your leg, or numbness or tingling appears."
)
STOP_RULES: tuple[str, ...] = (GENTLE_STRETCH_ONLY, STOP_IF_NERVE_SIGNS)
# No hold times or counts are promised: start small and do more only while it stays easy.
GENTLE_DOSE = (
    "Start with a few slow repetitions, once or twice a day, and do more only while it stays "
    "comfortable."
)


@dataclass(frozen=True)
class Advice:
    slug: str
    title: str
    text: str
    source: str


@dataclass(frozen=True)
class Stretch:
    slug: str
    name: str
    who_for: str
    steps: tuple[str, ...]
    dose: str
    stop_rules: tuple[str, ...]
    figure: str
    source: str


MOVEMENT: tuple[Advice, ...] = (
    Advice(
        slug=KEEP_MOVING_ANCHOR,
        title="Keep moving gently",
        text=(
            "Don't lie flat all day: staying in bed for long periods does not help back pain "
            "get better, and people who keep gently active recover at least as well. Muscles "
            "work like pumps and need movement. Gentle movement, a little and often, such as a "
            "slow walk, shifting your weight from foot to foot or rocking side to side, helps a "
            "spasm ease."
        ),
        source=cite(NICE_NG59_STAY_ACTIVE, ACP_2017, NHS_BACK_PAIN, COCHRANE_BED_REST),
    ),
    Advice(
        slug="if-moving-is-hard",
        title="If moving is very hard",
        text=(
            "Do as little as you can, but do something: stand up and shift your weight, or "
            "take a few steps, then rest and try again a little later."
        ),
        source=cite(NHS_BACK_PAIN, NHS_INFORM_SELF_HELP),
    ),
    Advice(
        slug=NO_STRAIN_ANCHOR,
        title="No brisk walking, running or lifting while it hurts",
        text=(
            "Pushing through pain is not the way. While you are in pain, keep to slow, gentle "
            "movement within what is comfortable, and leave brisk walking, running and lifting "
            "heavy things until the pain has eased."
        ),
        source=cite(NHS_BACK_PAIN, NHS_INFORM_SELF_HELP),
    ),
    Advice(
        slug="stay-active",
        title="Stay active and exercise",
        text=(
            "Over the longer term, staying active and exercising matters more than any single "
            "stretch. In studies of long-lasting low-back pain, strengthening and "
            "motor-control exercises did best, and stretching on its own did no better than the "
            "comparison groups. No exercise is a cure; a clinician or "
            "physiotherapist can help you choose exercises that suit you."
        ),
        source=BJSM_OWEN,
    ),
    Advice(
        slug="stretch-gently",
        title="Gentle stretches help during a spasm",
        text=(
            "Gentle stretches can help, especially while a muscle is in spasm. Stretch only "
            "to the point of a gentle stretch, never into pain, and stop if the pain gets "
            "worse. Stretching on its own is not a cure."
        ),
        source=cite(NHS_INFORM_EXERCISES, BJSM_OWEN),
    ),
)

_LYING = "Lie on your back on the floor or a firm bed, knees bent and feet flat."

STRETCHES: tuple[Stretch, ...] = (
    Stretch(
        slug="knee-to-chest",
        name="Knee to chest",
        who_for=(
            "A gentle start for most people, even early in a flare-up, if you can lie on your back."
        ),
        steps=(
            _LYING,
            "Hold one leg behind the thigh with both hands.",
            "Slowly draw that knee towards your chest until you feel a gentle stretch in "
            "your lower back and buttock.",
            "Hold, breathing normally, then lower the foot back to the floor.",
            "Repeat with the other leg.",
        ),
        dose=GENTLE_DOSE,
        stop_rules=STOP_RULES,
        figure="advice/figures/knee-to-chest.svg",
        source=NHS_INFORM_EXERCISES,
    ),
    Stretch(
        slug="pelvic-tilt",
        name="Pelvic tilt",
        who_for="Anyone who can lie on their back; a very small movement, good when others hurt.",
        steps=(
            _LYING,
            "Gently tighten your tummy muscles so your lower back flattens towards the floor "
            "and your pelvis tilts up a little.",
            "Hold, breathing normally.",
            "Relax and let your back return to its natural curve.",
        ),
        dose=GENTLE_DOSE,
        stop_rules=STOP_RULES,
        figure="advice/figures/pelvic-tilt.svg",
        source=NHS_INFORM_EXERCISES,
    ),
    Stretch(
        slug="knee-rolls",
        name="Lying knee rolls",
        who_for="Anyone who can lie on their back; loosens the lower back with a slow rocking.",
        steps=(
            _LYING + " Keep your knees together.",
            "Rest your arms out to the sides, palms down.",
            "Slowly let both knees roll to one side, only as far as is comfortable, keeping "
            "your shoulders on the floor.",
            "Bring them back to the middle, then roll them to the other side.",
        ),
        dose=GENTLE_DOSE,
        stop_rules=STOP_RULES,
        figure="advice/figures/knee-rolls.svg",
        source=NHS_INFORM_EXERCISES,
    ),
    Stretch(
        slug="cat-cow",
        name="Cat and cow",
        who_for="When you can get onto your hands and knees comfortably.",
        steps=(
            "Kneel on all fours: hands under your shoulders, knees under your hips.",
            "Slowly round your back up towards the ceiling, letting your head drop a little.",
            "Then slowly let your back dip a little, lifting your head gently.",
            "Move between the two at an easy pace, staying within a gentle stretch.",
        ),
        dose=GENTLE_DOSE,
        stop_rules=STOP_RULES,
        figure="advice/figures/cat-cow.svg",
        source=NHS_INFORM_EXERCISES,
    ),
    Stretch(
        slug="childs-pose",
        name="Resting kneel (child's pose)",
        who_for="When kneeling is comfortable; skip it if your knees or hips hurt.",
        steps=(
            "Kneel on all fours: hands under your shoulders, knees under your hips.",
            "Slowly sit back towards your heels, letting your arms slide forward on the floor.",
            "Let your chest sink and your head rest, and stop at a gentle stretch in your back.",
            "Walk your hands back and come up slowly onto all fours.",
        ),
        dose=GENTLE_DOSE,
        stop_rules=STOP_RULES,
        figure="advice/figures/childs-pose.svg",
        source=NHS_INFORM_EXERCISES,
    ),
)

# Every id the guidance page should carry, so prompts can link to a section or a stretch.
# The seek-care section lists the warning signs from advice.rules.RULES.
ANCHORS: frozenset[str] = frozenset(
    {SEEK_CARE_ANCHOR, STRETCHES_ANCHOR}
    | {advice.slug for advice in MOVEMENT}
    | {stretch.slug for stretch in STRETCHES}
)
