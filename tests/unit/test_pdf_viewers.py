"""The handout in pdf.js (Firefox's viewer, and many web pages'), not only in pypdf and poppler.

The renderer writes text as raw PDF operators and the QR code as an inline image mask, so a
second, independent reader checks that neither leans on one library's leniency: pdf.js must
read every page without a warning, find the same words, and draw a QR code that scans.
pdf.js comes from npm (`npm ci --prefix tests/viewers`, which .ci/run does); without it, or
without Node.js, these tests skip and say so.
"""

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from hepbuilder.pdf import render_spec

VIEWERS = Path(__file__).resolve().parents[1] / "viewers"
SHARE_URL = "https://hep.example.org/p/Xk3v9QpL2mN8aB"

pytestmark = pytest.mark.skipif(
    not (shutil.which("node") and (VIEWERS / "node_modules" / "pdfjs-dist").is_dir()),
    reason="needs Node.js and pdf.js: npm ci --prefix tests/viewers",
)


def handout_spec() -> dict:
    return {
        "clinic": {
            "name": "Harbour Physio",
            "phone": "091 555 0100",
            "email": "hi@harbour.example",
        },
        "patient": {"name": "Zoë Łukasiewicz"},
        "therapist": {"name": "José Núñez", "credentials": "DPT"},
        "title": "Ødegård's hips: Ελληνικά и русский",
        "issued_on": "2026-11-25",
        "notes": 'Literal text: <b>bold?</b> & <font color="red">red?</font> ]]> (brackets) \\ done',
        "share_url": SHARE_URL,
        "items": [
            {"exercise": "figure-4-stretch", "sets": 2, "hold_seconds": 60, "side": "each"},
            {"exercise": "monster-walk", "sets": 3, "reps": 12, "change": "new"},
            {
                "exercise": "step-up",
                "sets": 3,
                "reps": 10,
                "side": "left",
                "notes": "Use a low step.",
            },
        ],
        "stopped": ["Clamshell"],
    }


def read_with_pdfjs(pdf: bytes, tmp_path: Path, png: bool = False) -> dict:
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf)
    command = ["node", str(VIEWERS / "pdfjs.mjs"), str(path)]
    if png:
        command += ["--png", str(tmp_path / "pdfjs")]
    result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)
    return json.loads(result.stdout)


def words(text: str) -> list[str]:
    return text.split()


def test_pdfjs_reads_every_page_of_a_handout_without_a_warning(tmp_path):
    pdf = render_spec(handout_spec())
    seen = read_with_pdfjs(pdf, tmp_path)
    assert seen["warnings"] == []
    assert seen["pages"] == len(PdfReader(io.BytesIO(pdf)).pages)


def test_pdfjs_finds_the_same_words_as_pypdf_unicode_and_markup_included(tmp_path):
    pdf = render_spec(handout_spec())
    seen = read_with_pdfjs(pdf, tmp_path)
    pypdf_pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    for pdfjs_text, pypdf_text in zip(seen["text"], pypdf_pages, strict=True):
        assert words(pdfjs_text) == words(pypdf_text)
    everything = " ".join(" ".join(words(text)) for text in seen["text"])
    for expected in (
        "Zoë Łukasiewicz",
        "José Núñez, DPT",
        "Ødegård's hips: Ελληνικά и русский",
        'Literal text: <b>bold?</b> & <font color="red">red?</font> ]]> (brackets) \\ done',
        "Figure 4 stretch",
        "2 sets, hold 60 seconds, each side",
        "Use a low step.",
        "Clamshell",
    ):
        assert expected in everything


@pytest.mark.skipif(not shutil.which("zbarimg"), reason="needs zbarimg (zbar-tools)")
@pytest.mark.skipif(
    not (VIEWERS / "node_modules" / "@napi-rs" / "canvas").is_dir(),
    reason="pdf.js draws with @napi-rs/canvas, an optional package npm did not install here",
)
def test_pdfjs_draws_a_qr_code_that_scans(tmp_path):
    read_with_pdfjs(render_spec(handout_spec()), tmp_path, png=True)
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "pdfjs-1.png")],
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == SHARE_URL


@pytest.mark.parametrize(
    "name", ["محمد عبد الله", "שרה כהן", "王秀英", "김민준", "Nguyễn Thị Phương Thảo"]
)
def test_pdfjs_reads_names_in_other_scripts_in_the_order_typed(tmp_path, name):
    import unicodedata

    spec = handout_spec()
    spec["patient"] = {"name": name}
    seen = read_with_pdfjs(render_spec(spec), tmp_path)
    assert seen["warnings"] == []
    first = unicodedata.normalize("NFKC", seen["text"][0])
    assert name in first


def test_pdfjs_reads_a_handout_with_photos_without_a_warning(tmp_path):
    from tests.handout_specs import photo_spec

    pdf = render_spec(photo_spec())
    seen = read_with_pdfjs(pdf, tmp_path)
    assert seen["warnings"] == []
    assert "Start" in " ".join(seen["text"]) and "Finish" in " ".join(seen["text"])
