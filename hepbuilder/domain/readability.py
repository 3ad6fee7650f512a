"""How easy a step is to read: the Flesch-Kincaid grade and the word count, with the limits an
exercise's author is warned about (never refused).

`hepbuilder/web/static/readability.js` counts the same way in the browser while a step is typed;
`tests/browser/test_library_editor_browser.py` checks that the two agree.
"""

import re
from dataclasses import dataclass

MAX_GRADE = 6.0  # a step above this reading grade gets a warning
MAX_WORDS = 25  # ... and so does a step longer than this

_WORD_RE = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")
_SENTENCE_END_RE = re.compile(r"[.!?]+")
_VOWEL_GROUPS_RE = re.compile(r"[aeiouy]+")


def count_syllables(word: str) -> int:
    """A dictionary-free estimate: vowel groups, less a silent final "e", at least one."""
    word = word.lower().replace("'", "")
    count = len(_VOWEL_GROUPS_RE.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    return max(1, count)


@dataclass(frozen=True, slots=True)
class Reading:
    words: int
    grade: float

    @property
    def too_hard(self) -> bool:
        return self.grade > MAX_GRADE

    @property
    def too_long(self) -> bool:
        return self.words > MAX_WORDS

    def warning(self) -> str:
        """A sentence for the author, or "" when the step reads easily."""
        problems = []
        if self.too_hard:
            problems.append(f"reads at grade {self.grade:.1f} (aim for {MAX_GRADE:g} or lower)")
        if self.too_long:
            problems.append(f"has {self.words} words (aim for {MAX_WORDS} or fewer)")
        if not problems:
            return ""
        return "This step " + " and ".join(problems) + ": shorter sentences and words help."


def reading_of(text: str) -> Reading:
    """The step's word count and Flesch-Kincaid grade (0 for empty text, never below 0)."""
    words = _WORD_RE.findall(text)
    if not words:
        return Reading(words=0, grade=0.0)
    sentences = max(1, len([part for part in _SENTENCE_END_RE.split(text) if part.strip()]))
    syllables = sum(count_syllables(word) for word in words)
    grade = 0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59
    return Reading(words=len(words), grade=round(max(0.0, grade), 1))
