"""A PDF's pages as the layout tests measure them, read with pdfminer (pdfplumber's own reader)
into the dicts pdfplumber would make: the same objects, keys and coordinates (x0 and x1 from the
left, top and bottom from the top of the page), and the same extracted text.

Why not pdfplumber itself: it copies every attribute of every object it reads through
`resolve_all`, which on the 120-page stress handouts costs more than reading the PDF does.
Only the keys the tests read are kept. Two more shortcuts, each most of what was left of the
reading time: the content streams are cut into operands and operators by one regular expression
(`_tokens`), not by pdfminer's byte-at-a-time PostScript lexer (a stream with anything it does not
know, a dictionary or an inline image, goes to pdfminer's lexer instead); and a character is a
tuple with LTChar's box worked out by the same sums (`_Device`), not an LTChar. pdfminer's
interpreter still carries out every operator, so fonts, advances and shapes are its own.
`tests/unit/test_pdf_pages.py` holds this reader to pdfplumber's answers, so a pdfminer or
pdfplumber upgrade that parts them fails there first."""

import io
import re
from types import SimpleNamespace

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTContainer, LTCurve, LTLine, LTRect
from pdfminer.pdffont import PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import stream_value
from pdfminer.psparser import KWD, LIT
from pdfplumber.utils import extract_text

# pdfminer's classes of drawn shapes, as pdfplumber names their lists (LTLine and LTRect are
# kinds of LTCurve, so they are tried first)
SHAPES = ((LTLine, "lines"), (LTRect, "rects"), (LTCurve, "curves"))


def pdf_text(pdf: bytes) -> str:
    """The PDF's words as pypdf extracts them, every run of spaces and line breaks one space."""
    from pypdf import PdfReader

    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


def overlaps(a: dict, b: dict) -> bool:
    """Whether two boxes (words, chars or shapes, as read here) cover some of the same page by
    more than a tenth of a point each way."""
    return (
        a["x0"] < b["x1"] - 0.1
        and b["x0"] < a["x1"] - 0.1
        and (a["top"] < b["bottom"] - 0.1 and b["top"] < a["bottom"] - 0.1)
    )


def read_pages(pdf: bytes, first: int = 0) -> list[SimpleNamespace]:
    """Each page (or only the `first` so many): page_number, width, height, chars, lines, rects,
    curves and text (as pdfplumber's `Page.extract_text()` gives it)."""
    manager = PDFResourceManager()
    device = _Device(manager, laparams=None)
    interpreter = _Interpreter(manager, device)
    pages = []
    for number, page in enumerate(PDFPage.get_pages(io.BytesIO(pdf), maxpages=first), start=1):
        device.chars = []
        interpreter.process_page(page)
        left, bottom, right, top = page.mediabox
        height = top - bottom
        read = SimpleNamespace(
            page_number=number,
            width=right - left,
            height=height,
            chars=[_placed_char(char, height) for char in device.chars],
            lines=[],
            rects=[],
            curves=[],
        )
        _collect(device.get_result(), read)
        read.text = extract_text(read.chars)
        pages.append(read)
    return pages


def _collect(container: LTContainer, page: SimpleNamespace) -> None:
    """The page's shapes (its characters are the device's)."""
    for item in container:
        if isinstance(item, LTContainer):  # a form XObject: its contents, as pdfplumber does
            _collect(item, page)
        else:
            kind = next((name for shape, name in SHAPES if isinstance(item, shape)), None)
            if kind is not None:
                getattr(page, kind).append(_placed(item, page.height))


def _placed_char(char: tuple, page_height: float) -> dict:
    x0, y0, x1, y1, text, fontname, upright = char
    box = _box(x0, y0, x1, y1, page_height)
    return box | {"text": text, "fontname": fontname, "size": box["height"], "upright": upright}


class _Device(PDFPageAggregator):
    """pdfminer's page aggregator, but a character is kept as a tuple (x0, y0, x1, y1, text,
    fontname, upright) in `chars`, in the order drawn, with the box pdfminer's LTChar gives it:
    most of a page's objects are characters, and an LTChar costs more than reading it."""

    chars: list[tuple]

    def render_char(self, matrix, font, fontsize, scaling, rise, cid, ncs, graphicstate):
        try:
            text = font.to_unichr(cid)
        except PDFUnicodeNotDefined:
            text = self.handle_undefined_char(font, cid)
        a, b, c, d, e, f = matrix
        if font.is_vertical() or b or c:  # turned or vertical text: pdfminer's own box
            width, disp = font.char_width(cid), font.char_disp(cid)
            item = LTChar(
                matrix, font, fontsize, scaling, rise, text, width, disp, ncs, graphicstate
            )
            self.chars.append(
                (item.x0, item.y0, item.x1, item.y1, text, font.fontname, item.upright)
            )
            return item.adv
        adv = font.char_width(cid) * fontsize * scaling
        descent = font.get_descent() * fontsize
        # LTChar's box, (0, descent + rise) to (adv, descent + rise + fontsize), through the
        # matrix: the same sums, so the same floats
        left, right = e, a * adv + e
        low, high = d * (descent + rise) + f, d * (descent + rise + fontsize) + f
        upright = a * d * scaling > 0
        x0, x1, y0, y1 = min(left, right), max(left, right), min(low, high), max(low, high)
        self.chars.append((x0, y0, x1, y1, text, font.fontname, upright))
        return adv


