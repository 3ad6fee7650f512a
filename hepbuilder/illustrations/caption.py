"""The words under a picture: which side it shows and what its arrows mean.

A pose is written for the right side, and a "left only" dose draws its mirror image, so the side
a picture shows follows from the dose's side. The handout prints this line under each picture.
"""

LIMB_WORDS = {"thigh": "leg", "shin": "leg", "foot": "leg", "buttock": "buttock"}
ARM_PARTS = ("upper_arm", "forearm", "hand")


def _part_word(part: str) -> str:
    kind = part.rsplit("_", 1)[0]
    return "arm" if kind in ARM_PARTS else LIMB_WORDS.get(kind, "")


def illustration_caption(data: dict | None, side: str) -> str:
    """The caption for a pose illustration drawn for a dose's `side` (each, left, right, none).

    "Shown: right leg. Arrow: direction of movement." The limb named is the highlighted one;
    its side is the dose's ("left" draws the mirror image, anything else the pose as written).
    Both sides highlighted name both limbs; no highlight names none. Returns "" for an image
    or a missing illustration (no drawing the words could describe).
    """
    if not data or not data.get("frames"):
        return ""
    shown_side = "left" if side == "left" else "right"
    other_side = "right" if shown_side == "left" else "left"
    highlight = [h for h in data.get("highlight") or () if _part_word(h)]
    near = [h for h in highlight if h.endswith("_near")]
    far = [h for h in highlight if h.endswith("_far")]
    sentences = []
    near_words = list(dict.fromkeys(_part_word(h) for h in near))
    far_words = list(dict.fromkeys(_part_word(h) for h in far))
    then = f" (then the same with the {other_side})" if side == "each" else ""
    if near and far:
        both = [w for w in near_words if w in far_words]
        if both:
            sentences.append("Shown: both " + " and ".join(w + "s" for w in both) + ".")
    elif near:
        sentences.append(f"Shown: {shown_side} " + " and ".join(near_words) + then + ".")
    elif far:
        # the colour marks where a stretch is felt, in the other leg (the reverse warrior's
        # straight leg); the side is still the one the pose is written for
        felt = " and ".join(far_words)
        sentences.append(f"Shown: {shown_side} side, stretch in the {other_side} {felt}{then}.")
    arrows = data.get("arrows") or ()
    heads = {int(a.get("heads", 1)) for a in arrows}
    if 1 in heads:
        sentences.append("Arrow: direction of movement.")
    if 2 in heads:
        sentences.append("Double arrow: move back and forth.")
    return " ".join(sentences)
