"""The pose editor's preview: a pose checked by the illustrations layer's validator and drawn as
SVG with the renderer's cached geometry. Plain data in, plain data out (no database)."""

from dataclasses import dataclass, replace

from hepbuilder.domain import exercise as domain
from hepbuilder.domain.errors import ValidationError


@dataclass(frozen=True, slots=True)
class PosePreview:
    """The drawing (SVG text, "" when the pose is invalid), the pose's problems by field path,
    the same problems in words for the page ("Start, right knee, flex: must be ..."), and what
    a valid pose would print badly (an arrow too short to see), said but not refused."""

    svg: str
    errors: dict[str, str]
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def preview_pose(exercise: domain.LibraryExercise, pose: dict, accent_hex: str) -> PosePreview:
    """`exercise` drawn with `pose` as its illustration, or the pose's problems (field paths
    under "illustration.", as the exercise editor and the API name them, and in words)."""
    from hepbuilder.illustrations import illustration_svg, validate_illustration
    from hepbuilder.illustrations.words import describe_problems

    try:
        validate_illustration(pose)
    except ValidationError as error:
        errors = error.prefixed("illustration.").fields
        return PosePreview(svg="", errors=errors, problems=tuple(describe_problems(errors, pose)))
    posed = replace(exercise, illustration=pose)
    svg = illustration_svg(posed, side="none", accent_hex=accent_hex)
    return PosePreview(svg=svg, errors={}, warnings=tuple(print_warnings(posed)))


def print_warnings(exercise: domain.LibraryExercise) -> list[str]:
    """A sentence for each of the exercise's pose arrows that prints too short on a handout."""
    from hepbuilder.illustrations.words import plain
    from hepbuilder.pdf.printed_sizes import ARROW_LEAST_PRINTED_MM, printed_arrow_lengths_mm

    lengths = printed_arrow_lengths_mm(exercise)  # none when photos are printed instead
    if not lengths:
        return []
    arrows = exercise.illustration["arrows"]
    warnings = []
    for number, (arrow, length) in enumerate(zip(arrows, lengths, strict=True), start=1):
        if length < ARROW_LEAST_PRINTED_MM:
            warnings.append(
                f"Arrow {number} (from the {plain(str(arrow.get('at', 'pelvis')))}) prints only"
                f" {length:.1f} mm long on an A4 handout, too small for a patient to see: make"
                f" its vector about {ARROW_LEAST_PRINTED_MM / length:.1f} times as long (at"
                f" least {ARROW_LEAST_PRINTED_MM:.0f} mm printed)."
            )
    return warnings
