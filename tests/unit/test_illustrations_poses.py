"""Each bundled picture shows what makes its exercise right, checked from the geometry, not by eye.

World millimetres: x forward as the pose is written, y up, z toward the working (near, right)
side. Screen millimetres (build_illustration): x to the right of the drawing, y up.
"""

import math

import pytest

from hepbuilder.illustrations import build_illustration, checks
from hepbuilder.illustrations import model as m
from hepbuilder.illustrations.compose import _inside, _on_curve, hidden_share
from hepbuilder.illustrations.kinematics import lerp
from hepbuilder.illustrations.world import place_frames
from hepbuilder.paths import LIBRARY_DIR
from tests.library_files import read_library_file

EXERCISE_FILES = sorted((LIBRARY_DIR / "exercises").glob("*.yaml"))
FLAT_MM = 25.0  # a foot is flat on a surface when heel and toe are both this close to it
FRAMES_DIFFER_MM = 100.0


def entry(slug: str) -> dict:
    return read_library_file(LIBRARY_DIR / "exercises" / f"{slug}.yaml")


def scenes(slug: str) -> list:
    return place_frames(entry(slug)["illustration"])


def drawing(slug: str):
    return build_illustration(entry(slug)["illustration"], "right")


def axis_distance(point, limb) -> float:
    """Distance from a point to a limb's axis (mm)."""
    start, end, _, _ = limb
    distance, _, _ = checks.closest_points(point, point, start, end)
    return distance


def flex(value) -> float:
    """A joint's main angle, written bare or as {flex_deg: ...}."""
    return float(value["flex_deg"] if isinstance(value, dict) else value)


def arrow_points(frame, samples: int = 8) -> list[tuple[float, float]]:
    """Points along every arrow a drawn frame holds, shaft and heads (screen mm)."""
    points = []
    for shape in frame.shapes:
        if shape.name != "arrow":
            continue
        here = start = None
        for op in shape.path:
            if op[0] == "M":
                here = start = op[1:3]
                points.append(here)
                continue
            end = start if op[0] == "Z" else op[-2:]
            if op[0] == "C":
                (x1, y1), (x2, y2) = op[1:3], op[3:5]
            else:
                (x1, y1), (x2, y2) = here, end
            for k in range(1, samples + 1):
                t = k / samples
                a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t**3
                points.append(
                    (
                        a * here[0] + b * x1 + c * x2 + d * end[0],
                        a * here[1] + b * y1 + c * y2 + d * end[1],
                    )
                )
            here = end
    return points


def arrow_clearance(frame, limb: str) -> float:
    """How far (screen mm) a frame's arrows stay from a drawn limb's outline: negative when an
    arrow lies over the limb."""
    (x0, y0), (x1, y1) = frame.limbs[limb]
    r0, r1 = m.LIMB_RADII_MM[limb.rsplit("_", 1)[0]]
    worst = math.inf
    for point in arrow_points(frame):
        distance, s, _ = checks.closest_points(
            (*point, 0.0), (*point, 0.0), (x0, y0, 0.0), (x1, y1, 0.0)
        )
        worst = min(worst, distance - (r0 + (r1 - r0) * s))
    return worst


def arrow_over(frame, parts) -> float:
    """The share (0 to 1) of a frame's arrow points that lie over the drawn parts named."""
    outlines = [_on_curve(shape.path) for shape in frame.shapes if shape.name in parts]
    points = arrow_points(frame)
    return sum(any(_inside(p, o, 0.0) for o in outlines) for p in points) / len(points)


def arrow_over_body(frame) -> float:
    """The share of a frame's arrow points over the drawn body (trunk, head, a limb or a
    buttock patch): an arrow over the figure competes with it, and over a part in the
    highlight colour it all but disappears."""
    return arrow_over(frame, set(m.SEGMENTS) | {"buttock_near", "buttock_far"})


def heading(body, side: str) -> tuple[float, float]:
    """A foot's direction on the floor plan (x, z), as a unit vector."""
    heel, toe = body.points[f"heel_{side}"], body.points[f"toe_{side}"]
    dx, dz = toe[0] - heel[0], toe[2] - heel[2]
    length = math.hypot(dx, dz)
    return dx / length, dz / length


