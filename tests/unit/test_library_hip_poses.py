"""The hip group's pictures (core library, issue #17) show the one thing that makes each right.

Checked from the geometry like tests/unit/test_illustrations_poses.py: world millimetres (x
forward as the pose is written, y up, z toward the working side) and screen millimetres of the
drawing (x to the right, y up).
"""

import math

import pytest

from hepbuilder.domain.errors import ValidationError
from hepbuilder.illustrations import checks, validate_illustration
from hepbuilder.illustrations import model as m
from hepbuilder.illustrations.world import place_scene
from tests.unit.test_illustrations_poses import FLAT_MM, axis_distance, drawing, entry, flex, scenes


def test_clamshell_keeps_the_feet_together_while_the_top_knee_opens_in_view():
    start, finish = scenes("clamshell")
    for scene in (start, finish):
        points = scene.body.points
        assert math.dist(points["ankle_near"], points["ankle_far"]) < 110  # feet together
    assert math.dist(start.body.points["ankle_near"], finish.body.points["ankle_near"]) < 40
    lift = finish.body.points["knee_near"][1] - start.body.points["knee_near"][1]
    assert lift > 200  # the top knee opens upward, the pelvis stays put
    assert math.dist(start.body.points["hip_near"], finish.body.points["hip_near"]) < 5
    # seen from in front: on the page the knees part, they do not hide behind each other
    frame0, frame1 = drawing("clamshell").frames
    gap0 = frame0.joints["knee_near"][1] - frame0.joints["knee_far"][1]
    gap1 = frame1.joints["knee_near"][1] - frame1.joints["knee_far"][1]
    assert gap1 - gap0 > 150
    assert sum(s.name == "eye" for s in frame1.shapes) >= 1  # the face turned to us


def test_side_lying_hip_abduction_lifts_the_straight_top_leg_above_the_bent_bottom_one():
    start, finish = scenes("side-lying-hip-abduction")
    illustration = entry("side-lying-hip-abduction")["illustration"]
    for frame in illustration["frames"]:
        assert flex(frame["joints"]["knee_near"]) <= 5  # the top leg straight
        assert flex(frame["joints"]["knee_far"]) >= 60  # the bottom knee bent for balance
        assert flex(frame["joints"]["hip_near"]) <= 0  # in line with the body or a little back
    lift = finish.body.points["ankle_near"][1] - start.body.points["ankle_near"][1]
    assert 250 < lift < 500  # about a foot, not a high kick
    assert math.dist(start.body.points["hip_near"], finish.body.points["hip_near"]) < 5
    (arrow,) = illustration["arrows"]
    assert arrow["at"] == "ankle_near" and arrow["vector_mm"][1] > 0


def test_single_leg_balance_stands_on_one_flat_foot_with_the_other_foot_clear_and_hips_level():
    (scene,) = scenes("single-leg-balance")
    body = scene.body
    assert checks.foot_on(scene, "near", 0.0) < FLAT_MM
    lifted = min(body.points["heel_far"][1], body.points["toe_far"][1]) - m.LIMB_RADII_MM["foot"][1]
    assert lifted > 100  # clearly off the floor
    assert abs(body.points["hip_near"][1] - body.points["hip_far"][1]) < 10  # pelvis level
    cues = " ".join(entry("single-leg-balance")["cues"]).lower()
    assert "close your eyes" in cues and "soft" in cues  # the progressions


def test_standing_march_lifts_one_knee_toward_hip_height_on_a_flat_standing_foot():
    start, finish = scenes("standing-march")
    for side in ("near", "far"):
        assert checks.foot_on(start, side, 0.0) < FLAT_MM  # standing on both feet
    assert checks.foot_on(finish, "far", 0.0) < FLAT_MM
    points = finish.body.points
    assert points["knee_near"][1] > points["hip_near"][1] - 120  # the knee up near hip height
    assert points["knee_near"][0] > points["hip_near"][0] + 300  # in front of the body
    (arrow,) = entry("standing-march")["illustration"]["arrows"]
    assert arrow["at"] == "knee_near" and arrow["vector_mm"][1] > 0


