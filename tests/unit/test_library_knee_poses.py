"""The knee and lower-leg pictures of the core library (#17) each show their key element,
checked from the geometry, not by eye.

World millimetres: x forward as the pose is written, y up, z toward the working (near, right)
side. The generic checks every picture passes are in test_illustrations_poses.py.
"""

import math

from hepbuilder.illustrations import checks
from hepbuilder.illustrations import model as m
from tests.unit.test_illustrations_poses import FLAT_MM, entry, flex, heading, scenes


def frame_joints(slug: str) -> list[dict]:
    return [frame["joints"] for frame in entry(slug)["illustration"]["frames"]]


def test_straight_leg_raise_lifts_a_locked_knee_level_with_the_bent_one():
    start, finish = scenes("straight-leg-raise")
    for joints in frame_joints("straight-leg-raise"):
        assert flex(joints["knee_near"]) == 0  # the lifted knee stays straight
        assert flex(joints["knee_far"]) >= 90  # the other knee bent
    for scene in (start, finish):
        assert checks.foot_on(scene, "far", 0.0) < FLAT_MM  # its foot flat
    assert start.body.points["heel_near"][1] < 80  # the leg starts on the floor
    near, far = finish.body.points["knee_near"], finish.body.points["knee_far"]
    assert abs(near[1] - far[1]) < 60  # lifted until the knees are level


def test_quad_set_presses_the_knee_straight_onto_a_towel_roll_under_it():
    relaxed, tight = scenes("quad-sets")
    relaxed_joints, tight_joints = frame_joints("quad-sets")
    for scene in (relaxed, tight):
        knee = scene.body.points["knee_near"]
        assert checks.prop_under(scene, knee) < 40  # the roll under the knee, not the calf
    assert flex(relaxed_joints["knee_near"]) > 5 and flex(tight_joints["knee_near"]) == 0
    assert tight.body.points["heel_near"][1] > relaxed.body.points["heel_near"][1] + 60
    (arrow,) = entry("quad-sets")["illustration"]["arrows"]
    assert arrow["at"] == "knee_near" and arrow["vector_mm"][1] < 0  # pressed down


def test_short_arc_quad_straightens_the_knee_over_a_roll_with_the_thigh_still():
    start, finish = scenes("short-arc-quad")
    start_joints, finish_joints = frame_joints("short-arc-quad")
    for scene in (start, finish):
        assert checks.prop_under(scene, scene.body.points["knee_near"]) < 50
    heel_radius = m.LIMB_RADII_MM["foot"][0]
    assert start.body.points["heel_near"][1] - heel_radius < FLAT_MM  # the heel starts down
    assert flex(start_joints["knee_near"]) >= 30 and flex(finish_joints["knee_near"]) == 0
    assert finish.body.points["heel_near"][1] > start.body.points["heel_near"][1] + 150
    assert math.dist(start.body.points["knee_near"], finish.body.points["knee_near"]) < 5


def test_seated_knee_extension_lifts_the_foot_to_a_straight_knee_from_the_seat():
    start, finish = scenes("seated-knee-extension")
    for scene in (start, finish):
        gaps = {part: gap for part, _, gap in scene.contacts}
        assert abs(gaps["pelvis"]) < m.CONTACT_TOLERANCE_MM  # sitting on the chair
        assert checks.foot_on(scene, "far", 0.0) < FLAT_MM
    assert checks.foot_on(start, "near", 0.0) < FLAT_MM  # both feet flat to start
    assert flex(frame_joints("seated-knee-extension")[1]["knee_near"]) == 0
    knee, ankle = finish.body.points["knee_near"], finish.body.points["ankle_near"]
    assert ankle[1] > knee[1] - 120  # the foot lifted to about knee height
    assert math.dist(start.body.points["knee_near"], knee) < 5  # the thigh stays on the seat


