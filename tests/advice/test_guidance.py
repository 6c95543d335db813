import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from advice import rules
from advice.guidance import (
    ANCHORS,
    DISCLAIMER,
    MOVEMENT,
    STOP_RULES,
    STRETCHES,
    STRETCHES_ANCHOR,
)
from advice.sources import resolve

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = REPO_ROOT / "templates"
SVG = "{http://www.w3.org/2000/svg}"

STRETCH_IDS = [stretch.slug for stretch in STRETCHES]


def parse_svg(text: str) -> ET.Element:
    # The figures are this repository's own files, not untrusted input.
    return ET.fromstring(text)  # noqa: S314


def figure_root(stretch) -> ET.Element:
    return parse_svg((TEMPLATES / stretch.figure).read_text(encoding="utf-8"))


def test_there_are_four_to_six_stretches():
    assert 4 <= len(STRETCHES) <= 6


def test_stretch_and_movement_slugs_are_unique():
    slugs = [stretch.slug for stretch in STRETCHES] + [advice.slug for advice in MOVEMENT]
    assert len(slugs) == len(set(slugs))


def test_anchors_cover_every_section_stretch_and_movement_item():
    assert {"seek-care", STRETCHES_ANCHOR} <= ANCHORS
    assert {advice.slug for advice in MOVEMENT} <= ANCHORS
    assert set(STRETCH_IDS) <= ANCHORS


@pytest.mark.parametrize("stretch", STRETCHES, ids=STRETCH_IDS)
def test_stretch_says_who_it_is_for_how_to_do_it_and_how_much(stretch):
    assert stretch.name.strip()
    assert stretch.who_for.strip()
    assert len(stretch.steps) >= 3
    assert all(step.strip() for step in stretch.steps)
    assert "a day" in stretch.dose
    assert "comfortable" in stretch.dose


@pytest.mark.parametrize("stretch", STRETCHES, ids=STRETCH_IDS)
def test_stretch_says_stop_at_a_gentle_stretch_never_into_pain(stretch):
    assert any(
        "gentle stretch" in rule and "never into pain" in rule for rule in stretch.stop_rules
    )


@pytest.mark.parametrize("stretch", STRETCHES, ids=STRETCH_IDS)
def test_stretch_says_stop_and_seek_care_if_pain_shoots_down_the_leg_or_numbness(stretch):
    assert any(
        "seek care" in rule and "down your leg" in rule and "numbness" in rule
        for rule in stretch.stop_rules
    )


@pytest.mark.parametrize("stretch", STRETCHES, ids=STRETCH_IDS)
def test_stretch_carries_all_the_shared_stop_rules(stretch):
    assert set(STOP_RULES) <= set(stretch.stop_rules)


@pytest.mark.parametrize("stretch", STRETCHES, ids=STRETCH_IDS)
def test_stretch_figure_is_the_template_named_after_its_slug(stretch):
    assert stretch.figure == f"advice/figures/{stretch.slug}.svg"
    assert (TEMPLATES / stretch.figure).is_file()


@pytest.mark.parametrize("stretch", STRETCHES, ids=STRETCH_IDS)
def test_stretch_figure_is_a_well_formed_accessible_svg(stretch):
    root = figure_root(stretch)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox")
    title = root.find(f"{SVG}title")
    assert title is not None
    assert (title.text or "").strip()
    assert root.get("aria-labelledby") == title.get("id") == f"fig-{stretch.slug}-title"


@pytest.mark.parametrize("stretch", STRETCHES, ids=STRETCH_IDS)
def test_stretch_figure_is_small_self_contained_and_fit_to_include_in_html(stretch):
    text = (TEMPLATES / stretch.figure).read_text(encoding="utf-8")
    root = parse_svg(text)
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    attributes = {name for element in root.iter() for name in element.attrib}
    assert len(text.encode()) < 2048
    assert not text.lstrip().startswith("<?xml")
    assert tags.isdisjoint({"script", "style", "foreignObject", "image", "use"})
    assert not any("href" in name or name.startswith("on") for name in attributes)


def test_figure_title_ids_are_unique_so_a_page_can_show_them_all():
    ids = [figure_root(stretch).find(f"{SVG}title").get("id") for stretch in STRETCHES]
    assert len(ids) == len(set(ids))


def test_guidance_states_that_the_app_does_not_diagnose():
    assert DISCLAIMER == rules.DISCLAIMER
    assert "does not diagnose" in DISCLAIMER


def test_movement_advice_keeps_people_moving_gently_without_strain():
    text = " ".join(advice.text for advice in MOVEMENT).lower()
    for phrase in ("slow walk", "foot to foot", "side to side", "do something", "pumps"):
        assert phrase in text
    assert "brisk walking, running and lifting" in text
    assert "strengthening" in text


def test_guidance_never_promises_a_cure_or_reassures():
    texts = [advice.text for advice in MOVEMENT]
    texts += [" ".join((s.who_for, *s.steps, s.dose)) for s in STRETCHES]
    for text in texts:
        lowered = text.lower()
        assert "no pain, no gain" not in lowered
        assert "harmless" not in lowered
        assert "will cure" not in lowered
        assert "cures" not in lowered


def test_every_guidance_source_is_a_listed_public_source():
    for item in (*MOVEMENT, *STRETCHES):
        for name in item.source.split("; "):
            assert resolve(name).url.startswith("https://"), name
