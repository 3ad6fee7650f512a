"""Page-level reportlab internals in one place: a canvas that holds its pages back (so each footer
can say "page N of M"), page streams compressed with zlib alone, and whether platypus postponed a
flowable. README.md lists what each reads and how test_pdf_ink.py guards it."""

import re
import weakref
from collections.abc import Callable

from reportlab.pdfbase.pdfdoc import PDFArray, PDFStream, PDFZCompress
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
        self.page_marks: set[str] = set()  # what this page's furniture should say (mark_page)

    def draw_furniture(self, number: int, total: int) -> None:
        """Drawn on every page at the end, when the page count is known."""

    def showPage(self):
        self._held_pages.append(dict(self.__dict__))
        self.page_marks = set()
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


def mark_page(canvas, mark: str) -> None:
    """Note `mark` on the page being drawn, for its furniture (a HeldPagesCanvas's
    `page_marks` when `draw_furniture` runs); ignored on any other canvas."""
    marks = getattr(canvas, "page_marks", None)
    if marks is not None:
        marks.add(mark)


def compress_page_streams(canvas) -> None:
    """Give every page shown so far a zlib-only content stream (call before `Canvas.save`).

    reportlab would also ASCII85-encode page streams unless the process-wide `rl_config.useA85`
    is off: larger files, and its pure-Python encoder was a third of the render time. Reads
    `canvas._doc.Pages.pages` and each page's `stream` and `compression`, and sets `Contents`,
    which PDFPage.check_format then leaves as it is.
    """
    shared = _shared_streams(canvas._doc)
    for page in canvas._doc.Pages.pages:
        # what reportlab writes on every page that says nothing: no rotation, no transition
        if not page.Rotate:
            page.Rotate = None
        if page.Trans is not None and not page.Trans.dict:
            page.Trans = None
        if page.compression and not page.Contents:
            page.Contents = _page_contents(page.stream, shared)
            if isinstance(page.Contents, PDFArray):
                # the array in the page itself, not an object of its own: PDFPage would
                # reference every entry of its `__Refs__` (Contents among them)
                page.__Refs__ = [name for name in page.__Refs__ if name != "Contents"]


SHARED_MARK = "%shared:"  # a comment line marking where a shared stream goes in a page


def _shared_streams(doc) -> dict[str, PDFStream]:
    shared = _SHARED.get(doc)
    if shared is None:
        shared = _SHARED[doc] = {}
    return shared


_SHARED: "weakref.WeakKeyDictionary[object, dict[str, PDFStream]]" = weakref.WeakKeyDictionary()


def draw_shared(canvas, name: str, draw: Callable[[], None]) -> None:
    """Put here what `draw()` puts on the canvas, written once per document as a content stream
    of its own that every page using it lists among its `/Contents` (which a reader joins into
    one stream): for what repeats unchanged on every page (the running header, the footer's
    lines), so each later page costs one reference instead of its operators. Unlike a Form
    XObject it is no separate text run, so viewers keep its words apart from the page's.

    `draw` must leave the graphics state as it found it. Reads reportlab internals:
    `canvas._code` (the page's operators, swapped while `draw` runs) and `canvas._doc`.
    """
    shared = _shared_streams(canvas._doc)
    if name not in shared:
        page_code = canvas._code
        canvas._code = []
        try:
            draw()
            content = "\n".join(canvas._code) + "\n"
        finally:
            canvas._code = page_code
        stream = PDFStream(content=content, filters=[PDFZCompress])
        stream.__Comment__ = f"shared page stream {name}"
        shared[name] = stream
    canvas.addLiteral(SHARED_MARK + name)


_SHARED_LINE = re.compile("^" + re.escape(SHARED_MARK) + r"(\S+)$", re.M)
_NO_OP = ("", "1 0 0 1 0 0 cm")  # what may stand between shared streams: nothing to draw


def _page_contents(stream: str, shared: dict[str, PDFStream]):
    """The page's own operators as one stream or, where it places shared streams, an array of
    its pieces and those streams in order."""
    pieces = _SHARED_LINE.split(stream)
    if len(pieces) == 1:
        return _own_stream(stream)
    contents = []
    for index, piece in enumerate(pieces):
        if index % 2:
            contents.append(shared[piece])
        elif piece.strip() not in _NO_OP:
            contents.append(_own_stream(piece))
    return PDFArray(contents)


def _own_stream(content: str) -> PDFStream:
    stream = PDFStream(content=content, filters=[PDFZCompress])
    stream.__Comment__ = "page stream"
    return stream


def was_postponed(flowable) -> bool:
    """True when platypus has already moved `flowable` to a fresh frame once (its `_postponed`
    mark): splitting it again there would loop, so it must be cut wherever it can be."""
    return bool(getattr(flowable, "_postponed", False))
