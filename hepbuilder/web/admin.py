"""The admin area: the clinic's brand (contact, colour, logo), user accounts, API tokens, webhooks, audit trail.

Every view is admin-only (`admin_required`; the services check the role again), parses the
request, calls one service function (branding, users, api_tokens) and commits; rule breaks come
back as messages beside the fields (forms) or as a flash on the list they came from (buttons).
"""

import hashlib
import secrets

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from hepbuilder.domain.color import contrast_with_white, hex_to_rgb, normalize_color
from hepbuilder.domain.emergency import COUNTRY_CODES, COUNTRY_NAMES
from hepbuilder.domain.errors import Conflict, ValidationError
from hepbuilder.domain.limits import API_TOKEN_LIMITS, BRAND_LIMITS, USER_LIMITS
from hepbuilder.services import api_tokens, clinics, images, passwords
from hepbuilder.services import branding as clinic_brand
from hepbuilder.services import users as user_accounts

from .auth import admin_required, current_actor
from .database import get_db
from .forms import (
    MultiCheckboxField,
    PasswordResetForm,
    add_service_errors,
    at_most,
    choices_of,
    email_address,
)
from .page_context import safe_color

bp = Blueprint("admin", __name__, url_prefix="/admin")

_STRIP = [lambda value: value.strip() if isinstance(value, str) else value]
_MAX_MB = images.MAX_LOGO_BYTES // (1024 * 1024)


@bp.before_request
@admin_required
def _admins_only():
    """Every address under /admin is for admins (403 for therapists, sign-in for visitors)."""
    return None


# --- forms: shape only; the services hold the rules -------------------------------------------


class BrandingForm(FlaskForm):
    name = StringField(
        "Clinic name",
        filters=_STRIP,
        description="Printed at the top of every handout.",
        validators=[
            DataRequired("Enter the clinic's name."),
            at_most(BRAND_LIMITS["name"]),
        ],
        render_kw={"autocomplete": "organization"},
    )
    address = TextAreaField(
        "Address",
        filters=_STRIP,
        description="One line per line of the address.",
        validators=[at_most(BRAND_LIMITS["address"])],
        render_kw={"rows": 3, "autocomplete": "street-address"},
    )
    phone = TelField(
        "Phone",
        filters=_STRIP,
        # checked by the service, as the email and the website are, so all three are shown
        validators=[at_most(BRAND_LIMITS["phone"])],
        render_kw={"autocomplete": "tel"},
    )
    email = EmailField(
        "Email",
        filters=_STRIP,
        # the rule of every address is the service's check here, so that it is shown beside
        # the field together with the phone's and the website's (a form check would stop first)
        validators=[at_most(BRAND_LIMITS["email"])],
        render_kw={"autocomplete": "email"},
    )
    website = StringField(
        "Website",
        filters=_STRIP,
        validators=[at_most(BRAND_LIMITS["website"])],
        render_kw={"inputmode": "url", "placeholder": "physio.example", "autocomplete": "url"},
    )
    country = SelectField(
        "Country",
        choices=choices_of(
            [("", "Not set")] + [(code, COUNTRY_NAMES[code]) for code in COUNTRY_CODES]
        ),
        default="",
        description="Sets the emergency number printed on handouts when you leave it empty "
        "(999 in GB, 911 in the US and Canada, 112 in the EU).",
    )
    emergency_number = StringField(
        "Emergency number",
        filters=_STRIP,
        description="Leave empty to use your country's.",
        validators=[Length(max=40, message="Use at most 40 characters.")],
        render_kw={"autocomplete": "off", "inputmode": "tel"},
    )
    out_of_hours = StringField(
        "Out-of-hours advice",
        filters=_STRIP,
        description='One sentence for when the clinic is closed, e.g. "For urgent advice that is '
        "not an emergency, call NHS 111.\" Leave empty to use your country's.",
        validators=[Length(max=300, message="Use at most 300 characters.")],
        render_kw={"autocomplete": "off"},
    )
    brand_color = StringField(
        "Brand colour",
        filters=_STRIP,
        description="Six hex digits after #, e.g. #1f6f8b. Used for headings and rules on handouts and for this site's accents.",
        validators=[DataRequired("Enter a colour such as #1f6f8b.")],
        render_kw={"maxlength": 7, "spellcheck": "false", "autocomplete": "off"},
    )
    link_expiry_days = IntegerField(
        "Private links expire after (days)",
        description="Counted from the patient's latest handout: a link with no new handout for "
        "this long stops working. The next handout turns it on again.",
        validators=[
            InputRequired("Enter a number of days, e.g. 180."),
            NumberRange(
                clinic_brand.MIN_LINK_EXPIRY_DAYS,
                clinic_brand.MAX_LINK_EXPIRY_DAYS,
                message=f"Use {clinic_brand.MIN_LINK_EXPIRY_DAYS} to {clinic_brand.MAX_LINK_EXPIRY_DAYS} days.",
            ),
        ],
        render_kw={
            "inputmode": "numeric",
            "min": clinic_brand.MIN_LINK_EXPIRY_DAYS,
            "max": clinic_brand.MAX_LINK_EXPIRY_DAYS,
        },
    )
    email_mode = RadioField(
        "Handout emails",
        choices=choices_of(
            [
                ("attach", "Attach the PDF (with the private link)"),
                ("link", "Send only the private link, no attachment"),
            ]
        ),
        default="attach",
    )
    logo = FileField(
        "New logo",
        description=f"A PNG, JPEG or WebP image of at most {_MAX_MB} MB. It is scaled to at most "
        f"{images.LOGO_MAX_SIDE_PX} pixels on the long side and stored without metadata. "
        "A wide logo with a transparent background prints best.",
        render_kw={"accept": "image/png,image/jpeg,image/webp"},
    )


