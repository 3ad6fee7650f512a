"""Illustrations: every bundled pose validates and draws; the geometry holds together; bad poses are named."""

import copy
import io
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas

from hepbuilder.domain.errors import ValidationError
from hepbuilder.domain.exercise import LibraryExercise, parse_exercise
from hepbuilder.illustrations import (
    build_illustration,
    illustration_flowable,
    illustration_svg,
    render_contact_sheet,
    validate_illustration,
)
from hepbuilder.illustrations import model as m
from hepbuilder.illustrations.compose import LIMB_JOINTS, LIMB_PARENTS
from hepbuilder.illustrations.world import place_scene
from hepbuilder.paths import LIBRARY_DIR
from tests.library_files import read_library_file

EXERCISE_FILES = sorted((LIBRARY_DIR / "exercises").glob("*.yaml"))
SVG = "{http://www.w3.org/2000/svg}"


def load_exercise(path: Path) -> LibraryExercise:
    return parse_exercise(read_library_file(path))


def make_exercise(illustration: dict | None = None, **overrides) -> LibraryExercise:
    fields = dict(
        slug="test-pose",
        name="Test pose",
        summary="A pose for tests.",
        category="strength",
        body_region="hip",
        position="standing",
        steps=("Stand.",),
        illustration=illustration,
    )
    fields.update(overrides)
    return LibraryExercise(**fields)


def standing_pose(**frame) -> dict:
    return {"view": "side", "frames": [{"label": "Start", **frame}]}


@pytest.fixture(scope="module")
def exercises() -> list[LibraryExercise]:
    return [load_exercise(path) for path in EXERCISE_FILES]


def test_library_every_exercise_has_a_pose(exercises):
    """The library test checks DESIGN.md's slugs exist; here each of them (and any other) is posed."""
    posed = {e.slug for e in exercises if e.illustration and e.illustration.get("frames")}
    assert posed == {e.slug for e in exercises}


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_bundled_illustration_validates_and_draws(path):
    exercise = load_exercise(path)
    validate_illustration(exercise.illustration)
    for side in ("right", "left"):
        root = ET.fromstring(illustration_svg(exercise, side))
        assert root.tag == f"{SVG}svg" and root.get("role") == "img" and root.get("viewBox")
        assert root.find(f"{SVG}title").text == exercise.name
        assert len(root.findall(f".//{SVG}path")) > 15
    canvas = Canvas(io.BytesIO(), pagesize=A4)
    for width_pt, height_pt in ((2 * cm, 2 * cm), (A4[0] - 72, A4[1] - 72), (176, 118)):
        flowable = illustration_flowable(exercise, "left", width_pt, height_pt, "#aa3355")
        assert flowable.wrap(100, 100) == (width_pt, height_pt)
        flowable.drawOn(canvas, 36, 36)
    canvas.save()


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_bundled_illustration_limbs_stay_attached(path):
    art = build_illustration(load_exercise(path).illustration, "right")
    for frame in art.frames:
        for limb, parent in LIMB_PARENTS.items():
            assert frame.limbs[limb][0] == frame.limbs[parent][1], limb
        for limb, (start, end) in LIMB_JOINTS.items():
            assert frame.limbs[limb] == (frame.joints[start], frame.joints[end]), limb
        for side in ("near", "far"):
            # The foot hangs from the ankle: the ankle lies within the foot's reach.
            ankle, toe = frame.limbs[f"foot_{side}"]
            assert math.dist(ankle, toe) <= math.hypot(*m.TOE_MM) + 1e-6
            # Hips and shoulders sit on the torso, a fixed distance from the root and spine.
            assert (
                math.dist(frame.joints["pelvis"], frame.joints[f"hip_{side}"])
                <= m.HIP_HALF_WIDTH_MM + 1e-6
            )


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_bundled_illustration_contacts_rest_on_their_surface(path):
    data = load_exercise(path).illustration
    art = build_illustration(data, "right")
    for index, frame in enumerate(art.frames):
        assert frame.contacts, f"frame {index} declares no contact"
        for part, surface, gap_mm in frame.contacts:
            assert abs(gap_mm) <= m.CONTACT_TOLERANCE_MM, (index, part, surface, gap_mm)
        assert frame.sunk_mm <= m.CONTACT_TOLERANCE_MM


