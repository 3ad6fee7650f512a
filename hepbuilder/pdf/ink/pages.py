"""Page-level reportlab internals in one place: a canvas that holds its pages back (so each footer
can say "page N of M"), page streams compressed with zlib alone, and whether platypus postponed a
flowable. README.md lists what each reads and how test_pdf_ink.py guards it."""

from reportlab.pdfbase.pdfdoc import PDFStream, PDFZCompress
from reportlab.pdfgen.canvas import Canvas

from .packed import packed_pdf


class HeldPagesCanvas(Canvas):
    """A Canvas that keeps every page until `save`, then draws `draw_furniture(number, total)`
    on each (footer, page numbers) and writes them.

    Reads reportlab internals: the canvas's `__dict__` is the page's state (saved per page and
    restored) and `_startPage()` begins the next page without writing the last one; the
    document's `format` is replaced by `packed_pdf` (small objects in one object stream).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict] = []

    def draw_furniture(self, number: int, total: int) -> None:
        """Drawn on every page at the end, when the page count is known."""

    def showPage(self):
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._held_pages)
        for number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            self.draw_furniture(number, total)
            Canvas.showPage(self)
        compress_page_streams(self)
        doc = self._doc
        doc.format = lambda: packed_pdf(doc)  # what GetPDFData calls to write the file
        Canvas.save(self)


def compress_page_streams(canvas) -> None:
    """Give every page shown so far a zlib-only content stream (call before `Canvas.save`).

    reportlab would also ASCII85-encode page streams unless the process-wide `rl_config.useA85`
    is off: larger files, and its pure-Python encoder was a third of the render time. Reads
    `canvas._doc.Pages.pages` and each page's `stream` and `compression`, and sets `Contents`,
    which PDFPage.check_format then leaves as it is.
    """
    for page in canvas._doc.Pages.pages:
        if page.compression and not page.Contents:
            stream = PDFStream(content=page.stream, filters=[PDFZCompress])
            stream.__Comment__ = "page stream"
            page.Contents = stream


def was_postponed(flowable) -> bool:
    """True when platypus has already moved `flowable` to a fresh frame once (its `_postponed`
    mark): splitting it again there would loop, so it must be cut wherever it can be."""
    return bool(getattr(flowable, "_postponed", False))
