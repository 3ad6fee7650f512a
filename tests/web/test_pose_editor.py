"""The pose editor: sliders for every joint of each frame, a JSON preview endpoint that returns
the SVG, validation by the illustrations layer, and saving without JavaScript."""

import re

import pytest

from hepbuilder.library import load_library
from hepbuilder.services import exercises
from tests.builders import make_user, see_committed, sign_in


def _as_a_browser_keeps_it(low: str, step: str, value: str) -> str:
    """A range input's value as a browser sends it: the nearest step from its `min` (HTML's
    value sanitization), so a slider of whole degrees sends -36 for a stored -36.1."""
    steps = round((float(value) - float(low)) / float(step))
    return f"{float(low) + steps * float(step):.6g}"


def page_form(client, slug: str) -> dict:
    """The pose form as a browser would send the page unchanged."""
    html = client.get(f"/admin/library/{slug}/pose").get_data(as_text=True)
    sliders = re.findall(
        r'<input type="range" id="[^"]+" name="([^"]+)" min="([^"]*)" max="[^"]*" '
        r'step="([^"]*)" value="([^"]*)"',
        html,
    )
    assert sliders, "the page's sliders"
    data = {name: _as_a_browser_keeps_it(low, step, value) for name, low, step, value in sliders}
    data["base"] = re.search(r'name="base" value="([^"]*)"', html).group(1).replace("&#34;", '"')
    data["version"] = re.search(r'name="version" value="(\d+)"', html).group(1)
    data["view"] = re.search(r'<option value="(\w+)" selected>', html).group(1)
    return data


def test_pose_editor_has_a_slider_for_each_joint_of_each_frame(signed_in, session, clinic):
    html = signed_in.get("/admin/library/pigeon-stretch/pose").get_data(as_text=True)
    frames = len(
        exercises.get_exercise(session, clinic.id, "pigeon-stretch").illustration["frames"]
    )
    assert html.count('name="f0-knee_near-flex_deg"') == 1
    assert f'name="f{frames - 1}-hip_far-rotate_deg"' in html
    assert 'name="camera-yaw_deg"' in html and 'name="view"' in html
    assert "<svg" in html  # the server drew the preview (works without JavaScript)


def test_pose_preview_endpoint_returns_the_svg_and_names_an_angle_out_of_range(signed_in):
    data = page_form(signed_in, "pigeon-stretch")
    response = signed_in.post("/admin/library/pigeon-stretch/pose/preview", data=data)
    body = response.get_json()
    assert response.status_code == 200 and body["svg"].startswith("<svg") and body["errors"] == {}
    data["f0-knee_near-flex_deg"] = "400"
    bad = signed_in.post("/admin/library/pigeon-stretch/pose/preview", data=data).get_json()
    assert bad["svg"] == ""
    assert bad["errors"] == {"illustration.frames[0].joints.knee_near": "must be from 0 to 160"}


def alert_lines(html: str) -> list[str]:
    """The problems the pose page lists above its buttons."""
    block = re.search(r'<div id="pose-errors"[^>]*>(.*?)</div>', html, re.S).group(1)
    return [line.replace("&#39;", "'") for line in re.findall(r"<p>(.*?)</p>", block)]


def test_pose_problems_name_joints_and_movements_in_plain_words(signed_in):
    # They read "illustration.frames[0].joints.knee_near: must be from 0 to 160" and
    # "upper_arm_near passes into the trunk": the format's names, not the page's.
    html = signed_in.get("/admin/library/pigeon-stretch/pose").get_data(as_text=True)
    assert "<summary>Right knee</summary>" in html and "<summary>Left hip</summary>" in html
    data = {**page_form(signed_in, "pigeon-stretch"), "f0-knee_near-flex_deg": "400"}
    bad = signed_in.post("/admin/library/pigeon-stretch/pose/preview", data=data).get_json()
    assert bad["problems"] == ["Frame 1, right knee, flex: must be from 0 to 160"]
    page = signed_in.post("/admin/library/pigeon-stretch/pose", data={**data, "action": "save"})
    assert page.status_code == 422
    assert alert_lines(page.get_data(as_text=True)) == [
        "Frame 1, right knee, flex: must be from 0 to 160"
    ]
    data = page_form(signed_in, "pigeon-stretch")
    data.update({"f0-shoulder_near-flex_deg": "0", "f0-shoulder_near-abduct_deg": "-30"})
    bad = signed_in.post("/admin/library/pigeon-stretch/pose/preview", data=data).get_json()
    assert bad["problems"][0] == (
        "Frame 1: right upper arm passes into the trunk; right forearm passes into the trunk: "
        "change the joint angles"
    )
    assert "Frame 1, contact 4: right hand is 221 mm above the floor" in " ".join(bad["problems"])
    assert not re.search(r"_near|_far|_deg|_mm|frames\[", " ".join(bad["problems"]))


