import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from advice import guidance
from advice.rules import (
    DISCLAIMER,
    LEVEL_MEANING,
    LEVEL_ORDER,
    RULES,
    Level,
    evaluate,
    top_level,
)
from advice.sources import SOURCES as SOURCE_LIST
from advice.sources import resolve

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCES_DOC = REPO_ROOT / "docs" / "clinical-sources.md"

EVERY_EPISODE = {"keep_moving", "no_strain", "stretch_gently"}
EMERGENCY, URGENT, SOON, SELF_CARE = LEVEL_ORDER

# The clinical specification, rule by rule: its level, and the sources it may cite (short
# names from advice.sources; a NICE NG59 recommendation is the guideline's name plus its
# number). Most urgent first, in the order the rules are evaluated.
SPECIFICATION = {
    "saddle_numbness": (EMERGENCY, {"BMJ Best Practice, cauda equina", "NHS back pain"}),
    "bladder_bowel": (EMERGENCY, {"BMJ Best Practice, cauda equina", "NHS back pain"}),
    "both_legs": (EMERGENCY, {"NHS sciatica", "Eur Spine J 2011 (PMC3082683)"}),
    "leg_weakness": (URGENT, {"NHS back pain"}),
    "numbness": (URGENT, {"NHS sciatica", "NHS back pain", "NICE CKS sciatica"}),
    "fever": (URGENT, {"NICE NG59", "NHS back pain"}),
    "injury": (URGENT, {"NHS back pain", "NICE NG59"}),
    "radiating_pain": (SOON, {"NHS sciatica", "NICE CKS sciatica"}),
    "recurring": (SOON, {"NICE NG59 1.1.1-1.1.2", "da Silva et al., JOSPT 2017"}),
    "rising_frequency": (SOON, {"Hartvigsen et al., Lancet 2018", "NICE NG59 1.1.1"}),
    "rising_intensity": (SOON, {"Hartvigsen et al., Lancet 2018", "NICE NG59 1.1.1"}),
    "spreading": (SOON, {"Hartvigsen et al., Lancet 2018", "NICE NG59 1.1.1"}),
    "bed_rest": (SELF_CARE, {"Cochrane CD007612", "NHS back pain"}),
    "keep_moving": (SELF_CARE, {"NICE NG59 1.2.1", "ACP 2017", "NHS back pain"}),
    "no_strain": (SELF_CARE, {"NHS back pain", "NHS inform back pain self-help"}),
    "stretch_gently": (SELF_CARE, {"NHS inform exercises for back pain", "BJSM 2020 (Owen)"}),
    "heat_on_numb_skin": (SELF_CARE, {"NHS sciatica"}),
    "nsaid_use": (SELF_CARE, {"NICE KTT13"}),
}

LEVEL_TEXTS = {
    "emergency": "Go to an emergency department or call the emergency number now.",
    "urgent": (
        "Get medical attention today (your doctor, an urgent-care service, or a medical helpline)."
    ),
    "soon": "Book an appointment with your clinician; do not keep treating this alone.",
    "self_care": (
        "What to do yourself now: keep moving gently, stretch within comfort, avoid strain."
    ),
}


def trend(direction: str = "steady", summary: str = "") -> SimpleNamespace:
    return SimpleNamespace(direction=direction, summary=summary)


def report(
    count: int = 1,
    frequency: SimpleNamespace | None = None,
    intensity: SimpleNamespace | None = None,
    spread: SimpleNamespace | None = None,
) -> SimpleNamespace:
    return SimpleNamespace(
        episode_count=count,
        frequency=frequency or trend("insufficient", "Too few flare-ups to tell yet."),
        intensity=intensity or trend("insufficient", "Too few flare-ups to tell yet."),
        spread=spread or trend("insufficient", "Too few flare-ups to tell yet."),
    )


def episode(**changes: object) -> SimpleNamespace:
    fields = {
        "intensity": 5,
        "side": "left",
        "spread": "none",
        "leg": "",
        "numbness": False,
        "leg_weakness": False,
        "saddle_numbness": False,
        "bladder_bowel": False,
        "fever": False,
        "injury": False,
        "spasm": False,
        "tried": (),
    }
    fields.update(changes)
    return SimpleNamespace(**fields)


def codes(prompts: list) -> list[str]:
    return [prompt.code for prompt in prompts]


RISING_FREQUENCY = "8 flare-ups in the last 6 months against 3 in the 6 months before."
RISING_INTENSITY = "Worst pain went from about 4 to about 7 out of 10 over 2 years."
SPREADING = "The last 4 flare-ups reached the thigh or further; the first 4 stayed in the back."

