"""The handout's type and layout, measured as pdfplumber measures it (read by tests/pdf_pages.py,
which gives pdfplumber's answers faster): sizes per region, every glyph inside the page and its box, whole
names, the share address on one line, pictures at their size."""

import io
import random
import re
from dataclasses import replace

import pytest
from pdfplumber.utils import extract_text, extract_words

from hepbuilder.domain.exercise import drawn_for_side
from hepbuilder.domain.spec import parse_spec
from hepbuilder.library.loader import load_library
from hepbuilder.pdf import render_handout
from hepbuilder.pdf.ink.fonts import string_width_pt
from hepbuilder.pdf.styles import FRAME_MM
from tests.handout_specs import KNEE_DOSES, knee_spec, make_item, make_spec
from tests.pdf_pages import overlaps, read_pages

MM = 72 / 25.4
LONG_CLINIC = "Riverside Physiotherapy and Sports Injury Clinic of North Bristol and Somerset Ltd"
LONG_PHONE = "+44 (0)117 496 0321 extension 4471 (reception, weekdays 8 am to 6 pm)"
LONG_NAME = "Supine figure four stretch with a towel around the thigh for the deep buttock muscles"


def stress_spec(paper: str, large_print: bool) -> dict:
    """Every library exercise, every side, with the longest names and phone a clinic might have."""
    library = load_library()
    sides = ["each", "left", "right", "none"]
    spec = make_spec(
        items=0,
        paper=paper,
        large_print=large_print,
        share_url="https://hep.riverside-physio.example/p/Xk3v9QpL2mN8aBcD",
    )
    spec["clinic"].update(name=LONG_CLINIC, phone=LONG_PHONE, country="GB")
    spec["clinic"]["address"] = "12 Mill Lane\nBristol BS1 4DJ"
    spec["items"] = [
        {"exercise": exercise.to_dict(), "side": sides[index % 4], "times_per_day": 2}
        for index, exercise in enumerate(library.exercises.values())
    ]
    spec["items"][0]["exercise"]["name"] = LONG_NAME
    return spec


@pytest.fixture(scope="module")
def stress_pdfs():
    return {
        (paper, large): render_handout(parse_spec(stress_spec(paper, large)))
        for paper in ("A4", "letter")
        for large in (False, True)
    }


@pytest.fixture(scope="module")
def stress_pages(stress_pdfs):
    """The stress handouts' pages, read once per module (they run to 100+ pages and several
    tests walk them): {(paper, large_print): pages}."""
    return {key: read_pages(pdf) for key, pdf in stress_pdfs.items()}


def footer_top(page) -> float:
    """The y (from the top) of the footer's rule: the lowest line across the page."""
    rules = [line for line in page.lines if line["width"] > page.width * 0.6]
    return max(line["top"] for line in rules)


def regions(pages):
    """(page, content chars, footer chars) for each parsed page."""
    for page in pages:
        bottom = footer_top(page)
        chars = [c for c in page.chars if c["text"].strip()]
        yield (
            page,
            [c for c in chars if c["top"] < bottom],
            [c for c in chars if c["top"] >= bottom],
        )


@pytest.mark.parametrize("paper", ["A4", "letter"])
@pytest.mark.parametrize(
    ("large_print", "least_pt", "footer_pt", "body_pt"),
    [(False, 9.0, 8.0, 11.5), (True, 12.0, 12.0, 16.0)],
    ids=["normal", "large"],
)
def test_render_handout_type_is_never_smaller_than_the_floor(
    stress_pages, paper, large_print, least_pt, footer_pt, body_pt
):
    steps_seen = 0
    for _, content, footer in regions(stress_pages[(paper, large_print)]):
        assert min(c["size"] for c in content) >= least_pt - 0.01
        assert min(c["size"] for c in footer) >= footer_pt - 0.01
        text = "".join(c["text"] for c in content)
        if "Lieonyourback" in text:  # a step: body text (chars without spaces)
            start = text.index("Lieonyourback")
            sizes = {round(c["size"], 2) for c in content[start : start + 16]}
            assert min(sizes) >= body_pt
            steps_seen += 1
    assert steps_seen


