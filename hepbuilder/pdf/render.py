"""Build the handout PDF: page templates, the story of Blocks, and the footer on every page."""

import io
import warnings
from functools import lru_cache

from reportlab import rl_config
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate

from hepbuilder.domain.errors import ValidationError
from hepbuilder.domain.spec import HandoutSpec

from . import card, diary, first_page
from .blocks import MIN_PIECE_PT, Block
from .diary import DiaryGrid, RuledNotes
from .ink.fonts import REGULAR, ensure_fonts, string_width_pt
from .ink.lines import clean, fit
from .ink.writer import TextWriter
from .layout import BoxStyle
from .styles import RULE, HandoutStyles, styles_for

PAPER_SIZES = {"A4": A4, "letter": LETTER}
RUNNING_HEADER_PT = 22.0
LOGO_MAX_PX_W, LOGO_MAX_PX_H = 567, 189  # the logo box (48 x 16 mm) at 300 dpi
OVERVIEW_MAX_ITEMS = 12  # longer programs skip the at-a-glance list (it would not fit page 1)
MAX_LOGO_PIXELS = 25_000_000


@lru_cache(maxsize=32)
def prepare_logo(data: bytes):
    """The logo decoded, checked and made print-ready, once per distinct image.

    Raises ValidationError on "clinic.logo" unless `data` really decodes as a PNG or JPEG.
    The result is flattened onto white (the page behind it) and scaled down to at most 300 dpi
    at its printed size, so a 2 MB upload costs neither bytes nor time in every handout.
    """
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in ("PNG", "JPEG"):
                    raise ValueError(image.format)
                if image.width * image.height > MAX_LOGO_PIXELS:
                    raise ValidationError({"clinic.logo": "is too large (at most 25 megapixels)"})
                image.load()
                rgba = image.convert("RGBA")
    except ValidationError:
        raise
    except (
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise ValidationError({"clinic.logo": "is not a readable PNG or JPEG image"}) from None
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    flat.thumbnail((LOGO_MAX_PX_W, LOGO_MAX_PX_H), Image.Resampling.LANCZOS)
    return flat


def suggested_filename(spec: HandoutSpec) -> str:
    """A file name for downloads: the issue date only, never patient data ("handout-2026-11-25.pdf")."""
    return f"handout-{spec.issued_on.isoformat()}.pdf" if spec.issued_on else "handout.pdf"


def _contact(spec: HandoutSpec) -> list[str]:
    clinic = spec.clinic
    return [
        clean(part)
        for part in (clinic.name, clinic.address, clinic.phone, clinic.email, clinic.website)
        if part
    ]


def _contact_lines(spec: HandoutSpec, style, width_pt: float) -> list[str]:
    """The clinic's contact details packed into at most two footer lines."""
    lines: list[str] = []
    for part in _contact(spec):
        joined = f"{lines[-1]}  ·  {part}" if lines else part
        if lines and string_width_pt(joined, style.font_name, style.size_pt) <= width_pt:
            lines[-1] = joined
        else:
            lines.append(part)
    if len(lines) > 2:
        lines = [lines[0], "  ·  ".join(lines[1:])]
    return [fit(line, style.font_name, style.size_pt, width_pt) for line in lines]


def _footer(canvas, page: int, total: int, spec: HandoutSpec, s: HandoutStyles, contact) -> None:
    width, _ = canvas._pagesize
    left, right = s.margin_x_pt, width - s.margin_x_pt
    style = s.footer
    top = s.margin_bottom_pt - 12.0
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(left, top, right, top)
    canvas.restoreState()
    page_text = f"Page {page} of {total}"
    page_w = string_width_pt(page_text, style.font_name, style.size_pt)
    who = fit(
        f"For {clean(spec.patient_name)}",
        style.font_name,
        style.size_pt,
        right - left - page_w - 20.0,
    )
    text = TextWriter(canvas)
    text.text(left, top - style.leading_pt, style, who)
    text.text(right - page_w, top - style.leading_pt, style, page_text)
    for index, line in enumerate(contact):
        text.text(left, top - (2 + index) * style.leading_pt, style, line)
    text.flush()


def _canvas_maker(spec: HandoutSpec, s: HandoutStyles, page_w: float):
    """A Canvas that holds its pages back until the end, so each footer can say "page N of M"."""
    contact = _contact_lines(spec, s.footer, page_w - 2 * s.margin_x_pt)

    class HandoutCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._held_pages: list[dict] = []

        def showPage(self):
            self._held_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._held_pages)
            for number, state in enumerate(self._held_pages, start=1):
                self.__dict__.update(state)
                _footer(self, number, total, spec, s, contact)
                Canvas.showPage(self)
            Canvas.save(self)

    return HandoutCanvas


def _running_header(spec: HandoutSpec, s: HandoutStyles, page_w: float):
    style = s.footer
    left, right = s.margin_x_pt, page_w - s.margin_x_pt
    text = "  ·  ".join(part for part in (clean(spec.clinic.name), clean(spec.title)) if part)
    text = fit(text or "Home exercise program", style.font_name, style.size_pt, right - left)

    def draw(canvas, doc):
        _, height = canvas._pagesize
        baseline = height - s.margin_top_pt - style.size_pt
        writer = TextWriter(canvas)
        writer.text(left, baseline, style, text)
        writer.flush()
        canvas.saveState()
        canvas.setStrokeColor(s.brand)
        canvas.setLineWidth(1.0)
        canvas.line(left, baseline - 6.0, right, baseline - 6.0)
        canvas.restoreState()

    return draw


