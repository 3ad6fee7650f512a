"""PDF layer: handout spec in, PDF bytes out (reportlab). Imports domain, library and illustrations only; never Flask, the database or app config."""

import json
from dataclasses import replace
from pathlib import Path

from hepbuilder.domain.errors import ValidationError
from hepbuilder.domain.exercise import PrintedPhoto, photo_labels
from hepbuilder.domain.limits import SPEC_PHOTO_MAX_BYTES
from hepbuilder.domain.spec import MAX_LOGO_BYTES, HandoutSpec, parse_spec

from .photos import print_photo
from .printable import printing_problems
from .render import render_handout, suggested_filename

__all__ = [
    "print_photo",
    "printing_problems",
    "render_handout",
    "render_spec",
    "suggested_filename",
]


def render_spec(spec: dict | str | bytes, library_dir=None, base_dir=None) -> bytes:
    """Check a handout spec and render it, as `hepbuilder render` does, in memory.

    `spec` is the parsed JSON object (or the JSON text itself). Exercise slugs are looked up in
    the library at `library_dir` (default: the bundled one), with the photos its `images/` holds
    for them; a logo or photo given as a file name is read relative to `base_dir` (default: the
    working directory). Every mistake in the spec raises
    ValidationError naming the field, e.g. {"items[2].sets": "must be from 1 to 20 (got 50)"}.
    """
    if isinstance(spec, str | bytes):
        try:
            spec = json.loads(spec)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            where = (
                f" (line {exc.lineno}, column {exc.colno})"
                if isinstance(exc, json.JSONDecodeError)
                else ""
            )
            raise ValidationError({"spec": f"is not valid JSON{where}"}) from None
    return render_handout(_parse(spec, library_dir, base_dir))


def _parse(data: object, library_dir, base_dir) -> HandoutSpec:
    library = None

    def resolve(slug: str):
        nonlocal library
        if library is None:
            from hepbuilder.library import load_library

            try:
                library = load_library(library_dir)
            except OSError as exc:
                raise ValidationError(
                    {"library": f"cannot be read ({exc.strerror or exc})"}
                ) from None
        exercise = library.exercises.get(slug)
        if exercise is None or not exercise.photos:
            return exercise
        shown = [path for path in exercise.photos if path in library.images]
        photos = tuple(
            PrintedPhoto(data=library.images[path], label=label)
            for path, label in zip(shown, photo_labels(len(shown)), strict=True)
        )
        return replace(exercise, printed_photos=photos)

    def load_file(name: str) -> bytes:
        path = Path(base_dir or ".") / name
        with path.open("rb") as handle:
            return handle.read(max(MAX_LOGO_BYTES, SPEC_PHOTO_MAX_BYTES) + 1)

    return parse_spec(data, resolve, load_file)