@pytest.mark.parametrize("paper", ["A4", "letter"])
@pytest.mark.parametrize("large_print", [False, True], ids=["normal", "large"])
def test_render_handout_keeps_every_glyph_inside_the_page_and_its_box(
    stress_pages, paper, large_print
):
    margin = (12 if large_print else 15) * MM
    for page, content, footer in regions(stress_pages[(paper, large_print)]):
        boxes = [
            curve
            for curve in page.curves + page.rects
            if curve["width"] > page.width * 0.5 and curve["height"] > 20
        ]
        for char in content + footer:
            assert margin - 0.5 <= char["x0"] and char["x1"] <= page.width - margin + 0.5, char
            assert 0 <= char["top"] and char["bottom"] <= page.height, char
            for box in boxes:  # wholly inside a box or wholly outside it, never across its edge
                inside = (
                    box["x0"] <= char["x0"]
                    and char["x1"] <= box["x1"]
                    and box["top"] <= char["top"]
                    and char["bottom"] <= box["bottom"]
                )
                apart = (
                    char["x1"] <= box["x0"] + 0.5
                    or char["x0"] >= box["x1"] - 0.5
                    or char["bottom"] <= box["top"] + 0.5
                    or char["top"] >= box["bottom"] - 0.5
                )
                assert inside or apart, (char["text"], char["x0"], char["top"], box["x0"])


@pytest.mark.parametrize("paper", ["A4", "letter"])
@pytest.mark.parametrize("large_print", [False, True], ids=["normal", "large"])
def test_render_handout_prints_long_names_whole(stress_pages, paper, large_print):
    pages = [" ".join(page.text.split()) for page in stress_pages[(paper, large_print)]]
    text = " ".join(pages)
    assert "…" not in text
    assert f"Stop and call {LONG_CLINIC} on {LONG_PHONE}:" in text
    assert "12 Mill Lane · Bristol BS1 4DJ" in text  # a two-line address, with a separator
    assert f"1 {LONG_NAME} What it is for" in text  # the card
    diary = text[text.index("Exercise diary") :]  # with a big library it runs over pages
    assert all(word in diary for word in LONG_NAME.split())  # the diary, wrapped, not cut
    assert "hep.riverside-physio.example/p/Xk3v9QpL2mN8aBcD" in pages[0].replace("\n", " ")


@pytest.mark.parametrize("large_print", [False, True], ids=["normal", "large"])
def test_render_handout_prints_the_share_address_on_one_line(stress_pages, large_print):
    lines = stress_pages[("A4", large_print)][0].text.splitlines()
    assert "hep.riverside-physio.example/p/Xk3v9QpL2mN8aBcD" in lines


def fills_before_the_diary(pdf: bytes) -> list[float]:
    """How far down each page before the diary its content goes: the lowest character's bottom
    as a share of the footer rule's height from the top of the page."""
    fills = []
    for page in read_pages(pdf):
        if "Exercise diary" in page.text:
            return fills
        bottom = footer_top(page)
        fills.append(max(c["bottom"] for c in page.chars if c["top"] < bottom) / bottom)
    raise AssertionError("no diary")


@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_render_handout_large_print_has_no_mostly_empty_page(paper):
    spec = stress_spec(paper, True)
    spec["clinic"] = make_spec()["clinic"]  # ordinary contact details, every library exercise
    fills = fills_before_the_diary(render_handout(parse_spec(spec)))
    # Every page before the diary is at least half filled: a card whose title, "What it is for"
    # and picture take more than is left of a page starts at its foot with its title and what it
    # is for (and goes on over the page) when more than half the page is left.
    assert min(fills) > 0.5, [(n, round(f, 3)) for n, f in enumerate(fills, 1) if f <= 0.5]


