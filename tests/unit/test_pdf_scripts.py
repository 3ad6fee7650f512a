"""Names in the scripts a clinic meets print readably, copy in logical order, and never as boxes;
what cannot be printed is reported before issuing."""

import io
import unicodedata

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from hepbuilder.domain.spec import parse_spec
from hepbuilder.pdf import printing_problems, render_handout
from hepbuilder.pdf.ink.fonts import FONTS_DIR
from tests.handout_specs import make_spec
from tests.pdf_pages import read_pages

NAMES = {
    "Vietnamese": "Nguyễn Thị Phương Thảo",
    "Polish": "Zoë Łukasiewicz",
    "Greek": "Αλέξανδρος Παπαδόπουλος",
    "Cyrillic": "Ирина Петрова",
    "Chinese": "王秀英",
    "Japanese": "山田 花子",
    "Korean": "김민준",
    "Arabic": "محمد عبد الله",
    "Hebrew": "שרה כהן",
}


def render_for(name: str, **overrides) -> bytes:
    return render_handout(parse_spec(make_spec(items=1, patient={"name": name}, **overrides)))


def extracted(pdf: bytes) -> str:
    """All text as a reader copies it, with Arabic presentation forms folded to letters."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return unicodedata.normalize("NFKC", text)


@pytest.mark.parametrize("script", list(NAMES))
def test_render_handout_prints_a_name_in_each_script_and_copies_it_in_order(script):
    name = NAMES[script]
    spec = parse_spec(make_spec(items=1, patient={"name": name}))
    assert printing_problems(spec) == {}
    assert name in extracted(render_handout(spec))


@pytest.mark.parametrize("script", ["Arabic", "Hebrew"])
def test_render_handout_keeps_right_to_left_text_as_typed_for_copying(script):
    pdf = render_for(NAMES[script])
    content = b"".join(page.get_contents().get_data() for page in PdfReader(io.BytesIO(pdf)).pages)
    typed = "<FEFF" + f"For {NAMES[script]}".encode("utf-16-be").hex().upper() + ">"
    assert f"/ActualText {typed}".encode() in content


def _missing_glyphs(pdf: bytes) -> list[tuple[str, str]]:
    """(font, character) for every character printed in a font that has no glyph for it, which
    a viewer shows as the .notdef box."""
    shipped = {}
    for name, path in (
        ("DejaVuSans", "DejaVuSans.ttf"),
        ("DejaVuSans-Bold", "DejaVuSans-Bold.ttf"),
        ("WenQuanYiMicroHei", "WenQuanYiMicroHei-CJK.ttf"),
    ):
        shipped[name] = set(TTFont(FONTS_DIR / path).getBestCmap())
    missing = []
    for page in read_pages(pdf):
        for char in page.chars:
            font = char["fontname"].split("+")[-1]
            if any(ord(c) not in shipped[font] for c in char["text"]):
                missing.append((font, char["text"]))
    return missing


def test_render_handout_uses_no_notdef_glyph_even_for_characters_no_font_has():
    name = "Anita शर्मा 💪 Zoë 王"
    spec = parse_spec(make_spec(items=1, patient={"name": name}))
    pdf = render_handout(spec)
    assert _missing_glyphs(pdf) == []
    assert "Anita ????? ? Zoë 王" in extracted(pdf)  # one "?" per character


def test_printing_problems_names_each_character_that_cannot_be_printed():
    spec = parse_spec(make_spec(items=1, patient={"name": "अ 💪"}, title="Rücken"))
    problems = printing_problems(spec)
    assert list(problems) == ["patient.name"]
    assert '"अ" (DEVANAGARI LETTER A)' in problems["patient.name"]
    assert '"💪" (FLEXED BICEPS)' in problems["patient.name"]
    assert "cannot be printed" in problems["patient.name"]


def test_render_handout_embeds_the_cjk_font_only_when_the_text_needs_it():
    def fonts(pdf: bytes) -> set[str]:
        names = set()
        for page in PdfReader(io.BytesIO(pdf)).pages:
            for font in page["/Resources"]["/Font"].values():
                names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
        return names

    assert not any("WenQuanYi" in name for name in fonts(render_for("Pat Example")))
    assert any("WenQuanYi" in name for name in fonts(render_for(NAMES["Chinese"])))
