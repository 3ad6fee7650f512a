"""The diary follows the dose: a box per session, L and R for each side, rest days marked, weeks
up to the review; and the red-flags box of back and hip programs."""

import io
import re

import pytest
from pypdf import PdfReader

from hepbuilder.domain.spec import parse_spec
from hepbuilder.pdf import render_handout
from hepbuilder.pdf.diary import planned_days
from hepbuilder.pdf.styles import DIARY_BOX_MM
from tests.handout_specs import knee_spec, make_item, make_spec
from tests.pdf_pages import read_pages

BOX_PT = DIARY_BOX_MM[0] * 72 / 25.4


def diary_boxes(pdf: bytes) -> list[dict]:
    """The diary's tick boxes: squares of the diary box size on the diary pages."""
    boxes = []
    started = False
    for page in read_pages(pdf):
        started = started or "Exercise diary" in page.text
        if started:
            boxes += [
                r
                for r in page.rects
                if abs(r["width"] - BOX_PT) < 0.5 and abs(r["height"] - BOX_PT) < 0.5
            ]
    return boxes


def diary_text(pdf: bytes) -> str:
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]
    start = next(i for i, page in enumerate(pages) if "Exercise diary" in page)
    return " ".join(pages[start:])


def render_items(*items, **spec) -> bytes:
    data = make_spec(items=0, **spec)
    data["items"] = list(items)
    return render_handout(parse_spec(data))


def test_diary_has_two_boxes_a_day_for_a_twice_a_day_item():
    pdf = render_items(make_item(1, times_per_day=2, days_per_week=7, side="none"))
    # 14 days to the review: 2 sessions a day, and the pain row's one box a day
    assert len(diary_boxes(pdf)) == 14 * 2 + 14


def test_diary_has_a_left_and_a_right_box_for_each_side():
    pdf = render_items(make_item(1, times_per_day=1, days_per_week=7, side="each"))
    assert len(diary_boxes(pdf)) == 14 * 2 + 14
    assert "L R L R" in diary_text(pdf)
    assert "L and R are your left and right side." in diary_text(pdf)


def test_diary_marks_the_planned_days_of_a_three_days_a_week_item():
    pdf = render_items(make_item(1, times_per_day=1, days_per_week=3, side="none"))
    assert len(diary_boxes(pdf)) == 2 * 3 + 14  # three planned days a week, two weeks
    assert "A dash (–) marks a day off for that exercise." in diary_text(pdf)
    assert planned_days(3) == {0, 2, 4} and planned_days(5) == {0, 1, 2, 4, 5}


@pytest.mark.parametrize(("review_on", "weeks"), [("2026-12-30", 5), ("2027-03-01", 6)])
def test_diary_runs_to_the_review_for_up_to_six_weeks(review_on, weeks):
    pdf = render_items(make_item(1, times_per_day=1, side="none"), review_on=review_on)
    text = diary_text(pdf)
    assert f"WEEK {weeks}:" in text and f"WEEK {weeks + 1}:" not in text
    assert text.count("Pain today (0 to 10)") == weeks


@pytest.mark.parametrize(
    ("country", "number"), [("GB", "Call 999 now"), ("US", "Call 911 now"), ("DE", "Call 112 now")]
)
def test_back_and_hip_programs_have_a_red_flags_box_with_the_emergency_number(country, number):
    spec = make_spec(items=1)
    spec["clinic"]["country"] = country
    spec["items"][0]["exercise"]["body_region"] = "hip and low back"
    first = PdfReader(io.BytesIO(render_handout(parse_spec(spec)))).pages[0].extract_text()
    first = " ".join(first.split())
    assert "Get help straight away" in first
    assert f"{number}, or go to the emergency department" in first
    assert "numbness or tingling around your back passage or genitals" in first
    assert "new trouble passing urine or controlling your bladder or bowels" in first


def test_red_flags_box_prints_the_clinics_own_number_and_advice():
    spec = make_spec(items=1)
    spec["clinic"].update(
        country="GB", emergency_number="112", out_of_hours="Call the ward on 0117 555 0000."
    )
    first = " ".join(
        PdfReader(io.BytesIO(render_handout(parse_spec(spec)))).pages[0].extract_text().split()
    )
    assert "Call 112 now" in first and "Call the ward on 0117 555 0000." in first


def test_programs_for_other_regions_have_no_red_flags_box():
    spec = make_spec(items=1)
    spec["items"][0]["exercise"]["body_region"] = "shoulder"
    text = " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(render_handout(parse_spec(spec)))).pages
    )
    assert "Get help straight away" not in text


def diary_pages(pdf: bytes) -> list:
    """The pages from "Exercise diary" on, as pdfplumber would read their (text, chars, lines)."""
    pages = []
    for page in read_pages(pdf):
        if pages or "Exercise diary" in page.text:
            pages.append((page.text, page.chars, page.lines))
    return pages


@pytest.mark.parametrize("paper", ["A4", "letter"])
@pytest.mark.parametrize("large_print", [False, True], ids=["normal", "large"])
def test_diary_keeps_each_week_whole_spaced_and_ends_with_notes(paper, large_print):
    # the QA handout: in large print week 1's rows 1-5 were on one page and row 6 and the pain
    # row on the next, run into the next week's heading with no space between
    pdf = render_handout(parse_spec(knee_spec(paper=paper, large_print=large_print)))
    pages = diary_pages(pdf)
    weeks = 0
    for text, chars, lines in pages:
        text = text.split("Exercise diary")[-1]  # not the end of the last card before it
        spans = text.count("WEEK ")
        weeks += spans
        assert "(CONTINUED)" not in text
        # every week on the page with all its rows and its pain row
        assert text.count("Pain today") == spans, text
        assert text.count("6. Forward") == spans, text
        # each week's heading stands clear of the rule above it (the last week's pain row)
        heads = sorted({c["top"] for c in chars if c["text"] == "W" and c["size"] < 14})
        for top in heads:
            rules_above = [line["top"] for line in lines if line["top"] < top]
            assert top - max(rules_above) >= 9.0, (top, max(rules_above))
    assert weeks == 4  # 1 to 29 December: four weeks, each heading once
    if large_print:  # there is room for it after the last week: it is there in large print too
        assert "Notes for your next visit" in pages[-1][0]


def test_diary_splits_only_a_week_longer_than_a_page_and_says_it_goes_on():
    spec = make_spec(items=12, large_print=True)  # twelve rows and the pain row: over a page
    pages = diary_pages(render_handout(parse_spec(spec)))
    week_one = [text for text, _, _ in pages if "WEEK 1:" in text]
    assert len(week_one) == 2 and "(CONTINUED)" in week_one[1]
    rows = " ".join(" ".join(text.split()) for text in week_one)
    assert all(re.search(rf"\bnumber {n}\b", rows) for n in range(1, 13)), rows
