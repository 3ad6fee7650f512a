"""The pose format's names in plain words (illustrations/words.py): every name the model has,
and a validator's field path, read as the pose editor shows them."""

from hepbuilder.illustrations import model
from hepbuilder.illustrations.words import PLAIN_WORDS, describe_problems, field_words


def test_every_joint_part_point_and_movement_has_words_without_underscores():
    names = {*model.JOINTS, *model.CONTACT_PARTS, *model.POINTS, *model.PELVIS_DOFS}
    names |= {dof for dofs in model.JOINT_DOFS.values() for dof in dofs}
    assert names <= PLAIN_WORDS.keys()
    assert [key for key, words in PLAIN_WORDS.items() if "_" in words] == []
    assert PLAIN_WORDS["knee_near"] == "right knee" and PLAIN_WORDS["hip_far"] == "left hip"
    assert PLAIN_WORDS["upper_arm_far"] == "left upper arm"
    assert PLAIN_WORDS["torso"] == "trunk" and PLAIN_WORDS["side_bend_deg"] == "side bend"


def test_a_field_path_reads_as_the_frame_the_joint_and_the_movement():
    pose = {"frames": [{"label": "Start"}, {"label": "Finish"}], "props": [{"kind": "step"}]}
    assert field_words("illustration.frames[1].joints.knee_far", pose) == "Finish, left knee, flex"
    assert (
        field_words("illustration.frames[0].joints.ankle_near.rotate_deg", pose)
        == "Start, right ankle, rotate"
    )
    assert field_words("illustration.props[0].height_mm", pose) == "Step, height (mm)"
    assert field_words("illustration.camera.pitch_deg", pose) == "Camera, pitch"
    assert describe_problems(
        {"illustration.frames[0].contacts[1]": "foot_near is 30 mm above the foam-roller"}, pose
    ) == ["Start, contact 2: right foot is 30 mm above the foam roller"]
    assert describe_problems({"illustration.frames[0].joints.hip_near.abduct_deg": (
        "a straight hip opens at most 50 degrees sideways: bend it (flex_deg 30 or more)")}, pose
    ) == ["Start, right hip, abduct: a straight hip opens at most 50 degrees sideways: bend it "
          "(flex 30 or more)"]  # fmt: skip
