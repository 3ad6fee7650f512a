"""The builder's picker for therapists: starred and recent exercises first, pictures, items
linked to their exercise, adding one twice asks first, and nothing hidden without a word."""

import re
import urllib.parse
from html import unescape

from sqlalchemy import select

from hepbuilder.db.models import Exercise, ExerciseEquipment
from hepbuilder.paths import LIBRARY_DIR
from hepbuilder.web.exercises import PAGE_SIZE
from tests.builders import make_patient, make_program, make_user, seeded_clinic, sign_in
from tests.web.test_programs_pages import builder_form, reload


def world(client, session):
    clinic = seeded_clinic(session)
    user = make_user(session, clinic)
    patient = make_patient(session, clinic)
    program = make_program(
        session, patient, created_by=user, items=[{"exercise": "step-up", "sets": 2}]
    )
    session.commit()
    sign_in(client, user)
    return clinic, user, program


def result_names(html: str) -> list[str]:
    return [
        unescape(name) for name in re.findall(r'class="picker-result__name"[^>]*>([^<]+)</a>', html)
    ]


def test_picker_shows_starred_then_recent_exercises_first(client, session):
    clinic, user, program = world(client, session)
    plain = result_names(client.get(f"/programs/{program.id}/picker").get_data(as_text=True))
    assert plain[0] == "Step-up"  # recently used (in this therapist's program)
    client.post("/exercises/pigeon-stretch/star", data={"starred": "1"})
    html = client.get(f"/programs/{program.id}/picker").get_data(as_text=True)
    assert result_names(html)[:2] == ["Pigeon stretch", "Step-up"]
    assert "★ Starred" in html
    client.post("/exercises/pigeon-stretch/star", data={"starred": "0"})
    html = client.get(f"/programs/{program.id}/picker").get_data(as_text=True)
    assert result_names(html)[0] == "Step-up"


def test_picker_results_show_a_picture_and_link_to_the_exercise(client, session):
    _clinic, _user, program = world(client, session)
    html = client.get(f"/programs/{program.id}/picker?q=pigeon").get_data(as_text=True)
    picture = re.search(r'<img class="thumb" src="([^"]+)"', html).group(1)
    assert 'href="/exercises/pigeon-stretch"' in html
    svg = client.get(picture)
    assert svg.status_code == 200 and svg.headers["Content-Type"].startswith("image/svg+xml")
    assert svg.get_data(as_text=True).startswith("<svg") and "Pigeon stretch" in svg.get_data(
        as_text=True
    )
    again = client.get(picture, headers={"If-None-Match": svg.headers["ETag"]})
    assert again.status_code == 304


def test_builder_items_show_a_picture_and_link_to_their_exercise(client, session):
    _clinic, _user, program = world(client, session)
    html = client.get(f"/programs/{program.id}").get_data(as_text=True)
    assert re.search(r'<img class="thumb thumb--item" src="/exercises/step-up/figure.svg', html)
    assert re.search(r'class="item__name"><a href="/exercises/step-up"', html)


def test_picker_marks_exercises_in_the_program_and_asks_before_adding_twice(client, session):
    _clinic, _user, program = world(client, session)
    html = client.get(f"/programs/{program.id}/picker?q=step").get_data(as_text=True)
    assert "In this program" in html and 'data-in-program="Step-up"' in html
    response = client.post(
        f"/programs/{program.id}", data=builder_form(program, action="add-step-up")
    )
    assert response.status_code == 302 and "again=step-up" in response.headers["Location"]
    assert len(reload(session, program.id).items) == 1  # not added yet
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "“Step-up” is already in this program. Add it a second time?" in page
    program = reload(session, program.id)
    client.post(f"/programs/{program.id}", data=builder_form(program, action="add-again-step-up"))
    assert [i.exercise.slug for i in reload(session, program.id).items] == ["step-up", "step-up"]