def sample_handouts(paper: str) -> list[dict]:
    """Ordinary large-print handouts: a seeded sample of 8 to 12 library exercises each, in a
    random order, on random sides, once or twice a day; and one of five exercises whose cards
    once left a letter page 47 % full."""
    library = list(load_library().exercises.values())
    chance = random.Random(f"large-print-{paper}")
    specs = []
    for _ in range(2):
        spec = make_spec(items=0, paper=paper, large_print=True)
        spec["items"] = [
            {
                "exercise": exercise.to_dict(),
                "side": chance.choice(["each", "left", "right", "none"]),
                "times_per_day": chance.choice([1, 2]),
            }
            for exercise in chance.sample(library, chance.randint(8, 12))
        ]
        specs.append(spec)
    # and one-frame cards with long summaries under a two-line running header
    spec = make_spec(items=0, paper=paper, large_print=True)
    spec["clinic"].update(name=LONG_CLINIC, phone=LONG_PHONE)
    note = "Keep it gentle for the first week, and stop if the knee swells."
    spec["items"] = [
        {"exercise": load_library().exercises[slug].to_dict(), **dose}
        for slug, dose in [
            ("lateral-lunge", {"side": "left", "times_per_day": 2}),
            ("wall-sit", {"side": "each", "times_per_day": 2, "notes": note}),
            ("sphinx", {"side": "none", "times_per_day": 1}),
            ("copenhagen-plank-short-lever", {"side": "each", "times_per_day": 1}),
            ("pigeon-stretch", {"side": "right", "times_per_day": 1}),
        ]
    ]
    return specs + [spec]


@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_render_handout_large_print_ordinary_handouts_have_no_mostly_empty_page(paper):
    for spec in sample_handouts(paper):
        fills = fills_before_the_diary(render_handout(parse_spec(spec)))
        slugs = [item["exercise"]["slug"] for item in spec["items"]]
        assert min(fills) > 0.5, (slugs, [(n, round(f, 3)) for n, f in enumerate(fills, 1)])


@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_render_handout_large_print_keeps_the_exercises_heading_with_the_first_card(
    stress_pages, paper
):
    page = next(p for p in stress_pages[(paper, True)] if "Your exercises\n" in p.text + "\n")
    text = " ".join(page.text.split())
    assert f"Your exercises Do these {len(load_library().exercises)} exercises" in text
    assert "1 Supine figure four stretch" in text and "What it is for" in text


@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_render_handout_large_print_sets_the_dose_beside_the_third_frame(paper):
    spec = make_spec(items=0, large_print=True, paper=paper)
    exercise = load_library().exercises["active-90-90"].to_dict()  # three frames when each side
    spec["items"] = [{"exercise": exercise, "sets": 1, "side": "each"}]
    pages = read_pages(render_handout(parse_spec(spec)))
    words = [w for page in pages for w in extract_words(page.chars)]
    label = next(w for w in words if w["text"] == "Then")  # "Then the other side", frame 3
    dose = next(w for w in words if w["text"] == "set,")  # "1 set, each side"
    start = next(w for w in words if w["text"] == "Start")
    assert dose["x0"] > label["x1"]  # beside the frame, not under it
    assert dose["top"] < label["top"]
    assert start["top"] < dose["top"]  # the first row of frames is above both


def one_card_words(slug: str, side: str = "each", **spec_fields) -> list[dict]:
    spec = make_spec(items=0, **spec_fields)
    spec["items"] = [
        {"exercise": load_library().exercises[slug].to_dict(), "sets": 1, "side": side}
    ]
    pages = read_pages(render_handout(parse_spec(spec)))
    return [w for page in pages for w in extract_words(page.chars)]


def full_size_figure_mm(slug: str, side: str, large_print: bool) -> float:
    """How tall (mm, as `picture_box_mm` measures) the exercise's figures are drawn in a row of
    full-size frames (FRAME_MM), one for each frame the card shows."""
    from reportlab.pdfgen.canvas import Canvas

    from hepbuilder.illustrations import illustration_flowable
    from hepbuilder.pdf.picture import FRAME_GAP_PT

    exercise = drawn_for_side(load_library().exercises[slug], side)
    frames = [{k: v for k, v in f.items() if k != "label"} for f in exercise.illustration["frames"]]
    exercise = replace(exercise, illustration={**exercise.illustration, "frames": frames})
    frames = len(frames)
    frame_w, frame_h = (size * MM for size in FRAME_MM[1 if large_print else 0])
    row_w = frames * frame_w + (frames - 1) * FRAME_GAP_PT
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(600, 400))
    canvas.drawString(10, 380, "What it is for")
    illustration_flowable(exercise, side, row_w, frame_h).drawOn(canvas, 10, 10)
    canvas.save()
    return picture_box_mm(out.getvalue())[1]


