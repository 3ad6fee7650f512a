"""The exercise library pages: search, combinable filters, one exercise's page, clinic isolation."""

import re

import pytest

from hepbuilder.domain.dose import describe_dose
from hepbuilder.services.exercises import get_exercise
from hepbuilder.services.library_sync import load_bundled_library
from hepbuilder.web.exercises import PAGE_SIZE
from tests.builders import make_user, seeded_clinic, sign_in


@pytest.fixture
def library():
    return load_bundled_library()


@pytest.fixture
def clinic(session):
    return seeded_clinic(session, name="Riverside Physio")


@pytest.fixture
def signed_in(client, session, clinic):
    user = make_user(session, clinic)
    session.commit()
    sign_in(client, user)
    return client


def listed_slugs(html: str) -> set[str]:
    return set(
        re.findall(r'<h2 class="exercise-card__name"><a href="/exercises/([a-z0-9-]+)"', html)
    )


def test_search_finds_an_exercise_by_its_target_muscle(signed_in):
    page = signed_in.get("/exercises", query_string={"q": "piriformis"})
    assert page.status_code == 200
    assert "figure-4-stretch" in listed_slugs(page.text)
    assert 'value="piriformis"' in page.text


@pytest.mark.parametrize("query", ["PIRIFORMIS", "Piriförmis", "  piriformis   stretch "])
def test_search_ignores_case_accents_and_spacing(signed_in, query):
    assert "figure-4-stretch" in listed_slugs(
        signed_in.get("/exercises", query_string={"q": query}).text
    )


def test_search_matches_words_in_the_steps(signed_in, library):
    step_word = "gap"  # figure 4: "Reach one hand through the gap between your legs"
    expected = {
        e.slug for e in library.exercises.values() if any(step_word in s.lower() for s in e.steps)
    }
    assert "figure-4-stretch" in expected
    assert listed_slugs(signed_in.get("/exercises", query_string={"q": step_word}).text) == expected


def test_no_query_lists_the_whole_library_over_its_pages(signed_in, library):
    first = signed_in.get("/exercises")
    assert f"{len(library.exercises)} exercises" in first.text
    listed = listed_slugs(first.text)
    assert len(listed) == min(PAGE_SIZE, len(library.exercises))
    page = 2
    while len(listed) < len(library.exercises):
        more = listed_slugs(signed_in.get("/exercises", query_string={"page": page}).text)
        assert more and not more & listed, page
        listed |= more
        page += 1
    assert listed == set(library.exercises)


def test_filters_combine(signed_in, library):
    everything = list(library.exercises.values())
    category, equipment = "stability", "resistance-band"
    expected = {e.slug for e in everything if e.category == category and equipment in e.equipment}
    assert expected, "the bundled library has banded stability work"
    page = signed_in.get("/exercises", query_string={"category": category, "equipment": equipment})
    assert listed_slugs(page.text) == expected
    assert '<option value="stability" selected>' in page.text

    target = "gluteus-medius"
    region = next(e.body_region for e in everything if target in e.targets)
    expected = {e.slug for e in everything if target in e.targets and e.body_region == region}
    page = signed_in.get("/exercises", query_string={"target": target, "body_region": region})
    assert listed_slugs(page.text) == expected


def test_filters_offer_only_values_in_use(signed_in, library):
    page = signed_in.get("/exercises").text
    for exercise in library.exercises.values():
        for equipment in exercise.equipment:
            assert f'<option value="{equipment}"' in page
    assert '<option value="piriformis"' in page


def test_no_match_says_so(signed_in):
    page = signed_in.get("/exercises", query_string={"q": "zzzz-nothing"})
    assert listed_slugs(page.text) == set()
    assert "No exercises match." in page.text


def test_detail_shows_steps_dose_and_target_actions(signed_in, library):
    exercise = library.exercises["figure-4-stretch"]
    page = signed_in.get("/exercises/figure-4-stretch")
    assert page.status_code == 200
    html = page.text
    assert f"<h1>{exercise.name}</h1>" in html
    assert (
        describe_dose(exercise.defaults) in html
    )  # e.g. "1 set, hold 60 seconds, once a day, each side"
    steps = re.search(r'<ol class="steps">(.*?)</ol>', html, re.S).group(1)
    assert len(re.findall(r"<li>", steps)) == len(exercise.steps)
    piriformis = library.muscles["piriformis"]
    assert piriformis.name in html
    for action in piriformis.actions:
        assert action.replace("'", "&#39;") in html
    for precaution in exercise.precautions:
        assert precaution.replace("'", "&#39;") in html
    assert "Mat" in html  # equipment


def test_detail_captions_the_picture_as_the_handout_does(signed_in, library):
    from hepbuilder.illustrations import illustration_caption

    exercise = library.exercises["banded-lunge"]
    html = signed_in.get("/exercises/banded-lunge").text
    words = illustration_caption(exercise.illustration, exercise.defaults.side)  # each side
    assert words.startswith("Shown: right leg (then the same with the left).")
    assert f'<figcaption class="illustration__caption">{words}</figcaption>' in html


def test_detail_lists_targets_in_the_library_order(signed_in, library):
    html = signed_in.get("/exercises/figure-4-stretch").text
    names = [library.muscles[slug].name for slug in library.exercises["figure-4-stretch"].targets]
    positions = [html.index(f">{name}</a></dt>") for name in names]
    assert positions == sorted(positions)


def test_unknown_exercise_is_404(signed_in):
    page = signed_in.get("/exercises/no-such-exercise")
    assert page.status_code == 404
    assert "Page not found" in page.text


def test_another_clinics_exercises_never_show(signed_in, session, clinic):
    other = seeded_clinic(session, name="Other Clinic")
    theirs = get_exercise(session, other.id, "step-up")
    theirs.name = "Other clinic's private step"
    theirs.search_text = "other clinic private step"
    ours = get_exercise(session, clinic.id, "step-up")
    ours.is_archived = True
    session.commit()

    page = signed_in.get("/exercises", query_string={"q": "private"})
    assert listed_slugs(page.text) == set()
    assert "step-up" not in listed_slugs(signed_in.get("/exercises").text)
    detail = signed_in.get("/exercises/step-up")
    assert detail.status_code == 200  # our own (retired) copy, not theirs
    assert "Other clinic" not in detail.text
    assert "retired" in detail.text


def test_user_text_is_escaped(signed_in, session, clinic):
    row = get_exercise(session, clinic.id, "step-up")
    row.name = "<script>alert(1)</script> Step"
    session.commit()
    page = signed_in.get("/exercises/step-up").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Step" in page


def test_brand_colour_reaches_the_page_only_when_valid(signed_in, session, clinic):
    clinic.brand_color = "#aa3300"
    session.commit()
    assert "/brand/aa3300.css" in signed_in.get("/exercises").text
    clinic.brand_color = "red;}"
    session.commit()
    page = signed_in.get("/exercises").text
    assert "red;}" not in page
    assert "/brand/1f6f8b.css" in page


def test_pages_are_paginated_with_links_that_keep_filters(signed_in, session, clinic, monkeypatch):
    from hepbuilder.web import exercises

    monkeypatch.setattr(exercises, "PAGE_SIZE", 5)
    page = signed_in.get("/exercises", query_string={"category": "stretch"})
    assert len(listed_slugs(page.text)) == 5
    assert "page=2" in page.text and "category=stretch" in page.text
