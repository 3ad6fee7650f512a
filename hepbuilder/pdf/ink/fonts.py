"""The handout's fonts, registered on first use, and the widths of text set in them.

DejaVu Sans and Sans Bold (shipped in pdf/fonts/) print Latin with every diacritic (Vietnamese
too), Greek, Cyrillic, Hebrew and Arabic (with its presentation forms, see scripts.py). Chinese,
Japanese and Korean come from WenQuanYi Micro Hei, cut to those scripts and registered only when
a handout has such text. A character neither has cannot be printed: `unprintable` finds them,
so the therapist is told before issuing (see pdf.printing_problems), and the writer sets "?".

Nothing is registered at import time; `ensure_fonts()` does it once per process (thread-safe).
The shipped files have their hinting stripped (fonts/README.md): reportlab embeds a subset of
each font per PDF, and hinting tables would add ~40 KB to every handout for no gain on paper.
"""

import threading
import unicodedata
from pathlib import Path

FONTS_DIR = Path(__file__).resolve().parent.parent / "fonts"
REGULAR = "HepSans"
BOLD = "HepSans-Bold"
CJK = "HepCJK"  # one weight: bold CJK text is set in it too
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf", CJK: "WenQuanYiMicroHei-CJK.ttf"}
REPLACEMENT = "?"  # what is set for a character no handout font has

_lock = threading.Lock()
_registered: set[str] = set()
_cmaps: dict[str, frozenset[int]] = {}
_widths: dict[str, dict[str, float]] = {}  # font -> character -> width in font units
_strings: dict[str, dict[str, float]] = {}  # font -> string -> width in font units


def _register(name: str) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    # asciiReadable off: a subset holds only the glyphs a handout uses (reportlab's default
    # puts all 95 ASCII glyphs in every subset), ~4 KB less per handout.
    font = TTFont(name, str(FONTS_DIR / _FILES[name]), asciiReadable=False)
    pdfmetrics.registerFont(font)
    _cmaps[name] = frozenset(font.face.charToGlyph)
    _widths[name] = {}
    _strings[name] = {}
    _registered.add(name)


def registered_fonts() -> frozenset[str]:
    """The handout fonts registered so far in this process (text measures by them)."""
    return frozenset(_registered)


def ensure_fonts(cjk: bool = False) -> None:
    """Register the handout fonts with reportlab, once (the CJK font only when `cjk`)."""
    wanted = {REGULAR, BOLD} | ({CJK} if cjk else set())
    if wanted <= _registered:
        return
    with _lock:
        if REGULAR not in _registered:
            from reportlab.lib.fonts import addMapping

            _register(REGULAR)
            _register(BOLD)
            for bold, italic in ((0, 0), (0, 1), (1, 0), (1, 1)):
                addMapping(REGULAR, bold, italic, BOLD if bold else REGULAR)
        if cjk and CJK not in _registered:
            _register(CJK)


def needs_cjk(text: str) -> bool:
    """True when `text` has a character only the CJK font prints."""
    ensure_fonts()
    latin = _cmaps[REGULAR]
    return any(ord(char) not in latin and _is_cjk(char) for char in text)


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x1100 <= code <= 0x11FF
        or 0x3000 <= code <= 0x9FFF
        or 0xAC00 <= code <= 0xD7A3
        or 0xFF00 <= code <= 0xFFEF
    )


def font_for(char: str, font_name: str) -> str | None:
    """The registered font that prints `char` when set in `font_name` (None: none does)."""
    if ord(char) in _cmaps[font_name] or char in "\n\t":
        return font_name
    if CJK in _registered and ord(char) in _cmaps[CJK]:
        return CJK
    return None


def font_pieces(text: str, font_name: str) -> list[tuple[str, str]]:
    """`text` cut into (font, piece) runs; characters no font has are replaced by "?"."""
    pieces: list[tuple[str, str]] = []
    current, run = font_name, []
    for char in text:
        font = font_for(char, font_name)
        if font is None:
            font, char = font_name, REPLACEMENT
        if font != current and run:
            pieces.append((current, "".join(run)))
            run = []
        current = font
        run.append(char)
    if run:
        pieces.append((current, "".join(run)))
    return pieces


def unprintable(text: str) -> list[tuple[str, str]]:
    """Each character of `text` that no handout font prints, with its Unicode name, once."""
    ensure_fonts(cjk=True)
    found: dict[str, str] = {}
    for char in text:
        if char.isspace() or font_for(char, REGULAR) is not None or char in found:
            continue
        if unicodedata.category(char) in ("Mn", "Cf") and _is_harmless_mark(char):
            continue
        found[char] = unicodedata.name(char, f"U+{ord(char):04X}")
    return list(found.items())


def _is_harmless_mark(char: str) -> bool:
    """Joiners and direction marks print nothing and need no glyph."""
    return char in "\u200c\u200d\u200e\u200f\u2060\ufeff"


_MAX_CACHED_STRINGS = 50_000  # per font; a handout measures a few thousand distinct words


def _units(text: str, font_name: str) -> float:
    strings = _strings[font_name]
    units = strings.get(text)
    if units is None:
        cache = _widths[font_name]
        try:
            units = sum([cache[char] for char in text])
        except KeyError:
            from reportlab.pdfbase import pdfmetrics

            face = pdfmetrics.getFont(font_name).face
            for char in text:
                if char not in cache:
                    cache[char] = face.charWidths.get(ord(char), face.defaultWidth)
            units = sum([cache[char] for char in text])
        if len(strings) >= _MAX_CACHED_STRINGS:
            strings.clear()
        strings[text] = units
    return units


def string_width_pt(text: str, font_name: str, size_pt: float) -> float:
    """Width of `text` set in one of the handout fonts (with CJK fallback, Arabic joined).

    Widths are cached per string (in font units, so for every size) and per character, so
    the words of the library's exercises are measured once per process.
    """
    units = _strings[font_name].get(text)
    if units is None:
        if text.isascii():
            units = _units(text, font_name)
        else:
            from .scripts import shaped

            units = sum(_units(piece, font) for font, piece in font_pieces(shaped(text), font_name))
            _strings[font_name][text] = units
    return units * size_pt / 1000.0
