"""A picture as one SVG a frame (the private link lays them out): as many SVGs as frames, one
scale for all, the same paths as the one-SVG picture, labels as escaped titles."""

import re
import xml.etree.ElementTree as ET

from hepbuilder.illustrations import compose, illustration_frame_svgs, illustration_svg, stored
from hepbuilder.illustrations.cache import COMPUTED
from tests.unit.test_illustrations import SVG, make_exercise

TRANSFORM = re.compile(r"translate\(\S+ \S+\) scale\((\S+) (\S+)\)")


def three_frames(middle_label: str = "Step out") -> dict:
    """A standing pose in three frames of different widths (the middle one steps out)."""
    return {
        "view": "side",
        "frames": [
            {"label": "Start"},
            {"label": middle_label, "joints": {"hip_near": 70, "knee_near": 80}},
            {"label": ""},
        ],
    }


def parsed(svgs: list[str]) -> list[ET.Element]:
    return [ET.fromstring(svg) for svg in svgs]


def test_illustration_frame_svgs_draws_one_svg_a_frame_at_one_scale():
    exercise = make_exercise(three_frames())
    art = compose.build_illustration(exercise.illustration, "right")
    widths = {round(f.bbox[2] - f.bbox[0]) for f in art.frames}
    assert len(widths) > 1  # frames of different widths, still drawn at one scale
    roots = parsed(illustration_frame_svgs(exercise, "right"))
    assert len(roots) == 3
    assert all(root.get("role") == "img" for root in roots)
    assert len({root.get("viewBox") for root in roots}) == 1
    scales = {
        TRANSFORM.fullmatch(g.get("transform")).groups() for r in roots for g in r.iter(f"{SVG}g")
    }
    assert len(scales) == 1, scales
    assert not [root.find(f".//{SVG}text") for root in roots if root.find(f".//{SVG}text")]
    # the same shapes, in the same order, as the picture drawn as one SVG
    whole = ET.fromstring(illustration_svg(exercise, "right"))
    for group, root in zip(whole.iter(f"{SVG}g"), roots, strict=True):
        assert [p.attrib for p in group.iter(f"{SVG}path")] == [
            p.attrib for p in root.iter(f"{SVG}path")
        ]


def test_illustration_frame_svgs_titles_each_frame_by_its_label_escaped():
    exercise = make_exercise(three_frames('Step <b>out</b> & "in"'), name="Side <i>step</i>")
    svgs = illustration_frame_svgs(exercise, "left")
    titles = [root.find(f"{SVG}title").text for root in parsed(svgs)]
    assert titles == ["Start", 'Step <b>out</b> & "in"', "Picture 3 of 3"]
    assert not any("<b>" in svg or "<i>" in svg for svg in svgs)


def test_illustration_frame_svgs_draws_a_placeholder_for_no_pose():
    [svg] = illustration_frame_svgs(make_exercise(None, position="side-lying"))
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == "Test pose"
    assert root.find(f".//{SVG}text").text == "Side lying"


def test_illustration_frame_svgs_from_stored_paths_are_what_computing_gives():
    exercise = make_exercise(three_frames())
    computed = illustration_frame_svgs(exercise, "left", "#aa3355")
    engine = stored.engine_version()
    body = stored.encode_paths(exercise.illustration, lambda art: [], engine)
    compose._BUILT.clear()
    stored.forget_stored_paths()
    COMPUTED.clear()
    key = stored.pose_key(exercise.illustration)
    assert stored.keep_paths(key, engine, body, engine)
    assert illustration_frame_svgs(exercise, "left", "#aa3355") == computed
    assert COMPUTED["geometry"] == 0  # drawn from the stored paths (`art.svg_paths`)
