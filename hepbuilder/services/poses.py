"""The pose editor's preview: a pose checked by the illustrations layer's validator and drawn as
SVG with the renderer's cached geometry. Plain data in, plain data out (no database)."""

from dataclasses import dataclass, replace

from hepbuilder.domain import exercise as domain
from hepbuilder.domain.errors import ValidationError


@dataclass(frozen=True, slots=True)
class PosePreview:
    """The drawing (SVG text, "" when the pose is invalid) and the pose's problems by field."""

    svg: str
    errors: dict[str, str]


def preview_pose(exercise: domain.LibraryExercise, pose: dict, accent_hex: str) -> PosePreview:
    """`exercise` drawn with `pose` as its illustration, or the pose's problems (field paths
    under "illustration.", as the editor and the API name them)."""
    from hepbuilder.illustrations import illustration_svg, validate_illustration

    try:
        validate_illustration(pose)
    except ValidationError as error:
        return PosePreview(svg="", errors=error.prefixed("illustration.").fields)
    svg = illustration_svg(replace(exercise, illustration=pose), side="none", accent_hex=accent_hex)
    return PosePreview(svg=svg, errors={})