# ---------------------------------------------------------------- what every picture gets


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_picture_has_a_visible_face_in_every_frame(path):
    for index, frame in enumerate(drawing(path.stem).frames):
        head = frame.joints["head"]
        eyes = [s for s in frame.shapes if s.name == "eye"]
        noses = [s for s in frame.shapes if s.name == "nose"]
        assert eyes or noses, f"frame {index} shows no face: front and back unclear"
        for nose in noses:  # drawn behind the head: its tip must stick out of it
            tip = max(math.dist(head, op[1:3]) for op in nose.path if op[0] != "Z")
            assert tip > 1.2 * m.HEAD_RADIUS_MM, index


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_picture_feet_are_drawn_long_enough_to_show_their_direction(path):
    foot_mm = math.dist(m.HEEL_MM, m.TOE_MM)
    for index, frame in enumerate(drawing(path.stem).frames):
        for side in ("near", "far"):
            heel, toe = frame.joints[f"heel_{side}"], frame.joints[f"toe_{side}"]
            assert math.dist(heel, toe) >= 0.35 * foot_mm, (index, side)


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_picture_of_a_moving_exercise_shows_start_and_finish_apart(path):
    data = entry(path.stem)
    frames = scenes(path.stem)
    arrows = data["illustration"].get("arrows") or ()
    rolled = data["category"] in ("soft-tissue", "mobility") and any(
        a.get("heads") == 2 for a in arrows
    )  # rolling or rocking back and forth over a few centimetres (a roller, a pelvic tilt):
    # one frame and a double arrow, since two frames a few centimetres apart look the same
    held = data["category"] == "stability" and data["defaults"].get("hold_seconds") and not arrows
    # a contraction held and repeated with nothing moving (abdominal bracing): one frame, no arrow
    if data["defaults"].get("reps") and not rolled and not held:
        assert len(frames) >= 2, "the exercise moves: draw where it starts and where it ends"
    for before, after in zip(frames, frames[1:], strict=False):
        assert checks.frames_differ(before, after) > FRAMES_DIFFER_MM


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_picture_has_no_limb_through_another_or_into_the_trunk(path):
    for index, scene in enumerate(scenes(path.stem)):
        assert checks.limb_collisions(scene.body) == [], index
        assert checks.torso_intrusions(scene.body) == [], index


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_picture_arrows_stay_off_the_highlighted_parts(path):
    """In the highlight's colour (the arrow is a shade darker) an arrow over it all but vanishes:
    pelvic tilt's, seated glute stretch's and active 90/90's did."""
    illustration = entry(path.stem)["illustration"]
    highlight = set(illustration.get("highlight", ()))
    frames = drawing(path.stem).frames
    for index in sorted({arrow["frame"] for arrow in illustration.get("arrows", ())}):
        assert arrow_over(frames[index], highlight) == 0, index


def drawn_arrows_mm(slug: str) -> list[float]:
    """How long (screen mm, tail to tip) each arrow is drawn in the picture an "each side" card
    prints, read from the drawn shapes: a stroked shaft, then its filled heads; the two points
    farthest apart among the shaft's ends and the heads' corners are the tail and the tip (or
    the two tips)."""
    from hepbuilder.domain.exercise import drawn_for_side
    from hepbuilder.library.loader import load_library

    drawn = drawn_for_side(load_library().exercises[slug], "each")
    lengths = []
    for frame in build_illustration(drawn.illustration, "right").frames:
        arrows = []
        for shape in frame.shapes:
            if shape.name != "arrow":
                continue
            if shape.stroke:  # a shaft: its two ends
                arrows.append([shape.path[0][1:3], shape.path[-1][-2:]])
            else:  # a head: its corners
                arrows[-1].extend(op[1:3] for op in shape.path if op[0] in "ML")
        for points in arrows:
            lengths.append(max(math.dist(a, b) for a in points for b in points))
    return lengths


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_picture_arrows_print_long_enough_to_see(path):
    """A standing figure prints about 40 mm tall, so an arrow drawn to look right on the contact
    sheet printed 4 or 5 mm long on the card, its head about all there was of it."""
    from hepbuilder.library.loader import load_library
    from hepbuilder.pdf.printed_sizes import ARROW_LEAST_PRINTED_MM, printed_arrow_lengths_mm

    printed = printed_arrow_lengths_mm(load_library().exercises[path.stem])
    drawn = drawn_arrows_mm(path.stem)
    assert len(printed) == len(drawn)
    if drawn:  # what the card prints is what is drawn, at one scale for the whole picture
        ratios = [length / arrow for length, arrow in zip(printed, drawn, strict=True)]
        assert max(ratios) - min(ratios) < 1e-6 * max(ratios)
    for length in printed:
        assert length >= ARROW_LEAST_PRINTED_MM, round(length, 1)


