"""The admin's exercise editor: access, every field, slugs, steps without JavaScript, reading
grade warnings, the loader's rules, versions, archive and restore."""

import json
import re

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from hepbuilder.db.models import AuditEvent, ExerciseVersion, Handout
from hepbuilder.services import exercises
from hepbuilder.services.library_sync import load_bundled_library, seed_clinic
from tests.builders import make_patient, make_program, make_user, see_committed, sign_in

LIBRARY_PAGES = [
    ("GET", "/admin/library"),
    ("GET", "/admin/library/new"),
    ("POST", "/admin/library/new"),
    ("GET", "/admin/library/figure-4-stretch/edit"),
    ("POST", "/admin/library/figure-4-stretch/edit"),
    ("POST", "/admin/library/figure-4-stretch/archive"),
    ("POST", "/admin/library/figure-4-stretch/restore"),
    ("GET", "/admin/library/figure-4-stretch/versions"),
    ("POST", "/admin/library/figure-4-stretch/versions/1/restore"),
]

NEW_EXERCISE = {
    "name": "Clam shell",
    "summary": "Lying on your side, open and close your knees to strengthen the side of the hip.",
    "category": "strength",
    "body_region": "hip and buttock",
    "position": "side-lying",
    "targets": ["gluteus-medius", "piriformis"],
    "equipment": "Mat, resistance band",
    "steps-0": "Lie on your side with your knees bent.",
    "steps-1": "Keep your feet together and lift the top knee.",
    "cues": "Keep your hips still.\nBreathe out as you lift.",
    "precautions": "Stop if it hurts.",
    "conditions": "Trendelenburg gait, hip instability",
    "sets": "3",
    "reps": "12",
    "times_per_day": "1",
    "days_per_week": "5",
    "side": "each",
    "source": "Clinic's own.",
    "illustration": "",
    "action": "save",
}


def form_of(client, slug: str) -> MultiDict:
    """The editor's form as the browser would send it back unchanged."""
    html = client.get(f"/admin/library/{slug}/edit").get_data(as_text=True)
    data = MultiDict()
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        if name not in ("csrf_token", "targets"):
            data.add(name, value)
    boxes = re.findall(r'<input[^>]*name="targets"[^>]*>', html)
    data.setlist(
        "targets",
        [re.search(r'value="([^"]+)"', box).group(1) for box in boxes if " checked" in box],
    )
    for name, value in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>\r?\n?(.*?)</textarea>', html, re.S
    ):
        data.add(name, _unescape(value))
    for name, block in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(
            r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', block
        )
        if chosen:
            data.add(name, chosen.group(1) or chosen.group(2))
    data["action"] = "save"
    return data


def _unescape(text: str) -> str:
    return (
        text.replace("&#34;", '"')
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&amp;", "&")
    )


@pytest.mark.parametrize(("method", "path"), LIBRARY_PAGES)
def test_library_pages_refuse_therapists_and_send_visitors_to_sign_in(
    client, session, clinic, method, path
):
    therapist = make_user(session, clinic)
    session.commit()
    visitor = client.open(path, method=method)
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]
    sign_in(client, therapist)
    assert client.open(path, method=method).status_code == 403


def test_admin_overview_links_to_the_library(signed_in):
    html = signed_in.get("/admin").get_data(as_text=True)
    assert 'href="/admin/library"' in html


def test_new_exercise_is_saved_with_every_field_and_a_slug_from_its_name(
    signed_in, session, clinic
):
    response = signed_in.post("/admin/library/new", data=NEW_EXERCISE)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/library/clam-shell/edit")
    entry = exercises.to_domain(exercises.get_exercise(session, clinic.id, "clam-shell")).to_dict()
    assert entry == {
        "slug": "clam-shell",
        "name": "Clam shell",
        "summary": NEW_EXERCISE["summary"],
        "category": "strength",
        "body_region": "hip and buttock",
        "position": "side-lying",
        "targets": ["gluteus-medius", "piriformis"],
        "equipment": ["mat", "resistance-band"],
        "steps": [NEW_EXERCISE["steps-0"], NEW_EXERCISE["steps-1"]],
        "cues": ["Keep your hips still.", "Breathe out as you lift."],
        "precautions": ["Stop if it hurts."],
        "conditions": ["trendelenburg-gait", "hip-instability"],
        "photos": [],
        "defaults": {
            "sets": 3,
            "reps": 12,
            "hold_seconds": None,
            "times_per_day": 1,
            "days_per_week": 5,
            "side": "each",
        },
        "illustration": None,
        "source": "Clinic's own.",
    }
    row = exercises.get_exercise(session, clinic.id, "clam-shell")
    assert row.is_customized
    actions = session.scalars(select(AuditEvent.action)).all()
    assert "exercise.create" in actions


