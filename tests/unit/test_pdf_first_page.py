"""The first page's details panel, measured as pdfplumber measures it (tests/pdf_pages.py): the share address whole and clear of
every other word, and names broken only where a patient would break them."""

import pytest
from pdfplumber.utils import extract_words

from hepbuilder.domain.spec import parse_spec
from hepbuilder.pdf import render_handout
from hepbuilder.pdf.ink.lines import wrap
from tests.handout_specs import LONG_PATIENT, LONG_SHARE_URL, SHARE_URL, knee_spec, make_spec
from tests.pdf_pages import overlaps, read_pages

PAPERS = ["A4", "letter"]
PRINTS = pytest.mark.parametrize("large_print", [False, True], ids=["normal", "large"])
URLS = [
    "https://hep.riverside-physio.example/p/Xk3v9QpL2mN8aBcD",  # the old tests' short token
    SHARE_URL,  # a real link: 32 characters after /p/
    LONG_SHARE_URL,  # a long clinic host
    "https://h.example/p/" + SHARE_URL[-32:],  # short enough for the code's own column
]


def first_page_words(spec: dict) -> list[dict]:
    pdf = render_handout(parse_spec(spec))
    return extract_words(read_pages(pdf, first=1)[0].chars, extra_attrs=["size"])


@pytest.mark.parametrize("paper", PAPERS)
@PRINTS
@pytest.mark.parametrize("url", URLS, ids=["short-token", "real", "long-host", "short-host"])
def test_first_page_prints_the_share_address_whole_and_over_nothing(paper, large_print, url):
    words = first_page_words(knee_spec(paper=paper, large_print=large_print, share_url=url))
    address = url.removeprefix("https://")
    parts = [w for w in words if len(w["text"]) >= 8 and w["text"] in address]
    parts.sort(key=lambda w: w["top"])
    # whole, in order, on one line or broken only after a "/"
    assert "".join(w["text"] for w in parts) == address, [w["text"] for w in parts]
    assert all(w["text"].endswith("/") for w in parts[:-1])
    if not large_print:
        assert len(parts) == 1  # one line: even the long host fits the panel's width
    least = 12.0 if large_print else 9.0
    assert all(w["size"] >= least - 0.01 for w in parts)
    others = [w for w in words if w not in parts]
    for part in parts:
        assert not [o["text"] for o in others if overlaps(part, o)], part["text"]


def name_lines(words: list[dict], label: str, below: str) -> list[str]:
    """The lines of the value under `label` (down to the label `below` in the same column)."""
    head = next(w for w in words if w["text"] == label)
    foot = next(w for w in words if w["text"] == below and abs(w["x0"] - head["x0"]) < 1)
    first, second = (next(w for w in words if w["text"] == n) for n in ("PATIENT", "THERAPIST"))
    pitch = second["x0"] - first["x0"]  # from one column to the next
    column = [
        w
        for w in words
        if head["bottom"] < w["top"] < foot["top"]
        and head["x0"] - 1 <= w["x0"]
        and w["x1"] < head["x0"] + pitch - 1
    ]
    rows: dict[int, list[dict]] = {}
    for word in column:
        rows.setdefault(round(word["top"]), []).append(word)
    return [
        " ".join(w["text"] for w in sorted(rows[top], key=lambda w: w["x0"]))
        for top in sorted(rows)
    ]


def joined(lines: list[str]) -> str:
    """The lines read back as a patient would: after a hyphen straight on, else after a space."""
    text = ""
    for line in lines:
        text += line if not text or text.endswith("-") else " " + line
    return text


@pytest.mark.parametrize("paper", PAPERS)
@PRINTS
def test_first_page_breaks_names_only_at_spaces_and_hyphens(paper, large_print):
    spec = knee_spec(paper=paper, large_print=large_print)
    spec["therapist"] = {"name": LONG_PATIENT, "credentials": ""}
    words = first_page_words(spec)
    for label, below in (("PATIENT", "ISSUED"), ("THERAPIST", "NEXT")):
        lines = name_lines(words, label, below)
        assert joined(lines) == LONG_PATIENT, (label, lines)
        assert all(len(line) > 1 for line in lines), (label, lines)


@PRINTS
def test_first_page_never_leaves_a_letter_alone_from_a_name_too_long_for_its_column(large_print):
    name = "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaft Smith"
    spec = make_spec(patient={"name": name}, large_print=large_print)
    words = first_page_words(spec)
    lines = name_lines(words, "PATIENT", "ISSUED")
    assert "".join(lines).replace(" ", "") == name.replace(" ", "")
    assert all(len(line) >= 3 for line in lines), lines


def test_wrap_never_breaks_a_word_leaving_one_or_two_letters_on_its_last_line():
    for width in range(40, 160, 3):
        lines = wrap("Konstantinopoulou", "HepSans-Bold", 11.5, float(width))
        assert "".join(lines) == "Konstantinopoulou"
        assert len(lines) == 1 or all(len(line) >= 3 for line in lines), (width, lines)
