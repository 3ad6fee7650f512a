"""The builder's item rows (web/builder_items.py) write each field as the `field` macro and
WTForms write it: same elements, attributes, order and escaping, for a saved item, for what a
user typed (valid or not) and with errors."""

import re

import pytest
from flask import render_template_string
from werkzeug.datastructures import MultiDict

from hepbuilder.web.builder_items import (
    DOSE_INPUTS,
    field_html,
    hidden_exercise,
    rows_from_data,
    rows_from_form,
)
from hepbuilder.web.program_forms import ProgramForm

MACRO = '{% from "_macros/forms.html" import field %}{{ field(f, class_=class_, **extra) }}'
TYPED = {
    "items-0-exercise": "clamshell",
    "items-0-sets": "3",
    "items-0-reps": "ten",  # no number
    "items-0-hold_seconds": "601",  # out of range
    "items-0-times_per_day": "",
    "items-0-days_per_week": '7" onfocus="alert(1)',
    "items-0-side": "each",
    "items-0-notes": 'Keep the knee <b>soft</b> & "slow"',
}


def squeeze(html: str) -> str:
    """The HTML with the macro's indentation and blank lines taken out."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


def macro_html(form_field, name: str) -> str:
    class_ = "field--note" if name == "notes" else "field--dose"
    extra = {} if name == "notes" else {"data-dose": name}
    return render_template_string(MACRO, f=form_field, class_=class_, extra=extra)


def ours(row, name: str) -> str:
    if name == "notes":
        return field_html(0, name, row.values[name], row.errors.get(name), "field--note")
    extra = (("data-dose", name),)
    return field_html(0, name, row.values[name], row.errors.get(name), "field--dose", extra)


@pytest.mark.parametrize("name", [*DOSE_INPUTS, "notes"])
def test_a_typed_field_with_or_without_errors_is_written_as_the_macro_writes_it(app, name):
    with app.test_request_context(method="POST"):
        form = ProgramForm(formdata=MultiDict(TYPED), meta={"csrf": False})
        form.validate()
        [row] = rows_from_form(form)
        assert squeeze(ours(row, name)) == squeeze(macro_html(form.items[0].form[name], name))
    assert row.errors["reps"] and row.errors["hold_seconds"] and not row.errors["sets"]


@pytest.mark.parametrize("side", ["none", "left", "bogus"])
@pytest.mark.parametrize("name", [*DOSE_INPUTS, "notes"])
def test_a_saved_field_is_written_as_the_macro_writes_it(app, name, side):
    item = {
        "exercise": "clamshell",
        "sets": 2,
        "reps": None,
        "hold_seconds": 30,
        "times_per_day": 1,
        "days_per_week": 7,
        "side": side,
        "notes": "Ürün <i>ç</i> & ' \"",
    }
    with app.test_request_context():
        form = ProgramForm(formdata=None, data={"items": [item]}, meta={"csrf": False})
        [row] = rows_from_data([item])
        assert squeeze(ours(row, name)) == squeeze(macro_html(form.items[0].form[name], name))


def test_the_items_exercise_is_written_as_its_hidden_field_writes_it(app):
    typed = TYPED | {"items-0-exercise": 'odd"<slug>&'}
    with app.test_request_context(method="POST"):
        form = ProgramForm(formdata=MultiDict(typed), meta={"csrf": False})
        theirs = form.items[0].form.exercise(**{"data-field": "exercise"})
        assert hidden_exercise(0, rows_from_form(form)[0].exercise) == str(theirs)
