"""Right-to-left and joined scripts: Hebrew and Arabic set in visual order, Arabic in its joined
(contextual) letter forms, with the logical text kept for copying and reading aloud.

reportlab's TrueType subsets map one character to one glyph and know nothing of shaping, so
Arabic letters are turned into their presentation forms (arabic-reshaper: initial, medial,
final and isolated forms, lam-alef ligatures, all in DejaVu Sans) and each line is put in visual
order by the Unicode bidirectional algorithm (python-bidi). The writer wraps such a line in a
marked-content span whose /ActualText is the line as typed, so viewers that honour it (Acrobat,
pdf.js, poppler) copy and read the logical text, not the reversed presentation forms.
Devanagari and other scripts that reorder or stack glyphs cannot be shaped this way; their
characters are not in the handout fonts and are reported as unprintable.
"""

from functools import lru_cache

_RTL_RANGES = ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))
_ARABIC_RANGES = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF))


def _in(ranges, char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in ranges)


def has_rtl(text: str) -> bool:
    return not text.isascii() and any(_in(_RTL_RANGES, char) for char in text)


@lru_cache(maxsize=1)
def _reshaper():
    """An Arabic reshaper making only the lam-alef ligatures, the ones every Arabic font has
    (DejaVu Sans has no glyph for the others, such as the one for "Allah")."""
    import arabic_reshaper
    from arabic_reshaper.ligatures import LIGATURES

    wanted = {name: "LAM WITH ALEF" in name and "MAKSURA" not in name for name, _ in LIGATURES}
    return arabic_reshaper.ArabicReshaper(configuration={"support_ligatures": True, **wanted})


@lru_cache(maxsize=2048)
def shaped(text: str) -> str:
    """`text` with Arabic letters in their joined forms (still in logical order)."""
    if text.isascii() or not any(_in(_ARABIC_RANGES, char) for char in text):
        return text
    return _reshaper().reshape(text)


@lru_cache(maxsize=2048)
def visual(text: str) -> str:
    """One line as it is drawn left to right: shaped, then in bidirectional display order."""
    if not has_rtl(text):
        return text
    from bidi import get_display

    return get_display(shaped(text))