# ---------------------------------------------------------------- one test per exercise


def test_active_90_90_turns_from_one_side_through_knees_up_to_the_other():
    start, up, other = scenes("active-90-90")
    # the front leg changes: the near knee leads at the start, the far knee on the other side
    assert start.body.points["knee_near"][0] > start.body.points["knee_far"][0] + 200
    assert other.body.points["knee_far"][0] > other.body.points["knee_near"][0] + 200
    for side in ("near", "far"):
        assert checks.foot_on(up, side, 0.0) < FLAT_MM  # both knees up, feet flat
        assert up.body.points[f"knee_{side}"][1] > 350
    illustration = entry("active-90-90")["illustration"]
    assert illustration["camera"]["pitch_deg"] >= 20  # the mat seen as a floor, not a wall
    # the arrows: knees up from the start, then down to the side the last frame shows
    first, middle, last = drawing("active-90-90").frames
    lift = next(a for a in illustration["arrows"] if a["frame"] == 0)
    assert lift["vector_mm"][1] > 2 * abs(lift["vector_mm"][0])
    down = next(a for a in illustration["arrows"] if a["frame"] == 1)

    def knees_x(frame) -> float:
        return (frame.joints["knee_near"][0] + frame.joints["knee_far"][0]) / 2

    assert down["vector_mm"][1] < 0
    assert down["vector_mm"][0] * (knees_x(last) - knees_x(middle)) > 0
    for frame in (first, middle, last):  # both legs show in every frame
        for part in ("thigh_near", "shin_near", "thigh_far", "shin_far"):
            if frame is middle and part == "thigh_near":
                continue  # seen end on, the upright front thigh hides behind its own shin
            assert hidden_share(frame, part) <= 0.4, part


def test_figure_4_rests_the_ankle_on_the_other_knee_and_holds_that_thigh_from_behind():
    (scene,) = scenes("figure-4-stretch")
    body = scene.body
    thigh = body.limbs["thigh_far"]
    resting = m.LIMB_RADII_MM["thigh"][1] + m.LIMB_RADII_MM["shin"][1]
    # the crossed ankle lies on the lower thigh (touching, not sunk in), by its knee
    assert abs(axis_distance(body.points["ankle_near"], thigh) - resting) < 20
    assert math.dist(body.points["ankle_near"], body.points["knee_far"]) < 130
    # the crossed foot reaches past the outside of the lower thigh: the shin lies across it
    assert body.points["toe_near"][2] < body.points["knee_far"][2]
    # the crossed knee turned out, well out to its own side, not tipped toward the head
    assert body.points["knee_near"][2] > body.points["hip_near"][2] + 200
    assert body.points["knee_near"][0] > body.points["hip_near"][0] - 100
    # the ankle rests on the front of the lower thigh, both hands hold its back: on the
    # opposite side of the thigh's axis (in the body's side plane), close to it
    hip, knee = body.points["hip_far"], body.points["knee_far"]
    along = (knee[0] - hip[0], knee[1] - hip[1])

    def side_of_thigh(point) -> float:
        return along[0] * (point[1] - hip[1]) - along[1] * (point[0] - hip[0])

    front = side_of_thigh(body.points["ankle_near"])
    for side in ("near", "far"):
        hand = body.points[f"hand_{side}"]
        distance, _, at = checks.closest_points(hand, hand, thigh[0], thigh[1])
        assert distance < 130 and 0.3 < at < 0.9, side  # on the thigh, not the shin or hip
        assert side_of_thigh(hand) * front < 0, side
    frame = drawing("figure-4-stretch").frames[0]
    for part in ("hand_near", "hand_far"):  # and the viewer sees both, apart
        assert hidden_share(frame, part) < 0.2, part
    assert math.dist(frame.joints["hand_near"], frame.joints["hand_far"]) > 50
    assert hidden_share(frame, "thigh_far") < 0.4  # the lower thigh shows, not only the 4
    assert hidden_share(frame, "thigh_near") < 0.2 and hidden_share(frame, "shin_near") < 0.3
    # seen from the feet and the crossed leg's side: the "4" is drawn flat, the crossed
    # knee to the head's side of the lower knee on the drawing, the head clear of it
    joints = frame.joints
    assert joints["knee_near"][0] < joints["knee_far"][0] - 200
    clear = m.HEAD_RADIUS_MM + m.LIMB_RADII_MM["thigh"][1] + 30  # a gap between their outlines
    assert math.dist(joints["knee_near"], joints["head"]) > clear
    (arrow,) = entry("figure-4-stretch")["illustration"]["arrows"]
    assert arrow["at"] == "knee_far"
    toward_head = joints["head"][0] - joints["knee_far"][0]
    assert arrow["vector_mm"][0] * toward_head > 0


