"""Search that understands clinicians: plurals and stems, muscle and region synonyms, small typos
and conditions, the same on SQLite and PostgreSQL (run with HEPBUILDER_TEST_DATABASE_URL)."""

import pytest

from hepbuilder.domain import exercise as domain
from hepbuilder.domain.search_terms import parse_query, stem
from hepbuilder.services.exercises import ListedExercise, query_terms, search_exercises
from tests.builders import seeded_clinic


@pytest.fixture
def clinic(session):
    return seeded_clinic(session)


def found(session, clinic, q: str) -> set[str]:
    return {row.slug for row in search_exercises(session, clinic.id, q=q, limit=500)}


def test_search_glutes_finds_the_gluteus_exercises(session, clinic):
    hits = found(session, clinic, "glutes")
    assert {"figure-4-stretch", "monster-walk", "massage-ball-glute-release"} <= hits


def test_search_adductors_finds_the_adductor_stretch(session, clinic):
    assert "reverse-warrior-adductor-stretch" in found(session, clinic, "adductors")


def test_search_hip_flexors_finds_psoas_and_rectus_femoris_stretches(session, clinic):
    hits = found(session, clinic, "hip flexors")
    assert {"psoas-lunge-stretch", "couch-stretch"} <= hits
    assert "monster-walk" not in hits


def test_search_piriformis_and_its_small_typo_find_the_same(session, clinic):
    exact = found(session, clinic, "piriformis")
    assert {"figure-4-stretch", "pigeon-stretch"} <= exact
    assert found(session, clinic, "piriformus") == exact
    [term] = query_terms(session, clinic.id, "piriformus")
    assert term.corrected == "piriformis"


def test_search_by_condition_finds_what_the_article_gives_for_it(session, clinic):
    back = found(session, clinic, "low back pain")
    assert {"active-90-90", "figure-4-stretch", "couch-stretch", "psoas-lunge-stretch"} <= back
    assert "step-up" not in back
    gait = found(session, clinic, "Trendelenburg")
    assert {"monster-walk", "banded-lunge", "step-up"} <= gait
    assert "hip-stiffness" not in found(session, clinic, "hip stiffness")  # slugs are not hits
    assert "pigeon-stretch" in found(session, clinic, "stiff hips")


def test_search_words_must_all_match_and_nonsense_finds_nothing(session, clinic):
    assert found(session, clinic, "glutes kneeling") <= found(session, clinic, "glutes")
    assert found(session, clinic, "zzzzqqq") == set()
    assert found(session, clinic, "100%_\\") == set()


def test_search_stems_plurals_but_keeps_latin_endings():
    assert stem("glutes") == "glute"
    assert stem("stretches") == "stretch"
    assert stem("hamstrings") == "hamstring"
    assert stem("gluteus") == "gluteus" and stem("piriformis") == "piriformis"
    assert [term.text for term in parse_query("weak hip flexors please")] == [
        "weak",
        "hip flexors",
        "please",
    ]


def test_body_regions_are_one_vocabulary(session, clinic):
    from hepbuilder.services.exercises import library_facets

    regions = library_facets(session, clinic.id).body_regions
    assert set(regions) <= set(domain.BODY_REGIONS)
    assert "thigh and hip" not in regions and "hip and inner thigh" not in regions


def test_preferred_exercises_come_first_in_their_order_then_the_rest_by_name(session, clinic):
    """Favourites and recent ones first (only those that match, each once), then the others by
    name and slug, the page cut at the limit: as the picker lists them."""
    from sqlalchemy import select

    from hepbuilder.db.models import Exercise

    rows = session.execute(
        select(Exercise.id, Exercise.name, Exercise.slug, Exercise.category)
        .where(Exercise.clinic_id == clinic.id)
        .order_by(Exercise.id)
    ).all()
    archived = rows[3]
    session.get(Exercise, archived.id).is_archived = True
    session.flush()
    category = rows[0].category
    preferred = [rows[10].id, archived.id, rows[2].id, rows[10].id, rows[5].id]
    for filters, limit in [({}, 12), ({}, 2), ({"category": category}, 50)]:
        live = [r for r in rows if r.id != archived.id]
        matching = [r for r in live if not filters or r.category == filters["category"]]
        first = [i for i in dict.fromkeys(preferred) if i in {r.id for r in matching}]
        others = sorted((r for r in matching if r.id not in first), key=lambda r: (r.name, r.slug))
        expected = (first + [r.id for r in others])[:limit]
        listed = search_exercises(
            session, clinic.id, prefer_ids=preferred, limit=limit, listed=True, **filters
        )
        assert [row.id for row in listed] == expected, filters


def test_a_listed_search_holds_what_the_exercise_rows_hold(session, clinic):
    """The picker's rows are read as plain rows (ListedExercise), not objects: each must say what
    the Exercise row says, its equipment in the library's order, in the same order of results."""
    rows = search_exercises(session, clinic.id, limit=500)
    listed = search_exercises(session, clinic.id, limit=500, listed=True)
    assert [r.slug for r in listed] == [r.slug for r in rows] and len(rows) > 60
    assert any(r.equipment for r in rows) and any(not r.equipment for r in rows)
    for row, light in zip(rows, listed, strict=True):
        for name in ListedExercise.__slots__:
            expected = getattr(row, name)
            assert getattr(light, name) == (tuple(expected) if name == "equipment" else expected)
