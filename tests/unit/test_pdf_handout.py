"""The PDF handout, checked by content: extracted text, pages, fonts, metadata, determinism."""

import copy
import io
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from hepbuilder.domain.spec import parse_spec
from hepbuilder.library import load_library
from hepbuilder.pdf import render_handout, suggested_filename
from tests.handout_specs import LAST_STEP, make_exercise, make_item, make_spec


def render(data: dict) -> bytes:
    return render_handout(parse_spec(data))


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text with runs of whitespace folded to one space (lines joined)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def page_of(pages: list[str], text: str) -> int:
    found = [index for index, page in enumerate(pages) if text in page]
    assert found, f"{text!r} is on no page"
    return found[0]


def test_render_handout_prints_patient_therapist_dates_and_every_card():
    pages = pages_text(render(make_spec(items=3)))
    everything = " ".join(pages)
    for expected in (
        "Pat Example",
        "Sam Rivera, DPT",
        "25 November 2026",
        "9 December 2026",
        "Hip mobility for low back pain",
        "Warm up with a short walk first.",
    ):
        assert expected in everything
    for number in (1, 2, 3):
        assert f"Test exercise number {number}" in everything
        assert f"Let exercise {number}'s knee fall gently out to the side" in everything
    assert "3 sets of 10, hold 5 seconds, twice a day, each side" in everything
    assert "Breathe out as you move." in everything
    assert "Stop if you feel pinching pain at the front of the hip." in everything


def test_render_handout_shows_dose_chips():
    everything = " ".join(pages_text(render(make_spec(items=1))))
    for chip in ("SETS 3", "REPS 10", "HOLD 5 s", "HOW OFTEN twice a day", "SIDE Each side"):
        assert chip in everything


def test_render_handout_keeps_each_card_on_one_page():
    spec = make_spec(items=10)
    spec["items"][4]["notes"] = "A longer note for this patient. " * 12
    pages = pages_text(render(spec))
    for number in range(1, 11):
        card_text = pages[page_of(pages, f"{number} Test exercise number {number} ")]
        assert f"Let exercise {number}'s knee" in card_text
        last_step_after_name = card_text.split(f"Test exercise number {number}", 1)[1]
        assert LAST_STEP in last_step_after_name


def test_render_handout_flows_two_short_cards_to_a_page():
    items = [make_item(n, exercise=make_exercise(n, cues=[], precautions=[])) for n in range(1, 7)]
    pages = pages_text(render(make_spec() | {"items": items}))
    card_pages = [page_of(pages, f"{n} Test exercise number {n} ") for n in range(1, 7)]
    assert max(card_pages.count(page) for page in set(card_pages)) >= 2


def test_render_handout_footer_on_every_page_has_page_count_contact_and_patient():
    pages = pages_text(render(make_spec(items=6)))
    total = len(pages)
    assert total >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text
        assert "For Pat Example" in text
        assert "091 555 0100" in text
        assert "desk@harbour.example" in text


def test_render_handout_first_page_has_the_pain_rule_with_the_clinic_phone():
    first = pages_text(render(make_spec(items=2, notes="Long notes. " * 600)))[0]
    assert "Stay safe" in first
    assert "Stop and call Harbour Physio on 091 555 0100" in first
    assert "Ease off" in first


def test_render_handout_marks_new_and_changed_items_and_lists_stopped_ones():
    spec = make_spec(items=3, stopped=["Clamshell", "Bridge with band"])
    spec["items"][0]["change"] = "new"
    spec["items"][1]["change"] = "dose-changed"
    pages = pages_text(render(spec))
    everything = " ".join(pages)
    assert "What has changed since your last handout" in everything
    assert "New: Test exercise number 1." in everything
    assert "New dose: Test exercise number 2." in everything
    assert "Stopped: Clamshell, Bridge with band." in everything
    assert "1 Test exercise number 1 NEW" in pages[page_of(pages, "1 Test exercise number 1 ")]
    assert "DOSE CHANGED" in everything


