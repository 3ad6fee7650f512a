"""Page content streams compressed with zlib alone, without changing reportlab's process-wide
`rl_config.useA85` (reportlab would ASCII85-encode them too: larger files, and its pure-Python
encoder was a third of the render time)."""

from reportlab.pdfbase.pdfdoc import PDFStream, PDFZCompress


def compress_page_streams(canvas) -> None:
    """Give every page shown so far a zlib-only content stream (call before `Canvas.save`).

    Reads reportlab internals (README.md): `canvas._doc.Pages.pages`, each page's `stream` and
    `compression`, and sets `Contents`, which PDFPage.check_format then leaves as it is.
    """
    for page in canvas._doc.Pages.pages:
        if page.compression and not page.Contents:
            stream = PDFStream(content=page.stream, filters=[PDFZCompress])
            stream.__Comment__ = "page stream"
            page.Contents = stream
