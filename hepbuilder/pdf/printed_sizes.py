"""How big a handout prints a picture: the room a card gives it on each paper and print size,
and how long a pose's arrows come out on the smallest of them.

An arrow drawn to look right on a large screen can print a few millimetres long on the card,
its head about all there is of it: the pose editor warns below ARROW_LEAST_PRINTED_MM, and the
bundled library's pictures are held to it (tests/unit/test_illustrations_poses.py).
"""

import math
from collections.abc import Iterator

from reportlab.lib.units import mm

from hepbuilder.domain.exercise import LibraryExercise, drawn_for_side
from hepbuilder.domain.spec import ClinicBrand
from hepbuilder.illustrations import frame_labels, illustration_art
from hepbuilder.illustrations.layout import layout

from .card import picture_room_pt
from .ink.fonts import ensure_fonts
from .picture import arrange_frames, frame_row_size
from .render import PAPER_SIZES, column_width_pt
from .styles import HandoutStyles, styles_for

ARROW_LEAST_PRINTED_MM = 5.0  # tail to tip, on an A4 card in normal print


def picture_rooms() -> Iterator[tuple[HandoutStyles, float]]:
    """(styles, room in points) a card gives its picture, for each paper and print size: A4 in
    normal print first, the smallest."""
    for page_w, _page_h in PAPER_SIZES.values():
        for large_print in (False, True):
            s = styles_for(ClinicBrand(), large_print)
            yield s, picture_room_pt(column_width_pt(page_w, s), s)


def printed_arrow_lengths_mm(exercise: LibraryExercise) -> list[float]:
    """How long (mm, tail to tip) each of the exercise's pose arrows prints on an A4 card in
    normal print, the smallest a handout prints a picture, for a dose of "each side" (every
    frame drawn); in the order the pose lists them (none for photos or no pose)."""
    data = exercise.illustration or {}
    if exercise.printed_photos or not data.get("frames"):  # photos print instead
        return []
    ensure_fonts()  # the frame labels under the picture are measured
    s, room = next(picture_rooms())  # A4, normal print
    drawn = drawn_for_side(exercise, "each")
    # the frames' boxes are all the fitting reads, and labels change no box: the labelled
    # drawing (the one the pose editor's preview has just drawn) gives the card's grid
    art = illustration_art(drawn, "each")
    labels = frame_labels(drawn.illustration)
    width, height = frame_row_size(arrange_frames(art, len(art.frames), room, s, labels))
    scale = layout(art, width, height, label_size=0.0, line_width=1.0).scale  # pt per figure mm
    return [
        math.hypot(*arrow["vector_mm"]) * scale / mm
        for arrow in drawn.illustration.get("arrows", ())
    ]