@pytest.mark.parametrize("paper", ["A4", "letter"])
@pytest.mark.parametrize("large_print", [False, True], ids=["normal", "large"])
def test_render_handout_draws_three_frames_at_full_size_in_one_row_when_they_fit(
    paper, large_print
):
    words = one_card_words("active-90-90", paper=paper, large_print=large_print)  # 3 frames
    start, up, other = (
        next(w for w in words if w["text"] == text) for text in ("Start", "Both", "Then")
    )
    assert abs(start["top"] - up["top"]) < 1  # the first two frames side by side
    if large_print:  # three 87 mm frames' figures do not fit across the card: two rows
        # the second label is "Both knees up": its centre, like the first's, is its frame's centre
        up_right = next(w for w in words if w["text"] == "up" and abs(w["top"] - up["top"]) < 1)
        pitch_mm = ((up["x0"] + up_right["x1"]) / 2 - (start["x0"] + start["x1"]) / 2) / MM
        assert pitch_mm >= FRAME_MM[0][0] * 1.5  # each frame at least its full width apart
        assert other["top"] > start["top"] + 20 * MM  # the third frame in a row of its own
    else:  # the figures fit across the card at the size three full frames draw them: one row
        assert abs(other["top"] - start["top"]) < 1


@pytest.mark.parametrize("slug", ["active-90-90", "monster-walk", "hip-hitch", "quad-sets"])
@pytest.mark.parametrize("large_print", [False, True], ids=["normal", "large"])
def test_render_handout_never_draws_figures_smaller_than_full_size_frames_do(slug, large_print):
    spec = make_spec(items=0, large_print=large_print)
    spec["items"] = [{"exercise": load_library().exercises[slug].to_dict(), "side": "each"}]
    _, height_mm = picture_box_mm(render_handout(parse_spec(spec)))
    assert height_mm >= full_size_figure_mm(slug, "each", large_print) * 0.97


def test_render_handout_draws_a_lying_figure_larger_than_its_frame_across_the_card():
    spec = make_spec(items=0)
    spec["items"] = [{"exercise": load_library().exercises["quad-sets"].to_dict(), "sets": 1}]
    width_mm, height_mm = picture_box_mm(render_handout(parse_spec(spec)))
    full_w = 2 * FRAME_MM[0][0] + 4  # two full frames and the gap between them
    assert width_mm >= full_w * 1.25  # drawn larger than in two full frames (up to 1.5 times)
    assert height_mm <= FRAME_MM[0][1]  # and no taller than a frame
    assert width_mm <= 174.4 + 0.5  # inside the card's padding on A4


@pytest.mark.parametrize("slug", ["hip-hitch", "standing-march", "psoas-lunge-stretch"])
def test_render_handout_sets_the_text_beside_two_standing_figures(slug):
    words = one_card_words(slug)
    purpose = next(w for w in words if w["text"] == "What")  # "What it is for:"
    start = next(w for w in words if w["text"] == "Start")
    finish = next(w for w in words if w["text"] in ("Finish", "Lean,"))
    assert purpose["x0"] > finish["x1"] + 3 * MM  # beside the picture, right of its labels
    assert purpose["top"] < start["top"]  # level with the picture, not under it


@pytest.mark.parametrize("paper", ["A4", "letter"])
@pytest.mark.parametrize("large_print", [False, True], ids=["normal", "large"])
def test_render_handout_prints_no_word_over_another(stress_pages, paper, large_print):
    for page in stress_pages[(paper, large_print)]:
        words = sorted(extract_words(page.chars), key=lambda w: w["top"])
        for index, word in enumerate(words):
            for other in words[index + 1 :]:
                if other["top"] >= word["bottom"]:
                    break
                assert not overlaps(word, other), (page.page_number, word["text"], other["text"])


def test_render_handout_starts_a_card_too_long_for_page_one_at_the_top_of_page_two():
    from hepbuilder.library.loader import load_library

    spec = make_spec(items=0)
    spec["items"] = [{"exercise": load_library().exercises["monster-walk"].to_dict(), "sets": 1}]
    pages = read_pages(render_handout(parse_spec(spec)))
    first, second = (" ".join(p.text.split()) for p in pages[:2])
    assert "Your exercises at a glance" in first and "What it is for" not in first
    assert second.index("1 Monster walk What it is for") < 80  # under the running header


