"""tests/pdf_pages.py, the layout tests' lean reader, gives what pdfplumber gives: every page's
size and text, every character's place, size and font, and every line, box and curve."""

import io

import pdfplumber
import pytest

from hepbuilder.domain.spec import parse_spec
from hepbuilder.pdf import render_handout
from tests.handout_specs import make_spec
from tests.pdf_pages import read_pages

SHAPE_KEYS = ("x0", "x1", "top", "bottom", "width", "height")
CHAR_KEYS = (*SHAPE_KEYS, "text", "fontname", "size", "upright")


@pytest.mark.parametrize("large_print", [False, True], ids=["normal", "large"])
def test_read_pages_agrees_with_pdfplumber(large_print):
    pdf = render_handout(parse_spec(make_spec(items=6, large_print=large_print)))
    lean = read_pages(pdf)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        assert len(lean) == len(document.pages) > 1
        for page, plumbed in zip(lean, document.pages, strict=True):
            assert (page.page_number, page.width, page.height) == (
                plumbed.page_number,
                plumbed.width,
                plumbed.height,
            )
            assert page.text == plumbed.extract_text()
            assert [[c[k] for k in CHAR_KEYS] for c in page.chars] == [
                [c[k] for k in CHAR_KEYS] for c in plumbed.chars
            ]
            for kind in ("lines", "rects", "curves"):
                assert [[s[k] for k in SHAPE_KEYS] for s in getattr(page, kind)] == [
                    [s[k] for k in SHAPE_KEYS] for s in getattr(plumbed, kind)
                ], kind
    # the comparison compared something of every kind
    assert all(
        any(getattr(page, kind) for page in lean) for kind in ("chars", "lines", "rects", "curves")
    )
    # the first pages alone, read as they are read with the rest
    first = read_pages(pdf, first=2)
    assert [(p.page_number, p.text, p.chars, p.lines) for p in first] == [
        (p.page_number, p.text, p.chars, p.lines) for p in lean[:2]
    ]


def test_read_pages_cuts_a_handouts_streams_itself_as_pdfminer_would():
    """The reader's own lexer (not pdfminer's, its fallback) reads every page of a handout, and
    gives the objects pdfminer's lexer gives, escapes, hex strings and arrays included."""
    from pdfminer.pdfinterp import PDFContentParser
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdftypes import PDFStream, stream_value
    from pdfminer.psparser import PSEOF

    from tests.pdf_pages import _tokens

    def pdfminer_objects(data: bytes) -> list:
        parser, objects = PDFContentParser([PDFStream({}, data)]), []
        while True:
            try:
                objects.append(parser.nextobject()[1])
            except PSEOF:
                return objects

    pdf = render_handout(parse_spec(make_spec(items=3)))
    pages = [
        b"\n".join(stream_value(stream).get_data() for stream in page.contents)
        for page in PDFPage.get_pages(io.BytesIO(pdf))
    ]
    crafted = (
        rb"BT /F1 12 Tf 1 0 0 1 72.5 -.5 Tm (a\(b\) \\ \101\n\t (nested) x) Tj"
        rb" [(Wo) -120 (rld) 3.] TJ <48 65 6c6C6f> Tj T* (end\
line) ' ET % a comment"
        b"\n0 0 1 rg 10 20 30 40 re f [3 1] 0 d true false n"
    )
    assert len(pages) > 1
    for data in [*pages, crafted]:
        assert _tokens(data) == pdfminer_objects(data)