# (code, a case that fires it, a nearby case that does not), each case (episode, report).
FIRES_AND_NEARBY = [
    (
        "saddle_numbness",
        (episode(saddle_numbness=True), None),
        (episode(numbness=True, spread="thigh", leg="left"), None),
    ),
    (
        "bladder_bowel",
        (episode(bladder_bowel=True), None),
        (episode(saddle_numbness=True), None),
    ),
    (
        "both_legs",
        (episode(side="both", spread="thigh", leg="both"), None),
        (episode(side="both", spread="buttock", leg="both"), None),
    ),
    (
        "both_legs",
        (episode(side="both", spread="buttock", leg="both", numbness=True), None),
        (episode(side="both", spread="thigh", leg="left", numbness=True), None),
    ),
    (
        "leg_weakness",
        (episode(spread="thigh", leg="right", leg_weakness=True), None),
        (episode(spread="thigh", leg="right"), None),
    ),
    (
        "numbness",
        (episode(spread="foot", leg="right", numbness=True), None),
        (episode(spread="foot", leg="right"), None),
    ),
    ("fever", (episode(fever=True), None), (episode(spasm=True), None)),
    ("injury", (episode(injury=True), None), (episode(), None)),
    (
        "radiating_pain",
        (episode(spread="buttock", leg="left"), None),
        (episode(spread="buttock", leg="left", numbness=True), None),
    ),
    ("recurring", (episode(), report(count=2)), (episode(), report(count=1))),
    (
        "rising_frequency",
        (episode(), report(8, frequency=trend("rising", RISING_FREQUENCY))),
        (episode(), report(8, frequency=trend("steady", "About 1 flare-up a month."))),
    ),
    (
        "rising_intensity",
        (episode(), report(8, intensity=trend("rising", RISING_INTENSITY))),
        (episode(), report(8, intensity=trend("falling", "Worst pain went down."))),
    ),
    (
        "spreading",
        (episode(), report(8, spread=trend("rising", SPREADING))),
        (episode(), report(8, spread=trend("insufficient", "Too few flare-ups."))),
    ),
    ("bed_rest", (episode(tried=["bed_rest"]), None), (episode(tried=["rest_moving"]), None)),
    (
        "heat_on_numb_skin",
        (episode(spread="thigh", leg="left", numbness=True, tried=["heat"]), None),
        (episode(spread="thigh", leg="left", tried=["heat"]), None),
    ),
    (
        "heat_on_numb_skin",
        (episode(saddle_numbness=True, tried=["heat", "ibuprofen"]), None),
        (episode(saddle_numbness=True, tried=["ice"]), None),
    ),
    (
        "nsaid_use",
        (episode(tried=["ibuprofen", "heat"]), None),
        (episode(tried=["other_painkiller"]), None),
    ),
]


@pytest.mark.parametrize(
    ("code", "firing", "nearby"),
    FIRES_AND_NEARBY,
    ids=[f"{case[0]}-{index}" for index, case in enumerate(FIRES_AND_NEARBY)],
)
def test_each_rule_fires_on_its_trigger_and_not_on_a_nearby_case(code, firing, nearby):
    assert code in codes(evaluate(*firing))
    assert code not in codes(evaluate(*nearby))


def test_every_rule_except_the_always_ones_has_a_fire_and_nearby_case():
    covered = {code for code, _firing, _nearby in FIRES_AND_NEARBY}
    assert covered | EVERY_EPISODE == {rule.code for rule in RULES}


