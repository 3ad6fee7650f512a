"""The handout spec: a plain, serialisable description of one handout (DESIGN.md, "Handout spec").

`parse_spec` turns untrusted JSON-like data into a frozen HandoutSpec, naming the field of every
error; `HandoutSpec.to_dict()` gives the stored snapshot form, with every exercise inline (its
photos as objects holding each image as a data: URI) and the logo as a data: URI, so a snapshot
renders the same forever without the library or any file.
"""

import base64
import binascii
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from .color import DEFAULT_BRAND_COLOR, is_hex_color
from .dose import Dose, has_amount, parse_dose
from .errors import ValidationError
from .exercise import MAX_PHOTOS, LibraryExercise, PrintedPhoto, dose_for, parse_exercise
from .image_bytes import MAX_JPEG_SCANS, image_kind, too_many_scans
from .limits import (
    BRAND_LIMITS,
    ITEM_LIMITS,
    LOGO_MAX_BYTES,
    PATIENT_LIMITS,
    PHOTO_LABEL_MAX_CHARS,
    PROGRAM_LIMITS,
    SPEC_PHOTO_MAX_BYTES,
    USER_LIMITS,
)
from .text import read_text

PAPERS = ("A4", "letter")
CHANGES = ("new", "dose-changed")
MAX_ITEMS = 100
# "first last", as a handout prints the patient's name
PATIENT_NAME_CHARS = PATIENT_LIMITS["first_name"] + 1 + PATIENT_LIMITS["last_name"]
MAX_LOGO_BYTES = LOGO_MAX_BYTES

ExerciseResolver = Callable[[str], LibraryExercise | None]
FileLoader = Callable[[str], bytes]


@dataclass(frozen=True, slots=True)
class ClinicBrand:
    name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    brand_color: str = "#1f6f8b"
    logo_bytes: bytes | None = None  # PNG or JPEG; checked as an image by the renderer
    country: str = ""  # ISO 3166 two-letter code: the default emergency number comes from it
    emergency_number: str = ""  # "" for the country's default
    out_of_hours: str = ""  # advice when the clinic is closed; "" for the country's default


@dataclass(frozen=True, slots=True)
class SpecItem:
    exercise: LibraryExercise
    dose: Dose
    notes: str = ""
    change: str | None = None  # "new" | "dose-changed" | None
    was: Dose | None = None  # the previous handout's dose, with "dose-changed"


@dataclass(frozen=True, slots=True)
class HandoutSpec:
    patient_name: str
    items: tuple[SpecItem, ...]
    clinic: ClinicBrand = field(default_factory=ClinicBrand)
    therapist_name: str = ""
    therapist_credentials: str = ""
    title: str = ""
    issued_on: dt.date | None = None
    review_on: dt.date | None = None
    notes: str = ""
    paper: str = "A4"
    large_print: bool = False
    share_url: str = ""
    stopped: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """The snapshot form: valid input to parse_spec with no library and no files."""
        clinic = {
            "name": self.clinic.name,
            "address": self.clinic.address,
            "phone": self.clinic.phone,
            "email": self.clinic.email,
            "website": self.clinic.website,
            "brand_color": self.clinic.brand_color,
        }
        for key in ("country", "emergency_number", "out_of_hours"):
            if getattr(self.clinic, key):
                clinic[key] = getattr(self.clinic, key)
        if self.clinic.logo_bytes:
            clinic["logo"] = data_uri(self.clinic.logo_bytes)
        data = {
            "clinic": clinic,
            "patient": {"name": self.patient_name},
            "therapist": {"name": self.therapist_name, "credentials": self.therapist_credentials},
            "title": self.title,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "review_on": self.review_on.isoformat() if self.review_on else None,
            "notes": self.notes,
            "paper": self.paper,
            "large_print": self.large_print,
            "items": [],
            "stopped": list(self.stopped),
        }
        if self.share_url:
            data["share_url"] = self.share_url
        for item in self.items:
            exercise = item.exercise.to_dict()
            if item.exercise.printed_photos:
                exercise["photos"] = [
                    {"data": data_uri(photo.data), "label": photo.label}
                    for photo in item.exercise.printed_photos
                ]
            entry = {
                "exercise": exercise,
                **item.dose.to_dict(),
                "notes": item.notes,
            }
            if item.change:
                entry["change"] = item.change
            if item.was is not None:
                entry["was"] = {k: v for k, v in item.was.to_dict().items() if v is not None}
            data["items"].append(entry)
        return data


