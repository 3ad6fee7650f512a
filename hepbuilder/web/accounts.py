"""Sign in (with a clinic chooser when one password opens accounts at several clinics), sign out, the one-time set-up page, and `/` (the start page that sends you where you belong)."""

import math
import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from hepbuilder.domain.errors import Conflict, ValidationError
from hepbuilder.services import clinics, sign_in, users

from .auth import (
    MUST_CHANGE_PASSWORD_KEY,
    current_actor,
    is_safe_next,
    public,
    sign_in_user,
    sign_out_user,
)
from .database import get_db
from .forms import LoginForm, PasswordChangeForm, SetupForm, add_service_errors
from .second_factor import continue_sign_in

bp = Blueprint("accounts", __name__)

BAD_SIGN_IN = "That email and password do not match an active account."
CHOOSER_KEY = "choose_clinic"  # the accounts a password opened, while the user picks a clinic
CHOOSER_SECONDS = 300


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
            # the admin is signed in now, so it counts as their first sign-in (time and event)
            sign_in.record_sign_in(db, user, request.remote_addr or "")
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
        address = request.remote_addr or ""
        try:
            result = sign_in.attempt_sign_in(db, form.email.data, form.password.data, address)
        except sign_in.SignInThrottled as error:
            return _throttled(form, next_url, error.retry_after_seconds)
        db.commit()  # the failure count and the audit events, whatever the outcome
        if not result.users:
            form.form_errors.append(BAD_SIGN_IN)
        elif len(result.users) > 1:
            session[CHOOSER_KEY] = {
                "user_ids": [user.id for user in result.users],
                "started": time.time(),
                "next": next_url,
                "renew": result.needs_new_password,
            }
            return redirect(url_for("accounts.choose_clinic"))
        else:
            return _signed_in(result.users[0], next_url, result.needs_new_password)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("accounts/login.html", form=form, next_url=next_url), status


def _throttled(form: LoginForm, next_url: str, retry_after_seconds: int):
    minutes = math.ceil(retry_after_seconds / 60)
    form.form_errors.append(
        f"Too many failed sign-ins. Please wait {minutes} minute{'s' if minutes != 1 else ''} "
        "and try again."
    )
    page = render_template("accounts/login.html", form=form, next_url=next_url)
    return page, 429, {"Retry-After": str(retry_after_seconds)}


def _signed_in(user, next_url: str, needs_new_password: bool):
    return continue_sign_in(user, next_url, needs_new_password)


@bp.route("/login/clinic", methods=["GET", "POST"])
@public
def choose_clinic():
    """After a password that opens accounts at several clinics: which clinic to sign in to."""
    pending = session.get(CHOOSER_KEY)
    if not pending or time.time() - pending.get("started", 0) > CHOOSER_SECONDS:
        session.pop(CHOOSER_KEY, None)
        return redirect(url_for("accounts.login"))
    db = get_db()
    accounts = clinics.clinics_of_users(db, pending["user_ids"])
    if request.method == "POST":
        chosen = next(
            (user for user, _ in accounts if str(user.id) == request.form.get("user_id")), None
        )
        if chosen is not None:
            sign_in.record_sign_in(db, chosen, request.remote_addr or "")
            db.commit()
            return _signed_in(chosen, pending.get("next", ""), pending.get("renew", False))
    return render_template("accounts/choose_clinic.html", accounts=accounts)


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
    forced = bool(session.get(MUST_CHANGE_PASSWORD_KEY))
    return render_template("accounts/password.html", form=form, forced=forced), status