def test_mini_squat_sends_the_hips_back_with_heels_down_and_knees_over_the_toes():
    start, finish = scenes("mini-squat")
    for scene in (start, finish):
        for side in ("near", "far"):
            assert checks.foot_on(scene, side, 0.0) < FLAT_MM  # heels down
    points = finish.body.points
    for side in ("near", "far"):
        knee = flex(frame_joints("mini-squat")[1][f"knee_{side}"])
        assert 30 <= knee <= 70  # a partial squat, not a deep one
        assert points[f"heel_{side}"][0] < points[f"knee_{side}"][0] <= points[f"toe_{side}"][0]
        assert abs(points[f"knee_{side}"][2] - points[f"ankle_{side}"][2]) < 30  # not inward
    assert points["pelvis"][0] < points["heel_near"][0]  # the hips pushed back


def the_step(scene):
    (step,) = [box for box in scene.boxes if box.role == "prop"]
    return step


def whole_foot_on(scene, side: str, step) -> bool:
    points = scene.body.points
    on = all(
        step.lo[0] + 20 <= points[f"{p}_{side}"][0] <= step.hi[0] - 20 for p in ("heel", "toe")
    )
    return on and checks.foot_on(scene, side, step.hi[1]) < FLAT_MM


def test_forward_step_down_keeps_the_whole_foot_on_the_step_and_the_knee_over_the_toes():
    start, finish = scenes("forward-step-down")
    for scene in (start, finish):
        assert whole_foot_on(scene, "near", the_step(scene))
        assert scene.body.points["heel_far"][0] > the_step(scene).hi[0]  # hangs off the front
    points = finish.body.points
    step = the_step(finish)
    assert points["heel_far"][1] - m.LIMB_RADII_MM["foot"][0] < FLAT_MM  # heel touches down
    assert points["pelvis"][1] < start.body.points["pelvis"][1] - 150  # lowered on the knee
    assert abs(points["knee_near"][0] - points["toe_near"][0]) < 110  # over the toes
    assert abs(points["knee_near"][2] - points["ankle_near"][2]) < 30  # not falling inward
    assert points["knee_near"][0] < step.hi[0] + 120


def calf_stretch_stance(slug: str):
    """The shared wall stance of the two calf stretches: hands on the wall, the back foot
    flat with its toes toward the wall, behind the front foot; returns the joints."""
    (scene,) = scenes(slug)
    gaps = {part: gap for part, _, gap in scene.contacts}
    for side in ("near", "far"):
        assert abs(gaps[f"hand_{side}"]) < m.CONTACT_TOLERANCE_MM  # both hands on the wall
        assert checks.foot_on(scene, side, 0.0) < FLAT_MM  # the back heel down too
    assert heading(scene.body, "near")[0] > 0.95  # back toes point at the wall
    assert scene.body.points["heel_near"][0] < scene.body.points["heel_far"][0] - 300
    (joints,) = frame_joints(slug)
    assert flex(joints["ankle_near"]) >= 20  # the back ankle bent up: the calf stretched
    return joints


def test_standing_calf_stretch_keeps_the_back_heel_down_and_the_back_knee_straight():
    joints = calf_stretch_stance("standing-calf-stretch")
    assert flex(joints["knee_near"]) == 0  # straight: the gastrocnemius
    assert flex(joints["knee_far"]) >= 20


def test_soleus_stretch_keeps_the_back_heel_down_with_the_back_knee_bent():
    joints = calf_stretch_stance("soleus-stretch")
    assert flex(joints["knee_near"]) >= 20  # bent: the soleus


def rises_onto_the_toes(slug: str, sides: tuple[str, ...]):
    """Start flat, finish with the heel high and the ball of the foot still down, knees straight."""
    start, finish = scenes(slug)
    toe_radius = m.LIMB_RADII_MM["foot"][1]
    for side in sides:
        assert checks.foot_on(start, side, 0.0) < FLAT_MM
        assert finish.body.points[f"toe_{side}"][1] - toe_radius < FLAT_MM
        assert finish.body.points[f"heel_{side}"][1] > start.body.points[f"heel_{side}"][1] + 100
        for joints in frame_joints(slug):
            assert flex(joints.get(f"knee_{side}", 0)) == 0
    return start, finish


