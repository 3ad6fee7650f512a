"""The exercise editor's form: every field of a library entry, steps as a list that can be added
to, reordered and trimmed with plain buttons (no JavaScript needed).

The form checks shape only (lengths, numbers, JSON); `to_entry()` turns it into the library-entry
form, which the service checks with the library loader's own rules.
"""

import json
import math
import re

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    FieldList,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from hepbuilder.domain import exercise as domain
from hepbuilder.domain.dose import DOSE_LIMITS
from hepbuilder.domain.text import fold

from .forms import MultiCheckboxField, choices_of
from .page_context import label
from .program_forms import SIDE_CHOICES, dose_field

_STEP_KEY = re.compile(r"^steps-(\d+)$")
_STRIP = [lambda value: value.strip() if isinstance(value, str) else value]
MAX_ILLUSTRATION_CHARS = 100_000
# A step's textarea, and the tips' and the precautions', is as tall as its text: a row per
# CHARS_PER_ROW characters of each line (about what a row holds on a narrow screen), within the
# field's fewest and most rows; static/textarea-rows.js goes on from there as the author types.
CHARS_PER_ROW = 60
STEP_MIN_ROWS, STEP_MAX_ROWS = 2, 8  # room to type; the page stays a list of steps
# Tips and precautions, one per line: three rows at least, as before; twelve hold the longest
# list of the bundled library (seven) with room to spare.
LIST_MIN_ROWS, LIST_MAX_ROWS = 3, 12


def text_rows(text: str | None, fewest: int, most: int) -> int:
    """How many rows a textarea needs to show `text` whole (each line of it counted on its own),
    from `fewest` to `most`."""
    lines = (text or "").splitlines() or [""]
    needed = sum(max(1, math.ceil(len(line) / CHARS_PER_ROW)) for line in lines)
    return max(fewest, min(most, needed))


def step_rows(text: str | None) -> int:
    """The rows of a step's textarea for `text`, from STEP_MIN_ROWS to STEP_MAX_ROWS."""
    return text_rows(text, STEP_MIN_ROWS, STEP_MAX_ROWS)


def list_rows(text: str | None) -> int:
    """The rows of the tips' or the precautions' textarea for `text` (one entry a line), from
    LIST_MIN_ROWS to LIST_MAX_ROWS."""
    return text_rows(text, LIST_MIN_ROWS, LIST_MAX_ROWS)


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def slugs_from_text(text: str | None) -> list[str]:
    """ "Foam roller, mat" -> ["foam-roller", "mat"]."""
    return ["-".join(fold(part).split()) for part in (text or "").split(",") if part.strip()]


def conditions_field(description: str) -> StringField:
    """The conditions an exercise or a protocol is for, typed as words separated by commas (read
    back with `slugs_from_text`)."""
    return StringField(
        "Conditions",
        description=description,
        validators=[Length(max=500, message="Use at most 500 characters.")],
    )


class ExerciseForm(FlaskForm):
    version = HiddenField()
    name = StringField(
        "Name",
        filters=_STRIP,
        validators=[
            DataRequired("Name the exercise."),
            Length(max=domain.MAX_NAME_CHARS, message="Use at most 120 characters."),
        ],
    )
    summary = TextAreaField(
        "Summary",
        filters=_STRIP,
        description="One sentence for the patient: what it is and what it is for.",
        validators=[
            DataRequired("Write a one-line summary."),
            Length(max=2000, message="Use at most 2,000 characters."),
        ],
        render_kw={"rows": 2},
    )
    category = SelectField(
        "Category", choices=choices_of([(c, label(c)) for c in domain.CATEGORIES])
    )
    body_region = SelectField(
        "Body region", choices=choices_of([(r, label(r)) for r in domain.BODY_REGIONS])
    )
    position = SelectField(
        "Position", choices=choices_of([(p, label(p)) for p in domain.POSITIONS])
    )
    targets = MultiCheckboxField("Target muscles", choices=[])
    equipment = StringField(
        "Equipment",
        description="Separate items with commas, e.g. mat, resistance band.",
        validators=[Length(max=500, message="Use at most 500 characters.")],
    )
    steps = FieldList(
        TextAreaField(
            "Step",
            filters=_STRIP,
            validators=[Length(max=domain.MAX_LINE_CHARS, message="Use at most 600 characters.")],
            render_kw={"rows": STEP_MIN_ROWS, "data-readability": ""},
        ),
        min_entries=1,
        max_entries=domain.MAX_LINES,
    )
    cues = TextAreaField(
        "Tips",
        description="One tip per line.",
        validators=[Length(max=10_000, message="Use at most 10,000 characters.")],
        render_kw={"rows": LIST_MIN_ROWS, "data-max-rows": LIST_MAX_ROWS},
    )
    precautions = TextAreaField(
        "Take care",
        description="One precaution per line.",
        validators=[Length(max=10_000, message="Use at most 10,000 characters.")],
        render_kw={"rows": LIST_MIN_ROWS, "data-max-rows": LIST_MAX_ROWS},
    )
    conditions = conditions_field(
        "What search should find it for, separated by commas, e.g. low back pain, hip stiffness."
    )
    sets = dose_field("Sets", "sets")
    reps = dose_field("Reps", "reps")
    hold_seconds = dose_field("Hold (s)", "hold_seconds", " seconds")
    times_per_day = dose_field("Times a day", "times_per_day")
    days_per_week = dose_field("Days a week", "days_per_week")
    side = SelectField("Side", choices=choices_of(SIDE_CHOICES), default="none")
    source = TextAreaField(
        "Source",
        validators=[Length(max=2000, message="Use at most 2,000 characters.")],
        render_kw={"rows": 2},
    )
    illustration = TextAreaField(
        "Pose data (JSON)",
        description="The figure's pose, as the pose editor writes it. Leave empty for none.",
        validators=[Length(max=MAX_ILLUSTRATION_CHARS, message="That pose data is too long.")],
        render_kw={"rows": 6, "spellcheck": "false", "class": "code-input"},
    )

    def set_muscles(self, muscles) -> None:
        """Offer the clinic's muscles (rows with slug and name) as target choices."""
        self.targets.choices = choices_of([(m.slug, m.name) for m in muscles])

    def validate_illustration(self, field) -> None:
        text = (field.data or "").strip()
        if not text:
            return
        try:
            value = json.loads(text)
        except ValueError as error:
            raise ValueError(
                f"This is not valid JSON ({error.msg}, line {error.lineno})."
            ) from None
        if not isinstance(value, dict):
            raise ValueError("Pose data must be a JSON object.")

    def to_entry(self) -> dict:
        """The library-entry form of what was typed (call after `validate()`)."""
        illustration = (self.illustration.data or "").strip()
        return {
            "name": self.name.data,
            "summary": self.summary.data,
            "category": self.category.data,
            "body_region": self.body_region.data,
            "position": self.position.data,
            "targets": list(self.targets.data or []),
            "equipment": slugs_from_text(self.equipment.data),
            "steps": [entry.data for entry in self.steps if (entry.data or "").strip()],
            "cues": _lines(self.cues.data),
            "precautions": _lines(self.precautions.data),
            "conditions": slugs_from_text(self.conditions.data),
            "defaults": {
                **{name: self[name].data for name in DOSE_LIMITS},
                "side": self.side.data or "none",
            },
            "illustration": json.loads(illustration) if illustration else None,
            "source": (self.source.data or "").strip(),
        }


