"""The document written as PDF 1.5 with its small objects packed: every object that is not a
stream (pages, font dictionaries, descriptors, the catalog and info) goes into one compressed
object stream, and the cross-reference table becomes a compressed cross-reference stream.

A handout's ~30 small objects are ~5 KB of dictionaries that reportlab writes uncompressed,
plus a ~1 KB text cross-reference table; packed they cost ~1.3 KB. Streams (page content,
font files, forms) are written exactly as reportlab formats them; images lose the ASCII85
layer reportlab adds, and ToUnicode maps list their codes as ranges.

Reads reportlab internals (README.md lists them; test_pdf_ink.py guards them): the document's
`numberToId`, `idToObject`, `Catalog`, `info`, `Reference`, `ID()` and `encrypt`, and
`pdfdoc.format`, the function that formats one object's body, an image's `streamContent`
and `_filters`, and the name and text of the ToUnicode maps `TTFont.addObjects` makes.
"""

import re
import zlib

from reportlab.lib.rl_accel import asciiBase85Decode
from reportlab.pdfbase import pdfdoc

HEADER = b"%PDF-1.5\n%\223\214\213\236\n"  # the high bytes mark the file as binary


def packed_pdf(doc) -> bytes:
    """`doc` (a reportlab PDFDocument, its pages added) as the bytes of a PDF 1.5 file."""
    if doc.encrypt.info():
        raise ValueError("packed_pdf does not write encrypted documents")
    doc.encrypt.prepare(doc)
    root = doc.Reference(doc.Catalog)
    info = doc.Reference(doc.info)
    streams: list[tuple[int, bytes]] = []
    small: list[tuple[int, bytes]] = []
    number = 0
    while (number + 1) in doc.numberToId:  # objects may be added while others are formatted
        number += 1
        obj = doc.idToObject[doc.numberToId[number]]
        if isinstance(obj, pdfdoc.PDFImageXObject):
            _binary(obj)
        elif doc.numberToId[number].startswith(_TO_UNICODE) and isinstance(obj, pdfdoc.PDFStream):
            obj.content = _ranged(obj.content)
        body = pdfdoc.format(obj, doc, toplevel=1).strip()
        if body.endswith(b"endstream"):
            head, data = body.split(b"\nstream\n", 1)
            streams.append((number, _compact(head) + b"stream\n" + data))
        else:
            small.append((number, _compact(body)))
    object_stream, xref_stream = number + 1, number + 2

    out = bytearray(HEADER)
    where: dict[int, tuple[int, int, int]] = {0: (0, 0, 0xFF)}  # number -> xref entry
    for number, body in streams:
        where[number] = (1, len(out), 0)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)

    offsets, bodies, at = [], [], 0
    for index, (number, body) in enumerate(small):
        where[number] = (2, object_stream, index)
        offsets.append(b"%d %d" % (number, at))
        bodies.append(body)
        at += len(body) + 1
    head = b" ".join(offsets) + b"\n"
    packed = zlib.compress(head + b"\n".join(bodies), 9)
    where[object_stream] = (1, len(out), 0)
    out += b"%d 0 obj\n<</Type/ObjStm/N %d/First %d/Filter/FlateDecode/Length %d>>" % (
        object_stream,
        len(small),
        len(head),
        len(packed),
    )
    out += b"stream\n" + packed + b"\nendstream\nendobj\n"

    where[xref_stream] = (1, len(out), 0)
    size = xref_stream + 1
    widths = (1, _width(len(out)), _width(max(len(small), 0xFF)))
    table = b"".join(
        b"".join(
            value.to_bytes(width, "big") for value, width in zip(where[n], widths, strict=True)
        )
        for n in range(size)
    )
    table = zlib.compress(table, 9)
    file_id = re.search(rb"\[.*?\]", doc.ID()).group()
    out += (
        b"%d 0 obj\n<</Type/XRef/Size %d/W[%d %d %d]/Root %s/Info %s/ID%s"
        b"/Filter/FlateDecode/Length %d>>stream\n"
        % (xref_stream, size, *widths, _ref(root, doc), _ref(info, doc), file_id, len(table))
    )
    out += table + b"\nendstream\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % where[xref_stream][1]
    return bytes(out)


_TO_UNICODE = "toUnicodeCMap:"  # the name reportlab registers a font subset's ToUnicode map by
_BFCHAR = re.compile(r"\d+ beginbfchar\n(.*?)\nendbfchar", re.S)


# reportlab names each map after its font subset; a ToUnicode map's usual names are shorter
_CMAP_NAMES = re.compile(
    r"/Registry \(([^()]*)\)\n/Ordering \(\1\)\n/Supplement 0\n>> def\n/CMapName /\1 def"
)
_STANDARD_NAMES = (
    "/Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n/CMapName /Adobe-Identity-UCS def"
)


def _ranged(cmap: str) -> str:
    """A ToUnicode map reportlab writes as one `<code> <unicode>` pair per code (0, 1, 2, ...)
    rewritten as ranges of up to 100 codes with their characters listed (`<00> <63> [...]`):
    the same map, a third smaller. Left as it is if it is not in that form."""
    found = _BFCHAR.search(cmap)
    if found is None:
        return cmap
    pairs = [line.split() for line in found.group(1).split("\n")]
    if any(len(pair) != 2 for pair in pairs) or [pair[0] for pair in pairs] != [
        f"<{code:02X}>" for code in range(len(pairs))
    ]:
        return cmap
    ranges = []
    for start in range(0, len(pairs), 100):  # a CMap section holds at most 100 entries
        chunk = [unicode for _, unicode in pairs[start : start + 100]]
        end = start + len(chunk) - 1
        ranges.append(f"1 beginbfrange\n<{start:02X}> <{end:02X}> [{''.join(chunk)}]\nendbfrange")
    head = _CMAP_NAMES.sub(_STANDARD_NAMES, cmap[: found.start()])
    return head + "\n".join(ranges) + cmap[found.end() :]


def _binary(image) -> None:
    """Undo the ASCII85 layer reportlab puts on images (a quarter larger; `rl_config.useA85` is
    process-wide): the file is binary anyway. Reads `streamContent` and `_filters`."""
    if image._filters[:1] == ("ASCII85Decode",):
        image.streamContent = asciiBase85Decode(image.streamContent)
        image._filters = image._filters[1:]


# A literal string (kept as it is; reportlab escapes its parentheses) or a run of whitespace.
_STRING_OR_SPACE = re.compile(rb"\((?:[^\\()]|\\.)*\)|\s+")
# A string, or a space that a delimiter on either side makes unnecessary.
_STRING_OR_LOOSE_SPACE = re.compile(rb"\((?:[^\\()]|\\.)*\)| (?=[/\[\]<>()])|(?<=[\[\]<>()]) ")


def _compact(body: bytes) -> bytes:
    """An object (or a stream's dictionary) with reportlab's line breaks and padding removed:
    whitespace runs become one space, and none is left beside a delimiter. Strings untouched."""
    body = _STRING_OR_SPACE.sub(lambda m: m[0] if m[0][:1] == b"(" else b" ", body)
    return _STRING_OR_LOOSE_SPACE.sub(lambda m: m[0] if m[0][:1] == b"(" else b"", body)


def _ref(reference, doc) -> bytes:
    return pdfdoc.format(reference, doc)


def _width(value: int) -> int:
    """Bytes needed to write `value` in a cross-reference stream field."""
    return max(1, (value.bit_length() + 7) // 8)