def test_hip_internal_rotation_drops_only_the_working_knee_toward_the_midline():
    start, stretch = scenes("hip-internal-rotator-stretch")
    for scene in (start, stretch):
        width = scene.body.points["ankle_near"][2] - scene.body.points["ankle_far"][2]
        assert width > 2 * m.HIP_HALF_WIDTH_MM + 150  # feet wider than the hips
        for side in ("near", "far"):
            assert checks.foot_on(scene, side, 0.0) < FLAT_MM  # feet flat where they were
    near0, near1 = start.body.points["knee_near"], stretch.body.points["knee_near"]
    assert abs(near1[2]) < abs(near0[2]) - 150 and near1[1] < near0[1] - 60
    assert math.dist(start.body.points["knee_far"], stretch.body.points["knee_far"]) < 5
    assert math.dist(start.body.points["ankle_near"], stretch.body.points["ankle_near"]) < 40
    # the hip turns in (the foot out wide, the knee in), bent less than 60 degrees, where the
    # piriformis turns the thigh out and so is stretched by turning it in
    illustration = entry("hip-internal-rotator-stretch")["illustration"]
    hip = illustration["frames"][1]["joints"]["hip_near"]
    assert hip["rotate_deg"] <= -30 and hip["flex_deg"] < 60
    # seen from the feet: the knees stand up from the hips at the start, and the working knee
    # falls across the picture (from the side it would fall away from the viewer, unseen)
    assert illustration["view"] == "front" and abs(illustration["camera"]["yaw_deg"]) <= 15
    frame0, frame1 = drawing("hip-internal-rotator-stretch").frames
    for side in ("near", "far"):
        assert frame0.joints[f"knee_{side}"][1] > frame0.joints[f"hip_{side}"][1] + 100
    moved = frame1.joints["knee_near"][0] - frame0.joints["knee_near"][0]
    assert abs(moved) > 200
    for frame in (frame0, frame1):  # the shin that shows the turn, and its foot, in view
        assert hidden_share(frame, "shin_near") <= 0.2 and hidden_share(frame, "foot_near") <= 0.2
    (arrow,) = illustration["arrows"]
    assert arrow["frame"] == 1 and arrow["at"] == "knee_near" and arrow["bend_deg"]
    assert arrow["vector_mm"][0] * moved > 0  # along the knee's way in


def test_monster_walk_steps_with_footprints_and_never_narrows_below_hip_width():
    illustration = entry("monster-walk")["illustration"]
    assert illustration["footprints"] is True
    assert {"kind": "band", "around": "knees"} in illustration["props"]
    frames = scenes("monster-walk")
    assert len(frames) == 3
    for scene in frames:
        body = scene.body
        assert body.points["ankle_near"][2] - body.points["ankle_far"][2] > 2 * m.HIP_HALF_WIDTH_MM
        for side in ("near", "far"):
            assert checks.foot_on(scene, side, 0.0) < FLAT_MM
            knee = illustration["frames"][frames.index(scene)]["joints"][f"knee_{side}"]
            assert flex(knee) >= 30  # a slight squat
    pelvis = [scene.body.points["pelvis"] for scene in frames]
    assert checks.horizontal_offset(pelvis[0], pelvis[2]) > 300  # it travels
    drawn = drawing("monster-walk").frames
    assert [sum(s.name == "footprint" for s in f.shapes) for f in drawn] == [0, 1, 2]
    assert all(sum(s.name == "eye" for s in f.shapes) == 2 for f in drawn)  # facing us


