"""Stored illustration paths: saving (pose editor, API) and seeding store each pose's drawing in
the same transaction; a process that has computed nothing draws a clinic's own exercise from
them without computing geometry, byte for byte as computing it does; a row made by another
engine is not used and is made again."""

import copy
import json
import zlib

import pytest
from sqlalchemy import func, select

from hepbuilder.db.models import IllustrationPaths
from hepbuilder.domain.exercise import poses_drawn
from hepbuilder.illustrations import compose, illustration_svg, pdf_pen, stored
from hepbuilder.illustrations.cache import COMPUTED
from hepbuilder.illustrations.stored import pose_key
from hepbuilder.pdf import card, render_spec, stored_paths
from hepbuilder.pdf.stored_paths import paths_engine
from hepbuilder.services import exercises, handouts, illustration_paths, snapshots
from hepbuilder.services.actor import Actor
from hepbuilder.web.page_context import safe_color
from tests.api.conftest import make_api_client
from tests.builders import make_patient, make_program, see_committed
from tests.web.test_pose_editor import page_form


def a_new_process() -> None:
    """Forget everything this process drew or read, as a freshly started one has."""
    compose._BUILT.clear()
    pdf_pen._PATHS.clear()
    pdf_pen._OPS.clear()
    stored.forget_stored_paths()
    stored_paths._ENTRIES.clear()
    snapshots.PARTS_READ.clear()
    card.CARD_LAYOUTS.clear()
    COMPUTED.clear()


def turned(pose: dict, yaw_deg: float) -> dict:
    """A copy of `pose` seen from `yaw_deg` further round (a pose no bundled exercise has)."""
    pose = copy.deepcopy(pose)
    camera = pose.setdefault("camera", {})
    camera["yaw_deg"] = camera.get("yaw_deg", 0) + yaw_deg
    return pose


def stored_row(session, pose) -> IllustrationPaths | None:
    return session.get(IllustrationPaths, pose_key(pose))


def drawn_poses(session, clinic_id) -> list[dict]:
    """The clinic's exercises' drawn poses, each with the pose a dose without "each side" draws
    when it leaves a frame out (`poses_drawn`): every pose a handout may draw."""
    from hepbuilder.db.models import Exercise

    poses = session.scalars(select(Exercise.illustration).where(Exercise.clinic_id == clinic_id))
    return [drawn for pose in poses if pose and pose.get("frames") for drawn in poses_drawn(pose)]


def test_seeding_stores_the_paths_of_every_drawn_exercise(session, clinic):
    poses = drawn_poses(session, clinic.id)
    assert len(poses) > 10
    rows = session.scalars(select(IllustrationPaths)).all()
    assert {row.pose_sha256 for row in rows} == {pose_key(pose) for pose in poses}
    assert {row.engine for row in rows} == {paths_engine()}


def test_pose_editor_save_stores_the_new_pose(signed_in, session, clinic):
    data = {**page_form(signed_in, "pigeon-stretch"), "camera-yaw_deg": "20", "action": "save"}
    assert signed_in.post("/admin/library/pigeon-stretch/pose", data=data).status_code == 302
    see_committed(session)
    pose = exercises.get_exercise(session, clinic.id, "pigeon-stretch").illustration
    assert pose["camera"]["yaw_deg"] == 20
    row = stored_row(session, pose)
    assert row is not None and row.engine == paths_engine()


def test_library_editor_new_exercise_stores_its_pose(signed_in, session, clinic):
    from tests.web.test_library_editor import NEW_EXERCISE

    pose = turned(exercises.get_exercise(session, clinic.id, "step-up").illustration, 17)
    data = {**NEW_EXERCISE, "illustration": json.dumps(pose)}
    assert signed_in.post("/admin/library/new", data=data).status_code == 302
    see_committed(session)
    saved = exercises.get_exercise(session, clinic.id, "clam-shell").illustration
    assert pose_key(saved) == pose_key(pose)
    row = stored_row(session, saved)
    assert row is not None and row.engine == paths_engine()


def test_library_import_stores_the_imported_poses(session, clinic):
    from dataclasses import replace

    from hepbuilder.services.library_sync import import_library, load_bundled_library

    bundled = load_bundled_library()
    pose = turned(bundled.exercises["monster-walk"].illustration, 21)
    changed = replace(bundled.exercises["monster-walk"], illustration=pose)
    library = replace(bundled, exercises={**bundled.exercises, "monster-walk": changed})
    assert stored_row(session, pose) is None
    result = import_library(session, clinic, library)
    assert "monster-walk" in result.updated
    session.commit()
    see_committed(session)
    row = stored_row(session, pose)
    assert row is not None and row.engine == paths_engine()