def test_render_handout_without_changes_has_no_changes_box():
    assert "What has changed" not in " ".join(pages_text(render(make_spec(items=2))))


def test_render_handout_ends_with_a_two_week_diary_with_pain_row():
    pages = pages_text(render(make_spec(items=3)))
    diary = " ".join(pages[page_of(pages, "Exercise diary") :])
    assert diary.index("Exercise diary") > diary.find("3 Test exercise number 3 ")
    for number in (1, 2, 3):
        assert f"{number}. Test exercise number {number}" in diary
    assert "Pain today (0 to 10)" in diary
    assert "WEEK 1: 25 NOV – 1 DEC 2026 Wed 25 Thu 26" in diary
    assert "WEEK 2: 2 DEC – 8 DEC 2026 Wed 2 Thu 3" in diary
    assert "Bring this diary to your review on 9 December 2026" in diary


def test_render_handout_is_byte_identical_for_the_same_spec():
    spec = make_spec(items=4, share_url="https://hep.example/p/abc123")
    first = render(spec)
    render(make_spec(items=1, patient={"name": "Someone Else"}))  # other renders in between
    assert render(spec) == first


@pytest.mark.parametrize(
    "nasty",
    [
        "<b>bold</b>",
        "Fish & chips &amp; more",
        '<font color="red">red</font>',
        '<img src="/etc/passwd"/>',
        "]]> <![CDATA[ x",
        "<para>p</para> <br/> &lt;",
    ],
)
def test_render_handout_prints_markup_in_user_text_literally(nasty):
    spec = make_spec(
        items=1, title=f"Title {nasty}", notes=f"Note {nasty}", patient={"name": f"Pat {nasty}"}
    )
    spec["items"][0]["notes"] = f"Item note {nasty}"
    spec["items"][0]["exercise"]["name"] = f"Name {nasty}"
    spec["items"][0]["exercise"]["steps"] = [f"Step {nasty}"]
    everything = " ".join(pages_text(render(spec)))
    folded = " ".join(nasty.split())
    for where in ("Title", "Note", "Pat", "Item note", "Name", "Step"):
        assert f"{where} {folded}" in everything


@pytest.mark.parametrize(
    "name",
    ["Zoë Łukasiewicz", "José Núñez", "Ødegård", "Αλέξανδρος Παπαδόπουλος", "Ирина Петрова"],
)
def test_render_handout_unicode_names_can_be_searched_and_copied(name):
    spec = make_spec(items=1, patient={"name": name})
    spec["items"][0]["exercise"]["name"] = f"Übung für {name}"
    everything = " ".join(pages_text(render(spec)))
    assert f"For {name}" in everything
    assert f"Übung für {name}" in everything


def test_render_handout_survives_characters_no_font_has():
    spec = make_spec(
        items=1, notes="漢字 💪 \u0000 \u200b \ufffe done", patient={"name": "名前 🙂"}
    )
    pdf = render(spec)
    assert "done" in " ".join(pages_text(pdf))


def test_render_handout_sets_all_its_text_in_embedded_font_subsets():
    reader = PdfReader(io.BytesIO(render(make_spec(items=1, patient={"name": "Zoë Łukasiewicz"}))))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    embedded = {name for name in fonts if re.match(r"/[A-Z]{6}\+DejaVuSans", name)}
    assert {re.sub(r"^/[A-Z]{6}\+", "", name) for name in embedded} == {
        "DejaVuSans",
        "DejaVuSans-Bold",
    }
    for name in embedded:
        assert "/FontFile2" in fonts[name]["/FontDescriptor"].get_object()
    # anything else may only be a standard PDF font (the illustration layer labels "Start"/"Finish")
    assert set(fonts) - embedded <= {"/Helvetica", "/Helvetica-Bold"}


