"""Text set straight into the page: one PDF text object per block, written as operators.

reportlab's text objects re-encode every line character by character (TTFont.splitString) and
re-format every number; with ~600 lines per handout that was a third of the render time. Here
each character is coded once per document and font (through the font's own public
`splitString`, so the codes, subsets and embedded glyphs are exactly reportlab's), after which
a line is coded by one `str.translate` (and escaped by a few `str.replace`). Consecutive lines of a paragraph advance
with the `'` operator (next line, show text), so most lines cost no positioning at all.

The text stays real text: the same embedded font subsets and ToUnicode maps reportlab writes,
so it is searchable and copyable in every viewer.
"""

import weakref

from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import getFont

from .fonts import font_pieces, string_width_pt
from .scripts import visual


def _escaped(code: int) -> str:
    """One coded byte as it is written in a PDF literal string.

    Control bytes go in raw (PDF literal strings may hold any byte; a raw LF reads as LF): the
    subset codes 1-31 are the first characters a handout uses, so escaping them as reportlab
    does ("\\001") would quadruple the commonest letters. Escaped are only the string's own
    delimiters, CR (a reader would take it for LF), NUL, and bytes from 127 up (the page is
    stored as UTF-8 text, so they could not go in raw).
    """
    if code in (0, 13) or code >= 127:
        return f"\\{code:03o}"
    if code in (40, 41, 92):  # ( ) \
        return "\\" + chr(code)
    return chr(code)


_ESCAPED = [_escaped(code) for code in range(256)]


class _FontCoder:
    """How one font's characters are coded in one document, learned a character at a time."""

    __slots__ = ("font", "doc", "known", "raw", "escaped", "awkward", "outside", "names")

    def __init__(self, font, doc):
        self.font = font
        self.doc = doc
        self.known: set[str] = set()
        # ord(char) -> its code as one character, for subset 0: translating with single ASCII
        # characters takes CPython's fast path (a dict of longer strings is ~5x slower).
        self.raw: dict[int, str] = {}
        self.escaped: dict[int, str] = {}  # ord(char) -> escaped code, for subset 0
        self.awkward: set[str] = set()  # characters coded 0 or >= 127 (escaped as octal)
        self.outside: set[str] = set()  # characters coded in a later subset (> ~220 distinct)
        self.names: dict[int, str] = {}  # subset -> "/F1+0"

    def _learn(self, text: str) -> None:
        # In order of first appearance, so codes are assigned exactly as reportlab would.
        for char in dict.fromkeys(text):
            if char in self.known:
                continue
            self.known.add(char)
            ((subset, data),) = self.font.splitString(char, self.doc)
            code = data[0]
            if subset:
                self.outside.add(char)
                continue
            self.raw[ord(char)] = chr(code)
            self.escaped[ord(char)] = _ESCAPED[code]
            if code == 0 or code >= 127:
                self.awkward.add(char)

    def name(self, subset: int) -> str:
        name = self.names.get(subset)
        if name is None:
            name = self.names[subset] = self.font.getSubsetInternalName(subset, self.doc)
        return name

    def encode(self, text: str) -> list[tuple[int, str]]:
        """(subset, escaped string) pieces of `text`; nearly always one piece in subset 0."""
        if not self.known.issuperset(text):
            self._learn(text)
        if self.outside and not self.outside.isdisjoint(text):
            return [
                (subset, "".join(_ESCAPED[byte] for byte in data))
                for subset, data in self.font.splitString(text, self.doc)
            ]
        if self.awkward and not self.awkward.isdisjoint(text):
            return [(0, text.translate(self.escaped))]
        coded = text.translate(self.raw)
        if "\\" in coded:
            coded = coded.replace("\\", "\\\\")
        if "(" in coded:
            coded = coded.replace("(", "\\(")
        if ")" in coded:
            coded = coded.replace(")", "\\)")
        if "\r" in coded:
            coded = coded.replace("\r", "\\r")
        return [(0, coded)]


_coders: "weakref.WeakKeyDictionary[object, dict[str, _FontCoder]]" = weakref.WeakKeyDictionary()


def _coder(canvas, font_name: str) -> _FontCoder:
    doc = canvas._doc  # the PDFDocument whose font subsets these codes belong to
    per_doc = _coders.get(doc)
    if per_doc is None:
        per_doc = _coders[doc] = {}
    coder = per_doc.get(font_name)
    if coder is None:
        font = getFont(font_name)
        if not getattr(font, "_dynamicFont", False):
            raise ValueError(f"{font_name} is not an embedded TrueType font")
        coder = per_doc[font_name] = _FontCoder(font, doc)
    return coder


def _utf16_hex(text: str) -> str:
    """`text` as a PDF text string in UTF-16BE with its byte-order mark, written in hex."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


_COLOR_OPS: dict[tuple[float, float, float], str] = {}


def fill_op(color: Color) -> str:
    """The operator making `color` the fill colour (".114 .137 .161 rg"), formatted once."""
    key = (color.red, color.green, color.blue)
    op = _COLOR_OPS.get(key)
    if op is None:
        op = _COLOR_OPS[key] = " ".join(_component(c) for c in key) + " rg"
    return op


def _component(value: float) -> str:
    """A colour component to 3 decimals, as briefly as PDF allows (".114", "1", "0")."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text[1:] if text.startswith("0.") else text