def test_contacts_measure_the_gap_to_the_floor_in_mm():
    lifted = standing_pose(joints={"hip_near": 40, "knee_near": 30})
    lifted["frames"][0]["contacts"] = [
        {"part": "foot_far", "surface": "floor"},
        {"part": "foot_near", "surface": "floor"},
    ]
    world = place_scene(lifted["frames"][0], [])
    (_, _, standing_gap), (_, _, lifted_gap) = world.contacts
    assert standing_gap == pytest.approx(0.0, abs=1e-6)
    assert lifted_gap > 50.0
    with pytest.raises(ValidationError) as error:
        validate_illustration(lifted)
    assert "frames[0].contacts[1]" in error.value.fields


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_mirrored_illustration_is_the_exact_reflection(path):
    data = load_exercise(path).illustration
    right, left = build_illustration(data, "right"), build_illustration(data, "left")
    assert len(right.frames) == len(left.frames)
    for r, lf in zip(right.frames, left.frames, strict=True):
        assert [s.name for s in r.shapes] == [s.name for s in lf.shapes]
        for rs, ls in zip(r.shapes, lf.shapes, strict=True):
            assert (rs.fill, rs.stroke) == (ls.fill, ls.stroke)
            for rop, lop in zip(rs.path, ls.path, strict=True):
                assert rop[0] == lop[0]
                assert list(lop[1::2]) == [-x for x in rop[1::2]]
                assert list(lop[2::2]) == list(rop[2::2])
        assert lf.joints == {k: (-x, y) for k, (x, y) in r.joints.items()}


def test_each_and_none_sides_draw_the_pose_as_written(exercises):
    data = exercises[0].illustration
    assert build_illustration(data, "each") is build_illustration(data, "right")
    assert build_illustration(data, "none") is build_illustration(data, "right")


def test_validate_illustration_rejects_unknown_joint():
    with pytest.raises(ValidationError) as error:
        validate_illustration(standing_pose(joints={"knee_middle": 20}))
    assert set(error.value.fields) == {"frames[0].joints.knee_middle"}


def test_validate_illustration_rejects_angle_out_of_range():
    pose = {
        "view": "side",
        "frames": [{}, {"joints": {"knee_near": 200, "hip_far": {"abduct_deg": 120}}}],
    }
    with pytest.raises(ValidationError) as error:
        validate_illustration(pose)
    assert "frames[1].joints.knee_near" in error.value.fields
    assert "frames[1].joints.hip_far.abduct_deg" in error.value.fields
    assert "0 to 160" in error.value.fields["frames[1].joints.knee_near"]


def test_validate_illustration_rejects_unknown_prop_and_surface():
    pose = standing_pose(contacts=[{"part": "foot_near", "surface": "trampoline"}])
    pose["props"] = [{"kind": "trampoline"}]
    with pytest.raises(ValidationError) as error:
        validate_illustration(pose)
    assert "props[0].kind" in error.value.fields
    assert "frames[0].contacts[0].surface" in error.value.fields


def test_validate_illustration_names_yaml_on_key():
    pose = yaml.safe_load(
        "view: side\nframes:\n  - contacts:\n      - {part: foot_near, on: floor}\n"
    )
    with pytest.raises(ValidationError) as error:
        validate_illustration(pose)
    assert "surface:" in error.value.fields["frames[0].contacts[0].on"]


def test_validate_illustration_rejects_a_prop_nothing_rests_on():
    pose = standing_pose(contacts=[{"part": "foot_near", "surface": "floor"}])
    pose["props"] = [{"kind": "step"}]
    with pytest.raises(ValidationError) as error:
        validate_illustration(pose)
    assert "props[0]" in error.value.fields


def test_validate_illustration_errors_prefix_for_the_library_loader():
    with pytest.raises(ValidationError) as error:
        validate_illustration(standing_pose(joints={"elbow_near": -5}))
    prefixed = error.value.prefixed("illustration.")
    assert list(prefixed.fields) == ["illustration.frames[0].joints.elbow_near"]


