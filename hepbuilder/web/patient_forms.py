"""The patient form. It checks shape (required, lengths, a date); the patient service checks the rules."""

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Optional

from hepbuilder.domain.limits import PATIENT_LIMITS

from .forms import at_most, email_address, phone_number

_STRIP = [lambda value: value.strip() if isinstance(value, str) else value]


class PatientForm(FlaskForm):
    first_name = StringField(
        "First name",
        filters=_STRIP,
        validators=[
            DataRequired("Enter the first name."),
            at_most(PATIENT_LIMITS["first_name"]),
        ],
        render_kw={"autocomplete": "off"},
    )
    last_name = StringField(
        "Last name",
        filters=_STRIP,
        validators=[
            DataRequired("Enter the last name."),
            at_most(PATIENT_LIMITS["last_name"]),
        ],
        render_kw={"autocomplete": "off"},
    )
    date_of_birth = DateField(
        "Date of birth",
        validators=[Optional()],
        render_kw={"autocomplete": "off"},
    )
    email = EmailField(
        "Email",
        filters=_STRIP,
        validators=[Optional(), at_most(PATIENT_LIMITS["email"]), email_address()],
        render_kw={"autocomplete": "off"},
    )
    phone = TelField(
        "Phone",
        filters=_STRIP,
        validators=[Optional(), at_most(PATIENT_LIMITS["phone"]), phone_number()],
        render_kw={"autocomplete": "off"},
    )
    external_id = StringField(
        "External id",
        description="The patient's id in your practice-management system, if it has one.",
        filters=_STRIP,
        validators=[Optional(), at_most(PATIENT_LIMITS["external_id"])],
    )
    notes = TextAreaField(
        "Notes",
        description="For the clinic only; never printed on a handout.",
        validators=[Optional(), at_most(PATIENT_LIMITS["notes"])],
        render_kw={"rows": 3},
    )

    def to_data(self) -> dict:
        """The form's values in the patient service's data form."""
        return {
            "first_name": self.first_name.data or "",
            "last_name": self.last_name.data or "",
            "date_of_birth": self.date_of_birth.data,
            "email": self.email.data or "",
            "phone": self.phone.data or "",
            "external_id": self.external_id.data or "",
            "notes": self.notes.data or "",
        }
