"""A PDF's pages as the layout tests measure them, read with pdfminer (pdfplumber's own reader)
into the dicts pdfplumber would make: the same objects, keys and coordinates (x0 and x1 from the
left, top and bottom from the top of the page), and the same extracted text.

Why not pdfplumber itself: it copies every attribute of every object it reads through
`resolve_all`, which on the 120-page stress handouts costs more than reading the PDF does.
Only the keys the tests read are kept. `tests/unit/test_pdf_pages.py` holds this reader to
pdfplumber's answers, so a pdfminer or pdfplumber upgrade that parts them fails there first."""

import io
from types import SimpleNamespace

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTContainer, LTCurve, LTLine, LTRect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfplumber.utils import extract_text

# pdfminer's classes of drawn shapes, as pdfplumber names their lists (LTLine and LTRect are
# kinds of LTCurve, so they are tried first)
SHAPES = ((LTLine, "lines"), (LTRect, "rects"), (LTCurve, "curves"))


def read_pages(pdf: bytes) -> list[SimpleNamespace]:
    """Each page: page_number, width, height, chars, lines, rects, curves and text (as
    pdfplumber's `Page.extract_text()` gives it)."""
    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    pages = []
    for number, page in enumerate(PDFPage.get_pages(io.BytesIO(pdf)), start=1):
        interpreter.process_page(page)
        left, bottom, right, top = page.mediabox
        read = SimpleNamespace(
            page_number=number,
            width=right - left,
            height=top - bottom,
            chars=[],
            lines=[],
            rects=[],
            curves=[],
        )
        _collect(device.get_result(), read)
        read.text = extract_text(read.chars)
        pages.append(read)
    return pages


def _collect(container: LTContainer, page: SimpleNamespace) -> None:
    for item in container:
        if isinstance(item, LTContainer):  # a form XObject: its contents, as pdfplumber does
            _collect(item, page)
        elif isinstance(item, LTChar):
            page.chars.append(
                _placed(item, page.height)
                | {
                    "text": item.get_text(),
                    "fontname": item.fontname,
                    "size": item.size,
                    "upright": item.upright,
                }
            )
        else:
            kind = next((name for shape, name in SHAPES if isinstance(item, shape)), None)
            if kind is not None:
                getattr(page, kind).append(_placed(item, page.height))


def _placed(item, page_height: float) -> dict:
    top = page_height - item.y1
    return {
        "x0": item.x0,
        "x1": item.x1,
        "top": top,
        "bottom": page_height - item.y0,
        "doctop": top,
        "width": item.width,
        "height": item.height,
    }
