"""The handout's fonts: DejaVu Sans and Sans Bold shipped in fonts/, registered on first use.

Nothing is registered at import time; `ensure_fonts()` does it once per process (thread-safe)
and every render calls it. The shipped files have their hinting stripped (see fonts/README.md):
reportlab embeds a subset of each font per PDF, and hinting tables would add ~40 KB to every
handout for no gain on paper.
"""

import threading
from pathlib import Path

FONTS_DIR = Path(__file__).resolve().parent.parent / "fonts"
REGULAR = "HepSans"
BOLD = "HepSans-Bold"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}

_lock = threading.Lock()
_registered = False
_widths: dict[str, dict[str, float]] = {}  # font -> character -> width in font units
_strings: dict[str, dict[str, float]] = {}  # font -> string -> width in font units


def ensure_fonts() -> None:
    """Register the handout fonts with reportlab, once."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        for name, filename in _FILES.items():
            # asciiReadable off: a subset holds only the glyphs a handout uses (reportlab's
            # default puts all 95 ASCII glyphs in every subset), ~4 KB less per handout.
            pdfmetrics.registerFont(TTFont(name, str(FONTS_DIR / filename), asciiReadable=False))
        for bold, italic in ((0, 0), (0, 1), (1, 0), (1, 1)):
            addMapping(REGULAR, bold, italic, BOLD if bold else REGULAR)
        for name in _FILES:
            _widths[name] = {}
            _strings[name] = {}
        _registered = True


_MAX_CACHED_STRINGS = 50_000  # per font; a handout measures a few thousand distinct words


def string_width_pt(text: str, font_name: str, size_pt: float) -> float:
    """Width of `text` set in one of the handout fonts; faster than pdfmetrics for repeated words.

    Widths are cached per string (in font units, so for every size) and per character, so
    the words of the library's exercises are measured once per process.
    """
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
    return units * size_pt / 1000.0
