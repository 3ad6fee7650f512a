"""JPEG photos as image XObjects embedded as they are: the JPEG's own bytes under DCTDecode, once
per document however often it is drawn, never decoded here. reportlab's `drawImage` would decode
every image to hash its pixels (about 10 ms for a print-sized photo) and ASCII85-encode the JPEG
(a quarter larger) under the process-wide `rl_config.useA85`. README.md lists the internals read
and test_pdf_ink.py guards them."""

import hashlib

from reportlab.pdfbase.pdfdoc import PDFImageXObject


def draw_jpeg(
    canvas,
    jpeg: bytes,
    size_px: tuple[int, int],
    is_grey: bool,
    x: float,
    y: float,
    width: float,
    height: float,
) -> None:
    """Draw `jpeg` (baseline or progressive, RGB or grey, `size_px` pixels) scaled into the box
    at (x, y) bottom-left, `width` by `height` points.

    Reads reportlab internals, as `Canvas.drawImage` does itself: the document's XObject names
    (`_doc.getXObjectName`, `_doc.idToObject`, `_doc.Reference`, `_doc.addForm`), the page's
    `_formsinuse`, `_code` and `_currentPageHasImages`, and PDFImageXObject's fields.
    """
    doc = canvas._doc
    name = "jpeg" + hashlib.sha256(jpeg).hexdigest()[:32]
    registered = doc.getXObjectName(name)
    if registered not in doc.idToObject:
        image = PDFImageXObject(name)
        image.width, image.height = size_px
        image.bitsPerComponent = 8
        image.colorSpace = "DeviceGray" if is_grey else "DeviceRGB"
        image.streamContent = jpeg
        image._filters = ("DCTDecode",)
        image.mask = None
        doc.Reference(image, registered)
        doc.addForm(name, image)
    canvas._currentPageHasImages = 1
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(width, height)
    canvas._code.append(f"/{registered} Do")
    canvas.restoreState()
    canvas._formsinuse.append(name)