def test_api_put_and_post_store_the_pose(session, client):
    editor = make_api_client(session, client, scopes=("programs", "library"))
    current = editor.get("/api/v1/exercises/step-up").get_json()
    pose = turned(exercises.get_exercise(session, editor.clinic_id, "step-up").illustration, 7)
    changed = editor.put(
        "/api/v1/exercises/step-up", json={"version": current["version"], "illustration": pose}
    )
    assert changed.status_code == 200, changed.get_json()
    created = {**current, "name": "Step up, turned", "slug": "step-up-turned"}
    pose_2 = turned(pose, 5)
    for key in ("version", "url", "is_archived"):
        created.pop(key, None)
    response = editor.post("/api/v1/exercises", json={**created, "illustration": pose_2})
    assert response.status_code == 201, response.get_json()
    see_committed(session)
    for saved in (pose, pose_2):
        row = stored_row(session, saved)
        assert row is not None and row.engine == paths_engine()


def own_exercise(session, clinic, admin, slug="figure-4-stretch", yaw=11):
    """The clinic edits `slug`'s pose (a pose no bundled exercise has) through the service."""
    from hepbuilder.services import exercise_versions

    actor = Actor(clinic_id=clinic.id, user_id=admin.id, role="admin")
    row = exercises.get_exercise(session, clinic.id, slug)
    pose = turned(row.illustration, yaw)
    entry = {**exercises.to_domain(row).to_dict(), "illustration": pose}
    exercise_versions.update_exercise(session, actor, slug, entry)
    session.commit()
    return pose


def test_a_new_process_draws_a_clinics_own_exercise_from_stored_paths_byte_for_byte(
    session, clinic, admin
):
    poses = [
        own_exercise(session, clinic, admin, slug, yaw)
        for slug, yaw in (
            ("figure-4-stretch", 11),
            ("step-up", -9),
            ("pigeon-stretch", 6),
            ("active-90-90", 7),  # its third frame is drawn only for "each side"
        )
    ]
    patient = make_patient(session, clinic)
    items = [
        {"exercise": slug, "sets": 2, "reps": 8, "side": side}
        for slug, side in (
            ("figure-4-stretch", "each"),
            ("step-up", "left"),
            ("pigeon-stretch", "right"),
            ("active-90-90", "none"),  # drawn from its pose without that frame
        )
    ]
    program = make_program(session, patient, created_by=admin, title="Own", items=items)
    actor = Actor(clinic_id=clinic.id, user_id=admin.id, role="admin")
    session.commit()

    a_new_process()
    handout = handouts.issue_handout(session, actor, program.id)
    session.commit()
    assert COMPUTED["geometry"] == 0 and COMPUTED["simplified"] == 0
    assert all(stored._STORED.get(pose_key(pose)) is not None for pose in poses)

    # the snapshot alone, nothing stored or cached: the same bytes
    spec = handouts.handout_spec(handout)
    a_new_process()
    assert render_spec(spec) == handout.pdf
    assert COMPUTED["geometry"] > 0  # it did compute them

    for paper, large_print in (("letter", False), ("A4", True), ("letter", True)):
        other = {**spec, "paper": paper, "large_print": large_print}
        computed = render_spec(other)
        a_new_process()
        illustration_paths.load_illustration_paths(
            session, [item["exercise"]["illustration"] for item in spec["items"]]
        )
        assert render_spec(other) == computed
        assert COMPUTED["geometry"] == 0 and COMPUTED["simplified"] == 0, (paper, large_print)


NEW_PROCESS = """
import hashlib, json, sys
from hepbuilder.db.session import session_factory
from hepbuilder.illustrations.cache import COMPUTED
from hepbuilder.pdf import render_spec
from hepbuilder.services.illustration_paths import load_illustration_paths

url, spec_file = sys.argv[1:]
spec = json.loads(open(spec_file, encoding="utf-8").read())
with session_factory(url, begin="DEFERRED")() as session:
    kept = load_illustration_paths(session, [i["exercise"]["illustration"] for i in spec["items"]])
pdf = render_spec(spec)
print(json.dumps({"kept": kept, "computed": dict(COMPUTED), "sha256": hashlib.sha256(pdf).hexdigest()}))
"""


