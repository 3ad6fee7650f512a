"""Plain-text line breaking: clean and wrap text measured in the handout fonts (nothing is ever
cut short with an ellipsis).

Spec text is never handed to reportlab's paragraph markup parser: it is cleaned, broken into
lines here and drawn as literal strings, so `<b>`, `&amp;` or `<img src=...>` in a note print
exactly as typed and nothing a user writes can be interpreted.
"""

import re
from functools import lru_cache

from .fonts import string_width_pt

# C0/C1 control characters (except tab and newline), lone surrogates and non-characters.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


@lru_cache(maxsize=4096)
def clean(text: str) -> str:
    """Text safe to draw: no control characters, runs of spaces collapsed, at most one blank line.

    Cached: a clinic's library text (steps, tips, names) comes back in handout after handout.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _UNPRINTABLE.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return "\n".join(line.strip() for line in text.strip().split("\n"))


_BREAK_AFTER = re.compile(r"(?<=[-/‐–])(?=.)")


def word_pieces(text: str) -> list[str]:
    """The pieces `wrap` keeps whole when it can: `text`'s words, each cut after its hyphens and
    slashes ("Łukasiewicz-", "Konstantinopoulou")."""
    return [piece for word in text.split() for piece in _BREAK_AFTER.split(word)]


MIN_TAIL_CHARS = 3  # the fewest characters of a word broken between letters on its last line


def _break_word(word: str, font: str, size_pt: float, first_room_pt: float, width_pt: float):
    """Chop a word too long for any line into pieces; the first piece fills `first_room_pt`.

    Breaks after a hyphen or slash where it can ("Papadopoulos-" / "Ødegård"), else between
    characters, so nothing is ever clipped.
    """
    pieces, current, room = [], "", first_room_pt
    for part in _BREAK_AFTER.split(word):
        if string_width_pt(current + part, font, size_pt) <= room:
            current += part
            continue
        if current:
            pieces.append(current)
            current, room = "", width_pt
        broken = len(pieces)
        for char in part:
            if current and string_width_pt(current + char, font, size_pt) > room:
                pieces.append(current)
                current, room = "", width_pt
            current += char
        short = MIN_TAIL_CHARS - len(current)
        if len(pieces) > broken and short > 0 and len(pieces[-1]) >= short + MIN_TAIL_CHARS:
            # never one or two letters alone on a line ("Konstantinopoulo" / "u"): the piece
            # before gives the last some of its letters
            current = pieces[-1][-short:] + current
            pieces[-1] = pieces[-1][:-short]
    pieces.append(current)
    return pieces


@lru_cache(maxsize=8192)
def wrap(
    text: str, font: str, size_pt: float, width_pt: float, first_width_pt: float | None = None
) -> tuple[str, ...]:
    """Break cleaned `text` into lines no wider than `width_pt` (the first: `first_width_pt`).

    Newlines in the text start a new line; an empty string stands for a blank line. A word
    wider than a line is broken between characters, so nothing is ever clipped. Cached (the
    same library text is set at the same widths in every handout), hence a tuple.
    """
    space = string_width_pt(" ", font, size_pt)
    lines: list[str] = []
    limit = width_pt if first_width_pt is None else first_width_pt
    for paragraph in text.split("\n"):
        words = paragraph.split(" ")
        if not paragraph:
            lines.append("")
            limit = width_pt
            continue
        current: list[str] = []
        used = 0.0
        for word in words:
            if not word:
                continue
            word_pt = string_width_pt(word, font, size_pt)
            needed = word_pt if not current else used + space + word_pt
            if needed <= limit:
                current.append(word)
                used = needed
                continue
            if current:
                lines.append(" ".join(current))
                limit = width_pt
                current, used = [], 0.0
            if word_pt <= limit:
                current, used = [word], word_pt
                continue
            pieces = _break_word(word, font, size_pt, limit, width_pt)
            lines.extend(pieces[:-1])
            limit = width_pt
            current = [pieces[-1]]
            used = string_width_pt(pieces[-1], font, size_pt)
        lines.append(" ".join(current))
        limit = width_pt
    return tuple(lines)