def test_validate_illustration_accepts_an_image_file_only_under_images():
    validate_illustration({"image": "images/step-up.png"})
    with pytest.raises(ValidationError) as error:
        validate_illustration({"image": "../secrets.png"})
    assert "image" in error.value.fields


def test_validate_illustration_rejects_bad_arrow_and_highlight():
    pose = standing_pose()
    pose["arrows"] = [{"frame": 3, "at": "elbow_middle", "vector_mm": [0, 0]}]
    pose["highlight"] = ["tail"]
    with pytest.raises(ValidationError) as error:
        validate_illustration(pose)
    assert {"arrows[0].frame", "arrows[0].at", "arrows[0].vector_mm", "highlight"} <= set(
        error.value.fields
    )


def test_illustration_svg_escapes_the_exercise_name():
    exercise = make_exercise(standing_pose(), name='Step <b>up</b> & "over"')
    svg = illustration_svg(exercise, "right", width_px=320)
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == 'Step <b>up</b> & "over"'
    assert root.get("width") == "320"
    assert "<b>" not in svg


def test_illustration_svg_and_pdf_share_one_geometry():
    exercise = make_exercise(standing_pose(joints={"hip_near": 45, "knee_near": 60}))
    art = build_illustration(exercise.illustration, "right")
    svg = ET.fromstring(illustration_svg(exercise, "right"))
    drawn = [p for p in svg.iter(f"{SVG}path")]
    assert len(drawn) == sum(len(f.shapes) for f in art.frames)


def test_missing_illustration_draws_a_placeholder():
    exercise = make_exercise(None, position="side-lying")
    canvas = Canvas(io.BytesIO())
    flowable = illustration_flowable(exercise, "right", 2 * cm, 2 * cm)
    assert flowable.wrap(1, 1) == (2 * cm, 2 * cm)
    flowable.drawOn(canvas, 0, 0)
    svg = ET.fromstring(illustration_svg(exercise))
    assert svg.find(f".//{SVG}text").text == "Side lying"
    image_only = make_exercise({"image": "images/foo.png"})
    illustration_flowable(image_only, "left", 100, 80).drawOn(canvas, 0, 0)


def test_highlighted_limb_gets_a_heavier_outline_for_black_and_white():
    pose = standing_pose()
    pose["highlight"] = ["thigh_near"]
    frame = build_illustration(pose, "right").frames[0]
    by_name = {s.name: s for s in frame.shapes}
    assert by_name["thigh_near"].stroke == "heavy" and by_name["thigh_near"].fill.startswith(
        "accent"
    )
    assert by_name["shin_near"].stroke == "line"


def test_geometry_is_cached_per_pose_and_side():
    pose = standing_pose(joints={"knee_near": 33})
    assert build_illustration(pose, "left") is build_illustration(copy.deepcopy(pose), "left")
    assert build_illustration(pose, "left") is not build_illustration(pose, "right")


def test_render_contact_sheet_names_every_exercise(exercises):
    from pypdf import PdfReader

    pdf = render_contact_sheet(exercises)
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    for exercise in exercises:
        assert exercise.name in text
    wide = sum(len(e.illustration["frames"]) >= 3 for e in exercises)  # a whole row each
    assert len(reader.pages) >= math.ceil((len(exercises) + wide) / 8)


def test_validate_illustration_refuses_hip_extension_past_thirty_degrees():
    with pytest.raises(ValidationError) as error:
        validate_illustration(standing_pose(joints={"hip_far": -45}))
    assert "-30 to 150" in error.value.fields["frames[0].joints.hip_far"]


def test_validate_illustration_refuses_a_straight_hip_opened_wide():
    with pytest.raises(ValidationError) as error:
        validate_illustration(standing_pose(joints={"hip_near": {"abduct_deg": 70}}))
    assert "bend it" in error.value.fields["frames[0].joints.hip_near.abduct_deg"]
    seated_wide = {"flex_deg": 60, "abduct_deg": 70}
    bent = standing_pose(joints={"hip_near": seated_wide})
    with pytest.raises(ValidationError) as error:
        validate_illustration(bent)  # bent wide is possible, so only other problems remain
    assert "frames[0].joints.hip_near.abduct_deg" not in error.value.fields