# (description, episode, report, expected top level, codes that must be there, codes that must not)
VIGNETTES = [
    (
        "first flare-up, 5/10 on the left, stays in the back, ibuprofen helped",
        episode(intensity=5, side="left", tried=["ibuprofen"]),
        report(count=1),
        SELF_CARE,
        {"nsaid_use"},
        {"recurring", "radiating_pain"},
    ),
    (
        "first flare-up logged without any history",
        episode(intensity=3, side="center"),
        None,
        SELF_CARE,
        set(),
        {"recurring", "bed_rest", "nsaid_use"},
    ),
    (
        "spasm, spent two days flat in bed",
        episode(intensity=7, side="right", spasm=True, tried=["bed_rest", "ibuprofen"]),
        report(count=1),
        SELF_CARE,
        {"bed_rest", "nsaid_use"},
        set(),
    ),
    (
        "mild ache, walked and stretched",
        episode(intensity=2, side="center", tried=["walking", "stretching"]),
        None,
        SELF_CARE,
        set(),
        {"bed_rest"},
    ),
    (
        "saddle numbness",
        episode(intensity=6, side="center", saddle_numbness=True),
        None,
        EMERGENCY,
        {"saddle_numbness"},
        set(),
    ),
    (
        "cannot pass urine since this morning",
        episode(intensity=8, side="both", bladder_bowel=True),
        report(count=3),
        EMERGENCY,
        {"bladder_bowel", "recurring"},
        set(),
    ),
    (
        "saddle numbness and a bladder change",
        episode(intensity=9, side="both", saddle_numbness=True, bladder_bowel=True),
        None,
        EMERGENCY,
        {"saddle_numbness", "bladder_bowel"},
        set(),
    ),
    (
        "pain to both thighs",
        episode(intensity=7, side="both", spread="thigh", leg="both"),
        None,
        EMERGENCY,
        {"both_legs"},
        {"radiating_pain"},
    ),
    (
        "pain below both knees",
        episode(intensity=8, side="both", spread="below_knee", leg="both"),
        report(count=5),
        EMERGENCY,
        {"both_legs", "recurring"},
        {"radiating_pain"},
    ),
    (
        "pain to both buttocks with tingling in both legs",
        episode(side="both", spread="buttock", leg="both", numbness=True),
        None,
        EMERGENCY,
        {"both_legs"},
        {"numbness", "radiating_pain"},
    ),
    (
        "both legs weak",
        episode(side="both", spread="buttock", leg="both", leg_weakness=True),
        None,
        EMERGENCY,
        {"both_legs"},
        {"leg_weakness"},
    ),
    (
        "pain in both buttocks only",
        episode(side="both", spread="buttock", leg="both"),
        None,
        SOON,
        {"radiating_pain"},
        {"both_legs"},
    ),
    (
        "numbness to the right foot",
        episode(intensity=6, side="right", spread="foot", leg="right", numbness=True),
        None,
        URGENT,
        {"numbness"},
        {"radiating_pain", "both_legs"},
    ),
    (
        "tingling in the left leg, pain to the thigh, used a hot-water bottle",
        episode(side="left", spread="thigh", leg="left", numbness=True, tried=["heat"]),
        None,
        URGENT,
        {"numbness", "heat_on_numb_skin"},
        {"radiating_pain"},
    ),
    (
        "right leg feels weak",
        episode(side="right", spread="below_knee", leg="right", leg_weakness=True),
        None,
        URGENT,
        {"leg_weakness"},
        {"radiating_pain"},
    ),
    (
        "fever and shivery with the back pain",
        episode(intensity=6, side="center", fever=True),
        None,
        URGENT,
        {"fever"},
        set(),
    ),
    (
        "began after a fall on ice",
        episode(intensity=7, side="right", injury=True, tried=["ice"]),
        report(count=1),
        URGENT,
        {"injury"},
        {"recurring"},
    ),
    (
        "fever with pain down the leg",
        episode(side="left", spread="thigh", leg="left", fever=True),
        None,
        URGENT,
        {"fever", "radiating_pain"},
        set(),
    ),
    (
        "pain to the left buttock, first time",
        episode(side="left", spread="buttock", leg="left"),
        report(count=1),
        SOON,
        {"radiating_pain"},
        {"recurring"},
    ),
    (
        "pain below the right knee, no numbness",
        episode(side="right", spread="below_knee", leg="right"),
        None,
        SOON,
        {"radiating_pain"},
        {"numbness"},
    ),
    (
        "second flare-up",
        episode(intensity=5, side="left"),
        report(count=2),
        SOON,
        {"recurring"},
        set(),
    ),
    (
        "third flare-up",
        episode(intensity=6, side="left", tried=["ibuprofen", "bed_rest"]),
        report(count=3),
        SOON,
        {"recurring", "bed_rest", "nsaid_use"},
        set(),
    ),
    (
        "flare-ups coming more often",
        episode(),
        report(count=11, frequency=trend("rising", RISING_FREQUENCY)),
        SOON,
        {"recurring", "rising_frequency"},
        {"rising_intensity", "spreading"},
    ),
    (
        "flare-ups hurting more and spreading",
        episode(side="both", spread="buttock", leg="left"),
        report(
            count=9,
            intensity=trend("rising", RISING_INTENSITY),
            spread=trend("rising", SPREADING),
        ),
        SOON,
        {"recurring", "rising_intensity", "spreading", "radiating_pain"},
        {"rising_frequency"},
    ),
    (
        "steady history of many flare-ups",
        episode(intensity=4),
        report(
            count=30,
            frequency=trend("steady", "About 1 flare-up a month, as before."),
            intensity=trend("steady", "Worst pain about 5 out of 10, as before."),
            spread=trend("falling", "Recent flare-ups stayed in the back."),
        ),
        SOON,
        {"recurring"},
        {"rising_frequency", "rising_intensity", "spreading"},
    ),
    (
        "rising trends and saddle numbness",
        episode(saddle_numbness=True),
        report(count=12, frequency=trend("rising", RISING_FREQUENCY)),
        EMERGENCY,
        {"saddle_numbness", "recurring", "rising_frequency"},
        set(),
    ),
    (
        "injury with weakness and a tingling foot",
        episode(spread="foot", leg="left", injury=True, leg_weakness=True, numbness=True),
        None,
        URGENT,
        {"injury", "leg_weakness", "numbness"},
        {"radiating_pain"},
    ),
    (
        "10/10 pain in the middle, nothing else",
        episode(intensity=10, side="center", tried=["other_painkiller"]),
        None,
        SELF_CARE,
        set(),
        {"nsaid_use"},
    ),
]