def form_data_for(entry: dict, version: int) -> dict:
    """The form's initial data for a stored library entry."""
    defaults = entry.get("defaults") or {}
    illustration = entry.get("illustration")
    return {
        "version": str(version),
        "name": entry["name"],
        "summary": entry["summary"],
        "category": entry["category"],
        "body_region": entry["body_region"],
        "position": entry["position"],
        "targets": list(entry.get("targets") or []),
        "equipment": ", ".join(label(e).lower() for e in entry.get("equipment") or []),
        "steps": list(entry.get("steps") or []) or [""],
        "cues": "\n".join(entry.get("cues") or []),
        "precautions": "\n".join(entry.get("precautions") or []),
        "conditions": ", ".join(label(c).lower() for c in entry.get("conditions") or []),
        **{name: defaults.get(name) for name in DOSE_LIMITS},
        "side": defaults.get("side") or "none",
        "source": entry.get("source") or "",
        "illustration": json.dumps(illustration, indent=1) if illustration else "",
    }


def apply_step_action(formdata: MultiDict, action: str) -> tuple[MultiDict, int | None]:
    """Carry out a step button on submitted data: "step-add", "step-up-2", "step-down-0",
    "step-remove-1". Returns the rebuilt data and the index of the step to show next."""
    steps = [
        formdata.get(key, "")
        for key in sorted(
            (k for k in formdata if _STEP_KEY.match(k)), key=lambda k: int(k.split("-")[1])
        )
    ]
    focus = None
    kind, _, argument = action.removeprefix("step-").partition("-")
    if kind == "add" and len(steps) < domain.MAX_LINES:
        steps.append("")
        focus = len(steps) - 1
    elif kind in ("up", "down", "remove") and argument.isdigit() and int(argument) < len(steps):
        index = int(argument)
        if kind == "remove":
            steps.pop(index)
            steps = steps or [""]
            focus = min(index, len(steps) - 1)
        else:
            target = index - 1 if kind == "up" else index + 1
            if 0 <= target < len(steps):
                steps[index], steps[target] = steps[target], steps[index]
                index = target
            focus = index
    rebuilt = MultiDict([(k, v) for k, v in formdata.items(multi=True) if not _STEP_KEY.match(k)])
    for index, step in enumerate(steps):
        rebuilt.add(f"steps-{index}", step)
    return rebuilt, focus


def add_entry_errors(form: ExerciseForm, fields: dict[str, str]) -> None:
    """Put the service's field errors ("steps[2]", "defaults.sets", "illustration.frames[0]...")
    beside the matching inputs; the rest go above the form."""
    for name, text in fields.items():
        sentence = text[:1].upper() + text[1:]
        sentence = sentence if sentence.endswith(".") else sentence + "."
        field = None
        key = name.removeprefix("defaults.")
        match = re.match(r"^steps\[(\d+)\]$", name)
        if match and int(match.group(1)) < len(form.steps):
            field = form.steps[int(match.group(1))]
        elif name.startswith("illustration"):
            field = form.illustration
            sentence = f"{name}: {sentence}" if name != "illustration" else sentence
        elif re.match(r"^(targets|equipment|conditions|cues|precautions)(\[\d+\])?$", name):
            field = form[name.split("[")[0]]
        elif key in form and key not in ("steps", "csrf_token"):
            field = form[key]
        if field is None:
            form.form_errors.append(f"{name}: {sentence}")
        else:
            field.errors = [*field.errors, sentence]