def test_render_handout_large_print_puts_one_exercise_per_page_at_14pt_or_more():
    pdf = render(make_spec(items=4, large_print=True))
    pages = pages_text(pdf)
    card_pages = [page_of(pages, f"{n} Test exercise number {n} ") for n in range(1, 5)]
    assert len(set(card_pages)) == 4
    sizes = []

    def visit(text, cm, tm, font_dict, font_size):
        if "knee fall gently" in text or "Lie on your back" in text:
            sizes.append(font_size * tm[3] * cm[3])

    PdfReader(io.BytesIO(pdf)).pages[card_pages[0]].extract_text(visitor_text=visit)
    assert sizes and min(sizes) >= 14


@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_render_handout_large_print_prints_every_library_exercise_whole(paper):
    from hepbuilder.domain.dose import Dose
    from hepbuilder.domain.steps import steps_for_dose
    from hepbuilder.library.loader import load_library

    library = load_library()
    items = [
        {"exercise": slug, "sets": 2, "reps": 10, "times_per_day": 2, "days_per_week": 5}
        for slug in library.exercises
    ]
    spec = make_spec(items=0, large_print=True, paper=paper)
    spec["items"] = items
    spec = parse_spec(spec, resolve=library.exercises.get)
    pages = pages_text(render_handout(spec))
    everything = " ".join(pages)
    for number, exercise in enumerate(library.exercises.values(), start=1):
        assert f"{number} {exercise.name} What it is for" in everything
        # a card longer than a page goes on under its name, never cut short
        printed = steps_for_dose(exercise.steps, Dose(sets=2, reps=10))
        last_step = " ".join(printed[-1].split()[-4:])
        assert last_step in everything


def test_render_handout_wraps_a_long_dose_chip_instead_of_cutting_it():
    item = make_item(1, times_per_day=2, days_per_week=5)
    item["exercise"]["steps"] = ["A step. " * 40] * 6  # long enough for the picture to go beside
    spec = make_spec(items=0, large_print=True, paper="letter")
    spec["items"] = [item]
    pages = pages_text(render(spec))
    card = pages[page_of(pages, "1 Test exercise number 1 What it is for")]
    assert "HOW OFTEN twice a day, 5 days a week" in card
    assert "…" not in card


def test_dose_chips_wrap_inside_a_narrow_column():
    from hepbuilder.pdf.card import _chips
    from hepbuilder.pdf.ink.fonts import ensure_fonts, string_width_pt
    from hepbuilder.pdf.layout import BlockLayout
    from hepbuilder.pdf.styles import styles_for

    ensure_fonts()
    styles = styles_for(parse_spec(make_spec(items=1)).clinic, large_print=True)
    layout = BlockLayout(400.0)
    chips = [("Sets", "2"), ("How often", "twice a day, 5 days a week"), ("Side", "Each side")]
    bottom = _chips(layout, 10.0, 0.0, 150.0, chips, styles)
    texts = [run.text for run in layout.runs]
    assert texts[:3] == ["SETS", "2", "HOW OFTEN"] and texts[-2:] == ["SIDE", "Each side"]
    value_lines = texts[3:-2]
    assert len(value_lines) >= 2 and " ".join(value_lines) == "twice a day, 5 days a week"
    for run in layout.runs:  # every piece of text stays inside the 150 pt column
        assert run.x + string_width_pt(run.text, run.font_name, run.size_pt) <= 10.0 + 150.0
    assert bottom > 3 * styles.small_bold.leading_pt  # the long chip took more than one line


@pytest.mark.parametrize(
    ("large_print", "paper", "weekdays"),
    [(False, "A4", "Wed Thu Fri Sat Sun Mon Tue"), (True, "letter", "Wed Thu Fri Sat Sun Mon Tue")],
)
def test_render_handout_diary_headings_fit_their_columns(large_print, paper, weekdays):
    pages = pages_text(render(make_spec(items=2, large_print=large_print, paper=paper)))
    diary = " ".join(pages[-2:])
    for dates in ("25 26 27 28 29 30 1".split(), "2 3 4 5 6 7 8".split()):
        headings = " ".join(
            f"{day} {date}" for day, date in zip(weekdays.split(), dates, strict=True)
        )
        assert headings in diary