def test_picker_says_how_many_more_match_and_shows_all_in_one_click(client, session):
    clinic, _user, program = world(client, session)
    for number in range(20):
        session.add(
            Exercise(
                clinic_id=clinic.id,
                slug=f"extra-{number}",
                name=f"Extra stretch {number:02d}",
                summary="s",
                category="stretch",
                body_region="hip",
                position="standing",
                steps=["x"],
                defaults={},
                search_text=f"extra stretch {number}",
                equipment_rows=[ExerciseEquipment(equipment="mat")],
            )
        )
    session.commit()
    html = client.get(f"/programs/{program.id}/picker?q=extra").get_data(as_text=True)
    assert len(result_names(html)) == 12
    assert "8 more match." in html and 'value="search-all"' in html and "Show all 20" in html
    response = client.post(
        f"/programs/{program.id}", data=builder_form(program, q="extra", action="search-all")
    )
    assert "all=1" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert len(result_names(page)) == 20


def test_picker_names_its_filters_and_clears_them_in_one_click(client, session):
    _clinic, _user, program = world(client, session)
    html = client.get(f"/programs/{program.id}/picker?category=strength").get_data(as_text=True)
    assert "Only category “Strength”." in html and 'value="clear-filters"' in html
    response = client.post(
        f"/programs/{program.id}",
        data=builder_form(program, category="strength", action="clear-filters"),
    )
    assert "category" not in response.headers["Location"]


def test_picker_and_library_say_which_word_a_typo_was_read_as(client, session):
    _clinic, _user, program = world(client, session)
    html = client.get(f"/programs/{program.id}/picker?q=piriformus").get_data(as_text=True)
    assert "Showing results for <strong>piriformis</strong>" in html
    assert "Figure 4 stretch" in result_names(html)
    library = client.get("/exercises?q=piriformus").get_data(as_text=True)
    assert "Showing results for <strong>piriformis</strong>" in library


def test_library_list_shows_pictures_and_stars(client, session):
    world(client, session)
    html = client.get("/exercises").get_data(as_text=True)
    bundled = len(list((LIBRARY_DIR / "exercises").glob("*.yaml")))
    assert html.count('class="exercise-card__thumb"') == min(bundled, PAGE_SIZE)  # first page
    client.post("/exercises/step-up/star", data={"starred": "1", "next": "/exercises?q=step"})
    html = client.get("/exercises?q=step").get_data(as_text=True)
    assert "★ Starred" in html


def test_star_refuses_another_clinics_exercise_and_an_unsafe_next(client, session):
    _clinic, _user, _program = world(client, session)
    assert client.post("/exercises/no-such/star", data={"starred": "1"}).status_code == 404
    response = client.post(
        "/exercises/step-up/star", data={"starred": "1", "next": "https://evil.example/"}
    )
    assert response.headers["Location"].endswith("/exercises/step-up")


def test_picker_search_puts_exercises_named_for_the_words_first(client, session):
    clinic, user, program = world(client, session)
    client.post("/exercises/couch-stretch/star", data={"starred": "1"})  # its steps say "lunge"
    names = result_names(
        client.get(f"/programs/{program.id}/picker?q=lunge").get_data(as_text=True)
    )
    named = [name for name in names if "lunge" in name.lower()]
    assert len(named) >= 2 and len(names) > len(named)
    assert names[: len(named)] == named  # the lunges first, the starred couch stretch after
    assert "Couch stretch" in names


def test_every_library_exercise_is_found_by_the_first_words_of_its_name(client, session):
    clinic, user, program = world(client, session)
    missed = []
    for exercise in session.scalars(select(Exercise).where(Exercise.clinic_id == clinic.id)):
        words = re.sub(r"[^\w\s-]", " ", exercise.name).split()[:2]
        query = urllib.parse.quote(" ".join(words))
        html = client.get(f"/programs/{program.id}/picker?q={query}").get_data(as_text=True)
        names = result_names(html)
        if exercise.name not in names[:5]:
            missed.append((" ".join(words), exercise.name, names[:5]))
    assert missed == []
