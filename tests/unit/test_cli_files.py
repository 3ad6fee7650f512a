"""`hepbuilder render` and `hepbuilder illustrations sheet`: files in, files out, no database."""

import io
import json

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from hepbuilder.cli import main
from hepbuilder.library import load_library

SPEC = {
    "clinic": {"name": "Harbour Physio", "phone": "01234 567890"},
    "patient": {"name": "José Núñez"},
    "items": [{"exercise": "figure-4-stretch", "sets": 2, "hold_seconds": 60, "side": "each"}],
}


def run(*args):
    return CliRunner().invoke(main, list(args))


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


def test_render_writes_the_handout(tmp_path):
    spec = tmp_path / "plan.json"
    spec.write_text(json.dumps(SPEC), encoding="utf-8")
    result = run("render", str(spec), "-o", str(tmp_path / "out.pdf"))
    assert result.exit_code == 0, result.output
    text = pdf_text(tmp_path / "out.pdf")
    assert "José Núñez" in text and "Figure 4 stretch" in text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "is not valid JSON"),
        (json.dumps({**SPEC, "items": [{"exercise": "no-such-move"}]}), "items[0].exercise"),
        (json.dumps({**SPEC, "items": [{"exercise": "step-up", "sets": 99}]}), "items[0].sets"),
        (json.dumps({**SPEC, "patient": {}}), "patient.name"),
    ],
)
def test_render_rejects_a_bad_spec_in_one_sentence_leaving_no_file(tmp_path, content, expected):
    spec = tmp_path / "plan.json"
    spec.write_text(content, encoding="utf-8")
    result = run("render", str(spec), "-o", str(tmp_path / "out.pdf"))
    assert result.exit_code == 1
    assert expected in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == [spec]


def test_render_names_a_missing_spec_file(tmp_path):
    result = run("render", str(tmp_path / "missing.json"), "-o", str(tmp_path / "out.pdf"))
    assert result.exit_code == 1
    assert "Cannot read" in result.output


def test_illustrations_sheet_shows_every_exercise_by_name(tmp_path):
    result = run("illustrations", "sheet", "-o", str(tmp_path / "sheet.pdf"))
    assert result.exit_code == 0, result.output
    text = pdf_text(tmp_path / "sheet.pdf")
    for exercise in load_library().exercises.values():
        assert exercise.name in text


def test_render_prints_a_specs_photos_read_beside_it_and_refuses_a_bad_one(tmp_path):
    from tests.handout_specs import photo_bytes, photo_spec

    (tmp_path / "start.png").write_bytes(photo_bytes())
    (tmp_path / "finish.txt").write_text("not a picture")
    spec = tmp_path / "plan.json"
    spec.write_text(json.dumps(photo_spec(photos=[{"data": "start.png", "label": "Start"}])))
    result = run("render", str(spec), "-o", str(tmp_path / "out.pdf"))
    assert result.exit_code == 0, result.output
    pages = PdfReader(io.BytesIO((tmp_path / "out.pdf").read_bytes())).pages
    assert sum(len(page.images) for page in pages) == 1
    bad = photo_spec(photos=[{"data": "start.png"}, {"data": "finish.txt", "label": "Finish"}])
    spec.write_text(json.dumps(bad))
    result = run("render", str(spec), "-o", str(tmp_path / "bad.pdf"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "items[0].exercise.photos[1].data" in result.output
    assert not (tmp_path / "bad.pdf").exists()