def warning_lines(html: str) -> list[str]:
    """What the pose page says about how the pose will print, under the picture."""
    block = re.search(r'<div id="pose-warnings"[^>]*>(.*?)</div>', html, re.S).group(1)
    return re.findall(r"<p>(.*?)</p>", block)


def test_pose_editor_warns_of_an_arrow_too_short_to_see_on_a_handout(signed_in, session, clinic):
    data = page_form(signed_in, "calf-raise")
    good = signed_in.post("/admin/library/calf-raise/pose/preview", data=data).get_json()
    assert good["warnings"] == [] and good["problems"] == []
    # the heel's arrow, 320 mm of figure, prints about 6.6 mm: a quarter of it, about 1.6 mm
    data["arrow0-vector_mm-y"] = "80"
    short = signed_in.post("/admin/library/calf-raise/pose/preview", data=data).get_json()
    assert short["svg"].startswith("<svg") and short["problems"] == []  # drawn, not refused
    [warning] = short["warnings"]
    assert warning.startswith("Arrow 1 (from the right heel) prints only 1.6 mm long on an A4")
    assert "about 3.1 times as long (at least 5 mm printed)" in warning
    page = signed_in.post("/admin/library/calf-raise/pose", data={**data, "action": "preview"})
    assert warning_lines(page.get_data(as_text=True)) == [warning]
    saved = signed_in.post("/admin/library/calf-raise/pose", data={**data, "action": "save"})
    assert saved.status_code == 302  # a warning, not a refusal
    see_committed(session)
    arrow = exercises.get_exercise(session, clinic.id, "calf-raise").illustration["arrows"][0]
    assert arrow["vector_mm"] == [0, 80]
    html = signed_in.get("/admin/library/calf-raise/pose").get_data(as_text=True)
    assert warning_lines(html) == [warning]  # said again when the page is opened


def test_pose_saved_without_javascript_keeps_what_has_no_slider(signed_in, session, clinic):
    before = exercises.get_exercise(session, clinic.id, "pigeon-stretch").illustration
    data = page_form(signed_in, "pigeon-stretch")
    data["camera-yaw_deg"] = "20"
    data["action"] = "save"
    response = signed_in.post("/admin/library/pigeon-stretch/pose", data=data)
    assert response.status_code == 302
    see_committed(session)
    row = exercises.get_exercise(session, clinic.id, "pigeon-stretch")
    assert row.illustration["camera"]["yaw_deg"] == 20
    assert row.illustration["frames"][0].get("contacts") == before["frames"][0].get("contacts")
    assert row.illustration.get("highlight") == before.get("highlight")
    assert row.is_customized


def test_pose_with_an_angle_out_of_range_is_not_saved(signed_in, session, clinic):
    before = exercises.get_exercise(session, clinic.id, "pigeon-stretch").illustration
    data = {**page_form(signed_in, "pigeon-stretch"), "f0-knee_near-flex_deg": "400"}
    response = signed_in.post("/admin/library/pigeon-stretch/pose", data={**data, "action": "save"})
    assert response.status_code == 422
    assert "must be from 0 to 160" in response.get_data(as_text=True)
    see_committed(session)
    assert exercises.get_exercise(session, clinic.id, "pigeon-stretch").illustration == before