class TextWriter:
    """Collects text lines for one canvas and writes them as a single text object.

    Positions are baselines in the canvas's current coordinates. `flush()` adds the object to
    the page inside q/Q, so the font and colour it sets never leak into reportlab's own state.
    """

    def __init__(self, canvas):
        self.canvas = canvas
        self.ops: list[str] = []
        self._reset()

    def _reset(self) -> None:
        self._font_name: str | None = None
        self._size = -1.0
        self._coder: _FontCoder | None = None
        self._subset: tuple[str, int] | None = None  # the (font, subset) the last Tf chose
        self._color: Color | None = None
        self._rgb: tuple | None = None
        # Positions in whole hundredths of a point, so moves add up exactly.
        self._leading = -1  # the text leading (TL) now in force
        self._line: tuple[int, int] | None = None  # where the current line starts
        # The last line shown, when it was one simple piece: (x100, y100, text, font, size,
        # index of its show op), so a run that goes on from its end needs no positioning.
        self._shown: tuple[int, int, str, str, float, int] | None = None

    def line(
        self,
        x: float,
        y: float,
        font_name: str,
        size_pt: float,
        leading_pt: float,
        color: Color,
        text: str,
    ) -> None:
        """Set `text` with its baseline starting at (x, y); `leading_pt` is the distance to the
        line below, so a following line exactly there costs no positioning."""
        ops = self.ops
        if size_pt != self._size or font_name != self._font_name:
            if font_name != self._font_name:
                self._font_name = font_name
                self._coder = _coder(self.canvas, font_name)
            self._size = size_pt
            self._subset = None
        if color is not self._color:
            self._color = color
            rgb = (color.red, color.green, color.blue)
            if rgb != self._rgb:
                self._rgb = rgb
                ops.append(fill_op(color))
        x100, y100 = round(x * 100), round(y * 100)
        show = "Tj"
        if not self._goes_on(x100, y100):
            if self._line is None:
                ops.append(f"{x100 / 100:g} {y100 / 100:g} Td")
            else:
                line_x, line_y = self._line
                leading = round(leading_pt * 100)
                if x100 == line_x and y100 == line_y - leading:
                    if leading != self._leading:
                        self._leading = leading
                        ops.append(f"{leading / 100:g} TL")
                    show = "'"  # T* and Tj in one operator
                else:
                    ops.append(f"{(x100 - line_x) / 100:g} {(y100 - line_y) / 100:g} Td")
            self._line = (x100, y100)
        self._shown = None
        if text.isascii():
            self._show(self._coder, font_name, size_pt, text, show)
            if self.ops[-1][0] == "(":  # one piece: the next run may go on from its end
                self._shown = (x100, y100, text, font_name, size_pt, len(self.ops) - 1)
            return
        logical = text
        text = visual(text)
        if text != logical:
            ops.append(f"/Span <</ActualText {_utf16_hex(logical)}>> BDC")
        for piece_font, piece in font_pieces(text, font_name):
            coder = self._coder if piece_font == font_name else _coder(self.canvas, piece_font)
            self._show(coder, piece_font, size_pt, piece, show)
            show = "Tj"
        if text != logical:
            ops.append("EMC")

    def _goes_on(self, x100: int, y100: int) -> bool:
        """True when a run at (x100, y100) starts where the last line shown ended, so it is
        shown from the text position as it stands (a bold label's text after it): with the
        space between them added to the label's string when that is the gap. The line start
        (and so the next line's `'`) stays where it was."""
        shown = self._shown
        if shown is None or shown[1] != y100:
            return False
        x0, _, text, font_name, size_pt, index = shown
        end = x0 + string_width_pt(text, font_name, size_pt) * 100
        if abs(x100 - end) <= 1:
            return True
        if abs(x100 - end - string_width_pt(" ", font_name, size_pt) * 100) > 1:
            return False
        ((subset, space),) = _coder(self.canvas, font_name).encode(" ")
        if subset:
            return False
        op = self.ops[index]
        cut = op.rindex(")")
        self.ops[index] = op[:cut] + space + op[cut:]
        return True

    def _show(self, coder: "_FontCoder", font_name: str, size_pt: float, text: str, show: str):
        ops = self.ops
        for subset, data in coder.encode(text):
            key = (font_name, subset)
            if key != self._subset:
                self._subset = key
                ops.append(f"{coder.name(subset)} {size_pt:g} Tf")
            ops.append(f"({data}){show}")
            show = "Tj"  # later pieces of one line continue where the last one ended

    def text(self, x: float, y: float, style, text: str, color: Color | None = None) -> None:
        """`text` in a TextStyle with its baseline starting at (x, y)."""
        self.line(
            x, y, style.font_name, style.size_pt, style.leading_pt, color or style.color, text
        )

    def flush(self) -> None:
        """Add what was collected to the page (nothing if empty) and start afresh."""
        if self.ops:
            self.canvas.addLiteral("q BT " + "\n".join(self.ops) + " ET Q")
        self.ops = []
        self._reset()
