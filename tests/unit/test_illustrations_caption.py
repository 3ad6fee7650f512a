"""The caption under a picture names the side it shows and what its arrows mean."""

from hepbuilder.illustrations import illustration_caption

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


def test_caption_for_a_stretch_felt_in_the_other_leg_names_both_sides():
    warrior = {"frames": [{}], "highlight": ["thigh_far"]}
    assert illustration_caption(warrior, "left") == "Shown: left side, stretch in the right leg."


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