@pytest.mark.parametrize(
    ("episode_", "report_", "level", "present", "absent"),
    [vignette[1:] for vignette in VIGNETTES],
    ids=[vignette[0] for vignette in VIGNETTES],
)
def test_vignette_gets_the_expected_top_level_and_prompts(
    episode_, report_, level, present, absent
):
    prompts = evaluate(episode_, report_)
    assert top_level(prompts) == level
    assert present <= set(codes(prompts))
    assert absent.isdisjoint(codes(prompts))


def test_there_are_at_least_25_vignettes():
    assert len(VIGNETTES) >= 25


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[vignette[0] for vignette in VIGNETTES])
def test_every_evaluation_includes_the_three_everyday_prompts(vignette):
    assert set(codes(evaluate(vignette[1], vignette[2]))) >= EVERY_EPISODE


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[vignette[0] for vignette in VIGNETTES])
def test_prompts_come_most_urgent_first_and_in_table_order_within_a_level(vignette):
    prompts = evaluate(vignette[1], vignette[2])
    table_position = {rule.code: index for index, rule in enumerate(RULES)}
    keys = [(LEVEL_ORDER.index(p.level), table_position[p.code]) for p in prompts]
    assert keys == sorted(keys)


def test_rule_codes_are_unique_and_exactly_the_specification():
    assert [rule.code for rule in RULES] == list(SPECIFICATION)


def test_every_rule_level_is_one_of_the_four():
    assert {rule.level for rule in RULES} <= set(LEVEL_ORDER)
    assert [str(level) for level in LEVEL_ORDER] == ["emergency", "urgent", "soon", "self_care"]


def test_every_level_reads_as_a_word_not_a_code():
    assert [level.label for level in LEVEL_ORDER] == ["Emergency", "Urgent", "Soon", "Self-care"]


def test_every_rule_level_matches_the_specification():
    for rule in RULES:
        assert rule.level == SPECIFICATION[rule.code][0], rule.code


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_every_rule_cites_exactly_its_sources(rule):
    assert set(rule.source.split("; ")) == SPECIFICATION[rule.code][1]


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_every_cited_source_is_a_listed_public_source(rule):
    for name in rule.source.split("; "):
        assert resolve(name).url.startswith("https://"), name


def test_no_rule_cites_a_placeholder():
    for rule in RULES:
        assert "article" not in rule.source.lower()
        assert "clinical.md" not in rule.source.lower()


def test_every_source_is_described_in_the_repository_docs():
    doc = " ".join(SOURCES_DOC.read_text(encoding="utf-8").split())
    for source in SOURCE_LIST:
        assert source.title in doc, source.key
        assert source.url in doc, source.key


def test_level_meanings_are_the_specified_texts_word_for_word():
    assert {str(level): meaning for level, meaning in LEVEL_MEANING.items()} == LEVEL_TEXTS


def test_every_unless_names_an_existing_rule_of_a_more_urgent_level():
    by_code = {rule.code: rule for rule in RULES}
    for rule in RULES:
        for code in rule.unless:
            assert LEVEL_ORDER.index(by_code[code].level) < LEVEL_ORDER.index(rule.level)


def test_every_rule_links_to_an_anchor_of_the_guidance_page_or_nothing():
    assert all(rule.guidance in guidance.ANCHORS | {""} for rule in RULES)


def test_every_seek_care_rule_links_to_the_seek_care_section():
    for rule in RULES:
        if rule.level != SELF_CARE:
            assert rule.guidance == "seek-care", rule.code