def test_calf_raise_lifts_both_heels_high_with_the_knees_straight():
    rises_onto_the_toes("calf-raise", ("near", "far"))


def test_single_leg_calf_raise_lifts_one_heel_with_the_other_foot_off_the_floor():
    for scene in rises_onto_the_toes("single-leg-calf-raise", ("near",)):
        heel, toe = scene.body.points["heel_far"], scene.body.points["toe_far"]
        assert min(heel[1], toe[1]) > 150  # the other foot held up behind
        assert heel[0] < scene.body.points["heel_near"][0]


def test_spanish_squat_holds_the_shins_upright_against_a_band_anchored_in_front():
    props = entry("spanish-squat")["illustration"]["props"]
    (band,) = [p for p in props if p["kind"] == "band"]
    assert band["post_at_mm"][0] >= 400  # the anchor in front of the knees
    start, hold = scenes("spanish-squat")
    for scene in (start, hold):
        (post,) = [box for box in scene.boxes if box.role == "post"]
        points = scene.body.points
        assert post.lo[0] > points["toe_near"][0] + 150  # in front, beyond the toes
        for side in ("near", "far"):
            assert checks.foot_on(scene, side, 0.0) < FLAT_MM
    points = hold.body.points
    for side in ("near", "far"):
        assert flex(frame_joints("spanish-squat")[1][f"knee_{side}"]) >= 60
        assert abs(points[f"knee_{side}"][0] - points[f"ankle_{side}"][0]) < 40  # shins upright
    assert points["pelvis"][0] < points["heel_near"][0] - 200  # sitting back into the band


def test_terminal_knee_extension_pushes_the_knee_straight_back_against_a_band_from_in_front():
    illustration = entry("terminal-knee-extension-band")["illustration"]
    (band,) = [p for p in illustration["props"] if p["kind"] == "band"]
    assert band["around"] == "thigh_near" and band["post_at_mm"][0] >= 400  # anchored in front
    start, finish = scenes("terminal-knee-extension-band")
    start_joints, finish_joints = frame_joints("terminal-knee-extension-band")
    assert flex(start_joints["knee_near"]) >= 20 and flex(finish_joints["knee_near"]) == 0
    for scene in (start, finish):
        assert checks.foot_on(scene, "near", 0.0) < FLAT_MM  # the heel stays down
    assert finish.body.points["knee_near"][0] < start.body.points["knee_near"][0] - 80
    (arrow,) = illustration["arrows"]
    assert arrow["at"] == "knee_near" and arrow["vector_mm"][0] < 0  # back, away from the post


def test_lateral_step_down_lowers_the_heel_beside_the_step_with_the_knee_over_the_foot():
    start, finish = scenes("lateral-step-down")
    for scene in (start, finish):
        step = the_step(scene)
        assert whole_foot_on(scene, "near", step)
        heel = scene.body.points["heel_far"]
        assert heel[0] > step.hi[0] and step.lo[2] < heel[2] < step.hi[2]  # beside, not in front
    points = finish.body.points
    assert points["heel_far"][1] - m.LIMB_RADII_MM["foot"][0] < FLAT_MM  # the heel touches
    assert points["pelvis"][1] < start.body.points["pelvis"][1] - 100
    # the figure stands side-on (turned 90 degrees): sideways is x, so the knee over the foot
    # means the same x as the ankle while the knee travels forward over the toes
    assert abs(points["knee_near"][0] - points["ankle_near"][0]) < 30
    assert points["knee_near"][2] > points["ankle_near"][2] + 150


