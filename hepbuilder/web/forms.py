"""Forms for signing in and setting up. They check shape (required, lengths, email form); rules live in services."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length
from wtforms.validators import ValidationError as FieldError
from wtforms.widgets import CheckboxInput, ListWidget

from hepbuilder.domain.limits import BRAND_LIMITS, USER_LIMITS
from hepbuilder.domain.phone import phone_problem
from hepbuilder.services.email_addresses import email_problem
from hepbuilder.services.passwords import MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None


def choices_of(pairs):
    """(value, label) pairs as choices for a SelectField or RadioField, in this WTForms' form."""
    return [SelectChoice(value, text) if SelectChoice else (value, text) for value, text in pairs]


_STRIP = [lambda value: value.strip() if isinstance(value, str) else value]


def at_most(limit: int) -> Length:
    """The length check for a text field, from one of domain/limits.py's tables."""
    return Length(max=limit, message=f"Use at most {limit:,} characters.")


def email_address(*, deliverable: bool = True):
    """The email rule (hepbuilder.services.email_addresses, which the services apply too) as a
    field check, with its sentence; an empty field passes. `deliverable=False`: a user's sign-in
    name, which may be at a clinic's internal domain."""

    def check(_form, field) -> None:
        if problem := email_problem(field.data or "", deliverable=deliverable):
            raise FieldError(problem)

    return check


def phone_number():
    """The phone rule (hepbuilder.domain.phone, which the services apply too) as a field check;
    an empty field passes."""

    def check(_form, field) -> None:
        if problem := phone_problem(field.data or ""):
            raise FieldError(problem)

    return check


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _new_password_field(label: str) -> PasswordField:
    return PasswordField(
        label,
        description=f"At least {MIN_PASSWORD_CHARS} characters.",
        validators=[
            DataRequired("Choose a password."),
            Length(
                min=MIN_PASSWORD_CHARS,
                max=MAX_PASSWORD_CHARS,
                message=f"Use {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters.",
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def _again_field(of: str, label: str = "New password again") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired("Type the password again."),
            EqualTo(of, "The two passwords differ."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    email = EmailField(
        "Email",
        filters=_STRIP,
        validators=[
            DataRequired("Enter your email address."),
            Length(max=USER_LIMITS["email"], message="That is too long."),
        ],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Enter your password."),
            Length(max=MAX_PASSWORD_CHARS, message="That is too long."),
        ],
        render_kw={"autocomplete": "current-password"},
    )


class SetupForm(FlaskForm):
    clinic_name = StringField(
        "Clinic name",
        filters=_STRIP,
        validators=[
            DataRequired("Enter the clinic's name."),
            at_most(BRAND_LIMITS["name"]),
        ],
        render_kw={"autocomplete": "organization", "autofocus": True},
    )
    admin_name = StringField(
        "Your name",
        filters=_STRIP,
        validators=[
            DataRequired("Enter your name."),
            at_most(USER_LIMITS["name"]),
        ],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        "Email",
        filters=_STRIP,
        validators=[
            DataRequired("Enter your email address."),
            at_most(USER_LIMITS["email"]),
            email_address(deliverable=False),  # a sign-in name, never mailed
        ],
        render_kw={"autocomplete": "email"},
    )
    password = _new_password_field("Password")
    password_again = _again_field("password", "Password again")


def add_service_errors(form, error) -> None:
    """Put a service's ValidationError beside the matching fields (others go to `form.form_errors`)."""
    fields = getattr(error, "fields", None) or {}
    if not fields:
        form.form_errors.append(getattr(error, "message", None) or str(error))
        return
    for name, text in fields.items():
        field = getattr(form, name, None)
        sentence = text[:1].upper() + text[1:]
        if field is not None and hasattr(field, "errors"):
            if not isinstance(field.errors, list):
                field.errors = list(field.errors)
            field.errors.append(sentence if sentence.endswith(".") else sentence + ".")
        else:
            form.form_errors.append(f"{name}: {text}")


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[
            DataRequired("Enter your current password."),
            Length(max=MAX_PASSWORD_CHARS, message="That is too long."),
        ],
        render_kw={"autocomplete": "current-password", "autofocus": True},
    )
    new_password = _new_password_field("New password")
    new_password_again = _again_field("new_password")


class PasswordResetForm(FlaskForm):
    """An admin's form for another user's new password."""

    password = _new_password_field("New password")
    password_again = _again_field("password")
