"""The caption under a picture names the side it shows and what its arrows mean."""

from hepbuilder.illustrations import illustration_caption, side_to_draw

LEG = {"frames": [{}], "highlight": ["thigh_near", "shin_near"], "arrows": [{"at": "knee_near"}]}


def test_caption_names_the_right_leg_and_the_arrow():
    assert illustration_caption(LEG, "right") == "Shown: right leg. Arrow: direction of movement."


def test_caption_for_left_only_names_the_left_leg_the_mirror_shows():
    assert illustration_caption(LEG, "left").startswith("Shown: left leg.")


def test_caption_for_each_side_says_the_other_side_follows():
    assert illustration_caption(LEG, "each").startswith(
        "Shown: right leg (then the same with the left)."
    )


def test_caption_names_both_limbs_when_both_sides_are_highlighted():
    both = {"frames": [{}], "highlight": ["thigh_near", "thigh_far"]}
    assert illustration_caption(both, "none") == "Shown: both legs."


def test_caption_for_a_dose_with_no_side_names_no_side():
    # A bridge is done with both legs; the side view colours the near one.
    bridge = {"frames": [{}], "highlight": ["buttock_near", "thigh_near"]}
    assert illustration_caption(bridge, "none") == "Shown: the working buttock and leg."
    warrior = {"frames": [{}], "highlight": ["thigh_far"]}
    assert illustration_caption(warrior, "none") == "Shown: stretch in the leg."


def test_caption_for_a_stretch_felt_in_the_far_leg_names_the_dose_side():
    warrior = {"frames": [{}], "highlight": ["thigh_far"]}
    assert illustration_caption(warrior, "left") == "Shown: stretch in the left leg."
    assert illustration_caption(warrior, "each") == (
        "Shown: stretch in the left leg (then the same with the right)."
    )


def test_side_to_draw_mirrors_a_far_limb_pose_the_other_way_round():
    warrior = {"frames": [{}], "highlight": ["thigh_far"]}
    lunge = {"frames": [{}], "highlight": ["thigh_near"]}
    assert side_to_draw(warrior, "right") == "left" and side_to_draw(warrior, "each") == "each"
    assert side_to_draw(lunge, "left") == "left"


def test_caption_explains_a_double_arrow():
    roller = {
        "frames": [{}],
        "highlight": ["buttock_near"],
        "arrows": [{"at": "pelvis", "heads": 2}],
    }
    assert illustration_caption(roller, "right") == (
        "Shown: right buttock. Double arrow: move back and forth."
    )


def test_caption_is_empty_for_an_image_or_no_illustration():
    assert illustration_caption({"image": "images/step-up.png"}, "right") == ""
    assert illustration_caption(None, "each") == ""


def test_caption_names_arms():
    arm = {"frames": [{}], "highlight": ["upper_arm_near", "forearm_near"]}
    assert illustration_caption(arm, "right") == "Shown: right arm."
