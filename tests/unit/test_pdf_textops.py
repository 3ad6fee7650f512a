"""The text writer: its strings decode to exactly the codes reportlab assigns, and read back."""

import io
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader
from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfgen.canvas import Canvas

from hepbuilder.pdf.ink.fonts import BOLD, REGULAR, ensure_fonts
from hepbuilder.pdf.ink.writer import TextWriter

INK = Color(0.1, 0.2, 0.3)
SAMPLES = [
    "Riverside Physiotherapy",
    "Sit on the floor (gently) with one leg in front \\ behind",
    "Zoë Łukasiewicz · Ødegård – José Núñez",
    "Αλέξανδρος Παπαδόπουλος, Ирина Петрова",
    "⚠ TAKE CARE • 90/90 · 3 × 10",
    "Nguyễn Thị Phương Thảo — 25 °C",
]


def _unescape(literal: bytes) -> bytes:
    """The bytes a PDF reader takes from the inside of a literal string."""
    out, i = bytearray(), 0
    while i < len(literal):
        byte = literal[i]
        if byte != 0x5C:  # backslash
            out.append(byte)
            i += 1
            continue
        nxt = literal[i + 1 : i + 2]
        if nxt.isdigit():
            digits = re.match(rb"[0-7]{1,3}", literal[i + 1 :]).group()
            out.append(int(digits, 8))
            i += 1 + len(digits)
        else:
            out.extend({b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(nxt, nxt))
            i += 2
    return bytes(out)


@pytest.mark.parametrize("font_name", [REGULAR, BOLD])
def test_text_writer_strings_decode_to_reportlabs_own_codes(font_name):
    ensure_fonts()
    canvas = Canvas(io.BytesIO())
    writer = TextWriter(canvas)
    for index, text in enumerate(SAMPLES * 3):
        writer.line(10, 800 - index * 12, font_name, 9.5, 12, INK, text)
    literals = re.findall(rb"\(((?:[^()\\]|\\.)*)\)(?:Tj|')", "\n".join(writer.ops).encode())
    font = getFont(font_name)
    expected = [
        b"".join(data for _, data in font.splitString(text, canvas._doc)) for text in SAMPLES * 3
    ]
    assert [_unescape(literal) for literal in literals] == expected
    assert not re.search(rb"[\r\x80-\xff]", "\n".join(writer.ops).encode())


def _written(lines: list[str]) -> bytes:
    ensure_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    writer = TextWriter(canvas)
    for index, text in enumerate(lines):
        writer.line(40, 800 - index * 12, REGULAR, 9.5, 12, INK, text)
    writer.flush()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_text_writer_text_extracts_in_reading_order():
    lines = SAMPLES[:5] + ["a (b) c \\ d", "last line"]
    text = PdfReader(io.BytesIO(_written(lines))).pages[0].extract_text()
    assert [line.strip() for line in text.splitlines() if line.strip()] == lines


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils)")
def test_text_writer_text_is_found_by_poppler(tmp_path):
    path = tmp_path / "lines.pdf"
    path.write_bytes(_written(SAMPLES[:5]))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    for line in SAMPLES[:5]:
        assert line in text


def test_text_writer_handles_more_characters_than_one_font_subset_holds():
    ensure_fonts()
    canvas = Canvas(io.BytesIO())
    writer = TextWriter(canvas)
    many = "".join(chr(c) for c in range(0x100, 0x100 + 400) if chr(c).isprintable())
    lines = [many[i : i + 40] for i in range(0, len(many), 40)] + ["abc (x) ÿ", many[::7]]
    for index, text in enumerate(lines):
        writer.line(10, 800 - index * 12, REGULAR, 9.5, 12, INK, text)
    ops = "\n".join(writer.ops).encode()
    assert re.search(rb"/F\d+\+1 ", ops), "expected a second subset"
    literals = re.findall(rb"\(((?:[^()\\]|\\.)*)\)(?:Tj|')", ops)
    font = getFont(REGULAR)
    expected = b"".join(data for text in lines for _, data in font.splitString(text, canvas._doc))
    assert b"".join(_unescape(literal) for literal in literals) == expected


def test_text_writer_text_after_a_bold_label_lands_where_laid_out_with_its_space():
    import pdfplumber

    from hepbuilder.pdf.ink.fonts import string_width_pt

    ensure_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pageCompression=1)
    writer = TextWriter(canvas)
    label, rest, size = "What it is for:", "A lying stretch", 11.5
    after_space = 50 + string_width_pt(label + " ", BOLD, size)
    right_after = after_space + string_width_pt(rest, REGULAR, size)
    writer.line(50, 700, BOLD, size, 14.7, INK, label)
    writer.line(after_space, 700, REGULAR, size, 14.7, INK, rest)
    writer.line(right_after, 700, BOLD, size, 14.7, INK, "!")
    writer.line(50, 700 - 14.7, REGULAR, size, 14.7, INK, "next line")
    ops = "\n".join(writer.ops)
    assert ops.count("Td") == 1, ops  # the runs go on from each other; the next line is `'`
    writer.flush()
    canvas.showPage()
    canvas.save()
    with pdfplumber.open(io.BytesIO(buffer.getvalue())) as pdf:
        page = pdf.pages[0]
        chars = page.chars
        assert page.extract_text().splitlines() == ["What it is for: A lying stretch!", "next line"]
    first_of_rest = next(c for c in chars if c["text"] == "A")
    bang = next(c for c in chars if c["text"] == "!")
    assert abs(first_of_rest["x0"] - after_space) < 0.02
    assert abs(bang["x0"] - right_after) < 0.02
    next_line = [c for c in chars if c["top"] > first_of_rest["bottom"]]
    assert abs(next_line[0]["x0"] - 50) < 0.02 and next_line[0]["text"] == "n"
