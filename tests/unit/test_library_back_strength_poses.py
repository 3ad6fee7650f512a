"""The low back and trunk strength exercises (issue #17) show their key element, checked from the geometry.

World millimetres: x forward as the pose is written, y up, z toward the working (near, right)
side. The checks every picture passes are in test_illustrations_poses.py.
"""

import math

import pytest

from hepbuilder.domain.errors import ValidationError
from hepbuilder.illustrations import checks, validate_illustration
from hepbuilder.illustrations import model as m
from hepbuilder.illustrations.kinematics import lerp
from tests.unit.test_illustrations_poses import FLAT_MM, entry, scenes


def line_distance(point, a, b) -> float:
    """Distance from a point to the straight line through a and b, in the side view (x, y)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    return abs(dx * (point[1] - a[1]) - dy * (point[0] - a[0])) / math.hypot(dx, dy)


def gap(scene, part: str) -> float:
    return next(g for p, _, g in scene.contacts if p == part)


def off_body_line(scene, end: str) -> float:
    """How far the pelvis is from the straight line from the base of the neck to the middle of
    both knees or both ankles (`end`), in 3D: a plank's straight body has it near zero."""
    points = scene.body.points
    middle = lerp(points[f"{end}_near"], points[f"{end}_far"], 0.5)
    return checks.closest_points(points["pelvis"], points["pelvis"], points["neck_base"], middle)[0]


def test_glute_bridge_lifts_the_hips_in_line_with_knees_and_shoulders():
    start, top = scenes("glute-bridge")
    points = top.body.points
    assert line_distance(points["hip_near"], points["shoulder_near"], points["knee_near"]) < 30
    assert points["hip_near"][1] > start.body.points["hip_near"][1] + 120  # the hips go up
    for scene in (start, top):
        for side in ("near", "far"):
            assert checks.foot_on(scene, side, 0.0) < FLAT_MM  # feet flat throughout
        assert abs(gap(scene, "torso")) < m.CONTACT_TOLERANCE_MM  # shoulders stay down
    (arrow,) = entry("glute-bridge")["illustration"]["arrows"]
    assert arrow["at"] == "pelvis" and arrow["vector_mm"][1] > 0


def test_single_leg_bridge_lifts_on_one_foot_with_the_other_leg_straight_in_line():
    start, top = scenes("single-leg-bridge")
    points = top.body.points
    assert line_distance(points["hip_near"], points["shoulder_near"], points["knee_near"]) < 30
    # the lifted leg straight and in line with the body, thighs level
    assert line_distance(points["ankle_far"], points["shoulder_far"], points["hip_far"]) < 30
    assert abs(points["knee_far"][1] - points["knee_near"][1]) < 30
    assert points["hip_near"][1] > start.body.points["hip_near"][1] + 120
    for scene in (start, top):
        assert checks.foot_on(scene, "near", 0.0) < FLAT_MM  # the working foot stays flat
        assert scene.body.points["heel_far"][1] > 300  # the other foot is off the floor


def test_bird_dog_reaches_the_opposite_arm_and_leg_level_with_a_still_back():
    start, reach = scenes("bird-dog")
    points = reach.body.points
    # opposite limbs: the near (right) leg back and the far (left) arm forward, both level
    assert abs(points["ankle_near"][1] - points["hip_near"][1]) < 60
    assert points["ankle_near"][0] < points["hip_near"][0] - 700  # straight back
    assert abs(points["wrist_far"][1] - points["shoulder_far"][1]) < 60
    assert points["wrist_far"][0] > points["shoulder_far"][0] + 450  # straight forward
    # the other hand and knee stay on the floor, and the back does not move
    assert abs(gap(reach, "hand_near")) < m.CONTACT_TOLERANCE_MM
    assert abs(gap(reach, "knee_far")) < m.CONTACT_TOLERANCE_MM
    for joint in ("hip_near", "shoulder_near", "neck_base"):
        assert math.dist(points[joint], start.body.points[joint]) < 30


def test_side_plank_on_the_knees_lifts_the_hips_into_a_straight_line_over_the_elbow():
    start, plank = scenes("side-plank-knees")
    assert off_body_line(plank, "knee") < 25  # head, hips and knees in a line
    assert off_body_line(start, "knee") > 80  # the hips start down
    assert plank.body.points["pelvis"][1] > start.body.points["pelvis"][1] + 100
    points = plank.body.points
    assert checks.horizontal_offset(points["elbow_near"], points["shoulder_near"]) < 60
    for part in ("elbow_near", "knee_near"):
        assert abs(gap(plank, part)) < m.CONTACT_TOLERANCE_MM
    knee = entry("side-plank-knees")["illustration"]["frames"][1]["joints"]["knee_near"]
    assert knee >= 60  # on the knees, feet behind


def test_side_plank_holds_head_hips_and_feet_in_one_line_on_the_forearm():
    start, plank = scenes("side-plank")
    assert off_body_line(plank, "ankle") < 25  # head, hips and feet in a line
    assert off_body_line(start, "ankle") > 80  # the hips start down
    assert plank.body.points["pelvis"][1] > start.body.points["pelvis"][1] + 150
    points = plank.body.points
    assert checks.horizontal_offset(points["elbow_near"], points["shoulder_near"]) < 60
    for part in ("elbow_near", "foot_near"):
        assert abs(gap(plank, part)) < m.CONTACT_TOLERANCE_MM
    joints = entry("side-plank")["illustration"]["frames"][1]["joints"]
    assert joints["knee_near"] == 0 and joints["knee_far"] == 0  # legs straight


