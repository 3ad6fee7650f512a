"""The words under a picture: which side it shows and what its arrows mean.

A pose is written for the right side, and `side_to_draw` says which way round to draw it for a
dose, so the side a picture shows follows from the dose's side. The handout, the web pages and
the private link print this line under each picture.
"""

from hepbuilder.domain.steps import each_side_only

LIMB_WORDS = {"thigh": "leg", "shin": "leg", "foot": "leg", "buttock": "buttock"}
ARM_PARTS = ("upper_arm", "forearm", "hand")


def _part_word(part: str) -> str:
    kind = part.rsplit("_", 1)[0]
    return "arm" if kind in ARM_PARTS else LIMB_WORDS.get(kind, "")


def _highlighted(data: dict) -> tuple[list[str], list[str]]:
    highlight = [h for h in data.get("highlight") or () if _part_word(h)]
    return [h for h in highlight if h.endswith("_near")], [
        h for h in highlight if h.endswith("_far")
    ]


def side_to_draw(data: dict | None, side: str) -> str:
    """The side to draw a pose for so that the limb in colour is the dose's `side`.

    A pose is written for the right side and usually colours its near limb, so "left" draws the
    mirror image; a pose that colours only its far limb (the straight, stretched leg of a side
    lunge) is mirrored the other way round, so "right only" shows the right leg in colour either
    way. Every pen and the caption draw and describe this one side.
    """
    if not data or side not in ("left", "right"):
        return side
    near, far = _highlighted(data)
    if far and not near:
        return "right" if side == "left" else "left"
    return side


def frame_label(frame: dict) -> str:
    """A frame's label as printed ("Start"; "" for none). A label starting "[each side]" is
    printed without the mark: it says when the frame is drawn (only for an each-side dose,
    `domain.exercise.drawn_for_side`), not what the patient reads."""
    return each_side_only(str(frame.get("label") or ""))[1]


def frame_labels(data: dict | None) -> list[str]:
    """The label of each frame of a pose as printed ("Start", "Finish"; "" for a frame without
    one), by `frame_label`: every pen, the handout and the web pages print these."""
    return [frame_label(frame) for frame in (data or {}).get("frames") or ()]


def illustration_caption(data: dict | None, side: str) -> str:
    """The caption for a pose illustration drawn for a dose's `side` (each, left, right, none).

    "Shown: right leg. Arrow: direction of movement." The limb named is the highlighted one, on
    the side `side_to_draw` draws it; for a dose with no side ("none": both legs alike, as in a
    bridge) no side is named ("Shown: the working buttock and leg."). Both sides highlighted
    name both limbs; no highlight names none.
    Returns "" for an image or a missing illustration (no drawing the words could describe).
    """
    if not data or not data.get("frames"):
        return ""
    near_side = "left" if side_to_draw(data, side) == "left" else "right"
    far_side = "right" if near_side == "left" else "left"
    near, far = _highlighted(data)
    sentences = []
    near_words = list(dict.fromkeys(_part_word(h) for h in near))
    far_words = list(dict.fromkeys(_part_word(h) for h in far))

    def then(shown: str) -> str:
        other = "right" if shown == "left" else "left"
        return f" (then the same with the {other})" if side == "each" else ""

    if near and far:
        both = [w for w in near_words if w in far_words]
        if both:
            sentences.append("Shown: both " + " and ".join(w + "s" for w in both) + ".")
    elif near:
        words = " and ".join(near_words)
        if side == "none":  # done with both legs alike (a bridge): no side to name
            sentences.append(f"Shown: the working {words}.")
        else:
            sentences.append(f"Shown: {near_side} {words}{then(near_side)}.")
    elif far:
        # the colour marks where a stretch is felt, in the far leg (the reverse warrior's
        # straight leg), which side_to_draw puts on the dose's side
        felt = " and ".join(far_words)
        where = "" if side == "none" else f"{far_side} "
        sentences.append(f"Shown: stretch in the {where}{felt}{then(far_side)}.")
    arrows = data.get("arrows") or ()
    heads = {int(a.get("heads", 1)) for a in arrows}
    if 1 in heads:
        sentences.append("Arrow: direction of movement.")
    if 2 in heads:
        sentences.append("Double arrow: move back and forth.")
    return " ".join(sentences)


_ARM_PARTS = ("arm", "hand", "forearm", "shoulder", "elbow", "wrist")


def one_side_words(data: dict | None, side: str, photos: bool = False) -> str:
    """The line a one-side dose prints before the steps ("For your left leg only (the one shown
    in colour)."); "" for any other side. The limb is what the picture highlights (an arm or a
    leg, else "side"); photos are as taken, so nothing is in colour there."""
    if side not in ("left", "right"):
        return ""
    parts = (data or {}).get("highlight") or ()
    if not parts:
        limb = "side"
    else:
        limb = "arm" if any(p.startswith(_ARM_PARTS) for p in parts) else "leg"
    in_colour = limb != "side" and not photos
    return f"For your {side} {limb} only" + (" (the one shown in colour)." if in_colour else ".")