def test_banded_lunge_band_pulls_the_front_knee_inward_and_the_arrow_pushes_it_out():
    illustration = entry("banded-lunge")["illustration"]
    assert illustration["camera"]["yaw_deg"] >= 45  # front three-quarter, not a side view
    for scene in scenes("banded-lunge"):
        (post,) = [box for box in scene.boxes if box.role == "post"]
        knee = scene.body.points["knee_near"]
        assert (post.lo[2] + post.hi[2]) / 2 < knee[2] - 300  # anchored on the inside
    (arrow,) = illustration["arrows"]
    finish = drawing("banded-lunge").frames[arrow["frame"]]
    assert arrow["at"] == "knee_near"
    band_end = finish.joints["knee_near"][0]
    post_x = max(
        s for shape in finish.shapes if shape.name == "prop:post" for s in shape.path[0][1::2]
    )
    assert arrow["vector_mm"][0] * (post_x - band_end) < 0  # away from the post
    # and it shows at print size: long, in the open between the knee and the post at the
    # knee's height, over no part of the body (the thigh it acts on is the highlight colour)
    assert math.hypot(*arrow["vector_mm"]) >= 300
    for limb in m.LIMBS:
        assert arrow_clearance(finish, limb) > 40, limb
    knee = finish.joints["knee_near"]
    points = arrow_points(finish)
    assert all(abs(y - knee[1]) < 150 for _, y in points)
    assert all(band_end < x < post_x for x, _ in points)
    band = [op[1:3] for shape in finish.shapes if shape.name == "band" for op in shape.path]
    assert min(math.dist(p, b) for p in points for b in band) > 40  # the band shows too


def test_foam_roller_outer_hip_sits_on_the_roller_propped_with_the_top_foot_planted():
    illustration = entry("foam-roller-lateral-hip")["illustration"]
    assert "thigh_near" in illustration["highlight"]
    (scene,) = scenes("foam-roller-lateral-hip")
    contact = illustration["frames"][0]["contacts"][0]
    assert contact["part"] == "thigh_near" and contact["along"] <= 0.25  # the outer hip
    body = scene.body
    point = lerp(body.limbs["thigh_near"][0], body.limbs["thigh_near"][1], contact["along"])
    assert checks.prop_under(scene, point) < 25
    gaps = {part: gap for part, _, gap in scene.contacts}
    assert abs(gaps["forearm_near"]) < m.CONTACT_TOLERANCE_MM
    elbow, shoulder = body.points["elbow_near"], body.points["shoulder_near"]
    assert checks.horizontal_offset(elbow, shoulder) < 120  # propped: elbow under the shoulder
    assert checks.foot_on(scene, "far", 0.0) < FLAT_MM
    # the top foot planted in front of the bottom leg: forward of the bottom leg's axis
    # where it crosses the foot's place along the body
    foot = body.points["ankle_far"]
    leg = [
        lerp(*body.limbs[limb][:2], t / 10)
        for limb in ("thigh_near", "shin_near")
        for t in range(11)
    ]
    beside = min(leg, key=lambda p: abs(p[2] - foot[2]))
    assert foot[0] > beside[0] + 60
    assert any(a.get("heads") == 2 for a in illustration["arrows"])  # roll up and back
    # the bottom leg shows beyond the crossed top leg, the roller under it
    (frame,) = drawing("foam-roller-lateral-hip").frames
    assert hidden_share(frame, "thigh_near") <= 0.3
    for part in ("shin_near", "foot_near", "forearm_near", "foot_far"):
        assert hidden_share(frame, part) <= 0.4, part


def test_massage_ball_sits_under_one_highlighted_buttock_with_feet_flat():
    illustration = entry("massage-ball-glute-release")["illustration"]
    assert illustration["highlight"] == ["buttock_near"]
    (scene,) = scenes("massage-ball-glute-release")
    (ball,) = scene.balls
    body = scene.body
    assert checks.horizontal_offset(ball.centre, body.points["buttock_near"]) < 30
    sacrum_line = body.points["pelvis"]
    assert ball.centre[2] - sacrum_line[2] > 50  # off the spine, on the working side
    for side in ("near", "far"):
        assert checks.foot_on(scene, side, 0.0) < FLAT_MM


