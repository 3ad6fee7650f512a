"""The low back and trunk floor exercises (#17): each picture shows what makes the exercise right,
checked from the geometry.

World millimetres as in test_illustrations_poses: x forward as the pose is written (for a figure
lying on its back, from the head toward the feet), y up, z toward the working (near, right) side.
"""

import math

from hepbuilder.illustrations import checks
from hepbuilder.illustrations import model as m
from tests.unit.test_illustrations_poses import (
    FLAT_MM,
    arrow_clearance,
    arrow_over_body,
    axis_distance,
    drawing,
    entry,
    scenes,
)

GRIP_MM = 110.0  # a hand holding a limb: its tip this close to the limb's axis


def test_knee_to_chest_single_hugs_one_knee_with_both_hands_and_keeps_the_other_foot_down():
    start, hug = scenes("knee-to-chest-single")
    for side in ("near", "far"):
        assert checks.foot_on(start, side, 0.0) < FLAT_MM
    assert checks.foot_on(hug, "far", 0.0) < FLAT_MM
    points = hug.body.points
    # the knee drawn up past the hip toward the chest
    assert points["knee_near"][0] < points["hip_near"][0] - 100
    assert points["knee_near"][1] > points["hip_near"][1] + 250
    shin = hug.body.limbs["shin_near"]
    for side in ("near", "far"):
        hand = points[f"hand_{side}"]
        assert axis_distance(hand, shin) < GRIP_MM
        assert math.dist(hand, points["knee_near"]) < 0.4 * m.SHIN_MM  # just below the knee
    (arrow,) = entry("knee-to-chest-single")["illustration"]["arrows"]
    assert arrow["at"] == "knee_near" and arrow["vector_mm"][0] < 0  # toward the head


def test_knee_to_chest_double_hugs_both_knees_up_with_the_low_back_rounded():
    start, hug = scenes("knee-to-chest-double")
    for side in ("near", "far"):
        assert checks.foot_on(start, side, 0.0) < FLAT_MM
    points = hug.body.points
    for side in ("near", "far"):
        assert points[f"knee_{side}"][0] < points[f"hip_{side}"][0] - 100
        assert points[f"knee_{side}"][1] > points[f"hip_{side}"][1] + 250
        hand, shin = points[f"hand_{side}"], hug.body.limbs[f"shin_{side}"]
        assert axis_distance(hand, shin) < GRIP_MM
    frame = entry("knee-to-chest-double")["illustration"]["frames"][1]
    assert frame["joints"]["spine"] > 0  # the low back rounds (flexes), it does not arch
    gaps = {part: gap for part, _, gap in hug.contacts}
    assert abs(gaps["head"]) < m.CONTACT_TOLERANCE_MM  # the head stays down


def test_lower_trunk_rotation_rolls_both_knees_each_way_with_the_shoulders_flat():
    one_way, middle, other_way = scenes("lower-trunk-rotation")
    for side in ("near", "far"):
        assert checks.foot_on(middle, side, 0.0) < FLAT_MM
    for scene, sign in ((one_way, 1), (other_way, -1)):
        points = scene.body.points
        for side in ("near", "far"):  # both knees go the same way, together
            assert sign * (points[f"knee_{side}"][2] - middle.body.points[f"knee_{side}"][2]) > 100
        assert math.dist(points["knee_near"], points["knee_far"]) < 200
        assert abs(points["shoulder_near"][1] - points["shoulder_far"][1]) < 30
    # each arrow shows the knees' way on the open mat beside the legs: not over the trunk (in
    # the highlight colour it vanishes, and curled over the chest it reads as turning the
    # chest, which the steps keep flat) nor over an arm or a leg
    frames = drawing("lower-trunk-rotation").frames
    knees_x = [(f.joints["knee_near"][0] + f.joints["knee_far"][0]) / 2 for f in frames]
    arrows = entry("lower-trunk-rotation")["illustration"]["arrows"]
    assert sorted(a["frame"] for a in arrows) == [0, 2]
    for arrow in arrows:
        frame = frames[arrow["frame"]]  # (each frame draws its own arrow only)
        assert arrow_over_body(frame) == 0
        for limb in m.LIMBS:
            assert arrow_clearance(frame, limb) > 30, (arrow["frame"], limb)
        assert arrow["vector_mm"][0] * (knees_x[arrow["frame"]] - knees_x[1]) > 0
        assert math.hypot(*arrow["vector_mm"]) >= 300


def test_prone_press_up_straightens_the_arms_with_the_hips_left_on_the_floor():
    start, up = scenes("prone-press-up")
    frame = entry("prone-press-up")["illustration"]["frames"][1]
    for scene in (start, up):
        gaps = {part: gap for part, _, gap in scene.contacts}
        for part in ("pelvis", "hand_near", "hand_far"):
            assert abs(gaps[part]) < m.CONTACT_TOLERANCE_MM  # hips down, hands flat
    for side in ("near", "far"):
        assert frame["joints"][f"elbow_{side}"] <= 20  # the arms do the lifting, nearly straight
    assert frame["joints"]["spine"] <= -30  # the low back bends backwards
    rise = up.body.points["shoulder_near"][1] - start.body.points["shoulder_near"][1]
    assert rise > 200
    (arrow,) = entry("prone-press-up")["illustration"]["arrows"]
    assert arrow["frame"] == 1 and arrow["vector_mm"][1] > 0  # up


