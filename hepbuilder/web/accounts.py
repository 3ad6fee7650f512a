"""Sign in, sign out, the one-time set-up page, and `/` (the start page that sends you where you belong)."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from hepbuilder.domain.errors import Conflict, ValidationError
from hepbuilder.services import clinics, users

from .auth import current_actor, is_safe_next, public, sign_in_user, sign_out_user
from .database import get_db
from .forms import LoginForm, PasswordChangeForm, SetupForm, add_service_errors

bp = Blueprint("accounts", __name__)

BAD_SIGN_IN = "That email and password do not match an active account."


def _home_url() -> str:
    if "patients.index" in current_app.view_functions:
        return url_for("patients.index")
    return url_for("exercises.index")


@public
def index():
    """`/`: set-up while nobody can sign in, else sign-in, else the therapist's start page."""
    if current_user.is_authenticated:
        return redirect(_home_url())
    if clinics.needs_setup(get_db()):
        return redirect(url_for("accounts.setup"))
    return redirect(url_for("accounts.login"))


@bp.record_once
def _add_index(state) -> None:
    state.app.add_url_rule("/", "index", index)


@bp.route("/setup", methods=["GET", "POST"])
@public
def setup():
    db = get_db()
    if not clinics.needs_setup(db):
        abort(404)
    form = SetupForm()
    if form.validate_on_submit():
        try:
            _clinic, user = clinics.set_up_first_clinic(
                db,
                clinic_name=form.clinic_name.data,
                admin_name=form.admin_name.data,
                email=form.email.data,
                password=form.password.data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict:
            db.rollback()
            return redirect(url_for("accounts.login"))
        else:
            db.commit()
            sign_in_user(user)
            flash("Welcome! Your clinic is set up and its exercise library is ready.", "success")
            return redirect(url_for("index"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("accounts/setup.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    db = get_db()
    next_url = request.args.get("next", "")
    if not is_safe_next(next_url):
        next_url = ""
    if current_user.is_authenticated:
        return redirect(next_url or url_for("index"))
    if clinics.needs_setup(db):
        return redirect(url_for("accounts.setup"))
    form = LoginForm()
    if form.validate_on_submit():
        user = users.authenticate(db, form.email.data, form.password.data)
        if user is None:
            form.form_errors.append(BAD_SIGN_IN)
        else:
            db.commit()
            sign_in_user(user)
            return redirect(next_url or url_for("index"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("accounts/login.html", form=form, next_url=next_url), status


@bp.route("/logout", methods=["POST"])
def logout():
    sign_out_user()
    flash("You are signed out.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    """The signed-in user's own password: the current one, then the new one twice."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        db = get_db()
        try:
            user = users.change_password(
                db, current_actor(), form.current_password.data, form.new_password.data
            )
        except ValidationError as error:
            db.rollback()
            add_service_errors(form, error)
        else:
            db.commit()
            sign_in_user(user)  # every other session ended with the old password; this one goes on
            flash(
                "Your password is changed. Anywhere else you were signed in, you are signed out.",
                "success",
            )
            return redirect(url_for("index"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("accounts/password.html", form=form), status