def handout_filename(issued_on: dt.date | None, number: int | None = None) -> str:
    """The one name a handout's PDF goes by wherever it is downloaded or referred to (the API's
    and the web's download, a FHIR DocumentReference, the patient export): the issue date and
    the handout's number for the patient, never patient data, e.g. "handout-2026-11-25-3.pdf";
    a spec rendered on its own has no number ("handout-2026-11-25.pdf", or "handout.pdf")."""
    parts = [
        "handout",
        *([issued_on.isoformat()] if issued_on else []),
        *([str(number)] if number else []),
    ]
    return "-".join(parts) + ".pdf"


def data_uri(image: bytes) -> str:
    """An image as the data: URI a snapshot holds (JPEG or PNG, by its first bytes)."""
    kind = "image/jpeg" if image_kind(image) == "jpeg" else "image/png"
    return f"data:{kind};base64," + base64.b64encode(image).decode("ascii")


def _date(data: dict, key: str, errors: dict) -> dt.date | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors[key] = "must be a date written YYYY-MM-DD"
        return None


def _mapping(data: dict, key: str, errors: dict) -> dict:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors[key] = "must be an object"
        return {}
    return value


def _image(
    value: object, field: str, errors: dict, load_file: FileLoader | None, max_bytes: int
) -> bytes | None:
    """A PNG or JPEG given as a data: URI or (when files can be read) a file name: at most
    `max_bytes`, and no JPEG whose decoding would take minutes. Records errors on `field`."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        errors[field] = "must be a file name or a data: URI"
        return None
    if value.startswith("data:"):
        try:
            header, encoded = value.split(",", 1)
            if not header.endswith(";base64"):
                raise ValueError
            image = base64.b64decode(encoded, validate=True)
        except (ValueError, binascii.Error):
            errors[field] = "is not a valid base64 data: URI"
            return None
    elif load_file is None:
        errors[field] = "must be a data: URI here (no files can be read)"
        return None
    else:
        try:
            image = load_file(value)
        except OSError as exc:
            errors[field] = f"cannot be read ({exc.strerror or exc})"
            return None
    if len(image) > max_bytes:
        errors[field] = f"must be at most {max_bytes // (1024 * 1024)} MB"
        return None
    if image_kind(image) is None:
        errors[field] = "is not a PNG or JPEG image"
        return None
    if too_many_scans(image):
        errors[field] = f"is a JPEG with more than {MAX_JPEG_SCANS} scans, too many to decode"
        return None
    return image


def _logo(value: object, errors: dict, load_file: FileLoader | None) -> bytes | None:
    return _image(value, "clinic.logo", errors, load_file, MAX_LOGO_BYTES)


def _printed_photos(
    value: list, field: str, errors: dict, load_file: FileLoader | None
) -> tuple[PrintedPhoto, ...]:
    """An inline exercise's `photos` written as photo objects, {"data": <data: URI or file>,
    "label": "Start"}: at most MAX_PHOTOS, each image bounded as `_image` says."""
    if len(value) > MAX_PHOTOS:
        errors[field] = f"must list at most {MAX_PHOTOS} photos"
        return ()
    photos = []
    for index, entry in enumerate(value):
        where = f"{field}[{index}]"
        if not isinstance(entry, dict):
            errors[where] = 'must be a photo object like the others: {"data": ..., "label": ...}'
            continue
        label = read_text(
            entry, "label", errors, field=where + ".label", max_chars=PHOTO_LABEL_MAX_CHARS
        )
        if entry.get("data") in (None, ""):
            errors[where + ".data"] = "is required (a data: URI of a PNG or JPEG image)"
            continue
        data = _image(entry["data"], where + ".data", errors, load_file, SPEC_PHOTO_MAX_BYTES)
        if data is not None:
            photos.append(PrintedPhoto(data=data, label=label))
    return tuple(photos)


def _color(value: object, errors: dict) -> str:
    if value in (None, ""):
        return DEFAULT_BRAND_COLOR
    if is_hex_color(value):
        return value.lower()
    errors["clinic.brand_color"] = f'must be a colour written like "{DEFAULT_BRAND_COLOR}"'
    return DEFAULT_BRAND_COLOR


def _country(value: object, errors: dict) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str) and len(value) == 2 and value.isascii() and value.isalpha():
        return value.upper()
    errors["clinic.country"] = 'must be a two-letter country code such as "GB" or "US"'
    return ""


def _item(
    raw: object,
    where: str,
    resolve: ExerciseResolver | None,
    errors: dict,
    load_file: FileLoader | None = None,
) -> SpecItem | None:
    if not isinstance(raw, dict):
        errors[where.rstrip(".")] = "must be an object"
        return None
    ref = raw.get("exercise")
    exercise = None
    if isinstance(ref, str):
        exercise = resolve(ref) if resolve else None
        if exercise is None:
            errors[where + "exercise"] = f'unknown exercise "{ref[:80]}"'
    elif isinstance(ref, dict):
        printed = ()
        photos = ref.get("photos")
        if isinstance(photos, list) and any(isinstance(photo, dict) for photo in photos):
            # photo objects, as a snapshot holds them; a list of file names is the library's
            printed = _printed_photos(photos, where + "exercise.photos", errors, load_file)
            ref = {**ref, "photos": []}
        try:
            exercise = replace(parse_exercise(ref), printed_photos=printed)
        except ValidationError as exc:
            errors.update(exc.prefixed(where + "exercise.").fields)
    else:
        errors[where + "exercise"] = "is required (a library slug or an exercise object)"
    try:
        dose = parse_dose(raw, prefix=where)
    except ValidationError as exc:
        errors.update(exc.fields)
        dose = None
    notes = read_text(raw, "notes", errors, field=where + "notes", max_chars=ITEM_LIMITS["notes"])
    change = raw.get("change")
    if change is not None and change not in CHANGES:
        errors[where + "change"] = "must be one of: " + ", ".join(CHANGES)
    was = None
    if raw.get("was") is not None:
        if not isinstance(raw["was"], dict):
            errors[where + "was"] = "must be an object of dose fields"
        else:
            try:
                was = parse_dose(raw["was"], prefix=where + "was.")
            except ValidationError as exc:
                errors.update(exc.fields)
    if exercise is None or dose is None:
        return None
    dose = dose_for(exercise, dose)
    if not has_amount(dose):
        errors[where + "sets"] = (
            "give sets, reps or a hold (this exercise has no default dose to fall back on)"
        )
        return None
    return SpecItem(exercise=exercise, dose=dose, notes=notes, change=change, was=was)


def parse_spec(
    data: object,
    resolve: ExerciseResolver | None = None,
    load_file: FileLoader | None = None,
) -> HandoutSpec:
    """Check a handout spec and build a HandoutSpec, or raise ValidationError naming every bad field.

    `resolve(slug)` looks up library exercises (None when unknown); `load_file(name)` reads a
    logo or a photo given as a file name. Without them, only inline exercises and data: URIs are
    accepted. An inline exercise's `photos` is either the library's list of file names (kept, not
    printed) or a list of 1-4 photo objects, {"data": "data:image/jpeg;base64,...", "label":
    "Start"}, printed in place of the figure.
    """
    if not isinstance(data, dict):
        raise ValidationError({"spec": "must be a JSON object"})
    errors: dict[str, str] = {}
    patient = _mapping(data, "patient", errors)
    patient_name = read_text(
        patient, "name", errors, field="patient.name", required=True, max_chars=PATIENT_NAME_CHARS
    )
    clinic_data = _mapping(data, "clinic", errors)
    therapist = _mapping(data, "therapist", errors)
    clinic = ClinicBrand(
        name=read_text(
            clinic_data, "name", errors, field="clinic.name", max_chars=BRAND_LIMITS["name"]
        ),
        address=read_text(
            clinic_data,
            "address",
            errors,
            field="clinic.address",
            max_chars=BRAND_LIMITS["address"],
        ),
        phone=read_text(
            clinic_data, "phone", errors, field="clinic.phone", max_chars=BRAND_LIMITS["phone"]
        ),
        email=read_text(
            clinic_data, "email", errors, field="clinic.email", max_chars=BRAND_LIMITS["email"]
        ),
        website=read_text(
            clinic_data,
            "website",
            errors,
            field="clinic.website",
            max_chars=BRAND_LIMITS["website"],
        ),
        brand_color=_color(clinic_data.get("brand_color"), errors),
        logo_bytes=_logo(clinic_data.get("logo"), errors, load_file),
        country=_country(clinic_data.get("country"), errors),
        emergency_number=read_text(
            clinic_data,
            "emergency_number",
            errors,
            field="clinic.emergency_number",
            max_chars=BRAND_LIMITS["emergency_number"],
        ),
        out_of_hours=read_text(
            clinic_data,
            "out_of_hours",
            errors,
            field="clinic.out_of_hours",
            max_chars=BRAND_LIMITS["out_of_hours"],
        ),
    )
    paper = data.get("paper") or "A4"
    if paper not in PAPERS:
        errors["paper"] = "must be A4 or letter"
    large_print = data.get("large_print", False)
    if not isinstance(large_print, bool):
        errors["large_print"] = "must be true or false"
    raw_items = data.get("items")
    items: list[SpecItem] = []
    if not isinstance(raw_items, list) or not raw_items:
        errors["items"] = "must be a list with at least one exercise"
        raw_items = []
    elif len(raw_items) > MAX_ITEMS:
        errors["items"] = f"must have at most {MAX_ITEMS} exercises"
        raw_items = []
    for index, raw in enumerate(raw_items):
        item = _item(raw, f"items[{index}].", resolve, errors, load_file)
        if item is not None:
            items.append(item)
    stopped = data.get("stopped") or []
    if not isinstance(stopped, list) or not all(isinstance(s, str) for s in stopped):
        errors["stopped"] = "must be a list of exercise names"
        stopped = []
    share_url = read_text(data, "share_url", errors, max_chars=500)
    if share_url and not share_url.startswith(("https://", "http://")):
        errors["share_url"] = "must start with https:// or http://"
    spec = HandoutSpec(
        patient_name=patient_name,
        items=tuple(items),
        clinic=clinic,
        therapist_name=read_text(
            therapist, "name", errors, field="therapist.name", max_chars=USER_LIMITS["name"]
        ),
        therapist_credentials=read_text(
            therapist,
            "credentials",
            errors,
            field="therapist.credentials",
            max_chars=USER_LIMITS["credentials"],
        ),
        title=read_text(data, "title", errors, max_chars=PROGRAM_LIMITS["title"]),
        issued_on=_date(data, "issued_on", errors),
        review_on=_date(data, "review_on", errors),
        notes=read_text(data, "notes", errors, max_chars=PROGRAM_LIMITS["notes"]),
        paper=paper,
        large_print=bool(large_print),
        share_url=share_url,
        stopped=tuple(s.strip() for s in stopped if s.strip()),
    )
    if errors:
        raise ValidationError(errors)
    return spec
