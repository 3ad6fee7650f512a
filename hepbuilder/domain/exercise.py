"""Library entries: exercises, muscles and protocols, and the checks a library file must pass."""

import re
from dataclasses import dataclass, field, replace

from .dose import Dose, has_amount, parse_dose
from .errors import ValidationError
from .limits import PROTOCOL_LIMITS
from .steps import each_side_only, needs_hold
from .text import read_text

CATEGORIES = ("mobility", "stretch", "strength", "stability", "soft-tissue")
POSITIONS = ("standing", "supine", "kneeling", "seated", "side-lying", "prone")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_NAME_CHARS = 120
MAX_LINE_CHARS = 600  # one step, cue or precaution
MAX_LINES = 30  # steps, cues or precautions in one exercise
MAX_PHOTOS = 4  # start, finish and a couple between
IMAGE_PATH_RE = re.compile(r"^images/[a-z0-9]+(?:-[a-z0-9]+)*\.(?:png|jpg|jpeg)$")
# The one body-region vocabulary: the library, the editor, the filters and search read it.
BODY_REGIONS = (
    "neck",
    "shoulder",
    "elbow and hand",
    "upper back",
    "low back",
    "trunk",
    "hip",
    "hip and buttock",
    "hip and thigh",
    "hip and low back",
    "hip and knee",
    "knee",
    "ankle and foot",
    "whole body",
)


@dataclass(frozen=True, slots=True)
class PrintedPhoto:
    """One photo as a handout carries it: the image itself (PNG or JPEG bytes, sized for print)
    and the words printed under it ("Start", "Finish", or none)."""

    data: bytes
    label: str = ""


def photo_labels(count: int) -> tuple[str, ...]:
    """The words under `count` photos of one exercise, in order: "Start" and "Finish" when there
    are two or more (nothing under those between), nothing under a single photo."""
    if count < 2:
        return ("",) * count
    return ("Start", *("",) * (count - 2), "Finish")


