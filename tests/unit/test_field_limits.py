"""Every place that bounds a text field reads domain/limits.py, so the form, the service, the API
schema, the handout spec and the column can never disagree again."""

import pytest
from wtforms.validators import Length

from hepbuilder.api import schemas
from hepbuilder.db import models
from hepbuilder.domain import limits
from hepbuilder.domain.errors import ValidationError
from hepbuilder.domain.spec import parse_spec
from hepbuilder.library import load_library
from hepbuilder.web import admin, delivery, forms, patient_forms, program_forms

STEP_UP = load_library().exercises["step-up"]

FORMS = [
    (limits.PATIENT_LIMITS, patient_forms.PatientForm, {}),
    (limits.PROGRAM_LIMITS, program_forms.ProgramForm, {}),
    (limits.ITEM_LIMITS, program_forms.ItemForm, {}),
    (limits.BRAND_LIMITS, admin.BrandingForm, {}),
    (limits.USER_LIMITS, admin.UserForm, {}),
    (limits.API_TOKEN_LIMITS, admin.TokenForm, {}),
    (limits.BRAND_LIMITS, forms.SetupForm, {"name": "clinic_name"}),
    (limits.USER_LIMITS, forms.SetupForm, {"name": "admin_name", "email": "email"}),
    (limits.HANDOUT_EMAIL_LIMITS, delivery.EmailForm, {"to": "address"}),
    (limits.HANDOUT_EMAIL_LIMITS, delivery.EmailForm, {"to": "confirm"}),
]
COLUMNS = [
    (limits.PATIENT_LIMITS, models.Patient),
    (limits.PROGRAM_LIMITS, models.Program),
    (limits.BRAND_LIMITS, models.Clinic),
    (limits.USER_LIMITS, models.User),
    (limits.API_TOKEN_LIMITS, models.ApiToken),
]
SCHEMAS = [
    (limits.PATIENT_LIMITS, schemas.PATIENT_FIELDS),
    (limits.PROGRAM_LIMITS, schemas.PROGRAM_FIELDS),
    (limits.ITEM_LIMITS, schemas.ITEM["properties"]),
    (limits.HANDOUT_EMAIL_LIMITS, schemas.HANDOUT_EMAIL["properties"]),
]


def _form_max(form_class, field: str) -> int | None:
    unbound = getattr(form_class, field)
    lengths = [v for v in unbound.kwargs.get("validators", ()) if isinstance(v, Length)]
    return lengths[0].max if lengths else None


@pytest.mark.parametrize(("table", "form_class", "names"), FORMS)
def test_form_fields_take_their_length_from_the_limits_table(table, form_class, names):
    for limit_name, field in (names or {name: name for name in table}).items():
        if hasattr(form_class, field):
            assert _form_max(form_class, field) == table[limit_name], (
                f"{form_class.__name__}.{field}"
            )


@pytest.mark.parametrize(("table", "model"), COLUMNS)
def test_string_columns_are_as_long_as_the_limits_table_allows(table, model):
    columns = model.__table__.columns
    for name, limit in table.items():
        length = getattr(columns[name].type, "length", None)
        assert length in (None, limit), f"{model.__name__}.{name} is String({length})"


@pytest.mark.parametrize(("table", "properties"), SCHEMAS)
def test_api_schema_max_lengths_come_from_the_limits_table(table, properties):
    for name, limit in table.items():
        if name in properties:
            assert properties[name]["maxLength"] == limit, name


def _resolve(slug: str):
    return STEP_UP if slug == "step-up" else None


def test_handout_spec_accepts_each_text_up_to_its_limit_and_names_the_field_past_it():
    def spec(**changes):
        base = {
            "patient": {"name": "Pat"},
            "clinic": {},
            "items": [{"exercise": "step-up", "sets": 1}],
        }
        for path, value in changes.items():
            target = base
            *parents, leaf = path.split(".")
            for key in parents:
                target = target[key] if not key.isdigit() else target[int(key)]
            target[leaf] = value
        return base

    cases = {
        "title": limits.PROGRAM_LIMITS["title"],
        "notes": limits.PROGRAM_LIMITS["notes"],
        "clinic.name": limits.BRAND_LIMITS["name"],
        "clinic.address": limits.BRAND_LIMITS["address"],
        "items.0.notes": limits.ITEM_LIMITS["notes"],
    }
    for path, limit in cases.items():
        parse_spec(spec(**{path: "a" * limit}), resolve=_resolve)
        with pytest.raises(ValidationError) as caught:
            parse_spec(spec(**{path: "a" * (limit + 1)}), resolve=_resolve)
        field = path.replace("items.0.", "items[0].")
        assert field in caught.value.fields, (path, caught.value.fields)


def test_a_patient_with_the_longest_names_still_fits_on_a_handout():
    longest = " ".join(
        ["a" * limits.PATIENT_LIMITS["first_name"], "b" * limits.PATIENT_LIMITS["last_name"]]
    )
    parse_spec({"patient": {"name": longest}, "items": [{"exercise": "step-up"}]}, resolve=_resolve)


@pytest.mark.parametrize(
    "address",
    ["margaret@example", "m@example.com", " m@example.com ", "m@example.com\u00a0", "", "a b@c.d",
     "a@b@c.d", "ä@ö.de", "a@b.", "@b.c", "name@clinic.co.uk", "a..b@example.org", ".a@example.org",
     "a.@example.org", "a,b@example.org", "a@ex_ample.org", "a@example.123", "a@x.test",
     "a@clinic.LOCAL ", "a@[1.2.3.4]", '"a b"@example.org', "a@-x.org", "O'Brien+hep@x.co.uk",
     "a@xn--mnchen-3ya.de"],
)  # fmt: skip
def test_a_patient_email_is_accepted_by_the_api_schema_exactly_when_the_service_accepts_it(
    address,
):
    import re

    import jsonschema_rs

    from hepbuilder.services import patients

    by_schema = re.search(schemas.EMAIL["pattern"].replace("$", r"\Z"), address) is not None
    in_ecma = jsonschema_rs.validator_for(schemas.EMAIL).is_valid(address)
    problems = patients.patient_problems({"first_name": "A", "last_name": "B", "email": address})
    assert by_schema == in_ecma == ("email" not in problems), problems


def test_an_internationalised_domain_is_sent_to_the_api_in_ascii_as_for_a_handouts_to():
    import re

    from hepbuilder.services import patients

    assert re.search(schemas.EMAIL["pattern"], "m@münchen.de") is None
    assert re.search(schemas.EMAIL["pattern"], "m@xn--mnchen-3ya.de") is not None
    assert "email" not in patients.patient_problems(
        {"first_name": "A", "last_name": "B", "email": "m@münchen.de"}  # the web form's way
    )
