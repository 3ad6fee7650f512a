"""Build the handout PDF: the page templates and the story of Blocks, first page to diary."""

import io
import warnings
from functools import lru_cache

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.utils import ImageReader
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Frame, PageTemplate

from hepbuilder.domain.errors import ValidationError
from hepbuilder.domain.limits import LOGO_MAX_PIXELS
from hepbuilder.domain.safety_words import needs_red_flags
from hepbuilder.domain.spec import HandoutSpec, handout_filename

from . import card, diary, first_page
from .blocks import MIN_PIECE_PT, Block
from .diary import RuledNotes
from .ink.fonts import REGULAR, ensure_fonts
from .ink.lines import clean
from .layout import BoxStyle
from .pages import CONTINUES, canvas_maker, page_furniture, running_header
from .photos import check_photos
from .printable import uses_cjk
from .styles import INK, RULE, HandoutStyles, styles_for

PAPER_SIZES = {"A4": A4, "letter": LETTER}
LOGO_MAX_PX_W, LOGO_MAX_PX_H = 567, 189  # the logo box (48 x 16 mm) at 300 dpi
OVERVIEW_MAX_ITEMS = 12  # longer programs skip the at-a-glance list (it would not fit page 1)
DIARY_ON_SAME_PAGE_SHARE = 0.5  # the diary follows the last card when half a page is free


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
                if image.width * image.height > LOGO_MAX_PIXELS:
                    raise ValidationError(
                        {
                            "clinic.logo": f"is too large (at most {LOGO_MAX_PIXELS // 10**6} megapixels)"
                        }
                    )
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
    return handout_filename(spec.issued_on)


def _story(
    spec: HandoutSpec, s: HandoutStyles, frame_w_pt: float, page_height_pt: float, logo
) -> list:
    # no page cut leaves less than two lines of body text (and a box's padding) on either side
    least = max(MIN_PIECE_PT, 2 * s.body.leading_pt + s.pad_pt)

    boxed = BoxStyle(stroke=RULE, fill=None)
    continued_style = s.small

    def block(build, **kwargs):
        if "continued" in kwargs:  # whatever may go on over a page says so at the page foot
            kwargs["foot_mark"] = CONTINUES
        return Block(build, page_height_pt=page_height_pt, min_piece_pt=least, **kwargs)

    story = [
        block(first_page.brand_header(spec, s, logo)),
        block(first_page.title_and_people(spec, s)),
        # the pain rule comes before anything long, so it is always on the first page
        block(first_page.safety_box(spec, s), frame=boxed, space_after_pt=s.gap_pt),
    ]
    if needs_red_flags(spec):
        story.append(
            block(
                first_page.red_flags_box(spec, s),
                frame=BoxStyle(stroke=INK, fill=None, line_pt=1.2),
                space_after_pt=s.gap_pt,
            )
        )
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
    if len(spec.items) <= OVERVIEW_MAX_ITEMS:
        story.append(
            block(
                first_page.overview(spec, s),
                keep_whole=False,
                continued=(continued_style, "Your exercises at a glance (continued)"),
            )
        )
    else:
        # the heading stays with the first card: a new page unless they fit (reportlab's
        # keepWithNext would move a card taller than a page, leaving a gap). A large-print card
        # may go on under its name and picture; a normal-print one comes whole. Where the two
        # cannot share even a fresh page (a long card under a tall running header), the heading
        # ends the page it falls on rather than stand alone on one
        heading = first_page.exercises_heading(spec, s)
        first = card.exercise_card(spec.items[0], 1, spec, s)(frame_w_pt)
        if s.large_print:
            needed = heading(frame_w_pt).height + min(first.cuts, default=first.height) + least
        else:
            needed = heading(frame_w_pt).height + first.height
        if needed <= page_height_pt:
            story.append(CondPageBreak(needed))
        story.append(block(heading))
    for number, item in enumerate(spec.items, start=1):
        name = clean(item.exercise.name)
        story.append(
            block(
                card.exercise_card(item, number, spec, s),
                frame=BoxStyle(),
                continued=(continued_style, f"{number}. {name} (continued)"),
                space_after_pt=s.gap_pt,
                # normal print keeps each card whole: one that does not fit under the overview
                # starts the next page; in large print, where a card is often taller than a
                # page, every card goes on under its picture rather than leave a page empty
                keep_whole=not s.large_print,
                # ... but not when that would leave more than half a page empty (a card after
                # the at-a-glance list at the top of a page)
                split_if_half_empty=True,
            )
        )
    # the diary starts on a page of its own, unless that would leave most of this one empty
    # (then a first week that does not fit under its introduction starts the next page whole)
    story.append(CondPageBreak(page_height_pt * DIARY_ON_SAME_PAGE_SHARE))
    story.append(block(diary.diary_intro(spec, s)))
    story.extend(diary.diary_grids(spec, s, page_height_pt))
    story.append(RuledNotes("Notes for your next visit", s))
    return story


def column_width_pt(page_w_pt: float, s: HandoutStyles) -> float:
    """The width of the page's one column of boxes and cards."""
    return page_w_pt - 2 * s.margin_x_pt


def render_handout(spec: HandoutSpec) -> bytes:
    """Render a checked HandoutSpec to PDF bytes; the same spec always gives the same bytes.

    Raises ValidationError on "clinic.logo" when the logo does not decode as an image, and on
    "items[N].exercise.photos[K].data" for each photo that does not.
    """
    logo = prepare_logo(spec.clinic.logo_bytes) if spec.clinic.logo_bytes else None
    check_photos(spec)
    ensure_fonts(cjk=uses_cjk(spec))
    s = styles_for(spec.clinic, spec.large_print)
    page_w, page_h = PAPER_SIZES[spec.paper]
    furniture = page_furniture(spec, s, page_w, page_h)
    bottom = furniture.bottom_margin_pt
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
        bottomMargin=bottom,
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
    frame_w = column_width_pt(page_w, s)
    first_h = page_h - s.margin_top_pt - bottom
    later_h = first_h - furniture.header_h_pt
    padding = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
    doc.addPageTemplates(
        [
            PageTemplate(
                "first",
                [Frame(s.margin_x_pt, bottom, frame_w, first_h, id="first", **padding)],
                autoNextPageTemplate="later",
            ),
            PageTemplate(
                "later",
                [Frame(s.margin_x_pt, bottom, frame_w, later_h, id="later", **padding)],
                onPage=running_header(s, furniture),
            ),
        ]
    )
    logo = ImageReader(logo) if logo is not None else None
    doc.build(_story(spec, s, frame_w, later_h, logo), canvasmaker=canvas_maker(s, furniture))
    return buffer.getvalue()