@dataclass(frozen=True, slots=True)
class LibraryExercise:
    """One library entry. `illustration` is plain data (poses or an image reference), drawn by illustrations/."""

    slug: str
    name: str
    summary: str
    category: str
    body_region: str
    position: str
    targets: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    precautions: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    photos: tuple[str, ...] = ()  # image files of the library ("images/<name>.png"), in order
    defaults: Dose = field(default_factory=Dose)
    illustration: dict | None = None
    source: str = ""
    # the photos themselves, when the exercise travels in a handout spec (the library names them
    # in `photos`; a handout prints these in place of the figure). Not part of the library form.
    printed_photos: tuple[PrintedPhoto, ...] = ()

    def to_dict(self) -> dict:
        """The library-entry form (same keys as a YAML file), JSON-serialisable; the printed
        photos are the handout spec's to write (`HandoutSpec.to_dict`)."""
        return {
            "slug": self.slug,
            "name": self.name,
            "summary": self.summary,
            "category": self.category,
            "body_region": self.body_region,
            "position": self.position,
            "targets": list(self.targets),
            "equipment": list(self.equipment),
            "steps": list(self.steps),
            "cues": list(self.cues),
            "precautions": list(self.precautions),
            "conditions": list(self.conditions),
            "photos": list(self.photos),
            "defaults": self.defaults.to_dict(),
            "illustration": self.illustration,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class LibraryMuscle:
    slug: str
    name: str
    actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProtocolItem:
    """One step of a protocol. `dose` None means "use the exercise's default dose"."""

    exercise: str
    dose: Dose | None
    notes: str = ""


@dataclass(frozen=True, slots=True)
class LibraryProtocol:
    """A named starting set of items. `conditions` (slugs, as an exercise's) say whom it is for;
    `progression` tells the therapist when and how to move the patient on."""

    slug: str
    name: str
    description: str
    items: tuple[ProtocolItem, ...]
    conditions: tuple[str, ...] = ()
    progression: str = ""


def _text_list(data: dict, key: str, errors: dict, *, required: bool = False) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        if required:
            errors[key] = "is required"
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        errors[key] = "must be a list of non-empty text lines"
        return ()
    if required and not value:
        errors[key] = "must have at least one entry"
    return tuple(v.strip() for v in value)


def _slug_list(data: dict, key: str, errors: dict) -> tuple[str, ...]:
    values = _text_list(data, key, errors)
    for index, value in enumerate(values):
        if not SLUG_RE.match(value) or len(value) > 80:
            errors[f"{key}[{index}]"] = "must be lowercase letters, digits and single hyphens"
    return values


def _choice(data: dict, key: str, choices: tuple[str, ...], errors: dict) -> str:
    value = data.get(key)
    if value not in choices:
        errors[key] = "must be one of: " + ", ".join(choices)
        return ""
    return value


def parse_exercise(data: object) -> LibraryExercise:
    """Check a library entry (as loaded from YAML or JSON) and build a LibraryExercise.

    Raises ValidationError naming each bad field. Muscle slugs and poses are checked by the caller,
    which knows the muscle list and the figure model; what a library entry must also meet today
    (`library_problems`) is checked by the library, so a handout snapshot issued under older
    rules still reads.
    """
    if not isinstance(data, dict):
        raise ValidationError({"exercise": "must be a mapping of fields"})
    errors: dict[str, str] = {}
    slug = read_text(data, "slug", errors, required=True, max_chars=80)
    if slug and not SLUG_RE.match(slug):
        errors["slug"] = "must be lowercase letters, digits and single hyphens"
    name = read_text(data, "name", errors, required=True, max_chars=MAX_NAME_CHARS)
    summary = read_text(data, "summary", errors, required=True)
    category = _choice(data, "category", CATEGORIES, errors)
    body_region = read_text(data, "body_region", errors, required=True, max_chars=80)
    position = _choice(data, "position", POSITIONS, errors)
    targets = _text_list(data, "targets", errors)
    equipment = _text_list(data, "equipment", errors)
    steps = _text_list(data, "steps", errors, required=True)
    cues = _text_list(data, "cues", errors)
    precautions = _text_list(data, "precautions", errors)
    conditions = _slug_list(data, "conditions", errors)
    photos = _text_list(data, "photos", errors)
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = f"must list at most {MAX_PHOTOS} images"
    for index, path in enumerate(photos):
        if not IMAGE_PATH_RE.match(path):
            errors[f"photos[{index}]"] = (
                "must name a PNG or JPEG file under images/, e.g. images/step-up-1.png"
            )
    source = read_text(data, "source", errors)
    defaults = Dose()
    raw_defaults = data.get("defaults") or {}
    if not isinstance(raw_defaults, dict):
        errors["defaults"] = "must be a mapping of dose fields"
    else:
        try:
            defaults = parse_dose(raw_defaults, prefix="defaults.")
        except ValidationError as exc:
            errors.update(exc.fields)
    illustration = data.get("illustration")
    if illustration is not None and not isinstance(illustration, dict):
        errors["illustration"] = "must be a mapping (frames of poses, or an image file)"
        illustration = None
    if errors:
        raise ValidationError(errors)
    return LibraryExercise(
        slug=slug,
        name=name,
        summary=summary,
        category=category,
        body_region=body_region,
        position=position,
        targets=targets,
        equipment=equipment,
        steps=steps,
        cues=cues,
        precautions=precautions,
        conditions=conditions,
        photos=photos,
        defaults=defaults,
        illustration=illustration,
        source=source,
    )


def dose_for(exercise: LibraryExercise, dose: Dose) -> Dose:
    """The dose an item is printed with: `dose`, with the exercise's default sets, reps and hold
    when it gives none of them, and the default hold when the steps print a hold ({hold})."""
    defaults = exercise.defaults
    if not has_amount(dose):
        dose = replace(
            dose, sets=defaults.sets, reps=defaults.reps, hold_seconds=defaults.hold_seconds
        )
    if not dose.hold_seconds and defaults.hold_seconds and needs_hold(exercise.steps):
        dose = replace(dose, hold_seconds=defaults.hold_seconds)
    return dose


def drawn_for_side(exercise: LibraryExercise, side: str) -> LibraryExercise:
    """The exercise as a picture shows it for a dose's `side` (`pose_for_side`)."""
    data = exercise.illustration or {}
    drawn = pose_for_side(data, side)
    return exercise if drawn is data else replace(exercise, illustration=drawn)


def pose_for_side(data: dict, side: str) -> dict:
    """A pose (illustration data) as a picture shows it for a dose's `side`: a frame whose label
    starts with "[each side]" (the switch to the other side, like such a step) is drawn only for
    "each", with the mark taken off its label; the arrows of a frame left out go with it. The
    pose itself when it has no such frame."""
    frames = data.get("frames") or ()
    labels = [each_side_only(str(frame.get("label") or "")) for frame in frames]
    if not any(marked for marked, _ in labels):
        return data
    kept: list[dict] = []
    new_index: dict[int, int] = {}
    for index, (frame, (marked, label)) in enumerate(zip(frames, labels, strict=True)):
        if marked:
            if side != "each":
                continue
            frame = {**frame, "label": label}
        new_index[index] = len(kept)
        kept.append(frame)
    drawn = {**data, "frames": kept}
    if "arrows" in data:
        drawn["arrows"] = [
            {**arrow, "frame": new_index[arrow.get("frame", 0)]}
            for arrow in data["arrows"]
            if arrow.get("frame", 0) in new_index
        ]
    return drawn


def poses_drawn(data: dict) -> list[dict]:
    """Every pose a picture of `data` is drawn from, over all sides: the pose, and without its
    "[each side]" frames when it has any (`pose_for_side`)."""
    without = pose_for_side(data, "none")
    return [data] if without is data else [data, without]


def parse_muscle(slug: str, data: object) -> LibraryMuscle:
    if not isinstance(data, dict):
        raise ValidationError({slug: "must be a mapping with name and actions"})
    errors: dict[str, str] = {}
    name = read_text(data, "name", errors, required=True)
    actions = _text_list(data, "actions", errors, required=True)
    if not SLUG_RE.match(slug):
        errors["slug"] = "must be lowercase letters, digits and single hyphens"
    if errors:
        raise ValidationError(errors).prefixed(f"{slug}.")
    return LibraryMuscle(slug=slug, name=name, actions=actions)


def parse_protocol(data: object) -> LibraryProtocol:
    """Check one protocol entry; exercise slugs are checked against the library by the caller."""
    if not isinstance(data, dict):
        raise ValidationError({"protocol": "must be a mapping"})
    errors: dict[str, str] = {}
    slug = read_text(data, "slug", errors, required=True, max_chars=80)
    if slug and not SLUG_RE.match(slug):
        errors["slug"] = "must be lowercase letters, digits and single hyphens"
    name = read_text(data, "name", errors, required=True, max_chars=MAX_NAME_CHARS)
    description = read_text(data, "description", errors, max_chars=PROTOCOL_LIMITS["description"])
    conditions = _slug_list(data, "conditions", errors)
    progression = read_text(data, "progression", errors, max_chars=PROTOCOL_LIMITS["progression"])
    items = []
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        errors["items"] = "must be a non-empty list"
        raw_items = []
    for index, raw in enumerate(raw_items):
        where = f"items[{index}]."
        if not isinstance(raw, dict) or not isinstance(raw.get("exercise"), str):
            errors[where + "exercise"] = "is required (an exercise slug)"
            continue
        dose = None
        if raw.get("dose") is not None:
            if not isinstance(raw["dose"], dict):
                errors[where + "dose"] = "must be a mapping of dose fields"
                continue
            try:
                dose = parse_dose(raw["dose"], prefix=where + "dose.")
            except ValidationError as exc:
                errors.update(exc.fields)
                continue
        notes = raw.get("notes") or ""
        items.append(ProtocolItem(exercise=raw["exercise"], dose=dose, notes=str(notes)))
    if errors:
        raise ValidationError(errors)
    return LibraryProtocol(
        slug=slug,
        name=name,
        description=description,
        items=tuple(items),
        conditions=conditions,
        progression=progression,
    )


def library_problems(exercise: LibraryExercise) -> dict[str, str]:
    """What a library entry (a file, the editor, the API) must meet beyond `parse_exercise`: a
    body region from BODY_REGIONS, at most MAX_LINES steps, tips or precautions of at most
    MAX_LINE_CHARS each, and at most MAX_PHOTOS photos named as files under images/."""
    errors: dict[str, str] = {}
    if exercise.body_region not in BODY_REGIONS:
        errors["body_region"] = "must be one of: " + ", ".join(BODY_REGIONS)
    for key in ("steps", "cues", "precautions"):
        lines = getattr(exercise, key)
        if len(lines) > MAX_LINES:
            errors[key] = f"must have at most {MAX_LINES} entries"
        for index, line in enumerate(lines):
            if len(line) > MAX_LINE_CHARS:
                errors[f"{key}[{index}]"] = (
                    f"must be at most {MAX_LINE_CHARS} characters (got {len(line):,})"
                )
    if len(exercise.photos) > MAX_PHOTOS:
        errors["photos"] = f"must list at most {MAX_PHOTOS} images"
    for index, path in enumerate(exercise.photos):
        if not IMAGE_PATH_RE.match(path):
            errors[f"photos[{index}]"] = (
                "must name a PNG or JPEG file under images/, e.g. images/step-up-1.png"
            )
    return errors