def test_new_exercise_slug_is_never_reused_even_after_retiring(signed_in, session, clinic):
    signed_in.post("/admin/library/new", data=NEW_EXERCISE)
    signed_in.post("/admin/library/clam-shell/archive")
    again = signed_in.post("/admin/library/new", data={**NEW_EXERCISE, "name": "Clam-shell"})
    assert again.status_code == 422
    assert "already called" in again.get_data(as_text=True)
    third = signed_in.post("/admin/library/new", data={**NEW_EXERCISE, "name": "Clam shell!"})
    assert third.status_code == 422  # the same name, folded
    fourth = signed_in.post("/admin/library/new", data={**NEW_EXERCISE, "name": "Clam shells"})
    assert fourth.headers["Location"].endswith("/admin/library/clam-shells/edit")
    fifth = signed_in.post("/admin/library/new", data={**NEW_EXERCISE, "name": "Clam  Shell 2"})
    assert fifth.headers["Location"].endswith("/admin/library/clam-shell-2/edit")


def test_editor_name_colliding_with_another_exercise_is_refused_and_nothing_saved(
    signed_in, session, clinic
):
    data = form_of(signed_in, "pigeon-stretch")
    data["name"] = "Figure 4 stretch"
    response = signed_in.post("/admin/library/pigeon-stretch/edit", data=data)
    assert response.status_code == 422
    assert "another exercise is already called" in response.get_data(as_text=True).lower()
    see_committed(session)
    assert exercises.get_exercise(session, clinic.id, "pigeon-stretch").name == "Pigeon stretch"


def test_editor_steps_are_added_moved_and_removed_without_javascript(signed_in, session, clinic):
    data = MultiDict({**NEW_EXERCISE, "action": "step-add"})
    page = signed_in.post("/admin/library/new", data=data).get_data(as_text=True)
    assert 'name="steps-2"' in page
    data = MultiDict({**NEW_EXERCISE, "action": "step-up-1"})
    page = signed_in.post("/admin/library/new", data=data).get_data(as_text=True)
    order = re.findall(r'name="steps-\d"[^>]*>\r?\n?([^<]*)</textarea>', page)
    assert order == [NEW_EXERCISE["steps-1"], NEW_EXERCISE["steps-0"]]
    data = MultiDict({**NEW_EXERCISE, "action": "step-remove-0"})
    page = signed_in.post("/admin/library/new", data=data).get_data(as_text=True)
    assert re.findall(r'name="steps-\d"[^>]*>\r?\n?([^<]*)</textarea>', page) == [
        NEW_EXERCISE["steps-1"]
    ]
    assert exercises.find_exercise(session, clinic.id, "clam-shell") is None  # nothing saved


def step_textarea_rows(html: str) -> list[int]:
    """The rows of each step's textarea, in order."""
    tags = re.findall(r'<textarea[^>]*name="steps-\d+"[^>]*>', html)
    return [int(re.search(r'\srows="(\d+)"', tag).group(1)) for tag in tags]


def test_editor_step_textareas_are_tall_enough_for_their_text(signed_in, session, clinic):
    # A step of 300 characters sat in two rows behind a scrollbar: now a row per 60 characters,
    # two at least (room to add words) and eight at most (the page stays a list of steps).
    steps = {"steps-0": "Lie on your side.", "steps-1": "b" * 300, "steps-2": "c " * 300}
    page = signed_in.post(
        "/admin/library/new", data={**NEW_EXERCISE, **steps, "action": "step-add"}
    ).get_data(as_text=True)
    assert step_textarea_rows(page) == [2, 5, 8, 2]  # the step just added is empty
    assert 'data-max-rows="8"' in page and "textarea-rows.js" in page
    long_step = " ".join(["Keep your knees together and lift the top knee slowly."] * 4)
    saved = signed_in.post("/admin/library/new", data={**NEW_EXERCISE, "steps-1": long_step})
    assert saved.status_code == 302 and len(long_step) == 219
    editor = signed_in.get("/admin/library/clam-shell/edit").get_data(as_text=True)
    assert step_textarea_rows(editor) == [2, 4]


def textarea_rows(html: str, name: str) -> int:
    """The rows of the textarea named `name`."""
    tag = re.search(rf'<textarea[^>]*name="{name}"[^>]*>', html).group(0)
    return int(re.search(r'\srows="(\d+)"', tag).group(1))


