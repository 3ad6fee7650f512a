"""The builder's item rows as HTML, written out by one function instead of a Jinja macro and
WTForms widgets per field.

For ten items the macro ran about 70 times and WTForms built some 2,000 attributes, most of the
builder page's time (#13). Here each row is a few string joins with markupsafe's escaping. What
the fields are (label, input type, limits such as min/max/maxlength, the side's choices) is read
once from `ItemForm`, so the form stays their one definition; tests/web/test_builder_items.py
holds every field to what WTForms and the `field` macro write for it.

A row comes from the saved program (`rows_from_data`, a GET: no WTForms form is built for the
items) or from a submitted form (`rows_from_form`, with what was typed and each field's errors).
"""

from dataclasses import dataclass, field
from functools import cache

from markupsafe import Markup, escape

from hepbuilder.domain.dose import DOSE_LIMITS, Dose

from .exercises import detail_url, figure_url
from .form_html import html_params
from .program_forms import ItemForm

DOSE_INPUTS = (*DOSE_LIMITS, "side")  # the dose grid, in its order


@dataclass(frozen=True)
class FieldSpec:
    """What one item field is, whatever its value: label, tag, fixed attributes, choices."""

    label: str
    tag: str  # "input" or "select"
    attrs: dict[str, object]
    choices: tuple[tuple[str, str], ...] = ()


@cache
def field_specs() -> dict[str, FieldSpec]:
    """Each item field's spec, read from an unbound ItemForm the way WTForms' widgets read it:
    the input type, the validators' flags the widget writes (min, max, maxlength...), then the
    field's render_kw over them."""
    specs = {}
    for name, bound in ItemForm()._fields.items():
        widget = bound.widget
        attrs: dict[str, object] = {}
        for flag in dir(bound.flags):
            if flag in getattr(widget, "validation_attrs", ()):
                attrs[flag] = getattr(bound.flags, flag)
        attrs.update(bound.render_kw or {})
        if hasattr(widget, "input_type"):
            attrs.setdefault("type", widget.input_type)
            tag = "input"
        else:
            tag = "select"
        choices = tuple((choice.value, choice.label) for choice in _choices(bound))
        specs[name] = FieldSpec(label=str(bound.label.text), tag=tag, attrs=attrs, choices=choices)
    return specs


def _choices(bound) -> list:
    """A select field's choices (value, label), none for other fields."""
    if not hasattr(bound, "_iter_choices_normalized"):
        return []
    return list(bound._iter_choices_normalized())


@dataclass
class ItemRow:
    """One item as the builder shows it: its exercise slug, the text in each field (as saved, or
    as typed), each field's errors, and its dose while every part of it is valid."""

    exercise: str
    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    dose: Dose | None = None

    @property
    def has_errors(self) -> bool:
        return any(self.errors.values())


def rows_from_data(items: list[dict]) -> list[ItemRow]:
    """Rows for saved items (`programs.program_to_data`'s items)."""
    rows = []
    for item in items:
        values = {name: "" if item.get(name) is None else str(item[name]) for name in DOSE_LIMITS}
        values["side"] = item.get("side") or "none"
        values["notes"] = item.get("notes") or ""
        dose = Dose(side=values["side"], **{name: item.get(name) for name in DOSE_LIMITS})
        rows.append(ItemRow(exercise=item["exercise"], values=values, dose=dose))
    return rows


def rows_from_form(form) -> list[ItemRow]:
    """Rows for a submitted ProgramForm's items: what was typed, and the fields' errors."""
    rows = []
    for entry in form.items:
        item = entry.form
        values = {name: item[name]._value() for name in (*DOSE_LIMITS, "notes")}
        values["side"] = item.side.data
        errors = {name: list(item[name].errors) for name in (*DOSE_INPUTS, "notes")}
        errors["exercise"] = list(item.exercise.errors)
        rows.append(
            ItemRow(exercise=item.exercise.data, values=values, errors=errors, dose=item.dose())
        )
    return rows


_ID, _VALUE, _ERRORS = "\x00id\x00", "\x00value\x00", "\x00errors\x00"


@cache
def _field_template(name: str, class_: str, extra: tuple, with_errors: bool) -> str:
    """A `str.format` template of one field as the `field` macro writes it, with `{id}`,
    `{value}` and `{errors}` to fill in: written once through html_params, so the attributes
    come out in WTForms' order and escaping."""
    spec = field_specs()[name]
    attrs = {**spec.attrs, **dict(extra), "class": "field__input", "id": _ID, "name": _ID}
    error_html = ""
    if with_errors:
        attrs["aria-describedby"] = f"{_ID}-error"
        attrs["aria-invalid"] = "true"
        error_html = f'\n  <p class="field__error" id="{_ID}-error">{_ERRORS}</p>'
    if spec.tag == "select":
        control = f"<select {html_params(**attrs)}>{_VALUE}</select>"
    else:
        control = f"<input {html_params(**attrs, value=_VALUE)}>"
    html = (
        f'<div class="field{" field--error" if with_errors else ""} {class_}">\n'
        f'  <label class="field__label" for="{_ID}">{escape(spec.label)}</label>'
        f"{error_html}\n  {control}\n</div>"
    )
    html = html.replace("{", "{{").replace("}", "}}")
    return html.replace(_ID, "{id}").replace(_VALUE, "{value}").replace(_ERRORS, "{errors}")