def test_a_fresh_interpreter_renders_a_snapshot_from_stored_paths_alone(
    session, clinic, admin, db_url, tmp_path
):
    import hashlib
    import os
    import subprocess
    import sys
    from pathlib import Path

    own_exercise(session, clinic, admin, "step-up", 19)
    patient = make_patient(session, clinic)
    items = [{"exercise": "step-up", "sets": 2, "reps": 8, "side": "left"}]
    program = make_program(session, patient, created_by=admin, title="Own", items=items)
    actor = Actor(clinic_id=clinic.id, user_id=admin.id, role="admin")
    handout = handouts.issue_handout(session, actor, program.id)
    session.commit()
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(handouts.handout_spec(handout)), encoding="utf-8")
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": root}
    result = subprocess.run(
        [sys.executable, "-c", NEW_PROCESS, db_url, str(spec_file)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=root,
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["kept"] == 1
    assert answer["computed"] == {}
    assert answer["sha256"] == hashlib.sha256(handout.pdf).hexdigest()


def test_a_new_process_draws_the_thumbnail_from_stored_paths(signed_in, session, clinic, admin):
    own_exercise(session, clinic, admin, "step-up", 13)
    exercise = exercises.to_domain(exercises.get_exercise(session, clinic.id, "step-up"))
    accent = safe_color(clinic.brand_color)
    a_new_process()
    computed = illustration_svg(exercise, accent_hex=accent)
    a_new_process()
    response = signed_in.get("/exercises/step-up/figure.svg")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == computed
    assert COMPUTED["geometry"] == 0


def test_paths_of_another_engine_are_not_used_and_seeding_makes_them_again(session, clinic):
    from hepbuilder.services.library_sync import load_bundled_library, seed_clinic

    pose = exercises.get_exercise(session, clinic.id, "step-up").illustration
    row = stored_row(session, pose)
    row.engine = "0ld-engine"
    row.body = b"not what this engine reads"
    session.commit()
    a_new_process()
    assert illustration_paths.load_illustration_paths(session, [pose]) == 0
    assert stored._STORED.get(pose_key(pose)) is None
    seed_clinic(session, clinic, load_bundled_library())
    session.commit()
    see_committed(session)
    row = stored_row(session, pose)
    assert row.engine == paths_engine()
    assert illustration_paths.load_illustration_paths(session, [pose]) == 1
    count = session.scalar(select(func.count()).select_from(IllustrationPaths))
    assert count == len({pose_key(p) for p in drawn_poses(session, clinic.id)})


def test_stored_paths_refuse_another_pose_or_damaged_bytes():
    from hepbuilder.library import load_library

    library = load_library()
    one, other = (library.exercises[slug].illustration for slug in ("step-up", "pigeon-stretch"))
    entry = stored_paths.paths_entry(one)
    now = paths_engine()
    assert not stored.keep_paths(pose_key(other), entry.engine, entry.body, now)
    assert not stored.keep_paths(entry.key, entry.engine, entry.body[:-5], now)
    assert not stored.keep_paths(entry.key, "another", entry.body, now)
    assert not stored.keep_paths(entry.key, entry.engine, entry.body, "a newer engine")
    assert stored.keep_paths(entry.key, entry.engine, entry.body, now)
    assert json.loads(zlib.decompress(entry.body))["pose"] == pose_key(one)


LRU_CACHES = (
    compose._BUILT,
    pdf_pen._PATHS,
    pdf_pen._OPS,
    stored._STORED,
    stored._STORED_ART,
    stored_paths._ENTRIES,
)


@pytest.fixture(autouse=True)
def _caches_as_before():
    """After each test, the process's drawing caches as they were before it: what the test drew
    or read is forgotten. The bundled library's paths are made first, as any seed makes them,
    so that each test's seed finds them made instead of drawing them again."""
    from hepbuilder.library import load_library

    for exercise in load_library().exercises.values():
        if stored.is_drawn(exercise.illustration):
            stored_paths.paths_entry(exercise.illustration)
    kept = [cache._entries.copy() for cache in LRU_CACHES]
    parts, parts_bytes = snapshots.PARTS_READ._parts.copy(), snapshots.PARTS_READ._bytes
    computed = COMPUTED.copy()
    yield
    for cache, entries in zip(LRU_CACHES, kept, strict=True):
        with cache._lock:
            cache._entries = entries
    with snapshots.PARTS_READ._lock:
        snapshots.PARTS_READ._parts, snapshots.PARTS_READ._bytes = parts, parts_bytes
    COMPUTED.clear()
    COMPUTED.update(computed)
