"""The pose editor's preview: a pose checked by the illustrations layer's validator and drawn as
SVG with the renderer's cached geometry. Plain data in, plain data out (no database)."""

from dataclasses import dataclass, replace

from hepbuilder.domain import exercise as domain
from hepbuilder.domain.errors import ValidationError


@dataclass(frozen=True, slots=True)
class PosePreview:
    """The drawing (SVG text, "" when the pose is invalid), the pose's problems by field path,
    and the same problems in words for the page ("Start, right knee, flex: must be ...")."""

    svg: str
    errors: dict[str, str]
    problems: tuple[str, ...] = ()


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
    svg = illustration_svg(replace(exercise, illustration=pose), side="none", accent_hex=accent_hex)
    return PosePreview(svg=svg, errors={})