def test_validate_illustration_refuses_a_limb_passing_through_another():
    crossed = standing_pose(
        joints={"hip_near": {"abduct_deg": -30}, "hip_far": {"abduct_deg": -30}}
    )
    crossed["frames"][0]["contacts"] = [{"part": "foot_far", "surface": "floor"}]
    with pytest.raises(ValidationError) as error:
        validate_illustration(crossed)
    assert "passes through" in error.value.fields["frames[0].joints"]


def test_validate_illustration_checks_a_pose_again_once_it_changes():
    # The geometry's findings are remembered by the pose's content: the same pose gives the same
    # answer again, and the same dict edited in place is a new pose, checked afresh.
    pose = standing_pose(joints={"hip_near": {"abduct_deg": -30}, "hip_far": {"abduct_deg": -30}})
    pose["frames"][0]["contacts"] = [{"part": "foot_far", "surface": "floor"}]
    for _ in range(2):
        with pytest.raises(ValidationError) as error:
            validate_illustration(pose)
        assert "passes through" in error.value.fields["frames[0].joints"]
    error.value.fields.clear()  # a caller changing the errors it got changes no later answer
    pose["frames"][0]["joints"] = {}
    validate_illustration(pose)
    pose["frames"][0]["joints"] = {"hip_near": {"abduct_deg": -30}, "hip_far": {"abduct_deg": -30}}
    with pytest.raises(ValidationError) as error:
        validate_illustration(pose)
    assert "passes through" in error.value.fields["frames[0].joints"]


def test_validate_illustration_checks_shift_and_footprints():
    pose = standing_pose(shift_mm=[0, 5000])
    pose["footprints"] = "yes"
    with pytest.raises(ValidationError) as error:
        validate_illustration(pose)
    assert {"frames[0].shift_mm", "footprints"} <= set(error.value.fields)


def walk(**extra) -> dict:
    feet = [{"part": "foot_far", "surface": "floor"}, {"part": "foot_near", "surface": "floor"}]
    frames = [
        {"label": "Start", "contacts": feet},
        {"label": "Moved", "shift_mm": [0, 300], "contacts": feet},
    ]
    return {"view": "front", "camera": {"pitch_deg": 30}, "frames": frames, **extra}


def test_footprints_show_where_the_feet_stood_in_earlier_frames():
    art = build_illustration(walk(footprints=True), "right")
    counts = [sum(s.name == "footprint" for s in frame.shapes) for frame in art.frames]
    assert counts == [0, 2]
    plain = build_illustration(walk(), "right")
    assert not any(s.name == "footprint" for f in plain.frames for s in f.shapes)


def test_face_shows_two_eyes_from_the_front_and_hair_from_behind():
    front = build_illustration({"view": "front", "frames": [{}]}, "right").frames[0]
    assert sum(s.name == "eye" for s in front.shapes) == 2
    behind = {"view": "front", "frames": [{"pelvis": {"turn_deg": 180}}]}
    head = next(s for s in build_illustration(behind, "right").frames[0].shapes if s.name == "head")
    assert head.fill == "hair"
    profile = build_illustration(standing_pose(), "right").frames[0]
    assert "nose" in {s.name for s in profile.shapes}


def test_ball_under_a_buttock_sits_off_the_midline():
    lying = {
        "view": "side",
        "frames": [
            {
                "pelvis": {"lean_deg": -90},
                "contacts": [
                    {"part": "buttock_near", "surface": "massage-ball"},
                ],
            }
        ],
        "props": [{"kind": "massage-ball"}],
        "highlight": ["buttock_near"],
    }
    scene = place_scene(lying["frames"][0], lying["props"])
    (ball,) = scene.balls
    assert ball.centre[2] == pytest.approx(m.BUTTOCK_MM[2])
    frame = build_illustration(lying, "right").frames[0]
    patch = next(s for s in frame.shapes if s.name == "buttock_near")
    assert patch.fill.startswith("accent") and patch.stroke == "heavy"


