"""QR codes for share links: encoded once per URL with reportlab's qrencoder, drawn as one
inline image mask.

Encoding (choosing the best of eight masks) costs ~10 ms in pure Python, so matrices are cached
per URL. The code is painted as a 1-bit image mask, one bit per module, in the current fill
colour: about 200 bytes in the page, against ~900 for the same modules drawn as rectangles. An
image mask is never smoothed by a printer (each module lands on whole device dots).
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


@lru_cache(maxsize=256)
def qr_image_mask(data: str) -> str:
    """The inline image operators (BI ... ID ... EI) painting `data`'s modules in a 1x1 unit square.

    Rows top to bottom, a set bit (0 with /Decode [1 0]) paints; ASCII hex, so no binary byte
    can end the image early in a reader's scan for EI.
    """
    matrix = qr_matrix(data)
    count = len(matrix)
    rows = []
    for row in matrix:
        bits = "".join("1" if dark else "0" for dark in row).ljust(-(-count // 8) * 8, "0")
        rows.append("".join(f"{int(bits[k : k + 8], 2):02x}" for k in range(0, len(bits), 8)))
    return (
        f"BI /IM true /W {count} /H {count} /BPC 1 /D [1 0] /F /AHx ID\n"
        + "\n".join(rows)
        + ">\nEI"
    )


def draw_qr(canvas, data: str, x: float, y: float, size_pt: float, color) -> None:
    """Draw the QR code for `data` in the square (x, y, size_pt), quiet zone included."""
    count = len(qr_matrix(data))
    module = size_pt / (count + 2 * QUIET_MODULES)
    side = count * module
    canvas.saveState()
    canvas.translate(x + QUIET_MODULES * module, y + QUIET_MODULES * module)
    canvas.scale(side, side)
    canvas.setFillColor(color)
    canvas.addLiteral(qr_image_mask(data))
    canvas.restoreState()