def _placed(item, page_height: float) -> dict:
    return _box(item.x0, item.y0, item.x1, item.y1, page_height)


def _box(x0: float, y0: float, x1: float, y1: float, page_height: float) -> dict:
    """pdfplumber's keys for a box pdfminer gives from the bottom of the page (its width and
    height as pdfminer's set_bbox works them out)."""
    top = page_height - y1
    return {
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": page_height - y0,
        "doctop": top,
        "width": x1 - x0,
        "height": y1 - y0,
    }


class _NotPlain(Exception):
    """A content stream with syntax `_tokens` leaves to pdfminer's lexer."""


# One token of a content stream: a comment or white space (skipped), a number, a name, a literal
# string (its parentheses balanced, its escapes undone by `_string`), a hex string, an array's
# bracket, or an operator; anything else (a dictionary's << >>, an inline image's data) is not
# plain content.
TOKEN = re.compile(
    rb"""(?:\s+|%[^\r\n]*)
    |(?P<number>[+-]?(?:\d+\.?\d*|\.\d+))
    |/(?P<name>[^\s/\[\]()<>{}%]*)
    |(?P<string>\()
    |<(?P<hex>[0-9A-Fa-f\s]*)>
    |(?P<open>\[)|(?P<close>\])
    |(?P<operator>[A-Za-z'"*][^\s/\[\]()<>{}%]*)
    """,
    re.VERBOSE,
)
BOOLEANS = {b"true": True, b"false": False}
STRING_PART = re.compile(rb"[()\\]")
ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|(\r\n|[\r\n])|(.))", re.DOTALL)


def _unescape(match: re.Match) -> bytes:
    octal, newline, other = match.groups()
    if octal:
        return bytes((int(octal, 8) & 0xFF,))
    if newline:
        return b""
    return ESCAPES.get(other, other)


def _string(data: bytes, start: int) -> tuple[bytes, int]:
    """The literal string whose "(" is just before `start`, and the index after its ")"."""
    depth, at = 1, start
    while True:
        match = STRING_PART.search(data, at)
        if match is None:
            raise _NotPlain("unterminated string")
        at = match.end()
        char = match.group()
        if char == b"\\":
            at += 1
        elif char == b"(":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return ESCAPE.sub(_unescape, data[start : at - 1]), at


def _tokens(data: bytes) -> list:
    """The stream's objects in order, as pdfminer's parser gives them: numbers, names (LIT),
    strings (bytes), arrays (lists) and operators (KWD); true and false as booleans."""
    stack: list[list] = [[]]
    at, end = 0, len(data)
    while at < end:
        match = TOKEN.match(data, at)
        if match is None:
            raise _NotPlain(data[at : at + 2])
        at = match.end()
        kind = match.lastgroup
        if kind is None:
            continue
        out = stack[-1]
        if kind == "number":
            text = match.group(kind)
            out.append(float(text) if b"." in text else int(text))
        elif kind == "name":
            out.append(LIT(match.group(kind).decode("utf-8")))
        elif kind == "string":
            value, at = _string(data, at)
            out.append(value)
        elif kind == "hex":
            digits = re.sub(rb"\s", b"", match.group(kind))
            out.append(bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode()))
        elif kind == "open":
            stack.append([])
        elif kind == "close":
            if len(stack) == 1:
                raise _NotPlain("]")
            array = stack.pop()
            stack[-1].append(array)
        else:
            word = match.group(kind)
            if word in (b"BI", b"ID", b"EI", b"null"):
                raise _NotPlain(word)
            out.append(BOOLEANS[word] if word in BOOLEANS else KWD(word))
    if len(stack) != 1:
        raise _NotPlain("[")
    return stack[0]


class _Interpreter(PDFPageInterpreter):
    """pdfminer's interpreter, fed by `_tokens`: each operator gets its operands as pdfminer's
    own loop gives them (the last ones pushed; too few and it is skipped)."""

    def execute(self, streams) -> None:
        values = [stream_value(stream) for stream in streams]
        if any(value.objid is None or value.objid in self.parent_stream_ids for value in values):
            return super().execute(streams)
        try:
            objects = _tokens(b"\n".join(value.get_data() for value in values))
        except _NotPlain:
            return super().execute(streams)
        self.stream_ids.clear()
        self.stream_ids.update(value.objid for value in values)
        methods = _methods(type(self))
        push, pop = self.push, self.pop
        for obj in objects:
            if obj.__class__ is not KWD_CLASS:
                push(obj)
                continue
            method = methods.get(obj.name)
            if method is None:
                continue
            function, count = method
            if count:
                args = pop(count)
                if len(args) == count:
                    function(self, *args)
            else:
                function(self)
        return None


KWD_CLASS = type(KWD(b"q"))
_methods_by_class: dict[type, dict[bytes, tuple]] = {}


def _methods(cls: type) -> dict[bytes, tuple]:
    """The interpreter's operators: {b"Tj": (do_Tj, its operand count)}, named as pdfminer
    names them (* as _a, " as _w, ' as _q)."""
    methods = _methods_by_class.get(cls)
    if methods is None:
        methods = {}
        for attribute in dir(cls):
            if attribute.startswith("do_"):
                name = attribute[3:].replace("_a", "*").replace("_w", '"').replace("_q", "'")
                function = getattr(cls, attribute)
                methods[name.encode()] = (function, function.__code__.co_argcount - 1)
        _methods_by_class[cls] = methods
    return methods
