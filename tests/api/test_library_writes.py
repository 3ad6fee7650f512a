"""The library through the API: create, GET-modify-PUT with a version, archive, restore,
protocols, and the `library` scope those writes need."""

import pytest
from sqlalchemy import select, text

from hepbuilder.db.models import ApiToken, AuditEvent, ExerciseVersion
from tests.api.conftest import make_api_client
from tests.builders import see_committed

NEW = {
    "name": "Clam shell",
    "summary": "Open and close your knees while lying on your side.",
    "category": "strength",
    "body_region": "hip and buttock",
    "position": "side-lying",
    "targets": ["gluteus-medius"],
    "equipment": ["mat"],
    "steps": ["Lie on your side with your knees bent.", "Lift the top knee, then lower it."],
    "conditions": ["trendelenburg-gait"],
    "defaults": {"sets": 3, "reps": 12, "side": "each"},
}


@pytest.fixture
def editor(session, client):
    """A client whose token may change the library (and do everything else)."""
    return make_api_client(session, client, scopes=("programs", "library"))


def test_api_create_exercise_makes_a_slug_and_it_can_be_searched(editor, session):
    response = editor.post("/api/v1/exercises", json=NEW)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["slug"] == "clam-shell" and body["version"] >= 1
    assert response.headers["Location"].endswith("/api/v1/exercises/clam-shell")
    found = editor.get("/api/v1/exercises?q=trendelenburg").get_json()["items"]
    assert "clam-shell" in [item["slug"] for item in found]
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "exercise.create"))
    assert event.api_token_id == editor.token_id


def test_api_put_exercise_is_get_modify_put_and_a_stale_version_is_409(editor, session):
    current = editor.get("/api/v1/exercises/step-up").get_json()
    changed = editor.put(
        "/api/v1/exercises/step-up",
        json={"version": current["version"], "summary": "Step up onto a low step."},
    )
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert body["summary"] == "Step up onto a low step."
    assert body["steps"] == current["steps"]  # fields left out keep their value
    assert body["version"] > current["version"]
    stale = editor.put(
        "/api/v1/exercises/step-up", json={"version": current["version"], "summary": "Lost."}
    )
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "version_conflict"  # as for a program
    assert stale.get_json()["error"]["current_version"] == body["version"]
    assert editor.get("/api/v1/exercises/step-up").get_json()["summary"] == (
        "Step up onto a low step."
    )
    versions = session.scalars(select(ExerciseVersion).order_by(ExerciseVersion.id)).all()
    assert [v.api_token_id for v in versions] == [None, editor.token_id]


def test_api_put_exercise_keeps_its_illustration(editor, session):
    from hepbuilder.services import exercises

    before = exercises.get_exercise(session, editor.clinic_id, "step-up").illustration
    current = editor.get("/api/v1/exercises/step-up").get_json()
    editor.put("/api/v1/exercises/step-up", json={"version": current["version"], "name": "Step up"})
    see_committed(session)
    assert exercises.get_exercise(session, editor.clinic_id, "step-up").illustration == before


def test_api_exercise_writes_refuse_bad_input_naming_the_field(editor):
    long_step = editor.post("/api/v1/exercises", json={**NEW, "steps": ["a" * 10_000]})
    assert long_step.status_code == 422
    assert "steps[0]" in long_step.get_json()["error"]["fields"]
    clash = editor.post("/api/v1/exercises", json={**NEW, "name": "Figure 4 stretch"})
    assert clash.status_code == 422 and "name" in clash.get_json()["error"]["fields"]
    muscle = editor.post("/api/v1/exercises", json={**NEW, "targets": ["no-such-muscle"]})
    assert muscle.status_code == 422 and "targets[0]" in muscle.get_json()["error"]["fields"]
    pose = editor.post(
        "/api/v1/exercises",
        json={**NEW, "illustration": {"frames": [{"joints": {"knee_near": 400}}]}},
    )
    assert pose.status_code == 422
    assert "illustration.frames[0].joints.knee_near" in pose.get_json()["error"]["fields"]
    region = editor.post("/api/v1/exercises", json={**NEW, "body_region": "thigh and hip"})
    assert region.status_code == 422 and "body_region" in region.get_json()["error"]["fields"]
    unknown = editor.post("/api/v1/exercises", json={**NEW, "colour": "red"})
    assert unknown.status_code == 422


def test_api_archive_and_restore_exercise(editor):
    archived = editor.post("/api/v1/exercises/figure-4-stretch/archive")
    assert archived.status_code == 200 and archived.get_json()["is_archived"] is True
    found = editor.get("/api/v1/exercises?q=figure").get_json()["items"]
    assert "figure-4-stretch" not in [item["slug"] for item in found]
    restored = editor.post("/api/v1/exercises/figure-4-stretch/restore")
    assert restored.get_json()["is_archived"] is False
    assert editor.post("/api/v1/exercises/no-such/archive").status_code == 404