def _story(spec: HandoutSpec, s: HandoutStyles, page_height_pt: float, logo) -> list:
    # no page cut leaves less than two lines of body text (and a box's padding) on either side
    least = max(MIN_PIECE_PT, 2 * s.body.leading_pt + s.pad_pt)

    def block(build, **kwargs):
        return Block(build, page_height_pt=page_height_pt, min_piece_pt=least, **kwargs)

    card_frame = BoxStyle()
    boxed = BoxStyle(stroke=RULE, fill=None)
    continued_style = s.small
    story = [
        block(first_page.brand_header(spec, s, logo)),
        block(first_page.title_and_people(spec, s)),
        # the pain rule comes before anything long, so it is always on the first page
        block(first_page.safety_box(spec, s), frame=boxed, space_after_pt=s.gap_pt),
    ]
    changes = first_page.changes_box(spec, s)
    if changes:
        story.append(
            block(
                changes,
                frame=BoxStyle(stroke=RULE, fill=s.tint),
                space_after_pt=s.gap_pt,
                keep_whole=False,
                continued=(continued_style, "What has changed (continued)"),
            )
        )
    if spec.notes:
        story.append(
            block(
                first_page.heading_and_text("From your therapist", spec.notes, s),
                keep_whole=False,
                continued=(continued_style, "From your therapist (continued)"),
            )
        )
    if not s.large_print:
        if len(spec.items) <= OVERVIEW_MAX_ITEMS:
            story.append(
                block(
                    first_page.overview(spec, s),
                    keep_whole=False,
                    continued=(continued_style, "Your exercises at a glance (continued)"),
                )
            )
        else:
            heading = block(first_page.exercises_heading(spec, s))
            heading.keepWithNext = True
            story.append(heading)
    for number, item in enumerate(spec.items, start=1):
        if (
            s.large_print and number > 1
        ):  # the first card may share a page with the notes if it fits
            story.append(PageBreak())
        name = clean(item.exercise.name)
        story.append(
            block(
                card.exercise_card(item, number, spec, s, page_height_pt),
                frame=card_frame,
                continued=(continued_style, f"{number}. {name} (continued)"),
                space_after_pt=s.gap_pt,
            )
        )
    story.append(PageBreak())
    story.append(block(diary.diary_intro(spec, s)))
    names = [f"{n}. {clean(item.exercise.name)}" for n, item in enumerate(spec.items, start=1)]
    span, days = diary.diary_days(spec)
    story.append(DiaryGrid(names, days, s, span=span))
    story.append(RuledNotes("Notes for your next visit", s))
    return story


def render_handout(spec: HandoutSpec) -> bytes:
    """Render a checked HandoutSpec to PDF bytes; the same spec always gives the same bytes.

    Raises ValidationError on "clinic.logo" when the logo does not decode as an image.
    """
    logo = prepare_logo(spec.clinic.logo_bytes) if spec.clinic.logo_bytes else None
    ensure_fonts()
    # Binary (not ASCII85) streams: smaller files, and reportlab's pure-Python ASCII85 encoder
    # was a third of the render time. A process-wide reportlab setting; any reader takes both.
    rl_config.useA85 = 0
    s = styles_for(spec.clinic, spec.large_print)
    page_w, page_h = PAPER_SIZES[spec.paper]
    buffer = io.BytesIO()
    title = clean(spec.title) or "Home exercise program"
    subject = "Home exercise program" + (
        f" issued {spec.issued_on.isoformat()}" if spec.issued_on else ""
    )
    doc = BaseDocTemplate(
        buffer,
        pagesize=(page_w, page_h),
        leftMargin=s.margin_x_pt,
        rightMargin=s.margin_x_pt,
        topMargin=s.margin_top_pt,
        bottomMargin=s.margin_bottom_pt,
        title=title,
        author=clean(spec.clinic.name),
        subject=subject,
        creator="hepbuilder",
        producer="hepbuilder (reportlab)",
        invariant=1,
        pageCompression=1,
        initialFontName=REGULAR,
        lang="en",
    )
    frame_w = page_w - 2 * s.margin_x_pt
    first_h = page_h - s.margin_top_pt - s.margin_bottom_pt
    later_h = first_h - RUNNING_HEADER_PT
    padding = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
    doc.addPageTemplates(
        [
            PageTemplate(
                "first",
                [Frame(s.margin_x_pt, s.margin_bottom_pt, frame_w, first_h, id="first", **padding)],
                autoNextPageTemplate="later",
            ),
            PageTemplate(
                "later",
                [Frame(s.margin_x_pt, s.margin_bottom_pt, frame_w, later_h, id="later", **padding)],
                onPage=_running_header(spec, s, page_w),
            ),
        ]
    )
    logo = ImageReader(logo) if logo is not None else None
    doc.build(_story(spec, s, later_h, logo), canvasmaker=_canvas_maker(spec, s, page_w))
    return buffer.getvalue()
