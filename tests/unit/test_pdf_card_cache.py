"""The card cache: laid-out exercise cards reused across renders, byte for byte, bounded, and
never served for a card whose content changed."""

import copy
import json
from pathlib import Path

import pytest

from hepbuilder.domain.exercise import parse_exercise
from hepbuilder.domain.spec import ClinicBrand
from hepbuilder.library import load_library
from hepbuilder.pdf import card, render_spec
from hepbuilder.pdf.card import CARD_LAYOUTS
from hepbuilder.pdf.styles import styles_for
from tests.handout_specs import slug_spec
from tests.pdf_pages import pdf_text

BENCH_SPEC = Path(__file__).resolve().parents[2] / "bench" / "spec-10.json"


@pytest.fixture
def empty_cache():
    CARD_LAYOUTS.clear()
    yield CARD_LAYOUTS
    CARD_LAYOUTS.clear()


def inline_spec() -> dict:
    """slug_spec with its exercises inline, as a stored snapshot holds them."""
    library = load_library()
    spec = slug_spec()
    for item in spec["items"]:
        item["exercise"] = copy.deepcopy(library.exercises[item["exercise"]].to_dict())
    return spec


def test_card_cache_renders_the_same_bytes_as_laying_out_afresh(empty_cache):
    spec = json.loads(BENCH_SPEC.read_text())
    cold = render_spec(spec, base_dir=BENCH_SPEC.parent)
    assert len(empty_cache) == len(spec["items"])
    warm = render_spec(spec, base_dir=BENCH_SPEC.parent)
    assert len(empty_cache) == len(spec["items"])  # every card came from the cache
    assert warm == cold
    empty_cache.clear()
    assert render_spec(spec, base_dir=BENCH_SPEC.parent) == cold


def test_card_cache_keeps_at_most_its_size(empty_cache, monkeypatch):
    monkeypatch.setattr(empty_cache, "max_entries", 3)
    spec = json.loads(BENCH_SPEC.read_text())
    assert len(spec["items"]) > 3
    first = render_spec(spec, base_dir=BENCH_SPEC.parent)
    assert len(empty_cache) == 3
    assert render_spec(spec, base_dir=BENCH_SPEC.parent) == first


def test_card_cache_does_not_serve_a_card_whose_exercise_text_changed(empty_cache):
    spec = inline_spec()
    before = render_spec(spec)
    changed = copy.deepcopy(spec)
    changed["items"][0]["exercise"]["steps"][0] = "Lie down on the blue yoga blanket first."
    after = render_spec(changed)
    assert "blue yoga blanket" in pdf_text(after)
    assert "blue yoga blanket" not in pdf_text(before)
    empty_cache.clear()
    assert render_spec(changed) == after  # what a fresh layout of the changed exercise gives


@pytest.mark.parametrize(
    "change",
    [
        lambda spec: spec["items"][1].update(notes="Slow and steady, Pat."),
        lambda spec: spec["items"][1].update(reps=15),
        lambda spec: spec["items"][0].update(side="left"),
        lambda spec: spec.update(large_print=True),
        lambda spec: spec.update(paper="letter"),
        lambda spec: spec["clinic"].update(brand_color="#8b1f3a"),
        lambda spec: spec["items"][0]["exercise"]["illustration"]["frames"][0].update(
            label="Begin here"
        ),
    ],
    ids=["note", "dose", "side", "large-print", "paper", "brand-colour", "pose"],
)
def test_card_cache_lays_out_again_for_what_changes_a_card(empty_cache, change):
    spec = inline_spec()
    render_spec(spec)
    changed = copy.deepcopy(spec)
    change(changed)
    warm = render_spec(changed)
    empty_cache.clear()
    assert render_spec(changed) == warm


def test_card_key_tells_apart_exercises_that_differ_in_one_field():
    library = load_library()
    exercise = library.exercises["figure-4-stretch"]
    same = copy.deepcopy(exercise)
    other = copy.deepcopy(exercise.to_dict())
    other["cues"] = [*other["cues"], "Breathe out as you lean."]
    assert card.exercise_key(same) == card.exercise_key(exercise)
    assert card.exercise_key(parse_exercise(other)) != card.exercise_key(exercise)


def test_card_styles_come_from_the_brand_colour_and_print_size_alone():
    # the card cache keys a card's styles by these two (card.card_key)
    full = ClinicBrand(
        name="Harbour Physio",
        address="1 Quay St",
        phone="091 555 0100",
        email="hello@harbour.example",
        website="harbour.example",
        brand_color="#8b1f3a",
        country="IE",
        emergency_number="112",
        out_of_hours="Call the out-of-hours line.",
    )
    for large_print in (False, True):
        assert styles_for(full, large_print) == styles_for(
            ClinicBrand(brand_color="#8b1f3a"), large_print
        )
