"""QR codes for share links: encoded once per URL with reportlab's qrencoder, drawn as one path.

Encoding (choosing the best of eight masks) costs ~10 ms in pure Python, so matrices are cached
per URL; drawing is a single filled path of the dark modules, not a Drawing of many shapes.
"""

from functools import lru_cache

from reportlab.graphics.barcode import qrencoder

QUIET_MODULES = 4  # the blank border a scanner needs, in modules


@lru_cache(maxsize=256)
def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """The module matrix for `data` (error correction level M, smallest version that fits)."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(data)
    code.make()
    count = code.getModuleCount()
    return tuple(tuple(bool(code.isDark(r, c)) for c in range(count)) for r in range(count))


def draw_qr(canvas, data: str, x: float, y: float, size_pt: float, color) -> None:
    """Draw the QR code for `data` in the square (x, y, size_pt), quiet zone included.

    The dark modules become one path in module units (runs of dark modules in a row merged into
    one rectangle), scaled into place, so a code costs a few hundred bytes and no shape objects.
    """
    matrix = qr_matrix(data)
    count = len(matrix)
    module = size_pt / (count + 2 * QUIET_MODULES)
    rects = []
    for r, row in enumerate(matrix):
        c = 0
        while c < count:
            if row[c]:
                start = c
                while c < count and row[c]:
                    c += 1
                rects.append(f"{start} {count - 1 - r} {c - start} 1 re")
            else:
                c += 1
    canvas.saveState()
    canvas.translate(x + QUIET_MODULES * module, y + QUIET_MODULES * module)
    canvas.scale(module, module)
    canvas.setFillColor(color)
    canvas.addLiteral(" ".join(rects) + " f")
    canvas.restoreState()