def test_step_up_puts_the_whole_foot_on_the_step_and_the_arrow_on_that_leg():
    illustration = entry("step-up")["illustration"]
    for scene in scenes("step-up"):
        (step,) = [box for box in scene.boxes if box.role == "prop"]
        body = scene.body
        for point in ("heel_near", "toe_near"):
            assert step.lo[0] + 20 <= body.points[point][0] <= step.hi[0] - 20
        assert checks.foot_on(scene, "near", step.hi[1]) < FLAT_MM
    first = next(a for a in illustration["arrows"] if a["frame"] == 0)
    assert first["at"].endswith("_near") and first["vector_mm"][1] > 0


def test_couch_stretch_rests_only_the_top_of_the_foot_on_the_seat():
    (scene,) = scenes("couch-stretch")
    # the seat: the thin board (the backrest is the other plain box)
    seat = min((b for b in scene.boxes if b.role == "prop"), key=lambda b: b.hi[1] - b.lo[1])
    body = scene.body
    front_edge = seat.hi[0]
    assert abs(body.points["ankle_near"][0] - front_edge) < 70  # the ankle at the edge
    assert body.points["knee_near"][1] < seat.hi[1] - 100  # the shin hangs off the seat
    assert seat.lo[0] <= body.points["toe_near"][0] <= seat.hi[0]


def test_pigeon_back_leg_is_straight_behind_with_hips_square():
    illustration = entry("pigeon-stretch")["illustration"]
    frame = illustration["frames"][0]
    assert frame["pelvis"].get("turn_deg", 0) == 0 and frame["pelvis"].get("roll_deg", 0) == 0
    assert flex(frame["joints"]["knee_far"]) <= 15
    (scene,) = scenes("pigeon-stretch")
    points = scene.body.points
    for joint in ("knee_far", "ankle_far"):
        assert abs(points[joint][2] - points["hip_far"][2]) < 40
    assert points["ankle_far"][0] < points["hip_far"][0] - 600


def test_pigeon_front_shin_lies_across_the_body_in_full_view_with_the_trunk_upright():
    """What a patient copies (steps 2 to 4): the front knee forward and out to its own side,
    bent about a right angle, the shin across the floor to the outside of the other hip, the
    back leg long behind, sitting up tall on hands on the floor in front of the hips. And the
    picture must show it: the front leg unhidden, no arm over the front knee."""
    illustration = entry("pigeon-stretch")["illustration"]
    joints = illustration["frames"][0]["joints"]
    assert 85 <= flex(joints["knee_near"]) <= 110
    (scene,) = scenes("pigeon-stretch")
    points = scene.body.points
    hip, knee, ankle = points["hip_near"], points["knee_near"], points["ankle_near"]
    assert knee[0] > hip[0] + 250 and knee[2] > hip[2] + 120  # forward, out to the side
    assert ankle[2] < points["hip_far"][2]  # past the other hip
    assert abs(ankle[2] - knee[2]) > 2 * abs(ankle[0] - knee[0])  # across, not forward
    assert abs(points["neck_base"][0] - points["pelvis"][0]) < 150  # sitting up tall
    gaps = {part: gap for part, _, gap in scene.contacts}
    for side in ("near", "far"):  # on the floor in front of the hips, behind the front shin
        hand = points[f"hand_{side}"]
        assert abs(gaps[f"hand_{side}"]) < m.CONTACT_TOLERANCE_MM
        assert points["pelvis"][0] < hand[0] < ankle[0] - 100
    (frame,) = drawing("pigeon-stretch").frames
    assert hidden_share(frame, "thigh_near") <= 0.1
    assert hidden_share(frame, "shin_near") <= 0.3 and hidden_share(frame, "foot_near") <= 0.3
    assert math.dist(*frame.limbs["shin_near"]) > 0.5 * m.SHIN_MM  # seen across, not end on
    knee_2d = (*frame.joints["knee_near"], 0.0)
    for part in ("upper_arm_near", "forearm_near", "hand_near"):  # no arm over the knee
        (a, b) = frame.limbs[part]
        distance, _, _ = checks.closest_points(knee_2d, knee_2d, (*a, 0.0), (*b, 0.0))
        assert distance > m.LIMB_RADII_MM["thigh"][1] + m.LIMB_RADII_MM["upper_arm"][0], part
    # the arrow (step 4: let the hips sink) points down, long enough to see, over no limb
    (arrow,) = illustration["arrows"]
    assert arrow["at"] == "pelvis" and arrow["vector_mm"][1] <= -200
    for limb in m.LIMBS:
        assert arrow_clearance(frame, limb) > 30, limb