def test_pose_editor_starts_a_figure_for_an_exercise_without_one(signed_in, session, clinic):
    row = exercises.get_exercise(session, clinic.id, "step-up")
    row.illustration = None
    session.commit()
    html = signed_in.get("/admin/library/step-up/pose").get_data(as_text=True)
    assert 'name="f0-hip_near-flex_deg"' in html and "<svg" in html


def test_pose_editor_is_for_admins_only(client, session, clinic):
    therapist = make_user(session, clinic)
    session.commit()
    assert client.get("/admin/library/step-up/pose").status_code == 302
    sign_in(client, therapist)
    assert client.get("/admin/library/step-up/pose").status_code == 403
    assert client.post("/admin/library/step-up/pose/preview").status_code == 403


@pytest.mark.parametrize("slug", sorted(load_library().exercises))
def test_pose_form_sent_back_unchanged_changes_nothing(signed_in, session, slug):
    from sqlalchemy import select

    from hepbuilder.db.models import ExerciseVersion

    data = {**page_form(signed_in, slug), "action": "save"}
    assert signed_in.post(f"/admin/library/{slug}/pose", data=data).status_code == 302
    assert session.scalars(select(ExerciseVersion)).all() == []


def test_pose_editor_has_a_foot_turn_slider_that_saves_into_the_ankle(signed_in, session, clinic):
    html = signed_in.get("/admin/library/lateral-lunge/pose").get_data(as_text=True)
    assert 'name="f1-ankle_near-rotate_deg"' in html and 'name="f0-ankle_far-rotate_deg"' in html
    data = page_form(signed_in, "lateral-lunge")
    assert data["f1-ankle_near-rotate_deg"] == "-28.3"
    too_far = {**data, "f1-ankle_near-rotate_deg": "55"}
    bad = signed_in.post("/admin/library/lateral-lunge/pose/preview", data=too_far).get_json()
    assert bad["errors"] == {
        "illustration.frames[1].joints.ankle_near.rotate_deg": "must be from -40 to 40"
    }
    data["f1-ankle_near-rotate_deg"] = "-26"
    response = signed_in.post("/admin/library/lateral-lunge/pose", data={**data, "action": "save"})
    assert response.status_code == 302
    see_committed(session)
    finish = exercises.get_exercise(session, clinic.id, "lateral-lunge").illustration["frames"][1]
    assert finish["joints"]["ankle_near"] == {"flex_deg": 10.4, "rotate_deg": -26}


def test_a_prop_size_the_pose_leaves_unset_starts_where_it_is_drawn(signed_in, session, clinic):
    """An unset size is drawn with its default (or, for a chair fitted to the buttocks on it, the
    fitted height): its slider starts there, not at the low end of its range, so the number
    shown is the picture's and the first move does not jump. Left there, it stays unset."""
    quad_sets = page_form(signed_in, "quad-sets")  # {kind: mat} and a towel roll without a shift
    assert quad_sets["prop0-thickness_mm"] == "15"  # the mat's default, not the range's 5
    assert quad_sets["prop1-shift_mm"] == "0"  # not -300
    sit_to_stand = page_form(signed_in, "sit-to-stand")  # {kind: chair}, fitted to the seat
    assert sit_to_stand["prop0-height_mm"] == "380.8"
    turned = {**sit_to_stand, "camera-yaw_deg": "25", "action": "save"}  # the chair left alone
    assert signed_in.post("/admin/library/sit-to-stand/pose", data=turned).status_code == 302
    saved = {**quad_sets, "prop1-shift_mm": "40", "action": "save"}
    assert signed_in.post("/admin/library/quad-sets/pose", data=saved).status_code == 302
    see_committed(session)
    chair = exercises.get_exercise(session, clinic.id, "sit-to-stand").illustration["props"]
    assert chair == [{"kind": "chair"}]  # still fitted to the seat, as before
    props = exercises.get_exercise(session, clinic.id, "quad-sets").illustration["props"]
    assert props == [{"kind": "mat"}, {"kind": "towel-roll", "diameter_mm": 90, "shift_mm": 40}]
