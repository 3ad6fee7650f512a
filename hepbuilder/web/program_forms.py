"""The program builder's form: the program's fields and one sub-form per item, with dose ranges.

Moving, removing and adding items rewrites the submitted form data (`apply_action`) before the
form is built, so whatever the user typed, valid or not, is kept and shown again in its new place.
"""

import re

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, NumberRange, Optional

from hepbuilder.domain.dose import DOSE_LIMITS, Dose
from hepbuilder.domain.limits import ITEM_LIMITS, PROGRAM_LIMITS

from .forms import at_most, choices_of

ITEM_KEYS = ("exercise", *DOSE_LIMITS, "side", "notes")
SIDE_CHOICES = [
    ("none", "—"),
    ("each", "Each side"),
    ("left", "Left only"),
    ("right", "Right only"),
]
_ITEM_KEY = re.compile(r"^items-(\d+)-(\w+)$")


def dose_field(label: str, name: str, unit: str = "") -> IntegerField:
    low, high = DOSE_LIMITS[name]
    return IntegerField(
        label,
        validators=[Optional(), NumberRange(low, high, f"Use {low} to {high}{unit}.")],
        render_kw={"min": low, "max": high, "inputmode": "numeric"},
    )


class ItemForm(Form):
    exercise = HiddenField(validators=[DataRequired()])
    sets = dose_field("Sets", "sets")
    reps = dose_field("Reps", "reps")
    hold_seconds = dose_field("Hold (s)", "hold_seconds", " seconds")
    times_per_day = dose_field("Times a day", "times_per_day")
    days_per_week = dose_field("Days a week", "days_per_week")
    side = SelectField("Side", choices=choices_of(SIDE_CHOICES), default="none")
    notes = StringField("Note", validators=[at_most(ITEM_LIMITS["notes"])])

    def validate(self, extra_validators=None) -> bool:
        """As usual, but a word that is no number gets the same sentence as a number out of range."""
        ok = super().validate(extra_validators)
        for name in DOSE_LIMITS:
            field = self[name]
            if field.errors and any("integer" in str(e) for e in field.errors):
                low, high = DOSE_LIMITS[name]
                field.errors = [f"Use a whole number from {low} to {high}."]
        return ok

    def dose(self) -> Dose | None:
        """The dose as typed, or None while any of it is invalid."""
        if any(self[name].errors for name in (*DOSE_LIMITS, "side")):
            return None
        return Dose(
            side=self.side.data or "none", **{name: self[name].data for name in DOSE_LIMITS}
        )


class ProgramForm(FlaskForm):
    version = HiddenField()
    title = StringField(
        "Title",
        validators=[at_most(PROGRAM_LIMITS["title"])],
        render_kw={"placeholder": "e.g. Hip strength, week 1"},
    )
    notes = TextAreaField(
        "Notes for the patient",
        validators=[at_most(PROGRAM_LIMITS["notes"])],
        render_kw={"rows": 3},
    )
    review_on = DateField("Review date", validators=[Optional()])
    paper = SelectField(
        "Paper", choices=choices_of([("A4", "A4"), ("letter", "US letter")]), default="A4"
    )
    large_print = BooleanField("Large print")
    items = FieldList(FormField(ItemForm), min_entries=0)

    def to_data(self) -> dict:
        """The program data form the programs service takes."""
        return {
            "title": self.title.data or "",
            "notes": self.notes.data or "",
            "review_on": self.review_on.data,
            "paper": self.paper.data or "A4",
            "large_print": bool(self.large_print.data),
            "items": [
                {
                    "exercise": entry.form.exercise.data,
                    **{name: entry.form[name].data for name in DOSE_LIMITS},
                    "side": entry.form.side.data or "none",
                    "notes": (entry.form.notes.data or "").strip(),
                }
                for entry in self.items
            ],
        }


def submitted_items(formdata: MultiDict) -> list[dict[str, str]]:
    """The items in submitted form data, in order, each as {key: raw text}."""
    found: dict[int, dict[str, str]] = {}
    for key in formdata:
        match = _ITEM_KEY.match(key)
        if match and match.group(2) in ITEM_KEYS:
            found.setdefault(int(match.group(1)), {})[match.group(2)] = formdata.get(key, "")
    return [found[index] for index in sorted(found) if found[index].get("exercise")]


def apply_action(items: list[dict[str, str]], action: str, defaults: dict[str, Dose]) -> int | None:
    """Carry out a builder button on the raw items: "up-2", "down-0", "remove-1", "add-<slug>".

    Returns the index of the item the user will want to see next (moved or added), else None.
    `defaults` maps an exercise slug to its default dose, used for an added item.
    """
    kind, _, argument = action.partition("-")
    if kind in ("up", "down", "remove"):
        try:
            index = int(argument)
        except ValueError:
            return None
        if not 0 <= index < len(items):
            return None
        if kind == "remove":
            items.pop(index)
            return min(index, len(items) - 1) if items else None
        target = index - 1 if kind == "up" else index + 1
        if not 0 <= target < len(items):
            return index
        items[index], items[target] = items[target], items[index]
        return target
    if kind == "add" and argument in defaults:
        dose = defaults[argument]
        item = {"exercise": argument, "side": dose.side, "notes": ""}
        item.update(
            {
                name: "" if getattr(dose, name) is None else str(getattr(dose, name))
                for name in DOSE_LIMITS
            }
        )
        items.append(item)
        return len(items) - 1
    return None


def rebuild_formdata(formdata: MultiDict, items: list[dict[str, str]]) -> MultiDict:
    """`formdata` with its items replaced by `items`, numbered 0, 1, 2... in their new order."""
    rebuilt = MultiDict(
        [(key, value) for key, value in formdata.items(multi=True) if not _ITEM_KEY.match(key)]
    )
    for index, item in enumerate(items):
        for key in ITEM_KEYS:
            rebuilt.add(f"items-{index}-{key}", item.get(key, ""))
    return rebuilt
