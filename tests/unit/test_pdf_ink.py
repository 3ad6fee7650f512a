"""The reportlab internals pdf/ink relies on (pdf/ink/README.md), each checked by name, so that
a reportlab upgrade that changes one fails here, loudly, rather than in a handout."""

import io

import pytest
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate
from reportlab.platypus.flowables import Flowable

from hepbuilder.pdf.ink.fonts import REGULAR, ensure_fonts
from hepbuilder.pdf.ink.pages import HeldPagesCanvas, compress_page_streams, was_postponed


@pytest.fixture(scope="module")
def font():
    ensure_fonts()
    return getFont(REGULAR)


def test_reportlab_canvas_has_its_document_and_a_private_page_start():
    canvas = Canvas(io.BytesIO())
    assert canvas._doc is not None, "canvas._doc is gone"
    assert callable(getattr(canvas, "_startPage", None)), "canvas._startPage is gone"
    assert hasattr(canvas._doc, "Pages") and isinstance(canvas._doc.Pages.pages, list)


def test_reportlab_truetype_font_still_codes_per_document_subsets(font):
    assert font._dynamicFont, "TTFont._dynamicFont is gone or false"
    doc = Canvas(io.BytesIO())._doc
    ((subset, codes),) = font.splitString("Ab", doc)
    assert subset == 0 and len(codes) == 2
    assert font.getSubsetInternalName(0, doc).startswith("/F"), "subset names changed form"
    face = font.face
    assert face.charWidths[ord("A")] > 0 and face.defaultWidth > 0
    assert ord("A") in face.charToGlyph


def test_reportlab_page_keeps_its_stream_until_save_and_takes_our_contents():
    canvas = Canvas(io.BytesIO(), pageCompression=1)
    canvas.drawString(10, 10, "x")
    canvas.showPage()
    (page,) = canvas._doc.Pages.pages
    assert page.compression and isinstance(page.stream, str), "PDFPage.stream/compression"
    assert not page.Contents
    compress_page_streams(canvas)
    assert [f.pdfname for f in page.Contents.filters] == ["FlateDecode"]
    buffer = io.BytesIO()
    canvas._filename = buffer
    canvas.save()
    assert b"/ASCII85Decode" not in buffer.getvalue()


def test_held_pages_canvas_numbers_every_page_at_the_end():
    seen = []

    class Numbered(HeldPagesCanvas):
        def draw_furniture(self, number, total):
            seen.append((number, total))

    buffer = io.BytesIO()
    canvas = Numbered(buffer)
    for _ in range(3):
        canvas.drawString(10, 10, "page")
        canvas.showPage()
    canvas.save()
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert buffer.getvalue().count(b"/Type /Page\n") == 3


def test_platypus_still_marks_a_postponed_flowable():
    from reportlab.platypus import Spacer

    seen = []

    class TooTall(Flowable):
        def wrap(self, width, height):
            return width, 500

        def split(self, width, height):
            seen.append(was_postponed(self))
            return []

    doc = BaseDocTemplate(io.BytesIO(), pagesize=(300, 400))
    doc.addPageTemplates([PageTemplate("p", [Frame(0, 0, 300, 400, id="f")])])
    with pytest.raises(Exception, match="(?i)too large"):
        doc.build([Spacer(10, 100), TooTall()])
    # refused once where it stood, then platypus marks it `_postponed` on the fresh page
    assert seen[:2] == [False, True], "platypus no longer sets flowable._postponed"


def test_reportlab_document_still_takes_our_jpeg_xobject_once_and_as_it_is():
    from PIL import Image
    from pypdf import PdfReader

    from hepbuilder.pdf.ink.images import draw_jpeg

    canvas = Canvas(io.BytesIO())
    for name in ("getXObjectName", "Reference", "addForm"):
        assert callable(getattr(canvas._doc, name, None)), f"PDFDocument.{name} is gone"
    assert isinstance(canvas._doc.idToObject, dict), "PDFDocument.idToObject is gone"
    assert isinstance(canvas._code, list) and isinstance(canvas._formsinuse, list)
    assert hasattr(canvas, "_currentPageHasImages"), "canvas._currentPageHasImages is gone"
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (31, 111, 139)).save(out, "JPEG")
    jpeg = out.getvalue()
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    draw_jpeg(canvas, jpeg, (40, 30), False, 10, 10, 80, 60)
    draw_jpeg(canvas, jpeg, (40, 30), False, 100, 10, 40, 30)  # the same image again
    canvas.showPage()
    canvas.save()
    (image,) = PdfReader(io.BytesIO(buffer.getvalue())).pages[0]["/Resources"]["/XObject"].values()
    image = image.get_object()
    assert image["/Filter"] == ["/DCTDecode"] and (image["/Width"], image["/Height"]) == (40, 30)
    assert image.get_data() == jpeg  # embedded byte for byte, not re-encoded
