"""Which characters of a handout can be printed: asked before issuing, so the therapist can fix a
name the fonts cannot show instead of finding boxes on the patient's paper."""

from collections.abc import Iterator

from hepbuilder.domain.spec import HandoutSpec

from .ink.fonts import needs_cjk, unprintable


def spec_texts(spec: HandoutSpec) -> Iterator[tuple[str, str]]:
    """Every text the handout prints, as (field, text) in the spec's field names."""
    clinic = spec.clinic
    for key in ("name", "address", "phone", "email", "website", "emergency_number", "out_of_hours"):
        yield f"clinic.{key}", getattr(clinic, key)
    yield "patient.name", spec.patient_name
    yield "therapist.name", spec.therapist_name
    yield "therapist.credentials", spec.therapist_credentials
    yield "title", spec.title
    yield "notes", spec.notes
    for index, item in enumerate(spec.items):
        where = f"items[{index}]"
        exercise = item.exercise
        yield f"{where}.notes", item.notes
        yield f"{where}.exercise.name", exercise.name
        yield f"{where}.exercise.summary", exercise.summary
        for key in ("steps", "cues", "precautions", "equipment"):
            for number, text in enumerate(getattr(exercise, key)):
                yield f"{where}.exercise.{key}[{number}]", text
        for number, photo in enumerate(exercise.printed_photos):
            yield f"{where}.exercise.photos[{number}].label", photo.label
    for index, name in enumerate(spec.stopped):
        yield f"stopped[{index}]", name


def printing_problems(spec: HandoutSpec) -> dict[str, str]:
    """The fields holding characters no handout font prints, each with a sentence naming them,
    e.g. {"patient.name": 'has "क" (DEVANAGARI LETTER KA), which cannot be printed'}."""
    problems = {}
    for field, text in spec_texts(spec):
        if not text or text.isascii():
            continue
        missing = unprintable(text)
        if missing:
            listed = ", ".join(f'"{char}" ({name})' for char, name in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            problems[field] = f"has {listed}{more}, which cannot be printed (it would print as ?)"
    return problems


def uses_cjk(spec: HandoutSpec) -> bool:
    return any(text and not text.isascii() and needs_cjk(text) for _, text in spec_texts(spec))