@pytest.mark.parametrize(("paper", "size"), [("A4", (595, 842)), ("letter", (612, 792))])
def test_render_handout_uses_the_paper_size(paper, size):
    reader = PdfReader(io.BytesIO(render(make_spec(items=2, paper=paper))))
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == size


def test_render_handout_renders_long_texts_without_clipping_or_errors():
    word = "x" * 119 + "Z"
    name = "A rather long exercise name that goes on to sixty characters"
    spec = make_spec(items=40, notes=("General advice. " * 300)[:5000] + word)
    spec["items"][0]["exercise"]["name"] = name[:60]
    spec["items"][1]["notes"] = ("Very long note for this patient. " * 160)[:5000]
    spec["items"][2]["exercise"]["steps"] = [word + " then carry on"]
    pdf = render(spec)
    pages = pages_text(pdf)
    everything = " ".join(pages)
    assert name[:60] in everything
    assert "Test exercise number 40" in everything
    assert everything.count("Z") >= 2  # the long word's last character made it onto the page
    assert "(continued)" in everything  # the long-note card was split only because it had to be


def test_render_handout_splits_a_card_taller_than_a_page_and_keeps_all_of_it():
    spec = make_spec(items=1)
    spec["items"][0]["notes"] = " ".join(f"sentence{n:04d}." for n in range(700))
    pages = pages_text(render(spec))
    everything = " ".join(pages)
    assert "sentence0000." in everything and "sentence0699." in everything
    assert "Test exercise number 1 (continued)" in everything


def test_render_handout_sets_title_author_and_subject_without_patient_data():
    reader = PdfReader(io.BytesIO(render(make_spec(items=1, patient={"name": "Pat Secret"}))))
    meta = reader.metadata
    assert meta.title == "Hip mobility for low back pain"
    assert meta.author == "Harbour Physio"
    assert meta.subject == "Home exercise program issued 2026-11-25"
    assert "Secret" not in f"{meta.title}{meta.author}{meta.subject}"


def test_suggested_filename_has_the_date_and_no_patient_data():
    spec = parse_spec(make_spec(items=1, patient={"name": "Pat Secret"}))
    assert suggested_filename(spec) == "handout-2026-11-25.pdf"
    assert suggested_filename(parse_spec(make_spec(items=1, issued_on=None))) == "handout.pdf"


def test_render_handout_without_optional_fields_renders():
    spec = {"patient": {"name": "Only Name"}, "items": [make_item(1)]}
    pages = pages_text(render(spec))
    assert "Your home exercise program" in pages[0]
    assert "Stop and contact the clinic" in pages[0]
    diary = " ".join(pages[-2:])
    assert "DAYS 1 – 7 1 2 3 4 5 6 7EXERCISE" in diary
    assert "DAYS 8 – 14 8 9 10 11 12 13 14EXERCISE" in diary


def test_render_handout_does_not_change_the_spec():
    spec = make_spec(items=2)
    before = copy.deepcopy(spec)
    render(spec)
    assert spec == before


@pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils) for word positions"
)
def test_render_handout_sets_a_bold_lead_on_the_same_baseline_as_its_text(tmp_path):
    # pypdf does not track text moves after T* faithfully, so ask poppler where the words are
    path = tmp_path / "handout.pdf"
    path.write_bytes(render(make_spec(items=1)))
    bbox = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    words = re.findall(r'yMax="([\d.]+)">([^<]+)</word>', bbox)
    sequence = [word for _, word in words]
    start = sequence.index("Ease")
    assert sequence[start : start + 4] == ["Ease", "off:", "pain", "above"]
    assert len({round(float(y), 1) for y, _ in words[start : start + 4]}) == 1