def test_emergency_messages_say_go_to_an_emergency_department_or_call_now():
    for rule in RULES:
        if rule.level == EMERGENCY:
            assert "emergency department" in rule.message
            assert "emergency number now" in rule.message


def test_urgent_messages_say_get_medical_attention_today():
    for rule in RULES:
        if rule.level == URGENT:
            assert "Get medical attention today" in rule.message


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_messages_never_reassure_or_promise(rule):
    text = f"{rule.title} {rule.message}".lower()
    for phrase in ("harmless", "nothing to worry", "no pain, no gain", "cure", "guarantee"):
        assert phrase not in text


@pytest.mark.parametrize(
    ("code", "trend_name", "summary"),
    [
        ("rising_frequency", "frequency", RISING_FREQUENCY),
        ("rising_intensity", "intensity", RISING_INTENSITY),
        ("spreading", "spread", SPREADING),
    ],
)
def test_trend_prompts_quote_the_trend_summary(code, trend_name, summary):
    prompts = evaluate(episode(), report(9, **{trend_name: trend("rising", summary)}))
    [prompt] = [prompt for prompt in prompts if prompt.code == code]
    assert summary in prompt.message


def test_trend_summary_without_a_full_stop_still_reads_as_a_sentence():
    summary = "5 flare-ups in the last 6 months against 2 before"
    prompts = evaluate(episode(), report(9, frequency=trend("rising", summary)))
    [prompt] = [prompt for prompt in prompts if prompt.code == "rising_frequency"]
    assert f"{summary}. " in prompt.message


def test_trend_summary_with_braces_is_quoted_as_is():
    summary = "Odd {placeholder} text."
    prompts = evaluate(episode(), report(9, spread=trend("rising", summary)))
    assert any(summary in prompt.message for prompt in prompts)


def test_recurring_prompt_says_how_many_flare_ups_were_logged():
    prompts = evaluate(episode(), report(count=4))
    [prompt] = [prompt for prompt in prompts if prompt.code == "recurring"]
    assert "4 flare-ups" in prompt.message


def test_without_a_report_no_history_rule_fires():
    history = {"recurring", "rising_frequency", "rising_intensity", "spreading"}
    assert history.isdisjoint(codes(evaluate(episode())))


def test_rising_direction_works_with_a_str_enum():
    from enum import StrEnum

    class Direction(StrEnum):
        RISING = "rising"

    prompts = evaluate(episode(), report(9, intensity=trend(Direction.RISING, RISING_INTENSITY)))
    assert "rising_intensity" in codes(prompts)


def test_tried_can_be_any_iterable_such_as_a_generator():
    prompts = evaluate(episode(tried=(code for code in ["bed_rest"])))
    assert "bed_rest" in codes(prompts)


def test_prompts_carry_level_title_message_source_and_guidance_of_their_rule():
    [prompt] = [p for p in evaluate(episode(fever=True)) if p.code == "fever"]
    [rule] = [rule for rule in RULES if rule.code == "fever"]
    assert (prompt.level, prompt.title, prompt.message) == (rule.level, rule.title, rule.message)
    assert (prompt.source, prompt.guidance) == (rule.source, rule.guidance)
    assert prompt.meaning == LEVEL_MEANING[Level.URGENT]


def test_top_level_of_no_prompts_is_none():
    assert top_level([]) is None


def test_level_compares_equal_to_its_plain_string():
    assert Level.SELF_CARE == "self_care"
    assert top_level(evaluate(episode(saddle_numbness=True))) == "emergency"


def test_disclaimer_says_the_app_does_not_diagnose():
    assert "does not diagnose" in DISCLAIMER
    assert "clinician" in DISCLAIMER


def test_rules_and_guidance_import_neither_django_nor_plotly():
    code = (
        "import json, sys\n"
        "import advice.rules, advice.guidance\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    loaded = json.loads(result.stdout)
    heavy = [name for name in loaded if name.split(".")[0] in {"django", "plotly"}]
    assert heavy == []


def test_every_red_flag_of_the_form_gets_an_urgent_or_emergency_prompt_of_its_own():
    # Needs Django set up (pytest-django does it from pyproject's settings): the list of
    # red-flag questions comes from the model so a new question cannot go without a rule.
    from episodes.models import RED_FLAG_FIELDS

    for field in RED_FLAG_FIELDS:
        prompts = evaluate(episode(**{field: True}))
        serious = {p.code for p in prompts if p.level in (EMERGENCY, URGENT)}
        assert field in serious, field
