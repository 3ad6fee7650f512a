"""The reportlab internals pdf/ink relies on (pdf/ink/README.md), each checked by name, so that
a reportlab upgrade that changes one fails here, loudly, rather than in a handout."""

import io

import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfdoc
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
    assert len(PdfReader(buffer).pages) == 3


def test_reportlab_document_still_lists_its_objects_for_packing():
    canvas = Canvas(io.BytesIO())
    canvas.drawString(10, 10, "x")
    canvas.showPage()
    doc = canvas._doc
    assert callable(doc.ID) and doc.Catalog is not None and doc.info is not None
    assert not doc.encrypt.info(), "a plain document now has an encryption dictionary"
    doc.Reference(doc.Catalog)
    assert doc.numberToId and all(n in doc.numberToId for n in range(1, len(doc.numberToId)))
    assert doc.numberToId[1] in doc.idToObject, "numberToId/idToObject changed shape"
    body = pdfdoc.format(doc.Catalog, doc, toplevel=1)
    assert body.lstrip().startswith(b"<<"), "pdfdoc.format no longer formats an object's body"


def test_reportlab_image_still_carries_its_filters_and_content(tmp_path):
    from PIL import Image

    path = tmp_path / "dot.png"
    Image.new("RGB", (4, 4), "teal").save(path)
    image = pdfdoc.PDFImageXObject("dot", str(path))
    assert image._filters[0] in ("ASCII85Decode", "FlateDecode"), "image _filters changed"
    assert isinstance(image.streamContent, str | bytes), "image streamContent changed"


def test_packed_pdf_keeps_every_page_and_text_and_drops_ascii85(tmp_path):
    from PIL import Image

    path = tmp_path / "logo.png"
    Image.new("RGB", (40, 20), "teal").save(path)
    buffer = io.BytesIO()
    canvas = HeldPagesCanvas(buffer, pageCompression=1)
    for number in range(1, 4):
        canvas.drawString(10, 10, f"page {number}")
        canvas.drawImage(str(path), 10, 30, 40, 20)
        canvas.showPage()
    canvas.save()
    data = buffer.getvalue()
    assert data.startswith(b"%PDF-1.5") and b"/Type/ObjStm" in data and b"/Type/XRef" in data
    assert b"ASCII85Decode" not in data and b"/Type/Page" not in data  # pages are packed
    reader = PdfReader(io.BytesIO(data))
    assert [page.extract_text().strip() for page in reader.pages] == ["page 1", "page 2", "page 3"]
    image = next(iter(reader.pages[0].images))
    assert image.image.size == (40, 20) and image.image.getpixel((5, 5)) == (0, 128, 128)


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


def test_packed_pdf_text_of_more_than_a_hundred_characters_copies_back_exactly():
    ensure_fonts()
    letters = "".join(chr(code) for code in range(0x41, 0x5B))  # A-Z
    text = (
        letters
        + letters.lower()
        + "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝàáâãäåæçèéêëìíîïñòóôõöøùúûüý"
        + "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ"
        + "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯ"
    )
    assert len(set(text)) > 150  # two ranges of the ToUnicode map at least
    buffer = io.BytesIO()
    canvas = HeldPagesCanvas(buffer, pageCompression=1)
    canvas.setFont(REGULAR, 6)
    for start in range(0, len(text), 40):
        canvas.drawString(10, 800 - start, text[start : start + 40])
    canvas.showPage()
    canvas.save()
    page = PdfReader(buffer).pages[0]
    assert "".join(page.extract_text().split()) == text