def test_render_handout_first_page_has_no_big_gap_before_the_first_card():
    spec = make_spec(items=2, notes="")
    page = read_pages(render_handout(parse_spec(spec)), first=1)[0]
    bottom = footer_top(page)
    lowest = max(c["bottom"] for c in page.chars if c["top"] < bottom)
    assert bottom - lowest < bottom * 0.25


def picture_box_mm(pdf: bytes) -> tuple[float, float]:
    """Width and height of everything drawn as curves on the card's page (the illustration),
    leaving out boxes wider than half the page (the card, the panels)."""
    page = next(p for p in read_pages(pdf) if "What it is for" in p.text)
    curves = [c for c in page.curves if c["width"] < page.width * 0.5]
    x0, x1 = min(c["x0"] for c in curves), max(c["x1"] for c in curves)
    top, bottom = min(c["top"] for c in curves), max(c["bottom"] for c in curves)
    return (x1 - x0) / MM, (bottom - top) / MM


@pytest.mark.parametrize("slug", ["banded-lunge", "figure-4-stretch", "psoas-lunge-stretch"])
def test_render_handout_large_print_pictures_are_half_as_big_again(slug):
    item = {"exercise": load_library().exercises[slug].to_dict(), "side": "each", "sets": 1}
    spec = make_spec(items=0)
    spec["items"] = [item]
    normal_w, normal_h = picture_box_mm(render_handout(parse_spec(spec)))
    large_w, large_h = picture_box_mm(render_handout(parse_spec({**spec, "large_print": True})))
    assert max(large_w / normal_w, large_h / normal_h) >= 1.45


def test_render_handout_gives_a_lying_pose_a_frame_about_60_mm_wide():
    item = {"exercise": load_library().exercises["figure-4-stretch"].to_dict(), "sets": 1}
    spec = make_spec(items=0)
    spec["items"] = [item]
    width_mm, _ = picture_box_mm(render_handout(parse_spec(spec)))
    assert width_mm >= FRAME_MM[0][0] * 0.85  # the figure fills most of its frame's width


def test_render_handout_captions_say_which_side_the_picture_shows():
    library = load_library().exercises
    spec = make_spec(items=0)
    spec["items"] = [
        {
            "exercise": library["couch-stretch"].to_dict(),
            "sets": 2,
            "hold_seconds": 30,
            "side": "left",
        },
        {"exercise": library["banded-lunge"].to_dict(), "sets": 1, "reps": 10, "side": "each"},
    ]
    text = " ".join(
        " ".join(page.text.split()) for page in read_pages(render_handout(parse_spec(spec)))
    )
    assert "Shown: left leg." in text and "Arrow: direction" in text
    assert "For your left leg only (the one shown in colour)." in text
    assert "Shown: right leg (then the same with the left)." in text


def test_render_handout_card_has_one_dose_sentence_what_it_is_for_and_what_you_need():
    item = make_item(1, times_per_day=1)
    item["exercise"]["equipment"] = ["resistance-band", "mat"]
    spec = make_spec(items=0)
    spec["items"] = [item]
    card = next(
        p for p in read_pages(render_handout(parse_spec(spec))) if "What it is for" in p.text
    )
    text = " ".join(card.text.split())
    assert text.count("3 sets of 10, hold 5 seconds, once a day, each side") == 1
    assert "What it is for: A made-up exercise for tests." in text
    assert "You will need: resistance band and mat" in text


def test_string_width_measures_fallback_and_joined_text():
    from hepbuilder.pdf.ink.fonts import BOLD, ensure_fonts

    ensure_fonts(cjk=True)
    assert string_width_pt("王秀英", BOLD, 10.0) == pytest.approx(30.0, abs=3.0)
    assert string_width_pt("محمد", BOLD, 10.0) > 0


@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_render_handout_exercises_heading_never_stands_alone_on_a_page(stress_pages, paper):
    # 13 exercises (no overview), a two-line running header and a three-line footer: the heading
    # and the whole first card do not fit one letter page together
    pages = stress_pages[(paper, False)]
    page = next(p for p in pages if "Your exercises\n" in p.text + "\n")
    lowest = max(c["bottom"] for c in page.chars if c["top"] < footer_top(page))
    assert lowest > footer_top(page) * 0.5, page.page_number
    after = pages[page.page_number]  # the next page
    assert "1 Supine figure four stretch" in " ".join((page.text + after.text).split())