def test_editor_tips_and_precautions_are_as_tall_as_their_text(signed_in, session, clinic):
    # "Tips" and "Take care" were three rows whatever they held, so most exercises' lists sat
    # behind a scrollbar: now a row per 60 characters of each line, three at least, twelve at most.
    tips = "\n".join(["Keep your hips still.", "Breathe out as you lift.", "b" * 130, "Go slowly."])
    care = "\n".join(f"Precaution {number}." for number in range(20))
    page = signed_in.post(
        "/admin/library/new",
        data={**NEW_EXERCISE, "cues": tips, "precautions": care, "action": "step-add"},
    ).get_data(as_text=True)
    assert (textarea_rows(page, "cues"), textarea_rows(page, "precautions")) == (6, 12)
    assert page.count('data-max-rows="12"') == 2 and "textarea-rows.js" in page
    saved = signed_in.post("/admin/library/new", data={**NEW_EXERCISE, "cues": tips})
    assert saved.status_code == 302
    editor = signed_in.get("/admin/library/clam-shell/edit").get_data(as_text=True)
    assert (textarea_rows(editor, "cues"), textarea_rows(editor, "precautions")) == (6, 3)


def test_editor_warns_about_a_hard_step_on_the_page_and_on_save_but_saves(
    signed_in, session, clinic
):
    hard = (
        "Subsequently, contemporaneously maintaining abdominal stabilisation, "
        "articulate the contralateral extremity through the available physiological excursion."
    )
    page = signed_in.post(
        "/admin/library/new", data={**NEW_EXERCISE, "steps-1": hard, "action": "step-add"}
    ).get_data(as_text=True)
    assert "step-reading--warn" in page and "aim for 6 or lower" in page
    response = signed_in.post("/admin/library/new", data={**NEW_EXERCISE, "steps-1": hard})
    assert response.status_code == 302
    shown = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Step 2: This step reads at grade" in shown
    assert exercises.find_exercise(session, clinic.id, "clam-shell") is not None


def test_editor_refuses_a_step_of_ten_thousand_characters(signed_in, session, clinic):
    response = signed_in.post("/admin/library/new", data={**NEW_EXERCISE, "steps-1": "a" * 10_000})
    assert response.status_code == 422
    assert "at most 600 characters" in response.get_data(as_text=True)
    assert exercises.find_exercise(session, clinic.id, "clam-shell") is None