class UserForm(FlaskForm):
    name = StringField(
        "Name",
        filters=_STRIP,
        validators=[
            DataRequired("Enter the person's name."),
            at_most(USER_LIMITS["name"]),
        ],
        render_kw={"autocomplete": "off"},
    )
    email = EmailField(
        "Email",
        filters=_STRIP,
        description="They sign in with this.",
        validators=[
            DataRequired("Enter their email address."),
            at_most(USER_LIMITS["email"]),
            email_address(deliverable=False),  # a sign-in name, never mailed
        ],
        render_kw={"autocomplete": "off"},
    )
    credentials = StringField(
        "Credentials",
        filters=_STRIP,
        description="Optional; printed after a therapist's name on handouts, e.g. DPT.",
        validators=[Optional(), at_most(USER_LIMITS["credentials"])],
        render_kw={"autocomplete": "off"},
    )
    role = SelectField(
        "Role",
        choices=choices_of([("therapist", "Therapist"), ("admin", "Administrator")]),
        default="therapist",
    )
    password = PasswordField(
        "First password",
        description=f"At least {passwords.MIN_PASSWORD_CHARS} characters. Give it to them privately.",
        validators=[
            DataRequired("Choose a first password for them."),
            Length(
                min=passwords.MIN_PASSWORD_CHARS,
                max=passwords.MAX_PASSWORD_CHARS,
                message=f"Use {passwords.MIN_PASSWORD_CHARS} to {passwords.MAX_PASSWORD_CHARS} characters.",
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class TokenForm(FlaskForm):
    name = StringField(
        "Token name",
        filters=_STRIP,
        description="Say who uses it, e.g. the practice-management system's name.",
        validators=[
            DataRequired("Name the token."),
            at_most(API_TOKEN_LIMITS["name"]),
        ],
        render_kw={"autocomplete": "off"},
    )
    scopes = MultiCheckboxField(
        "What it may do",
        choices=choices_of(
            [
                ("programs", "Programs: patients, programs and handouts, and reading the library"),
                ("library", "Library: add, change, retire and restore exercises and protocols"),
            ]
        ),
        default=["programs"],
        validators=[DataRequired("Choose at least one.")],
    )
    # A fresh random value in each form shown: sending the same form twice (a reload of the page
    # that shows the new secret) creates one token, not two.
    once = HiddenField()


# --- helpers --------------------------------------------------------------------------------


def _status(form: FlaskForm) -> int:
    return 422 if form.errors or form.form_errors else 200


def _read_upload(storage) -> bytes | None:
    """The uploaded file's bytes, read only up to one byte past the limit (None when no file was chosen)."""
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return storage.stream.read(images.MAX_LOGO_BYTES + 1)


# --- overview ---------------------------------------------------------------------------------


@bp.route("")
def index():
    summary = clinics.admin_summary(get_db(), current_actor())
    return render_template(
        "admin/index.html", summary=summary, saved_color=safe_color(summary.clinic.brand_color)
    )


# --- brand ------------------------------------------------------------------------------------


def _branding_page(form: BrandingForm, clinic, status: int = 200):
    db = get_db()
    logo = clinic_brand.get_logo(db, current_actor())
    saved_color = safe_color(clinic.brand_color)
    typed_color = normalize_color(form.brand_color.data or "") or saved_color
    return (
        render_template(
            "admin/branding.html",
            form=form,
            clinic=clinic,
            has_logo=logo is not None,
            logo_version=hashlib.sha256(logo).hexdigest()[:12] if logo else "",
            picker_color=typed_color,
            low_contrast=contrast_with_white(hex_to_rgb(typed_color)) < 3.0,
        ),
        status,
    )


def _ask_for_logo_again(form: BrandingForm) -> None:
    """A good logo sent with a bad form is not kept (a file input cannot be refilled): say so."""
    if getattr(form.logo.data, "filename", "") and not form.logo.errors:
        form.logo.errors = [
            "Choose the logo file again: it was not saved because of the other problems."
        ]


@bp.route("/branding", methods=["GET", "POST"])
def branding():
    db = get_db()
    actor = current_actor()
    clinic = clinic_brand.get_branding(db, actor)
    fields = (*clinic_brand.BRANDING_FIELDS, *clinic_brand.DELIVERY_FIELDS)
    form = BrandingForm(data={name: getattr(clinic, name) for name in fields})
    if not form.validate_on_submit():
        if form.is_submitted():
            _ask_for_logo_again(form)
        return _branding_page(form, clinic, _status(form))
    errors: dict[str, str] = {}
    try:
        clinic_brand.update_branding(db, actor, {name: getattr(form, name).data for name in fields})
    except ValidationError as error:
        errors.update(error.fields)
    upload = _read_upload(form.logo.data)
    if upload is not None:
        try:
            clinic_brand.set_logo(db, actor, upload)
        except ValidationError as error:
            errors.update(error.fields)
    if errors:
        db.rollback()
        add_service_errors(form, ValidationError(errors))
        _ask_for_logo_again(form)
        return _branding_page(form, clinic_brand.get_branding(db, actor), 422)
    db.commit()
    flash(
        "The clinic's details are saved. New handouts will use them."
        + (" The new logo is in place." if upload else ""),
        "success",
    )
    return redirect(url_for("admin.branding"))


@bp.route("/branding/logo.png")
def logo():
    data = clinic_brand.get_logo(get_db(), current_actor())
    if data is None:
        abort(404)
    response = make_response(data)
    response.headers["Content-Type"] = "image/png"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = 'inline; filename="logo.png"'
    return response


@bp.route("/branding/logo/remove", methods=["POST"])
def remove_logo():
    db = get_db()
    clinic_brand.remove_logo(db, current_actor())
    db.commit()
    flash(
        "The logo is removed. New handouts show the clinic's name alone; issued handouts keep theirs.",
        "success",
    )
    return redirect(url_for("admin.branding"))


# --- users ------------------------------------------------------------------------------------


def _users_page(form: UserForm, status: int = 200):
    users = user_accounts.list_users(get_db(), current_actor())
    return render_template("admin/users.html", form=form, users=users), status


EMAIL_TAKEN = "Someone in this clinic already signs in with this email address."


@bp.route("/users", methods=["GET", "POST"])
def users():
    form = UserForm()
    if not form.validate_on_submit():
        if form.is_submitted() and form.email.data and not form.email.errors:
            # said with the other fields' errors, not after they are put right
            if user_accounts.email_taken(get_db(), current_actor(), form.email.data):
                form.email.errors = [*form.email.errors, EMAIL_TAKEN]
        return _users_page(form, _status(form))
    db = get_db()
    try:
        user = user_accounts.create_user(
            db,
            current_actor(),
            {
                name: getattr(form, name).data
                for name in ("name", "email", "credentials", "role", "password")
            },
        )
    except ValidationError as error:
        db.rollback()
        add_service_errors(form, error)
        return _users_page(form, 422)
    except Conflict:
        db.rollback()
        form.email.errors = [*form.email.errors, EMAIL_TAKEN]
        return _users_page(form, 422)
    db.commit()
    flash(f"{user.name} can now sign in as {_role_words(user.role)} with {user.email}.", "success")
    return redirect(url_for("admin.users"))


def _change_user(user_id: int, change, success) -> object:
    """Apply `change(db, actor, user_id)`; flash `success(user)` or the rule it broke; back to the list."""
    db = get_db()
    try:
        user = change(db, current_actor(), user_id)
    except ValidationError as error:
        db.rollback()
        flash(error.message, "error")
    else:
        db.commit()
        flash(success(user), "success")
    return redirect(url_for("admin.users"))


def _role_words(role: str) -> str:
    return "an administrator" if role == "admin" else "a therapist"


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
def deactivate_user(user_id: int):
    return _change_user(
        user_id,
        lambda db, actor, uid: user_accounts.set_user_active(db, actor, uid, False),
        lambda user: f"{user.name} is deactivated and can no longer sign in.",
    )


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
def reactivate_user(user_id: int):
    return _change_user(
        user_id,
        lambda db, actor, uid: user_accounts.set_user_active(db, actor, uid, True),
        lambda user: f"{user.name} can sign in again.",
    )


@bp.route("/users/<int:user_id>/role", methods=["POST"])
def change_role(user_id: int):
    role = request.form.get("role", "")
    return _change_user(
        user_id,
        lambda db, actor, uid: user_accounts.set_user_role(db, actor, uid, role),
        lambda user: f"{user.name} is now {_role_words(user.role)}.",
    )


@bp.route("/users/<int:user_id>/sign-out", methods=["POST"])
def sign_out_user_everywhere(user_id: int):
    return _change_user(
        user_id,
        user_accounts.sign_out_everywhere,
        lambda user: f"{user.name} is signed out on every computer and phone.",
    )


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def reset_password(user_id: int):
    """Set a new password for another user of the clinic; tell it to them in person."""
    db = get_db()
    actor = current_actor()
    user = user_accounts.get_user(db, actor, user_id)
    if user.id == actor.user_id:
        return redirect(url_for("accounts.change_password"))
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            user_accounts.reset_user_password(db, actor, user.id, form.password.data)
        except ValidationError as error:
            db.rollback()
            add_service_errors(form, error)
        else:
            db.commit()
            flash(
                f"{user.name} has a new password; tell it to them in person. Anywhere they were "
                "signed in, they are signed out.",
                "success",
            )
            return redirect(url_for("admin.users"))
    return render_template("admin/user_password.html", form=form, user=user), _status(form)


# --- API tokens -------------------------------------------------------------------------------


_TOKEN_FORMS_USED = "token_forms_used"  # session key: the `once` values already turned into tokens


def _fresh_token_form() -> TokenForm:
    form = TokenForm(formdata=None, data={"scopes": ["programs"]})
    form.once.data = secrets.token_urlsafe(16)
    return form


def _tokens_page(form: TokenForm, status: int = 200, new_token=None, secret: str | None = None):
    tokens = api_tokens.list_api_tokens(get_db(), current_actor())
    return (
        render_template(
            "admin/tokens.html", form=form, tokens=tokens, new_token=new_token, secret=secret
        ),
        status,
    )


@bp.route("/tokens", methods=["GET", "POST"])
def tokens():
    if request.method == "GET":
        return _tokens_page(_fresh_token_form())
    form = TokenForm()
    if not form.validate_on_submit():
        return _tokens_page(form, _status(form))
    used = session.get(_TOKEN_FORMS_USED, [])
    if form.once.data and form.once.data in used:
        flash(
            "That form was already sent, and its token created; its secret was shown only then. "
            "If you did not copy it, revoke that token and create another.",
            "info",
        )
        return redirect(url_for("admin.tokens"))
    db = get_db()
    try:
        token, secret = api_tokens.create_api_token(
            db, current_actor(), form.name.data, form.scopes.data
        )
    except ValidationError as error:
        db.rollback()
        add_service_errors(form, error)
        return _tokens_page(form, 422)
    db.commit()
    if form.once.data:
        session[_TOKEN_FORMS_USED] = [*used, form.once.data][-20:]
    # Shown in this response only: never flashed or put in the session cookie. The page is no-store.
    return _tokens_page(_fresh_token_form(), 200, new_token=token, secret=secret)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int):
    db = get_db()
    token = api_tokens.revoke_api_token(db, current_actor(), token_id)
    db.commit()
    flash(
        f"The token “{token.name}” ({token.prefix}…) is revoked; the API refuses it from now on.",
        "success",
    )
    return redirect(url_for("admin.tokens"))


# The audit trail's and the webhooks' pages, on this blueprint.
from . import admin_audit, admin_webhooks  # noqa: E402,F401