def test_hip_hitch_stands_on_the_step_while_the_free_side_of_the_pelvis_rises():
    start, finish = scenes("hip-hitch")
    for scene in (start, finish):
        (step,) = [box for box in scene.boxes if box.role == "prop"]
        points = scene.body.points
        assert checks.foot_on(scene, "near", step.hi[1]) < FLAT_MM  # standing foot flat on it
        for point in ("heel_near", "toe_near"):
            assert step.lo[0] <= points[point][0] <= step.hi[0]
        # the free foot hangs beside the step, clear of its edge
        clear = step.lo[2] - (points["ankle_far"][2] + m.LIMB_RADII_MM["foot"][0])
        assert clear > 0
    drop, hitch = start.body.points, finish.body.points
    assert hitch["hip_far"][1] - drop["hip_far"][1] > 40  # the free side of the pelvis rises
    assert abs(hitch["hip_near"][1] - drop["hip_near"][1]) < 5  # about the standing hip
    sole = m.LIMB_RADII_MM["foot"][0]
    assert drop["heel_far"][1] - sole < step.hi[1] < hitch["heel_far"][1] - sole
    (arrow,) = entry("hip-hitch")["illustration"]["arrows"]
    assert arrow["at"] == "hip_far" and arrow["vector_mm"][1] > 0


def test_heel_slides_keep_the_heel_on_the_floor_as_it_slides_toward_the_buttock():
    start, finish = scenes("heel-slides")
    for scene in (start, finish):
        heel = scene.body.points["heel_near"][1] - m.LIMB_RADII_MM["foot"][0]
        assert abs(heel) < m.CONTACT_TOLERANCE_MM  # the heel stays on the floor
    slid = start.body.points["heel_near"][0] - finish.body.points["heel_near"][0]
    assert slid > 350  # toward the buttock
    assert finish.body.points["knee_near"][1] > start.body.points["knee_near"][1] + 250
    assert math.dist(start.body.points["ankle_far"], finish.body.points["ankle_far"]) < 5
    (arrow,) = entry("heel-slides")["illustration"]["arrows"]
    assert arrow["at"] == "heel_near" and arrow["vector_mm"][0] < 0  # toward the head


def test_butterfly_stretch_sits_with_the_soles_together_and_both_knees_out():
    (scene,) = scenes("butterfly-stretch")
    points = scene.body.points
    assert math.dist(points["ankle_near"], points["ankle_far"]) < 200  # feet together
    for side, sign in (("near", 1), ("far", -1)):
        assert checks.foot_on(scene, side, 0.0) < FLAT_MM  # the feet rest on the mat
        assert sign * (points[f"knee_{side}"][2] - points[f"hip_{side}"][2]) > 250  # knee out
        assert points[f"ankle_{side}"][0] > points["pelvis"][0] + 200  # feet in front
        assert math.dist(points[f"hand_{side}"], points[f"toe_{side}"]) < 150  # holding them
    gaps = {part: gap for part, _, gap in scene.contacts}
    assert abs(gaps["buttock_near"]) < 5 and abs(gaps["buttock_far"]) < 5  # sitting


def test_seated_hamstring_stretch_leans_forward_over_a_straight_leg_with_the_heel_down():
    illustration = entry("seated-hamstring-stretch")["illustration"]
    frame = illustration["frames"][0]
    assert flex(frame["joints"]["knee_near"]) <= 10  # the stretched leg straight
    assert frame["pelvis"]["lean_deg"] >= 15  # leaning forward from the hips ...
    assert abs(flex(frame["joints"].get("spine", 0))) <= 10  # ... with the back straight
    (scene,) = scenes("seated-hamstring-stretch")
    points = scene.body.points
    heel = points["heel_near"][1] - m.LIMB_RADII_MM["foot"][0]
    assert abs(heel) < m.CONTACT_TOLERANCE_MM  # the heel on the floor
    assert points["toe_near"][1] > points["heel_near"][1] + 100  # toes pointing up
    assert checks.foot_on(scene, "far", 0.0) < FLAT_MM  # the other foot flat
    gaps = {part: gap for part, _, gap in scene.contacts}
    assert abs(gaps["buttock_near"]) < 5  # sitting on the chair