def test_editor_checks_the_pose_with_the_library_rules(signed_in, session, clinic):
    pose = {"frames": [{"joints": {"knee_near": 400}}]}
    response = signed_in.post(
        "/admin/library/new", data={**NEW_EXERCISE, "illustration": json.dumps(pose)}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "illustration.frames[0].joints.knee_near: Must be from 0 to 160." in html
    assert exercises.find_exercise(session, clinic.id, "clam-shell") is None


def test_editor_refuses_unknown_muscles_and_bad_dose_naming_the_field(signed_in, session, clinic):
    data = {**NEW_EXERCISE, "targets": ["gluteus-medius", "not-a-muscle"], "sets": "40"}
    response = signed_in.post("/admin/library/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Use 1 to 20" in html or "must be from 1 to 20" in html
    # said at the top too: the field may be far below the fold
    top = html.index("Nothing was saved: please correct the field")
    assert top < html.index('name="name"')


def test_editing_keeps_the_previous_version_and_seed_keeps_the_clinics_text(
    signed_in, session, clinic, admin
):
    data = form_of(signed_in, "figure-4-stretch")
    data["summary"] = "Our own words for the figure 4."
    response = signed_in.post("/admin/library/figure-4-stretch/edit", data=data)
    assert response.status_code == 302
    versions = session.scalars(select(ExerciseVersion).order_by(ExerciseVersion.number)).all()
    assert [(v.number, v.user_id) for v in versions] == [(1, None), (2, admin.id)]
    assert versions[0].entry["summary"] != versions[1].entry["summary"]
    seed_clinic(session, clinic, load_bundled_library())
    session.commit()
    row = exercises.get_exercise(session, clinic.id, "figure-4-stretch")
    assert row.summary == "Our own words for the figure 4." and row.is_customized


def test_saving_an_unchanged_form_makes_no_new_version(signed_in, session):
    signed_in.post(
        "/admin/library/figure-4-stretch/edit", data=form_of(signed_in, "figure-4-stretch")
    )
    assert session.scalars(select(ExerciseVersion)).all() == []


def test_versions_page_shows_who_and_a_readable_difference_and_restores(signed_in, session, clinic):
    data = form_of(signed_in, "figure-4-stretch")
    original_step = data["steps-1"]
    data["steps-1"] = "Cross one ankle over the other knee."
    signed_in.post("/admin/library/figure-4-stretch/edit", data=data)
    page = signed_in.get("/admin/library/figure-4-stretch/versions").get_data(as_text=True)
    assert "Ada Admin" in page and "From the bundled library" in page
    assert "Removed: </span>" + original_step.replace("'", "&#39;") in page
    assert "Added: </span>Cross one ankle over the other knee." in page
    response = signed_in.post("/admin/library/figure-4-stretch/versions/1/restore")
    assert response.status_code == 302
    see_committed(session)
    row = exercises.get_exercise(session, clinic.id, "figure-4-stretch")
    assert row.steps[1] == original_step
    assert not row.is_customized  # back to the bundled text, so seed may update it again
    assert len(session.scalars(select(ExerciseVersion)).all()) == 3


def test_editor_with_a_stale_version_shows_a_conflict_and_keeps_the_input(signed_in, session):
    data = form_of(signed_in, "figure-4-stretch")
    first = MultiDict(data)
    first["summary"] = "First admin's words."
    signed_in.post("/admin/library/figure-4-stretch/edit", data=first)
    data["summary"] = "Second admin's words."
    response = signed_in.post("/admin/library/figure-4-stretch/edit", data=data)
    assert response.status_code == 409
    assert "Second admin&#39;s words." in response.get_data(as_text=True)


def test_archived_exercise_leaves_picker_and_search_but_programs_and_handouts_keep_it(
    signed_in, session, clinic
):
    from hepbuilder.services import handouts
    from hepbuilder.services.actor import Actor

    patient = make_patient(session, clinic)
    program = make_program(session, patient, items=[{"exercise": "figure-4-stretch", "sets": 1}])
    handout = handouts.issue_handout(session, Actor(clinic_id=clinic.id), program.id)
    session.commit()
    spec_before = handouts.handout_spec(handout)
    signed_in.post("/admin/library/figure-4-stretch/archive")
    signed_in.get("/admin/library")  # shows the flash message
    library = signed_in.get("/exercises?q=figure").get_data(as_text=True)
    assert 'href="/exercises/figure-4-stretch"' not in library
    picker = signed_in.get(f"/programs/{program.id}/picker?q=figure").get_data(as_text=True)
    assert "Figure 4 stretch" not in picker
    builder = signed_in.get(f"/programs/{program.id}").get_data(as_text=True)
    assert "Figure 4 stretch" in builder
    data = form_of(signed_in, "figure-4-stretch")
    data["name"] = "Figure four stretch"
    signed_in.post("/admin/library/figure-4-stretch/edit", data=data)
    see_committed(session)
    again = session.get(Handout, handout.id)
    assert handouts.handout_spec(again) == spec_before  # issued handouts never change
    signed_in.post("/admin/library/figure-4-stretch/restore")
    assert "Figure four stretch" in signed_in.get("/exercises?q=figure").get_data(as_text=True)


def test_two_saves_racing_for_one_exercise_keep_one_and_refuse_the_other(db_url, session, clinic):
    """Two editors opened the same version and both save: one wins, the other gets a conflict.

    (On SQLite a writing session takes the write lock when it begins, so the two saves cannot
    interleave in one thread; both start from the version the two editors read.)"""
    from hepbuilder.db.session import session_factory
    from hepbuilder.domain.errors import Conflict
    from hepbuilder.services import exercise_versions
    from hepbuilder.services.actor import system_actor

    actor = system_actor(clinic.id)
    row = exercises.get_exercise(session, clinic.id, "step-up")
    entry, version = exercises.to_domain(row).to_dict(), row.version
    see_committed(session)
    factory = session_factory(db_url)
    with factory() as first:
        exercise_versions.update_exercise(
            first, actor, "step-up", {**entry, "summary": "First."}, expected_version=version
        )
        first.commit()
    with factory() as second:
        with pytest.raises(Conflict):
            exercise_versions.update_exercise(
                second, actor, "step-up", {**entry, "summary": "Second."}, expected_version=version
            )
        second.rollback()
    see_committed(session)
    assert exercises.get_exercise(session, clinic.id, "step-up").summary == "First."


def test_new_exercise_added_by_another_admin_at_that_moment_answers_the_page_with_409(
    signed_in, session, clinic, monkeypatch
):
    from hepbuilder.services import exercise_versions

    assert signed_in.post("/admin/library/new", data=NEW_EXERCISE).status_code == 302
    # the second admin's checks ran before the first's commit: they saw no "Clam shell"
    monkeypatch.setattr(exercise_versions, "_new_slug", lambda _s, _c, _name: "clam-shell")
    monkeypatch.setattr(exercise_versions, "find_exercise", lambda *_args: None)
    monkeypatch.setattr(exercise_versions, "_refuse_name_clash", lambda *_args: None)
    mine = "My own words for the same exercise."
    response = signed_in.post("/admin/library/new", data={**NEW_EXERCISE, "summary": mine})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Another exercise called “Clam shell” was added at the same moment" in page
    assert mine in page  # what the admin typed is kept
    see_committed(session)
    assert (
        exercises.get_exercise(session, clinic.id, "clam-shell").summary
        == (NEW_EXERCISE["summary"])
    )
    assert exercises.find_exercise(session, clinic.id, "clam-shell-2") is None
