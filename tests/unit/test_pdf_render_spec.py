"""render_spec: library slugs, logo files, QR codes, every bad spec naming its field, import rules."""

import base64
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from hepbuilder.domain.errors import ValidationError
from hepbuilder.pdf import render_spec
from tests.builders import image_bytes
from tests.handout_specs import slug_spec
from tests.pdf_pages import pdf_text
from tests.qr import needs_qr_tools, scan_first_page

SHARE_URL = "https://hep.example.org/p/Xk3v9QpL2mN8aB"


def field_of(error: pytest.ExceptionInfo) -> set[str]:
    return set(error.value.fields)


def test_render_spec_resolves_library_slugs():
    text = pdf_text(render_spec(slug_spec()))
    assert "Figure 4 stretch" in text
    assert "Monster walk" in text
    assert "Lie on your back with both knees bent" in text


def test_render_spec_accepts_json_text():
    assert render_spec(json.dumps(slug_spec())) == render_spec(slug_spec())


@pytest.mark.parametrize("kind", ["PNG", "JPEG"])
def test_render_spec_reads_a_logo_file_relative_to_base_dir(tmp_path, kind):
    (tmp_path / "logo.img").write_bytes(image_bytes(size=(120, 40), fmt=kind))
    spec = slug_spec(clinic={"name": "Harbour Physio", "logo": "logo.img"})
    pdf = render_spec(spec, base_dir=tmp_path)
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.pages[0]["/Resources"]["/XObject"]  # the logo is drawn on the first page


def test_render_spec_scales_a_big_logo_down_before_embedding(tmp_path):
    (tmp_path / "logo.png").write_bytes(image_bytes(size=(3000, 1000)))
    pdf = render_spec(slug_spec(clinic={"name": "Big", "logo": "logo.png"}), base_dir=tmp_path)
    images = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/XObject"]
    widths = [image.get_object()["/Width"] for image in images.values()]
    assert max(widths) <= 567


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"items": [{"exercise": "no-such-exercise"}]}, "items[0].exercise"),
        ({"items": [{"exercise": "monster-walk", "sets": 50}]}, "items[0].sets"),
        ({"items": [{"exercise": "monster-walk", "hold_seconds": 0}]}, "items[0].hold_seconds"),
        ({"patient": {}}, "patient.name"),
        ({"patient": {"name": "   "}}, "patient.name"),
        ({"items": []}, "items"),
        ({"paper": "A5"}, "paper"),
        (
            {
                "clinic": {
                    "logo": "data:image/png;base64,"
                    + base64.b64encode(b"\x89PNG\r\n\x1a\nnot really").decode()
                }
            },
            "clinic.logo",
        ),
        ({"clinic": {"logo": "missing.png"}}, "clinic.logo"),
    ],
)
def test_render_spec_names_the_field_of_a_bad_spec(change, field, tmp_path):
    with pytest.raises(ValidationError) as error:
        render_spec(slug_spec(**change), base_dir=tmp_path)
    assert field in field_of(error)


def test_render_spec_refuses_malformed_json():
    with pytest.raises(ValidationError) as error:
        render_spec('{"patient": {"name": "Pat"}, "items": [')
    assert field_of(error) == {"spec"}
    assert "line 1" in error.value.message


def test_render_spec_refuses_a_logo_file_that_is_not_an_image(tmp_path):
    (tmp_path / "logo.png").write_bytes(
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    )  # right magic, no image
    with pytest.raises(ValidationError) as error:
        render_spec(slug_spec(clinic={"logo": "logo.png"}), base_dir=tmp_path)
    assert field_of(error) == {"clinic.logo"}


def test_render_spec_refuses_a_text_file_as_logo(tmp_path):
    (tmp_path / "logo.png").write_text("I am not a picture")
    with pytest.raises(ValidationError) as error:
        render_spec(slug_spec(clinic={"logo": "logo.png"}), base_dir=tmp_path)
    assert field_of(error) == {"clinic.logo"}


def test_render_spec_prints_the_short_share_url_beside_the_qr_code():
    first_page = " ".join(
        PdfReader(io.BytesIO(render_spec(slug_spec(share_url=SHARE_URL))))
        .pages[0]
        .extract_text()
        .split()
    )
    assert "Your program online" in first_page
    assert "hep.example.org/" in first_page and "Xk3v9QpL2mN8aB" in first_page
    assert "Your program online" not in pdf_text(render_spec(slug_spec()))


@needs_qr_tools
@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_render_spec_qr_code_scans_to_the_share_url(tmp_path, paper):
    pdf = render_spec(slug_spec(share_url=SHARE_URL, paper=paper))
    assert scan_first_page(pdf, tmp_path) == SHARE_URL


def _fresh_interpreter(code: str) -> str:
    root = Path(__file__).resolve().parents[2]
    return subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=root
    ).stdout


def test_pdf_import_loads_no_flask_or_database_driver():
    loaded = set(
        _fresh_interpreter("import sys, hepbuilder.pdf; print('\\n'.join(sys.modules))").split()
    )
    top_level = {name.split(".")[0] for name in loaded}
    assert not top_level & {
        "flask",
        "flask_wtf",
        "flask_login",
        "wtforms",
        "sqlalchemy",
        "psycopg",
        "psycopg2",
        "alembic",
    }
    assert not {"hepbuilder.web", "hepbuilder.db", "hepbuilder.services", "hepbuilder.api"} & loaded


def test_pdf_import_registers_no_fonts_until_the_first_render():
    output = _fresh_interpreter(
        "import hepbuilder.pdf\n"
        "from reportlab.pdfbase import pdfmetrics\n"
        "print('HepSans' in pdfmetrics.getRegisteredFontNames())\n"
    )
    assert output.strip() == "False"