def test_step_is_placed_under_the_whole_foot():
    pose = standing_pose(
        joints={"hip_near": 70, "knee_near": 70, "ankle_near": 0},
        contacts=[
            {"part": "foot_far", "surface": "floor"},
            {"part": "foot_near", "surface": "step"},
        ],
    )
    pose["props"] = [{"kind": "step"}]
    scene = place_scene(pose["frames"][0], pose["props"])
    (step,) = scene.boxes
    for point in ("heel_near", "toe_near"):
        assert step.lo[0] < scene.body.points[point][0] < step.hi[0]


def test_render_contact_sheet_gives_a_three_frame_picture_a_whole_row(exercises):
    import pdfplumber

    pdf = render_contact_sheet(exercises)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            words = page.extract_words()
            title = next((w for w in words if w["text"] == "90/90"), None)
            if title is None:
                continue
            below = [w for w in words if 0 < w["top"] - title["top"] < page.height / 4]
            start = next(w for w in below if w["text"] == "Start")
            other = next(w for w in below if w["text"] == "Then")
            # the three frames spread over more than half the page, not one column of two
            assert other["x1"] - start["x0"] > page.width / 2
            beside = [
                w for w in words if abs(w["top"] - title["top"]) < 2 and w["x0"] > start["x1"]
            ]
            assert not [w for w in beside if w["x0"] > page.width / 2]  # no name beside it
            return
    raise AssertionError("no Active 90/90 on the sheet")


def test_validate_illustration_refuses_a_contact_sunk_into_the_floor():
    tipped = standing_pose(pelvis={"roll_deg": 12})  # leaning onto the near leg: it sinks
    tipped["frames"][0]["contacts"] = [
        {"part": "foot_far", "surface": "floor"},
        {"part": "foot_near", "surface": "floor"},
    ]
    (_, _, _), (_, _, gap) = place_scene(tipped["frames"][0], []).contacts
    assert gap < -m.CONTACT_TOLERANCE_MM
    with pytest.raises(ValidationError) as error:
        validate_illustration(tipped)
    assert "mm into the floor" in error.value.fields["frames[0].contacts[1]"]


def test_validate_illustration_refuses_a_body_below_the_floor():
    upright = standing_pose(contacts=[{"part": "head", "surface": "floor"}])  # head down to it
    with pytest.raises(ValidationError) as error:
        validate_illustration(upright)
    assert "below the floor" in error.value.fields["frames[0]"]


def test_pose_editor_preview_refuses_what_the_library_refuses():
    from hepbuilder.services.poses import preview_pose

    exercise = load_exercise(EXERCISE_FILES[0])
    upright = standing_pose(contacts=[{"part": "head", "surface": "floor"}])
    preview = preview_pose(exercise, upright, "#1f6f8b")
    assert preview.svg == "" and "below the floor" in preview.errors["illustration.frames[0]"]


def with_ankles_written_out(data: dict) -> dict:
    """The same pose with every ankle spelled out as {flex_deg, rotate_deg: 0}."""
    out = copy.deepcopy(data)
    for frame in out["frames"]:
        joints = frame.get("joints") or {}
        for side in ("near", "far"):
            value = joints.get(f"ankle_{side}", 0)
            flex_deg = value.get("flex_deg", 0) if isinstance(value, dict) else value
            joints[f"ankle_{side}"] = {"flex_deg": flex_deg, "rotate_deg": 0}
        frame["joints"] = joints
    return out


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_bundled_illustration_draws_the_same_with_the_foot_turn_written_as_zero(path):
    data = load_exercise(path).illustration
    if any(
        isinstance(value, dict) and value.get("rotate_deg")
        for frame in data["frames"]
        for name, value in (frame.get("joints") or {}).items()
        if name.startswith("ankle")
    ):
        pytest.skip("this pose turns a foot")
    for side in ("right", "left"):
        written = build_illustration(with_ankles_written_out(data), side)
        assert written.frames == build_illustration(data, side).frames