def test_quadruped_hip_extension_lifts_the_bent_knee_until_the_thigh_is_level_with_the_back():
    start, finish = scenes("quadruped-hip-extension")
    for scene in (start, finish):
        gaps = {part: gap for part, _, gap in scene.contacts}
        for part in ("hand_near", "hand_far", "knee_far"):
            assert abs(gaps[part]) < m.CONTACT_TOLERANCE_MM  # on hands and knees
        points = scene.body.points
        for side in ("near", "far"):  # hands under the shoulders
            hand, shoulder = points[f"hand_{side}"], points[f"shoulder_{side}"]
            assert abs(hand[0] - shoulder[0]) < 120
    hip, knee = finish.body.points["hip_near"], finish.body.points["knee_near"]
    assert knee[0] < hip[0] - 350  # the thigh reaches back ...
    assert abs(knee[1] - hip[1]) < 120  # ... level with the back, not higher
    assert (
        flex(entry("quadruped-hip-extension")["illustration"]["frames"][1]["joints"]["knee_near"])
        >= 70
    )
    assert finish.body.points["ankle_near"][1] > knee[1] + 300  # the sole toward the ceiling


def test_standing_hip_abduction_moves_the_straight_leg_out_against_the_ankle_band():
    illustration = entry("standing-hip-abduction-band")["illustration"]
    assert {"kind": "band", "around": "ankles"} in illustration["props"]
    start, finish = scenes("standing-hip-abduction-band")
    for scene in (start, finish):
        assert checks.foot_on(scene, "far", 0.0) < FLAT_MM  # the standing foot flat
        points = scene.body.points
        assert abs(points["head"][2] - points["pelvis"][2]) < 30  # the body upright
    out = finish.body.points["ankle_near"][2] - start.body.points["ankle_near"][2]
    assert out > 250  # the leg moves out to the side
    assert flex(illustration["frames"][1]["joints"]["knee_near"]) <= 5  # kept straight
    (band,) = finish.bands
    assert math.dist(band.start, band.end) > math.dist(
        start.bands[0].start, start.bands[0].end
    )  # stretched
    (arrow,) = illustration["arrows"]
    frame0, frame1 = drawing("standing-hip-abduction-band").frames
    moved = frame1.joints["ankle_near"][0] - frame0.joints["ankle_near"][0]
    assert arrow["at"] == "ankle_near" and arrow["vector_mm"][0] * moved > 0


def test_single_leg_romanian_deadlift_tips_the_straight_back_and_back_leg_over_one_flat_foot():
    illustration = entry("single-leg-romanian-deadlift")["illustration"]
    start, finish = scenes("single-leg-romanian-deadlift")
    for scene in (start, finish):
        assert checks.foot_on(scene, "near", 0.0) < FLAT_MM  # on one flat foot
        far = scene.body.points
        assert min(far["heel_far"][1], far["toe_far"][1]) > 40  # the other foot off the floor
    joints = illustration["frames"][1]["joints"]
    assert 10 <= flex(joints["knee_near"]) <= 30  # the standing knee a little bent
    assert flex(joints["knee_far"]) <= 10 and abs(flex(joints["hip_far"])) <= 10  # leg in line
    assert abs(flex(joints.get("spine", 0))) <= 5  # the back straight
    points = finish.body.points
    assert points["head"][1] < start.body.points["head"][1] - 400  # tipped well forward
    assert points["ankle_far"][1] > points["knee_near"][1]  # the back leg reaches up behind


def test_seated_glute_stretch_rests_the_ankle_on_the_other_knee_with_the_crossed_knee_out():
    (scene,) = scenes("seated-glute-stretch")
    body = scene.body
    points = body.points
    resting = m.LIMB_RADII_MM["thigh"][1] + m.LIMB_RADII_MM["shin"][1]
    assert axis_distance(points["ankle_near"], body.limbs["thigh_far"]) < resting + 40
    assert math.dist(points["ankle_near"], points["knee_far"]) < 180  # near the knee
    assert points["knee_near"][2] > points["hip_near"][2] + 150  # the crossed knee turned out
    assert checks.foot_on(scene, "far", 0.0) < FLAT_MM  # the other foot flat
    gaps = {part: gap for part, _, gap in scene.contacts}
    assert abs(gaps["buttock_near"]) < 5 and abs(gaps["buttock_far"]) < 5  # sitting
    assert entry("seated-glute-stretch")["illustration"]["frames"][0]["pelvis"]["lean_deg"] >= 15
    assert math.dist(points["hand_near"], points["knee_near"]) < 150  # a hand on the crossed leg