def card_paragraphs(spec) -> dict[int, list[str]]:
    """Each card's wrapped paragraphs (steps as printed, tips, cautions), spaces taken out."""
    from hepbuilder.domain.steps import steps_for_dose

    return {
        number: [
            "".join(text.split())
            for text in steps_for_dose(item.exercise.steps, item.dose)
            + item.exercise.cues
            + item.exercise.precautions
        ]
        for number, item in enumerate(spec.items, start=1)
    }


def content_lines(page) -> list[str]:
    """The page's lines above the footer, their spaces taken out."""
    text = extract_text([c for c in page.chars if c["top"] < footer_top(page)])
    return ["".join(line.split()) for line in text.splitlines()]


def unmarked(line: str) -> str:
    """A line without its list mark ("3.", "•")."""
    return re.sub(r"^(\d+\.|•)", "", line)


def test_layout_lines_cut_a_paragraph_only_where_two_lines_stay_on_each_side():
    from hepbuilder.pdf.ink.fonts import REGULAR, ensure_fonts
    from hepbuilder.pdf.layout import BlockLayout
    from hepbuilder.pdf.styles import INK, TextStyle

    ensure_fonts(cjk=False)
    style = TextStyle(REGULAR, 16.0, 20.0, INK)
    width = string_width_pt("Lift", REGULAR, 16.0) + 4.0  # a word to a line
    for count in range(1, 7):
        layout = BlockLayout(width)
        layout.lines(0.0, 0.0, width, style, " ".join(["Lift"] * count))
        assert len(layout.runs) == count
        after = [round(cut / 20.0 + 0.49) for cut in layout.cuts]  # lines above each cut
        assert after == [n for n in range(2, count - 1)] + [count], count


@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_render_handout_large_print_never_leaves_one_line_of_a_card_alone(stress_pages, paper):
    paragraphs = card_paragraphs(parse_spec(stress_spec(paper, True)))
    pages = stress_pages[(paper, True)]
    for before, page in zip(pages, pages[1:], strict=False):
        lines = content_lines(page)
        label = next((i for i, line in enumerate(lines) if line.endswith("(continued)")), None)
        if label is None or not re.match(r"\d+\.", lines[label]):
            continue  # no card goes on here (or its long name wraps under the label)
        number = int(lines[label].split(".")[0])
        first = unmarked(lines[label + 1])
        # the paragraph of the card that this page starts inside, if any
        inside = [p for p in paragraphs[number] if first in p and not p.startswith(first)]
        if not inside:
            continue
        # at least two of its lines on this page, and two at the foot of the page before
        after = first + unmarked(lines[label + 2])
        head = [unmarked(line) for line in content_lines(before)[-2:]]
        assert any(after in p for p in inside), (page.page_number, lines[label + 1])
        assert any("".join(head) + first in p for p in inside), (before.page_number, head[-1])


@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_render_handout_normal_print_keeps_the_glance_list_together_and_pages_half_full(paper):
    # the QA tester's handout: six exercises, a therapist's note, a long patient name and a real
    # share link left room for one row of the list on page 1, and page 2 held the other five
    # and nothing else (30 % full) because the first card did not fit whole under them
    pdf = render_handout(parse_spec(knee_spec(paper=paper)))
    fills = fills_before_the_diary(pdf)
    assert min(fills) >= 0.5, [(n, round(f, 3)) for n, f in enumerate(fills, 1)]
    pages = read_pages(pdf, first=len(fills))
    names = [load_library().exercises[slug].name for slug, _ in KNEE_DOSES]
    rows = [
        sum(
            bool(re.search(rf"^{n}\. {re.escape(name)}(?! \(continued\))", page.text, re.M))
            for n, name in enumerate(names, 1)
        )
        for page in pages
    ]
    assert sum(rows) == len(KNEE_DOSES)
    assert all(count == 0 or count >= 2 for count in rows), rows  # never one row alone
    glance = next(p for p in pages if "Your exercises at a glance" in p.text)
    text = " ".join(glance.text.split())
    assert "(continued)" not in text.split("Your exercises at a glance")[1][:20]
    # the first card starts under the list, on the same page
    assert text.index("6. Forward step-down") < text.index("1 Quad sets What it is for")