@cache
def _options(name: str, selected: str | None) -> str:
    """A select field's options, `selected` marked, as WTForms writes them."""
    return "".join(
        f"<option {html_params(selected=value == selected, value=value)}>{escape(text)}</option>"
        for value, text in field_specs()[name].choices
    )


def field_html(index: int, name: str, value, errors, class_: str, extra: tuple = ()) -> str:
    """One labelled item field as `templates/_macros/forms.html`'s `field` writes it: `value`
    is the text in it (a select's chosen value), `errors` its messages."""
    template = _field_template(name, class_, extra, bool(errors))
    spec = field_specs()[name]
    if spec.tag == "select":  # cached per choice: a value that is none selects nothing
        known = any(value == choice for choice, _ in spec.choices)
        shown = _options(name, value if known else None)
    else:
        shown = escape(value)
    return template.format(
        id=f"items-{index}-{name}",
        value=shown,
        errors=" ".join(str(escape(error)) for error in errors or ()),
    )


_HIDDEN_EXERCISE = str(
    html_params(
        **{"data-field": "exercise", "id": _ID, "name": _ID, "type": "hidden", "value": _VALUE}
    )
)


def hidden_exercise(index: int, slug: str | None) -> str:
    """The item's exercise slug, as WTForms writes its hidden field."""
    html = _HIDDEN_EXERCISE.replace(_ID, f"items-{index}-exercise")
    return f"<input {html.replace(_VALUE, escape(slug or ''))}>"


def items_html(rows: list[ItemRow], exercises: dict, dose_words: list[str], focus) -> Markup:
    """The `<li>` of every row, as the builder's item list shows them."""
    out = []
    last = len(rows) - 1
    for i, row in enumerate(rows):
        exercise = exercises.get(row.exercise)
        name = escape(exercise.name) if exercise else escape(row.exercise)
        called = name if exercise else "exercise"
        classes = (
            "item"
            + (" item--error" if row.has_errors else "")
            + (" item--focus" if focus == i else "")
        )
        head = []
        if exercise:
            head.append(
                f'<img class="thumb thumb--item" src="{escape(figure_url(exercise))}" alt="" '
                'width="60" height="40" loading="lazy">'
            )
            title = (
                f'<a href="{escape(detail_url(exercise))}" '
                f'target="_blank" rel="noopener">{name}</a>'
            )
            if exercise.is_archived:
                title += ' <span class="badge badge--muted">Retired</span>'
        else:
            title = name
        fields = "\n".join(
            field_html(
                i, key, row.values[key], row.errors.get(key), "field--dose", (("data-dose", key),)
            )
            for key in DOSE_INPUTS
        )
        out.append(
            f'<li class="{classes}" id="item-{i}" data-index="{i}">\n'
            '<div class="item__head">\n'
            '<span class="item__handle" aria-hidden="true" title="Drag to reorder">⠿</span>\n'
            f'<span class="item__number">{i + 1}.</span>\n'
            f"{''.join(head)}\n"
            f'<h3 class="item__name">{title}</h3>\n'
            '<span class="item__buttons">\n'
            f'<button type="submit" name="action" value="up-{i}" '
            'class="button button--small button--quiet" data-move="up" '
            f'aria-label="Move {called} up"{" disabled" if i == 0 else ""}>↑ Up</button>\n'
            f'<button type="submit" name="action" value="down-{i}" '
            'class="button button--small button--quiet" data-move="down" '
            f'aria-label="Move {called} down"{" disabled" if i == last else ""}>↓ Down</button>\n'
            f'<button type="submit" name="action" value="remove-{i}" '
            'class="button button--small button--quiet button--danger" '
            f'aria-label="Remove {called}">Remove</button>\n'
            "</span>\n"
            "</div>\n"
            f"{hidden_exercise(i, row.exercise)}\n"
            f'<div class="dose-grid">\n{fields}\n</div>\n'
            '<p class="item__words"><span class="muted">Prints as:</span> '
            f'<span data-dose-words aria-live="polite">{escape(dose_words[i] or "—")}</span></p>\n'
            f"{field_html(i, 'notes', row.values['notes'], row.errors.get('notes'), 'field--note')}\n"
            "</li>"
        )
    return Markup("\n".join(out))