def test_hip_hinge_keeps_the_stick_on_head_upper_back_and_sacrum_while_the_hips_go_back():
    start, hinge = scenes("hip-hinge-stick")
    for scene in (start, hinge):
        (stick,) = scene.sticks
        for point in ("head", "upper_back", "sacrum"):
            touch = stick.touches[point]
            distance, _, _ = checks.closest_points(touch, touch, stick.top, stick.bottom)
            assert abs(distance - m.STICK_RADIUS_MM) < 12, point  # resting on it, not through
        for side in ("near", "far"):
            assert checks.foot_on(scene, side, 0.0) < FLAT_MM

    def hips_behind_heels(scene):
        return scene.body.points["heel_near"][0] - scene.body.points["pelvis"][0]

    assert hips_behind_heels(hinge) > hips_behind_heels(start) + 150  # the hips push back
    frames = entry("hip-hinge-stick")["illustration"]["frames"]
    assert frames[1]["pelvis"]["lean_deg"] >= 40  # the chest goes forward from the hips
    assert 10 <= frames[1]["joints"]["knee_near"] <= 35  # soft knees, not a squat


def test_wall_sit_keeps_the_back_on_the_wall_and_the_knees_behind_the_toes():
    start, hold = scenes("wall-sit")
    for scene in (start, hold):
        assert abs(gap(scene, "torso")) < m.CONTACT_TOLERANCE_MM  # back on the wall
        for side in ("near", "far"):
            assert checks.foot_on(scene, side, 0.0) < FLAT_MM
    points = hold.body.points
    facing = -1.0  # turned with the back to the wall: the toes point toward -x
    for side in ("near", "far"):
        knee, toe, ankle = points[f"knee_{side}"], points[f"toe_{side}"], points[f"ankle_{side}"]
        assert (toe[0] - knee[0]) * facing > 100  # the knee stays well behind the toes
        assert abs(knee[0] - ankle[0]) < 80  # over the ankle
    assert points["pelvis"][1] < start.body.points["pelvis"][1] - 200  # slid down the wall
    assert points["pelvis"][1] > points["knee_near"][1]  # no lower than thighs level


def test_sit_to_stand_rises_from_the_chair_over_feet_that_stay_put():
    seated, standing = scenes("sit-to-stand")
    assert abs(gap(seated, "pelvis")) < m.CONTACT_TOLERANCE_MM  # sitting on the seat
    assert standing.placed["chair"] == seated.placed["chair"]  # the same chair, behind
    for side in ("near", "far"):
        for scene in (seated, standing):
            assert checks.foot_on(scene, side, 0.0) < FLAT_MM
        heel0, heel1 = seated.body.points[f"heel_{side}"], standing.body.points[f"heel_{side}"]
        assert math.dist(heel0, heel1) < 20  # the feet do not move
    start = seated.body.points
    assert start["ankle_near"][0] < start["knee_near"][0]  # feet a little behind the knees
    assert start["head"][0] > start["pelvis"][0] + 150  # leaning forward, nose toward the toes
    seat_front = max(box.hi[0] for box in seated.placed["chair"])
    top = standing.body.points
    assert top["pelvis"][1] > start["pelvis"][1] + 300 and top["pelvis"][0] > seat_front


def test_thread_the_needle_slides_the_arm_under_past_the_other_hand_and_lowers_the_head():
    start, threaded = scenes("thread-the-needle")
    points = threaded.body.points
    across = [points["hip_far"][i] - points["hip_near"][i] for i in range(3)]  # toward far side
    length = math.sqrt(sum(c * c for c in across))

    def toward_far_side(point):
        return sum(point[i] * across[i] for i in range(3)) / length

    # the working hand reaches under the chest and out past the hand that stays down
    assert toward_far_side(points["hand_near"]) > toward_far_side(points["hand_far"]) + 150
    for joint in ("elbow_near", "wrist_near"):
        assert points[joint][1] < 130  # the arm lies along the floor
    for part in ("hand_far", "knee_near", "knee_far"):
        assert abs(gap(threaded, part)) < m.CONTACT_TOLERANCE_MM
    assert points["head"][1] < start.body.points["head"][1] - 250  # shoulder and head come down
    knees = lerp(points["knee_near"], points["knee_far"], 0.5)
    assert checks.horizontal_offset(points["pelvis"], knees) < 150  # hips stay over the knees


def test_validator_keeps_the_chair_from_the_frame_before_but_refuses_one_nobody_used():
    illustration = entry("sit-to-stand")["illustration"]
    validate_illustration(illustration)  # the standing frame keeps the chair it rose from
    standing_only = {**illustration, "frames": illustration["frames"][1:]}
    with pytest.raises(ValidationError) as raised:
        validate_illustration(standing_only)
    assert "nothing rests on the chair" in raised.value.fields["props[0]"]