def test_reverse_lunge_steps_back_onto_the_ball_of_the_foot_with_the_front_knee_over_the_ankle():
    start, finish = scenes("reverse-lunge")
    for side in ("near", "far"):
        assert checks.foot_on(start, side, 0.0) < FLAT_MM  # standing on both feet
    points = finish.body.points
    assert checks.foot_on(finish, "near", 0.0) < FLAT_MM  # the front heel flat
    assert abs(points["knee_near"][0] - points["ankle_near"][0]) < 80
    assert points["toe_far"][1] - m.LIMB_RADII_MM["foot"][1] < FLAT_MM  # the ball of the foot
    assert points["heel_far"][1] > 100  # ... with the back heel up
    assert points["ankle_far"][0] < points["ankle_near"][0] - 500  # a big step back
    assert points["knee_far"][1] - m.LIMB_RADII_MM["thigh"][1] < 200  # the back knee low


def test_standing_hamstring_curl_lifts_the_heel_behind_with_the_thigh_pointing_down():
    start, finish = scenes("standing-hamstring-curl")
    for scene in (start, finish):
        assert checks.foot_on(scene, "far", 0.0) < FLAT_MM
        gaps = {part: gap for part, _, gap in scene.contacts}
        assert abs(gaps["hand_near"]) < m.CONTACT_TOLERANCE_MM  # holding the wall
    points = finish.body.points
    assert flex(frame_joints("standing-hamstring-curl")[1]["knee_near"]) >= 80
    assert abs(points["knee_near"][0] - points["hip_near"][0]) < 40  # the thigh straight down
    assert abs(points["knee_near"][0] - points["knee_far"][0]) < 40  # knees side by side
    assert points["ankle_near"][0] < points["knee_near"][0] - 300  # the heel up behind


def test_ankle_pumps_point_both_feet_up_then_down_with_the_heels_resting():
    up, down = scenes("ankle-pumps")
    up_joints, down_joints = frame_joints("ankle-pumps")
    heel_radius = m.LIMB_RADII_MM["foot"][0]
    for side in ("near", "far"):
        assert flex(up_joints[f"ankle_{side}"]) >= 10 and flex(down_joints[f"ankle_{side}"]) <= -30
        assert flex(up_joints.get(f"knee_{side}", 0)) == 0  # legs out straight
        assert up.body.points[f"toe_{side}"][1] > down.body.points[f"toe_{side}"][1] + 100
        for scene in (up, down):
            assert scene.body.points[f"heel_{side}"][1] - heel_radius < FLAT_MM  # heels down


def test_lateral_lunge_steps_wide_with_the_knee_over_a_forward_foot_and_the_other_leg_straight():
    start, finish = scenes("lateral-lunge")
    for scene in (start, finish):
        for side in ("near", "far"):
            assert checks.foot_on(scene, side, 0.0) < FLAT_MM  # both feet flat
            # pointing forward, or a little out: within 20 degrees of straight ahead
            forward, _ = heading(scene.body, side)
            assert forward > math.cos(math.radians(20))
    points, before = finish.body.points, start.body.points
    assert points["ankle_near"][2] > before["ankle_near"][2] + 450  # a wide step to the side
    assert math.dist(points["ankle_far"], before["ankle_far"]) < 60  # the other foot stays put
    # the bent knee over the foot on the floor plan: in line with the foot (the second toe)
    heel, toe, knee = points["heel_near"], points["toe_near"], points["knee_near"]
    ux, uz = heading(finish.body, "near")
    across = -uz * (knee[0] - heel[0]) + ux * (knee[2] - heel[2])
    along = ux * (knee[0] - heel[0]) + uz * (knee[2] - heel[2])
    assert abs(across) < 40 and 0 < along < math.dist(heel, toe) + 40
    joints = frame_joints("lateral-lunge")[1]
    assert flex(joints["knee_near"]) >= 60
    assert flex(joints.get("knee_far", 0)) <= 5  # the other knee straight
    assert points["pelvis"][0] < points["ankle_near"][0] - 150  # the hips sit back
    assert points["pelvis"][1] < before["pelvis"][1] - 150
