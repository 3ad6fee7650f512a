"""Scanning the QR code printed on a handout's first page, as a phone camera would (pdftoppm
renders the page, zbarimg reads the code); tests that use it skip where either tool is missing."""

import shutil
import subprocess
from pathlib import Path

import pytest

needs_qr_tools = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
    reason="needs pdftoppm (poppler-utils) and zbarimg (zbar-tools) to decode the printed QR code",
)


def scan_first_page(pdf: bytes, directory: Path) -> str:
    """The text of the QR code(s) on the PDF's first page, rendered at 150 dpi."""
    pdf_path = directory / "handout.pdf"
    pdf_path.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "150",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf_path),
            str(directory / "page"),
        ],
        check=True,
    )
    page = next(directory.glob("page*.png"))
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(page)], capture_output=True, text=True
    )
    return result.stdout.strip()
