"""What a clinician's search words mean: plurals and stems, muscle and region synonyms, small typos.

A query becomes a list of `Term`s; an exercise matches when, for every term, one of the term's
`alternatives` occurs in its search text (folded name, summary, steps, region, conditions and
target muscles). The rules are plain data and plain Python, so SQLite and PostgreSQL search the
same way: the database only runs `LIKE '%alternative%'`.
"""

import difflib
from dataclasses import dataclass, field, replace

from .text import fold_for_search

# A folded word or phrase a clinician types -> what the library text says instead. Keys of
# several words are matched as a phrase before single words.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "glute": ("gluteus", "buttock"),
    "glutes": ("gluteus", "buttock"),
    "bum": ("buttock", "gluteus"),
    "buttock": ("gluteus",),
    "adductor": ("inner thigh", "groin", "pectineus", "gracilis"),
    "groin": ("adductor", "inner thigh"),
    "inner thigh": ("adductor",),
    "abductor": ("gluteus medius", "gluteus minimus", "tensor fasciae latae"),
    "hip abductor": ("gluteus medius", "gluteus minimus", "tensor fasciae latae"),
    "hip flexor": ("psoas", "iliacus", "iliopsoas", "rectus femoris", "hip flexor"),
    "iliopsoas": ("psoas", "iliacus"),
    "deep rotator": ("piriformis", "gemellus", "obturator", "quadratus femoris"),
    "external rotator": ("piriformis", "gemellus", "obturator", "quadratus femoris"),
    "internal rotator": ("internal rotation", "gluteus minimus", "tensor fasciae latae"),
    "quad": ("quadriceps", "rectus femoris"),
    "hammy": ("hamstring",),
    "ham": ("hamstring",),
    "tfl": ("tensor fasciae latae",),
    "it band": ("tensor fasciae latae", "iliotibial", "lateral hip", "outer hip"),
    "itb": ("tensor fasciae latae", "iliotibial", "lateral hip", "outer hip"),
    "lateral hip": ("outer hip", "gluteus medius", "tensor fasciae latae"),
    "outer hip": ("lateral hip", "gluteus medius", "tensor fasciae latae"),
    "lower back": ("low back", "lumbar"),
    "lumbar": ("low back", "lower back"),
    "lbp": ("low back pain",),
    "back pain": ("low back pain",),
    "sciatica": ("piriformis", "buttock pain"),
    "trendelenburg": ("trendelenburg gait", "hip instability", "gluteus medius"),
    "hip drop": ("trendelenburg gait", "gluteus medius"),
    "stiff hip": ("hip stiffness",),
    "tight hip": ("hip stiffness",),
    "unstable hip": ("hip instability", "trendelenburg gait"),
    "core": ("transversus abdominis", "abdominal", "tummy"),
    "abs": ("abdominal", "rectus abdominis", "tummy"),
    "tummy": ("abdominal",),
    "calf": ("calves", "gastrocnemius", "soleus"),
    "oa": ("osteoarthritis",),
    "arthritis": ("osteoarthritis",),
    "knee pain": ("patellofemoral pain", "knee osteoarthritis"),
    "pfp": ("patellofemoral pain",),
    "pfps": ("patellofemoral pain",),
    "runners knee": ("patellofemoral pain",),
    "kneecap": ("patellofemoral", "quadriceps"),
    "vmo": ("quadriceps",),
    "gtps": ("gluteal tendinopathy", "lateral hip pain"),
    "bursitis": ("gluteal tendinopathy", "lateral hip pain"),
    "trochanteric": ("gluteal tendinopathy", "lateral hip pain"),
    "running": ("return to running", "run"),
    "back extensor": ("erector spinae", "multifidus"),
    "spinal erector": ("erector spinae",),
    "thoracic": ("upper back", "thoracic"),
    "upper back": ("thoracic",),
}
MAX_PHRASE_WORDS = max(len(key.split()) for key in SYNONYMS)
MIN_TYPO_CHARS = 5  # shorter words are too easily "corrected" into another word
TYPO_CUTOFF = 0.8  # difflib's similarity ratio for "a small typo"


def stem(word: str) -> str:
    """A plural or "-ing" form cut back to what the text contains: "glutes" -> "glute",
    "stretches" -> "stretch", "hamstrings" -> "hamstring". Latin -us/-is endings stay."""
    if len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    if word.endswith("ing") and len(word) > 6:
        return word[:-3]
    return word


@dataclass(frozen=True, slots=True)
class Term:
    """One thing the query asks for: `text` as typed (folded), and what may stand for it.

    `corrected` is the library word a typo was read as ("piriformus" -> "piriformis"), or "".
    """

    text: str
    alternatives: tuple[str, ...]
    corrected: str = ""


def _term(words: list[str]) -> Term:
    text = " ".join(words)
    stemmed = " ".join(stem(word) for word in words)
    alternatives = [stemmed]
    for key in dict.fromkeys((text, stemmed)):
        alternatives.extend(SYNONYMS.get(key, ()))
    return Term(text=text, alternatives=tuple(dict.fromkeys(alternatives)))


def parse_query(query: str) -> list[Term]:
    """The query's terms: the longest synonym phrases first, then single words."""
    words = fold_for_search(query).split()
    terms: list[Term] = []
    index = 0
    while index < len(words):
        for size in range(min(MAX_PHRASE_WORDS, len(words) - index), 1, -1):
            phrase = words[index : index + size]
            stemmed = " ".join(stem(word) for word in phrase)
            if " ".join(phrase) in SYNONYMS or stemmed in SYNONYMS:
                terms.append(_term(phrase))
                index += size
                break
        else:
            terms.append(_term([words[index]]))
            index += 1
    return terms


@dataclass(frozen=True)
class Vocabulary:
    """The distinct words of a library's search texts, and the same words as one text, so that
    "does any word contain this?" is one substring search."""

    words: frozenset[str]
    joined: str
    _closest: dict = field(default_factory=dict, compare=False, repr=False)

    def contains(self, text: str) -> bool:
        return text in self.words or text in self.joined

    def closest(self, text: str) -> str:
        """The library word a typo most likely meant ("" for none), remembered per word."""
        if text not in self._closest:
            close = difflib.get_close_matches(text, self.words, n=1, cutoff=TYPO_CUTOFF)
            if len(self._closest) > 1000:
                self._closest.clear()
            self._closest[text] = close[0] if close else ""
        return self._closest[text]


def vocabulary_of(texts) -> Vocabulary:
    """The vocabulary of some search texts (already folded)."""
    words: set[str] = set()
    for text in texts:
        words.update(text.split())
    return Vocabulary(words=frozenset(words), joined=" ".join(sorted(words)))


def correct_typos(terms: list[Term], vocabulary: Vocabulary) -> list[Term]:
    """Terms whose alternatives occur nowhere in `vocabulary` (the words of the library's search
    text) gain the closest library word, when one is close enough to be a small typo."""
    corrected = []
    for term in terms:
        occurs = any(vocabulary.contains(a.split()[0]) for a in term.alternatives)
        if " " in term.text or len(term.text) < MIN_TYPO_CHARS or occurs:
            corrected.append(term)
            continue
        close = vocabulary.closest(term.text)
        if close:
            term = replace(term, alternatives=(*term.alternatives, close), corrected=close)
        corrected.append(term)
    return corrected