def test_sphinx_props_on_the_forearms_with_elbows_under_the_shoulders_and_hips_down():
    (scene,) = scenes("sphinx")
    gaps = {part: gap for part, _, gap in scene.contacts}
    for part in ("pelvis", "elbow_near", "elbow_far", "hand_near", "hand_far"):
        assert abs(gaps[part]) < m.CONTACT_TOLERANCE_MM  # hips down, forearms flat on the floor
    points = scene.body.points
    for side in ("near", "far"):
        assert abs(points[f"elbow_{side}"][0] - points[f"shoulder_{side}"][0]) < 80
    frame = entry("sphinx")["illustration"]["frames"][0]
    assert frame["joints"]["spine"] <= -20  # the low back eases backwards


def test_cat_camel_rounds_the_back_up_then_lets_it_sag_on_hands_and_knees():
    frames = entry("cat-camel")["illustration"]["frames"]
    round_up, sag_down = (frame["joints"]["spine"] for frame in frames)
    assert round_up >= 20 and sag_down <= -15  # flexes, then extends
    for scene in scenes("cat-camel"):
        gaps = {part: gap for part, _, gap in scene.contacts}
        for part in ("knee_near", "knee_far", "hand_near", "hand_far"):
            assert abs(gaps[part]) < m.CONTACT_TOLERANCE_MM  # on hands and knees
        points = scene.body.points
        for side in ("near", "far"):  # knees under the hips
            assert abs(points[f"knee_{side}"][0] - points[f"hip_{side}"][0]) < 120
    up, down = entry("cat-camel")["illustration"]["arrows"]
    assert up["vector_mm"][1] > 0 and down["vector_mm"][1] < 0


def test_childs_pose_sits_back_over_the_heels_with_arms_long_and_head_down():
    (scene,) = scenes("childs-pose")
    gaps = {part: gap for part, _, gap in scene.contacts}
    for part in ("shin_near", "shin_far", "hand_near", "hand_far", "head"):
        assert abs(gaps[part]) < m.CONTACT_TOLERANCE_MM
    points = scene.body.points
    assert abs(points["buttock_near"][0] - points["heel_near"][0]) < 150  # sitting back
    assert points["hand_near"][0] > points["head"][0] + 300  # arms reach out in front
    frame = entry("childs-pose")["illustration"]["frames"][0]
    assert frame["joints"]["spine"] > 0  # the back rounds


def test_dead_bug_lowers_one_arm_and_the_opposite_leg_from_the_table_top():
    start, reach = scenes("dead-bug")
    for scene in (start, reach):
        gaps = {part: gap for part, _, gap in scene.contacts}
        assert abs(gaps["torso"]) < m.CONTACT_TOLERANCE_MM  # the back stays down
    before, after = start.body.points, reach.body.points
    for side in ("near", "far"):  # table top: knees over the hips, arms up over the shoulders
        assert abs(before[f"knee_{side}"][0] - before[f"hip_{side}"][0]) < 60
        assert before[f"hand_{side}"][1] > before[f"shoulder_{side}"][1] + 450
    # the near leg stretches out low, the far arm reaches back past the head
    assert after["heel_near"][1] < before["heel_near"][1] - 100
    assert after["heel_near"][0] > before["heel_near"][0] + 300
    assert after["hand_far"][0] < after["head"][0]
    # the other arm and leg stay where they were
    for point in ("knee_far", "hand_near"):
        assert math.dist(before[point], after[point]) < 20
    assert "hold your breath" in " ".join(entry("dead-bug")["precautions"])


def test_pelvic_tilt_rocks_the_pelvis_in_crook_lying_with_a_double_arrow_at_the_pelvis():
    (scene,) = scenes("pelvic-tilt-lying")
    gaps = {part: gap for part, _, gap in scene.contacts}
    for part in ("torso", "head"):
        assert abs(gaps[part]) < m.CONTACT_TOLERANCE_MM
    for side in ("near", "far"):
        assert checks.foot_on(scene, side, 0.0) < FLAT_MM  # knees bent, feet flat
        assert scene.body.points[f"knee_{side}"][1] > 350
    (arrow,) = entry("pelvic-tilt-lying")["illustration"]["arrows"]
    assert arrow["at"] == "pelvis" and arrow["heads"] == 2 and arrow["bend_deg"]  # rock, curved
    steps = " ".join(entry("pelvic-tilt-lying")["steps"])
    assert "flat" in steps and "arch" in steps  # both ways of the rock are written out


def test_abdominal_bracing_rests_the_fingertips_on_the_lower_tummy_and_keeps_breathing():
    data = entry("abdominal-bracing")
    (scene,) = scenes("abdominal-bracing")
    points = scene.body.points
    for side in ("near", "far"):
        assert checks.foot_on(scene, side, 0.0) < FLAT_MM
        hand = points[f"hand_{side}"]
        # on the front of the tummy just above the pelvis, on its own side of the midline
        assert abs(hand[0] - points["pelvis"][0]) < 150
        assert hand[1] > points["pelvis"][1] + 90
        assert (hand[2] > 20) == (side == "near")
    assert not data["illustration"].get("arrows")  # a held brace: nothing moves
    assert "{hold}" in " ".join(data["steps"]) and "breath" in " ".join(data["steps"])
    assert any("hold your breath" in p for p in data["precautions"])