def test_reverse_warrior_bends_the_knee_over_the_turned_out_foot():
    start, finish = scenes("reverse-warrior-adductor-stretch")
    for scene in (start, finish):
        assert abs(heading(scene.body, "near")[1]) > 0.85  # front foot points out to the side
        assert heading(scene.body, "far")[0] > 0.85  # back foot points forward
        for side in ("near", "far"):
            assert checks.foot_on(scene, side, 0.0) < FLAT_MM
    knee, ankle = finish.body.points["knee_near"], finish.body.points["ankle_near"]
    assert checks.horizontal_offset(knee, ankle) < 90


def test_foam_roller_front_of_thigh_rolls_from_knee_to_hip_with_both_legs_shown():
    illustration = entry("foam-roller-quads")["illustration"]
    starts = [f["contacts"][0]["along"] for f in illustration["frames"]]
    assert starts[0] >= 0.7 and starts[-1] <= 0.2  # above the knee, then at the hip
    for scene in scenes("foam-roller-quads"):
        (roller,) = scene.cylinders
        for side in ("near", "far"):
            a, b, _, _ = scene.body.limbs[f"thigh_{side}"]
            closest = min(
                (lerp(a, b, t / 20) for t in range(21)), key=lambda p: checks.prop_under(scene, p)
            )
            assert checks.prop_under(scene, closest) < 25
    for frame in drawing("foam-roller-quads").frames:
        near = lerp(*frame.limbs["thigh_near"], 0.5)
        far = lerp(*frame.limbs["thigh_far"], 0.5)
        assert math.dist(near, far) > m.LIMB_RADII_MM["thigh"][1]  # the other leg is visible


def test_psoas_lunge_keeps_the_front_knee_over_the_heel_and_the_back_knee_down():
    for scene in scenes("psoas-lunge-stretch"):
        points = scene.body.points
        assert checks.horizontal_offset(points["knee_far"], points["heel_far"]) < 90
        gaps = {part: gap for part, _, gap in scene.contacts}
        assert abs(gaps["knee_near"]) < m.CONTACT_TOLERANCE_MM
        assert checks.foot_on(scene, "far", 0.0) < FLAT_MM
    illustration = entry("psoas-lunge-stretch")["illustration"]
    assert {"kind": "mat"} in illustration["props"]  # the knee down on a mat, as the steps say
    # the tuck-and-shift cue: an arrow behind the pelvis pushing it forward, towards the front foot
    (shift,) = [a for a in illustration["arrows"] if a["at"] == "pelvis"]
    start = drawing("psoas-lunge-stretch").frames[shift["frame"]]
    forward = start.joints["ankle_far"][0] - start.joints["pelvis"][0]
    assert shift["vector_mm"][0] * forward > 0 and shift["offset_mm"][0] * forward < 0