def test_api_create_protocol_checks_its_exercises(editor):
    body = {
        "name": "Glute medius basics",
        "items": [{"exercise": "monster-walk"}, {"exercise": "step-up", "dose": {"sets": 2}}],
    }
    response = editor.post("/api/v1/protocols", json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["slug"] == "glute-medius-basics"
    bad = editor.post("/api/v1/protocols", json={"name": "Other", "items": [{"exercise": "nope"}]})
    assert bad.status_code == 422
    assert "items[0].exercise" in bad.get_json()["error"]["fields"]


def test_api_protocol_carries_its_conditions_and_progression(editor):
    body = {
        "name": "Knee basics",
        "conditions": ["knee-osteoarthritis"],
        "progression": "Add a set each week.",
        "items": [{"exercise": "step-up"}],
    }
    created = editor.post("/api/v1/protocols", json=body).get_json()
    assert created["conditions"] == ["knee-osteoarthritis"]
    assert created["progression"] == "Add a set each week."
    listed = {p["slug"]: p for p in editor.get("/api/v1/protocols").get_json()["items"]}
    assert listed["knee-basics"]["progression"] == "Add a set each week."
    assert listed["unstable-hips-trendelenburg"]["conditions"] == [
        "hip-instability",
        "trendelenburg-gait",
    ]
    bad = editor.post(
        "/api/v1/protocols", json={**body, "name": "K2", "conditions": ["Not A Slug"]}
    )
    assert bad.status_code == 422
    assert "conditions[0]" in bad.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/exercises", NEW),
        ("put", "/api/v1/exercises/step-up", {"version": 1, "name": "Step up"}),
        ("post", "/api/v1/exercises/step-up/archive", None),
        ("post", "/api/v1/exercises/step-up/restore", None),
        ("post", "/api/v1/protocols", {"name": "P", "items": [{"exercise": "step-up"}]}),
    ],
)
def test_api_library_writes_need_the_library_scope(api, method, path, body):
    response = getattr(api, method)(path, json=body)
    assert response.status_code == 403
    assert '"library" scope' in response.get_json()["error"]["message"]


def test_api_library_only_token_reads_the_library_but_not_patients(session, client):
    librarian = make_api_client(session, client, scopes=("library",))
    assert librarian.get("/api/v1/exercises").status_code == 200
    assert librarian.get("/api/v1/exercises/step-up").status_code == 200
    assert librarian.post("/api/v1/exercises", json=NEW).status_code == 201
    refused = librarian.get("/api/v1/patients")
    assert (
        refused.status_code == 403 and '"programs" scope' in refused.get_json()["error"]["message"]
    )


def test_tokens_made_before_scopes_keep_programs_after_the_migration(tmp_path):
    from hepbuilder.db.migrate import upgrade
    from hepbuilder.db.session import get_engine, session_factory
    from hepbuilder.services.api_tokens import find_api_token, hash_token, token_scopes

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0003_exercise_order")
    with get_engine(url).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO clinic (slug, name, address, phone, email, website, brand_color, created_at) VALUES ('c', 'C', '', '', '', '', '#1f6f8b', '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO api_token (clinic_id, name, prefix, token_hash, created_at) "
                "VALUES (1, 'Old PMS', 'hep_old', :hash, '2026-01-01')"
            ),
            {"hash": hash_token("hep_old-secret")},
        )
    upgrade(url)
    with session_factory(url)() as session:
        assert token_scopes(find_api_token(session, "hep_old-secret")) == ("programs",)


def test_cli_token_create_takes_scopes(cli, session):
    from hepbuilder.services.clinics import create_clinic

    create_clinic(session, "Scoped Physio")
    session.commit()
    result = cli(
        "token", "create", "--name", "Central", "--scope", "library", "--scope", "programs"
    )
    assert result.exit_code == 0, result.output
    token = session.scalar(select(ApiToken).where(ApiToken.name == "Central"))
    assert token.scopes == "programs library"
    plain = cli("token", "create", "--name", "Plain")
    assert plain.exit_code == 0
    see_committed(session)
    assert session.scalar(select(ApiToken).where(ApiToken.name == "Plain")).scopes == "programs"
    bad = cli("token", "create", "--name", "Bad", "--scope", "everything")
    assert bad.exit_code != 0 and "everything" in bad.output


def test_api_get_modify_put_sends_back_everything_it_got(editor):
    current = editor.get("/api/v1/exercises/step-up").get_json()
    body = {**current, "summary": "Changed through the API."}  # read-only fields included
    response = editor.put("/api/v1/exercises/step-up", json=body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["summary"] == "Changed through the API."
    moved = editor.put(
        "/api/v1/exercises/step-up",
        json={**response.get_json(), "slug": "step-down", "is_archived": True},
    )
    assert moved.status_code == 422
    assert set(moved.get_json()["error"]["fields"]) == {"slug", "is_archived"}
    unknown_photo = editor.put(
        "/api/v1/exercises/step-up",
        json={"version": response.get_json()["version"], "photos": ["images/nope.png"]},
    )
    assert unknown_photo.status_code == 422
    assert "photos[0]" in unknown_photo.get_json()["error"]["fields"]


def test_api_create_exercise_added_by_another_client_at_that_moment_is_409(editor, monkeypatch):
    from hepbuilder.services import exercise_versions

    assert editor.post("/api/v1/exercises", json=NEW).status_code == 201
    # the second request's checks ran before the first's commit: they saw no "Clam shell"
    monkeypatch.setattr(exercise_versions, "_new_slug", lambda _s, _c, _name: "clam-shell")
    monkeypatch.setattr(exercise_versions, "find_exercise", lambda *_args: None)
    monkeypatch.setattr(exercise_versions, "_refuse_name_clash", lambda *_args: None)
    response = editor.post("/api/v1/exercises", json=NEW)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "conflict" and "at the same moment" in error["message"]
    assert error["fields"] == {
        "slug": '"clam-shell" was taken by an exercise added at the same moment'
    }