def test_ankle_rotation_turns_each_toe_out_about_the_shin_mirrored_for_the_far_side():
    def points(turn_deg: float) -> dict:
        joints = {
            f"ankle_{side}": {"flex_deg": 0, "rotate_deg": turn_deg} for side in ("near", "far")
        }
        frame = {"joints": joints, "contacts": [{"part": "foot_near", "surface": "floor"}]}
        return place_scene(frame, []).body.points

    straight, out, inward = points(0), points(30), points(-30)
    for side, outward in (("near", 1.0), ("far", -1.0)):
        ankle, toe = straight[f"ankle_{side}"], straight[f"toe_{side}"]
        assert out[f"ankle_{side}"] == ankle and out[f"knee_{side}"] == straight[f"knee_{side}"]
        # the toe swings out sideways (z toward the near side), the heel the other way
        assert (out[f"toe_{side}"][2] - toe[2]) * outward > 80.0
        assert (out[f"heel_{side}"][2] - straight[f"heel_{side}"][2]) * outward < 0.0
        assert (inward[f"toe_{side}"][2] - toe[2]) * outward < -80.0
        # the foot turns about the upright shin: it stays at its height, at the same length
        assert out[f"toe_{side}"][1] == pytest.approx(toe[1])
        assert math.dist(out[f"toe_{side}"], ankle) == pytest.approx(math.dist(toe, ankle))
        dx, dz = out[f"toe_{side}"][0] - ankle[0], out[f"toe_{side}"][2] - ankle[2]
        assert math.degrees(math.atan2(dz * outward, dx)) == pytest.approx(30.0, abs=8.0)


def test_ankle_rotation_turns_the_foot_back_under_a_hip_turned_out():
    hip = {"flex_deg": 0, "rotate_deg": 30}
    frame = {
        "joints": {"hip_near": hip, "ankle_near": {"flex_deg": 0, "rotate_deg": -30}},
        "contacts": [{"part": "foot_near", "surface": "floor"}],
    }
    body = place_scene(frame, []).body
    heel, toe = body.points["heel_near"], body.points["toe_near"]
    assert abs(toe[2] - heel[2]) < 1.0  # pointing straight forward again


def test_validate_illustration_refuses_a_foot_turned_past_its_range():
    with pytest.raises(ValidationError) as error:
        validate_illustration(
            standing_pose(joints={"ankle_far": {"flex_deg": 5, "rotate_deg": 55}})
        )
    assert error.value.fields == {"frames[0].joints.ankle_far.rotate_deg": "must be from -40 to 40"}


def test_a_frame_label_marked_each_side_prints_without_its_mark_wherever_it_is_drawn(exercises):
    """Active 90/90's third frame is labelled "[each side] Then the other side": the mark says
    when the frame is drawn (domain.exercise.drawn_for_side), it is never printed. Not on the
    contact sheet, the pose editor's preview or any picture drawn from the raw pose."""
    from hepbuilder.illustrations import frame_labels
    from hepbuilder.services.poses import preview_pose
    from tests.pdf_pages import pdf_text

    exercise = next(e for e in exercises if e.slug == "active-90-90")
    pose = exercise.illustration
    assert pose["frames"][2]["label"] == "[each side] Then the other side"
    assert frame_labels(pose) == ["Start", "Both knees up", "Then the other side"]
    assert [f.label for f in build_illustration(pose, "left").frames][2] == "Then the other side"
    for side in ("none", "each", "left"):
        svg = illustration_svg(exercise, side)
        assert "Then the other side" in svg and "[each side]" not in svg, side
    assert "[each side]" not in preview_pose(exercise, pose, "#1f6f8b").svg
    sheet = pdf_text(render_contact_sheet([exercise]))
    assert "Then the other side" in sheet and "[each side]" not in sheet
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    illustration_flowable(exercise, "each", 400, 120).drawOn(canvas, 0, 0)
    canvas.save()
    assert "[each side]" not in pdf_text(buffer.getvalue())