def test_render_handout_large_print_card_going_on_over_a_page_says_so_at_foot_and_top():
    import pdfplumber

    spec = make_spec(items=2, large_print=True)
    spec["items"][0]["notes"] = " ".join(["Keep it slow and even, breathing out as you go."] * 14)
    mark = "Continued on the next page"
    with pdfplumber.open(io.BytesIO(render(spec))) as pdf:
        marked = [index for index, page in enumerate(pdf.pages) if page.search(mark)]
        assert marked, "no page says the card goes on"
        page, following = pdf.pages[marked[0]], pdf.pages[marked[0] + 1]
        (found,) = page.search(mark)
        (number,) = page.search(f"Page {marked[0] + 1} of {len(pdf.pages)}")
        (patient,) = page.search("For Pat Example")
        # in the footer's first line, between the patient's name and the page number, under
        # everything on the card, in type as large as the footer's
        assert abs(found["bottom"] - number["bottom"]) < 0.5
        assert patient["x1"] < found["x0"] and found["x1"] < number["x0"]
        card = [w for w in page.extract_words() if w["bottom"] < patient["top"]]
        assert card and max(w["bottom"] for w in card) < found["top"]
        sizes = {
            round(c["size"], 1) for c in page.chars if found["top"] <= c["top"] < found["bottom"]
        }
        assert min(sizes) >= 12
        # and the next page opens the card again under its name, before anything else of it
        (again,) = following.search("1. Test exercise number 1 (continued)", regex=False)
        header_rule = following.search("Hip mobility for low back pain")[0]["bottom"]
        below_header = [w for w in following.extract_words() if w["top"] > header_rule]
        assert min(w["top"] for w in below_header) >= again["top"] - 0.5
        # a page that ends with a card ending carries no mark
        assert not following.search(mark)


def test_render_handout_cards_kept_whole_carry_no_continued_mark():
    pages = pages_text(render(make_spec(items=3)))
    assert not any("Continued on the next page" in page for page in pages)


@pytest.mark.parametrize(("side", "frames"), [("each", 3), ("left", 2), ("none", 2)])
def test_a_frame_marked_each_side_is_drawn_only_for_an_each_side_dose(side, frames):
    """Active 90/90's third frame shows the switch to the other side: a one-side dose leaves
    it out, as it leaves out the step that says so."""
    exercise = load_library().exercises["active-90-90"].to_dict()
    assert exercise["illustration"]["frames"][2]["label"].startswith("[each side]")
    spec = make_spec(items=1)
    spec["items"] = [make_item(exercise=exercise, side=side)]
    text = " ".join(pages_text(render(spec)))
    assert "Start" in text and "Both knees up" in text
    assert ("Then the other side" in text) is (frames == 3)
    assert "[each side]" not in text


def test_a_long_patient_name_takes_the_footers_full_width_below_its_first_line():
    """Large print on letter: beside "Page N of M" the name has a narrow column; below it the
    whole width is free, so the name takes two lines, not seven, on every page."""
    from hepbuilder.pdf.pages import page_furniture
    from hepbuilder.pdf.render import PAPER_SIZES
    from hepbuilder.pdf.styles import styles_for

    name = "Maximilian-Alexander Bartholomew Featherstonehaugh-Wolstenholme de la Cruz-Montgomery"
    spec = make_spec(items=1, large_print=True, paper="letter")
    spec["patient"] = {"name": name}
    footer = pages_text(render(spec))[1]  # (registers the fonts the furniture measures with)
    assert "Featherstonehaugh-Wolstenholme de la Cruz-Montgomery" in footer
    parsed = parse_spec(spec)
    furniture = page_furniture(parsed, styles_for(parsed.clinic, True), *PAPER_SIZES["letter"])
    assert len(furniture.patient_lines) == 2
    assert " ".join(furniture.patient_lines) == f"For {name}"
