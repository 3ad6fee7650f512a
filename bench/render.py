"""Render-speed benchmark for the PDF handout (not a test; `make bench` or run it directly).

Renders bench/spec-10.json (10 illustrated exercises, logo, QR code, notes) many times in one
process after a warm-up and prints the median and spread, the PDF size (and where its bytes go:
embedded fonts, page content, the rest), and "the floor": the same
text drawn line by line on a bare reportlab canvas with the same fonts and no layout at all,
measured in the same run. A 40-exercise variant shows how the time scales.

Budget (issue 14, the second edition): median <= 1.5x the floor, PDF <= 45 KB; the same handout
with a Chinese patient name and an Arabic therapist name <= 80 KB; 40 exercises ~linear.
"""

import copy
import io
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from hepbuilder.pdf import render_spec  # noqa: E402
from hepbuilder.pdf.ink.fonts import REGULAR  # noqa: E402
from hepbuilder.pdf.ink.pages import compress_page_streams  # noqa: E402
from hepbuilder.pdf.ink.qr import qr_matrix  # noqa: E402

RUNS = 60
WARM_UP = 5


def timed(*functions, runs: int = RUNS) -> list[list[float]]:
    """CPU milliseconds per call of each function, the functions interleaved run by run.

    CPU time of this process (not wall time) and interleaving keep the comparison fair on a
    machine busy with other work: a neighbour's load slows every function alike or not at all.
    """
    for _ in range(WARM_UP):
        for function in functions:
            function()
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(runs):
        for index, function in enumerate(functions):
            start = time.process_time()
            function()
            times[index].append((time.process_time() - start) * 1000)
    return times


def summary(times: list[float]) -> str:
    q = statistics.quantiles(times, n=10)
    return f"median {statistics.median(times):6.1f} ms CPU  (p10 {q[0]:.1f}, p90 {q[-1]:.1f}, min {min(times):.1f})"


def text_lines(pdf: bytes) -> tuple[list[str], int, tuple[float, float]]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    lines = [
        line for page in reader.pages for line in page.extract_text().splitlines() if line.strip()
    ]
    box = reader.pages[0].mediabox
    return lines, len(reader.pages), (float(box.width), float(box.height))


def size_breakdown(pdf: bytes) -> str:
    """Where the bytes go: embedded fonts (font files and ToUnicode maps), page content (each
    page's own streams and the shared header and footer streams), the one object stream that
    packs every small object (pages, font dictionaries and widths, catalog), and the rest
    (images, stream and file overhead, cross-reference stream)."""
    import re

    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, IndirectObject

    reader = PdfReader(io.BytesIO(pdf))
    objects = {
        int(m.group(1)): len(m.group(0)) for m in re.finditer(rb"(?s)\n(\d+) 0 obj\n.*?endobj", pdf)
    }
    packed = {int(m.group(1)) for m in re.finditer(rb"\n(\d+) 0 obj\n<</Type/ObjStm", pdf)}
    content, fonts = set(), set()
    for page in reader.pages:
        contents = page.raw_get("/Contents")
        if isinstance(contents, IndirectObject) and isinstance(contents.get_object(), ArrayObject):
            contents = contents.get_object()
        refs = contents if isinstance(contents, ArrayObject) else [contents]
        content.update(ref.idnum for ref in refs)
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            if "/ToUnicode" in font:
                fonts.add(font.raw_get("/ToUnicode").idnum)
            descriptors = [font.get("/FontDescriptor")] + [
                descendant.get_object().get("/FontDescriptor")
                for descendant in font.get("/DescendantFonts", [])
            ]
            for descriptor in descriptors:
                if descriptor is not None and "/FontFile2" in descriptor.get_object():
                    fonts.add(descriptor.get_object().raw_get("/FontFile2").idnum)

    def kb(numbers) -> float:
        return sum(objects.get(n, 0) for n in numbers) / 1024

    font_kb, content_kb, packed_kb = kb(fonts), kb(content), kb(packed)
    other_kb = len(pdf) / 1024 - font_kb - content_kb - packed_kb
    return (
        f"fonts {font_kb:.1f} KB, page content {content_kb:.1f} KB, small objects packed "
        f"{packed_kb:.1f} KB, the rest {other_kb:.1f} KB"
    )


def floor(lines: list[str], pages: int, pagesize: tuple[float, float]) -> bytes:
    """The same text, the same fonts and page count, drawn with no layout: one drawString per line."""
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer, pagesize=pagesize, invariant=1, pageCompression=1, initialFontName=REGULAR
    )
    per_page = -(-len(lines) // pages)
    for start in range(0, len(lines), per_page):
        y = pagesize[1] - 40
        canvas.setFont(REGULAR, 9.5)
        for line in lines[start : start + per_page]:
            canvas.drawString(40, y, line)
            y -= 11
        canvas.showPage()
    compress_page_streams(canvas)  # as the handout's pages are: zlib only, no ASCII85
    canvas.save()
    return buffer.getvalue()


def main() -> None:
    spec = json.loads((HERE / "spec-10.json").read_text(encoding="utf-8"))
    spec40 = copy.deepcopy(spec)
    spec40["items"] = [copy.deepcopy(spec["items"][n % len(spec["items"])]) for n in range(40)]

    pdf = render_spec(spec, base_dir=HERE)
    lines, pages, pagesize = text_lines(pdf)
    pdf40 = render_spec(spec40, base_dir=HERE)
    spec_scripts = copy.deepcopy(spec)
    spec_scripts["patient"] = {"name": "王秀英"}
    spec_scripts["therapist"] = {"name": "محمد عبد الله", "credentials": "PT"}
    pdf_scripts = render_spec(spec_scripts, base_dir=HERE)

    handout, bare = timed(
        lambda: render_spec(spec, base_dir=HERE), lambda: floor(lines, pages, pagesize)
    )
    (handout40,) = timed(lambda: render_spec(spec40, base_dir=HERE), runs=RUNS // 3)
    (cold_qr,) = timed(lambda: (qr_matrix.cache_clear(), qr_matrix(spec["share_url"])), runs=10)

    median = statistics.median(handout)
    median_floor = statistics.median(bare)
    median40 = statistics.median(handout40)
    print(
        f"10 exercises: {summary(handout)}, {len(pdf) / 1024:.1f} KB ({len(pdf):,} bytes), "
        f"{pages} pages"
    )
    print(f"              {size_breakdown(pdf)}")
    print(f"floor:        {summary(bare)}  ({len(lines)} lines of the same text, bare canvas)")
    print(f"ratio:        {median / median_floor:.2f}x the floor")
    print(
        f"40 exercises: {summary(handout40)}, {len(pdf40) / 1024:.1f} KB, "
        f"{median40 / median:.2f}x the 10-exercise time"
    )
    print(
        f"QR encode for a new share link (cached per URL afterwards): {statistics.median(cold_qr):.1f} ms"
    )
    print(
        f"CJK + Arabic names: {len(pdf_scripts) / 1024:.1f} KB ({len(pdf_scripts):,} bytes)"
        f"  {size_breakdown(pdf_scripts)}"
    )
    ok = median <= 1.5 * median_floor and len(pdf) <= 45 * 1024 and len(pdf_scripts) <= 80 * 1024
    print(
        "budget (<= 1.5x floor, <= 45 KB = 46,080 bytes, CJK + Arabic <= 80 KB = 81,920 bytes):",
        "met" if ok else "NOT met",
    )


if __name__ == "__main__":
    main()