def test_psoas_lunge_shows_the_open_back_hip_from_the_side_and_the_lean_from_the_front():
    illustration = entry("psoas-lunge-stretch")["illustration"]
    first, lean = illustration["frames"]
    # the lunge seen from the side: the back hip's angle is in the picture
    assert illustration["view"] == "side" and abs(illustration["camera"]["yaw_deg"]) <= 15
    assert first["pelvis"].get("turn_deg", 0) == 0
    assert first["pelvis"]["lean_deg"] < 0  # pelvis tucked under (tipped back)
    start, finish = scenes("psoas-lunge-stretch")
    points = start.body.points
    assert points["knee_near"][0] < points["hip_near"][0] - 80  # back knee behind the hip
    assert abs(points["neck_base"][0] - points["pelvis"][0]) < 60  # trunk upright
    frame0, frame1 = drawing("psoas-lunge-stretch").frames
    assert hidden_share(frame0, "thigh_near") <= 0.1  # the stretched thigh in full view
    # the side bend seen face on (from the side it cannot show; from three-quarters it reads
    # as a lean forward): towards the front leg, the back leg's arm up over the head
    assert sum(s.name == "eye" for s in frame1.shapes) == 2
    pelvis, head = frame1.joints["pelvis"], frame1.joints["head"]
    front_side = frame1.joints["knee_far"][0] - pelvis[0]
    assert (head[0] - pelvis[0]) * front_side > 0 and abs(head[0] - pelvis[0]) > 100
    assert frame1.joints["hand_near"][1] > head[1] + m.HEAD_RADIUS_MM
    assert finish.body.points["hand_near"][1] > finish.body.points["head"][1]
    (reach,) = [a for a in illustration["arrows"] if a["frame"] == 1]
    assert reach["at"] == "hand_near" and reach["vector_mm"][0] * front_side > 0


# Props a picture draws, and the equipment item the patient is told to fetch for each.
PROP_EQUIPMENT = {
    "foam-roller": "foam-roller",
    "towel-roll": "towel",
    "massage-ball": "massage-ball",
}


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_picture_draws_the_equipment_the_exercise_lists(path):
    """A roller drawn where the steps say a rolled towel (quad sets once did) sends a patient
    to buy the wrong thing, or leaves them unsure the picture is theirs."""
    exercise = read_library_file(path)
    drawn = {p["kind"] for p in exercise["illustration"].get("props", ())}
    for kind, item in PROP_EQUIPMENT.items():
        if kind in drawn:
            assert item in exercise["equipment"], (kind, exercise["equipment"])


def test_quad_sets_presses_the_knee_into_a_rolled_towel_not_a_roller():
    for scene in scenes("quad-sets"):
        (towel,) = scene.cylinders
        assert towel.kind == "towel-roll" and towel.radius * 2 <= 130
        knee = scene.body.points["knee_near"]
        assert checks.prop_under(scene, knee) < 60  # under the back of the knee


def test_towel_roll_is_drawn_in_towel_colours_with_its_layers_rolled_at_the_end():
    (frame, *_) = drawing("quad-sets").frames
    towel = [shape for shape in frame.shapes if shape.name == "prop:towel-roll"]
    assert {shape.fill for shape in towel} >= {"towel", "towel_end"}
    assert not any(shape.name == "prop:foam-roller" for shape in frame.shapes)
    (spiral,) = [shape for shape in towel if shape.fill is None]
    assert spiral.path[-1][0] != "Z" and len(spiral.path) > 12  # an open spiral, not a ring


def test_side_plank_props_on_the_forearm_with_the_elbow_under_the_shoulder():
    """The first step says "elbow under your shoulder": both frames must show it so."""
    for scene in scenes("side-plank"):
        body = scene.body
        assert (
            checks.horizontal_offset(body.points["elbow_near"], body.points["shoulder_near"]) < 40
        )
        gaps = {part: gap for part, _, gap in scene.contacts}
        assert abs(gaps["elbow_near"]) < m.CONTACT_TOLERANCE_MM


def test_hip_hitch_hangs_the_free_foot_beside_the_step_below_its_top_then_lifts_it_above():
    start, finish = scenes("hip-hitch")
    (step,) = [box for box in start.boxes if box.role == "prop"]
    foot_radius = m.LIMB_RADII_MM["foot"][0]
    for scene in (start, finish):
        body = scene.body
        # the standing foot flat on the step, the free one off its edge by more than a foot's width
        assert checks.foot_on(scene, "near", step.hi[1]) < FLAT_MM
        assert body.points["heel_far"][2] < step.lo[2] - 1.5 * foot_radius

    def sole(scene):
        heel_r, toe_r = m.LIMB_RADII_MM["foot"]
        points = scene.body.points
        return min(points["heel_far"][1] - heel_r, points["toe_far"][1] - toe_r)

    # dropped visibly below the step: a clinician read the 44 mm drawn before, seen from the
    # side of the step, as "barely below"
    assert sole(start) < step.hi[1] - 50
    assert sole(finish) > step.hi[1] + 15  # lifted a bit higher than the step