def test_standing_tfl_stretch_crosses_the_leg_behind_and_pushes_that_hip_out():
    (scene,) = scenes("standing-tfl-stretch")
    points = scene.body.points
    for side in ("near", "far"):
        assert checks.foot_on(scene, side, 0.0) < FLAT_MM  # both feet flat
    assert points["ankle_near"][2] < points["ankle_far"][2]  # crossed over ...
    assert points["ankle_near"][0] < points["ankle_far"][0] - 100  # ... behind the other foot
    feet = (points["ankle_near"][2] + points["ankle_far"][2]) / 2
    assert points["pelvis"][2] - feet > 120  # the hip pushed out to the stretching side
    assert points["head"][2] < points["pelvis"][2] - 150  # the body leans the other way
    assert points["hand_near"][1] > points["head"][1]  # that arm reaches over the head
    precautions = " ".join(entry("standing-tfl-stretch")["precautions"]).lower()
    assert "outer side of the hip" in precautions and "not for" in precautions


def test_supine_hamstring_stretch_raises_the_straight_leg_with_a_strap_over_its_sole():
    illustration = entry("supine-hamstring-stretch-strap")["illustration"]
    assert {"kind": "strap", "around": "foot_near"} in illustration["props"]
    joints = illustration["frames"][0]["joints"]
    assert flex(joints["knee_near"]) <= 10 and flex(joints["hip_near"]) >= 60  # straight, raised
    (scene,) = scenes("supine-hamstring-stretch-strap")
    body = scene.body
    assert len(scene.bands) == 2  # one strand from each hand
    for strand, hand in zip(scene.bands, ("near", "far"), strict=True):
        assert math.dist(strand.start, body.points[f"hand_{hand}"]) < 1
        assert axis_distance(strand.end, body.limbs["foot_near"]) < m.LIMB_RADII_MM["foot"][0] + 5
    heel = body.points["heel_far"][1] - m.LIMB_RADII_MM["foot"][0]
    assert abs(heel) < m.CONTACT_TOLERANCE_MM  # the other leg flat on the floor


def test_strap_prop_names_the_foot_it_loops_over():
    illustration = entry("supine-hamstring-stretch-strap")["illustration"]
    broken = {**illustration, "props": [{"kind": "mat"}, {"kind": "strap"}]}
    with pytest.raises(ValidationError) as raised:
        validate_illustration(broken)
    assert "props[1].around" in raised.value.fields


def test_narrow_step_leaves_room_for_a_foot_beside_it():
    frame = entry("hip-hitch")["illustration"]["frames"][0]
    wide, narrow = (
        place_scene(frame, [{"kind": "step", "height_mm": 250, **extra}])
        for extra in ({}, {"width_mm": 250})
    )
    (wide_box,), (narrow_box,) = ([b for b in s.boxes if b.role == "prop"] for s in (wide, narrow))
    assert wide_box.hi[2] - wide_box.lo[2] == 600  # the default, as before
    assert narrow_box.hi[2] - narrow_box.lo[2] == 250


def test_copenhagen_plank_holds_a_straight_body_between_the_forearm_and_the_knee_on_the_seat():
    illustration = entry("copenhagen-plank-short-lever")["illustration"]
    contacts = illustration["frames"][0]["contacts"]
    assert {"part": "forearm_far", "surface": "floor"} in contacts
    (on_seat,) = [c for c in contacts if c["surface"] == "chair"]
    assert on_seat["part"] == "shin_near" and on_seat["along"] <= 0.35  # short lever: the knee
    (scene,) = scenes("copenhagen-plank-short-lever")
    points = scene.body.points
    gaps = {part: gap for part, _, gap in scene.contacts}
    assert abs(gaps["forearm_far"]) < m.CONTACT_TOLERANCE_MM
    assert abs(gaps["shin_near"]) < m.CONTACT_TOLERANCE_MM
    assert checks.horizontal_offset(points["elbow_far"], points["shoulder_far"]) < 60
    # the hips lifted in line: the pelvis on the line from the shoulder to the top knee
    shoulder, knee, pelvis = points["shoulder_far"], points["knee_near"], points["pelvis"]
    assert axis_distance(pelvis, (shoulder, knee, 0, 0)) < 220  # the trunk's own half width
    assert pelvis[1] > 400  # well off the floor
    low = min(points["heel_far"][1], points["toe_far"][1]) - m.LIMB_RADII_MM["foot"][0]
    assert low > 50  # the bottom leg hangs free under the seat
