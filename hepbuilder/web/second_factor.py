"""The second factor on the web: the code asked after the password, the account page that sets it
up (QR code, then a code to confirm, then the recovery codes, shown once) or turns it off, and the
admin's rule that administrators must use one. Administrators of a clinic with that rule who have
none see only the set-up page until they do."""

import time

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from hepbuilder.db.models import User
from hepbuilder.domain.errors import Conflict, ValidationError
from hepbuilder.services import second_factor

from .auth import MUST_CHANGE_PASSWORD_KEY, admin_required, current_actor, public, sign_in_user
from .database import get_db

bp = Blueprint("second_factor", __name__)

PENDING_KEY = "second_factor_pending"  # a password was right; the code is still to come
PENDING_SECONDS = 300
MAX_TRIES = 5
SETUP_ENDPOINTS = {"second_factor.setup", "accounts.logout", "static"}


def continue_sign_in(user: User, next_url: str, needs_new_password: bool):
    """After a right password: ask for the code when the user has a second factor, else sign in
    (and lead an administrator whose clinic requires one to setting it up)."""
    if second_factor.is_enabled(user):
        session[PENDING_KEY] = {
            "user_id": user.id,
            "started": time.time(),
            "next": next_url,
            "renew": needs_new_password,
            "tries": 0,
        }
        return redirect(url_for("second_factor.code"))
    return _finish(user, next_url, needs_new_password)


def _finish(user: User, next_url: str, needs_new_password: bool):
    sign_in_user(user)
    if needs_new_password:
        session[MUST_CHANGE_PASSWORD_KEY] = True
        return redirect(url_for("accounts.change_password"))
    if second_factor.must_enrol(user):
        return redirect(url_for("second_factor.setup"))
    return redirect(next_url or url_for("index"))


@bp.route("/login/code", methods=["GET", "POST"])
@public
def code():
    """The second step of signing in: the code from the authenticator app, or a recovery code."""
    pending = session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("started", 0) > PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        return redirect(url_for("accounts.login"))
    error = None
    if request.method == "POST":
        db = get_db()
        user = db.get(User, pending["user_id"])
        typed = request.form.get("code", "")[:40]
        accepted = (
            user is not None
            and user.is_active
            and second_factor.check_code(db, user, typed, request.remote_addr or "")
        )
        db.commit()  # the code's audit event, right or wrong
        if accepted:
            session.pop(PENDING_KEY, None)
            return _finish(user, pending.get("next", ""), pending.get("renew", False))
        pending["tries"] = pending.get("tries", 0) + 1
        if pending["tries"] >= MAX_TRIES:
            session.pop(PENDING_KEY, None)
            flash("Too many wrong codes. Please sign in again.", "error")
            return redirect(url_for("accounts.login"))
        session[PENDING_KEY] = pending
        error = second_factor.WRONG_CODE
    status = 422 if error else 200
    return render_template("accounts/second_factor_code.html", error=error), status


def _enrolment(user: User) -> dict:
    """What the set-up page shows for the user's new secret: the key and its QR code."""
    uri = second_factor.provisioning_uri(user, user.totp_secret)
    return {"secret": user.totp_secret, "qr": second_factor.qr_svg_path(uri)}


@bp.route("/account/second-factor", methods=["GET", "POST"])
def setup():
    """Set up (start, then confirm with a code) or turn off the signed-in user's second factor."""
    db = get_db()
    actor = current_actor()
    action = request.form.get("action", "") if request.method == "POST" else ""
    page = {"user": current_user.user, "error": None, "codes": None, "qr": None, "secret": None}
    try:
        if action == "start":
            user, _secret = second_factor.start_enrolment(db, actor)
            db.commit()
            page |= _enrolment(user)
        elif action == "confirm":
            page["codes"] = second_factor.confirm_enrolment(
                db, actor, request.form.get("code", "")[:40]
            )
            db.commit()
        elif action == "off":
            second_factor.turn_off(db, actor, request.form.get("code", "")[:40])
            db.commit()
            flash("Signing in no longer asks for a code.", "success")
            return redirect(url_for("second_factor.setup"))
    except (ValidationError, Conflict) as error:
        db.rollback()
        page["error"] = (
            error.fields["code"] if isinstance(error, ValidationError) else error.message
        )
        if action == "confirm" and current_user.user.totp_secret:
            page |= _enrolment(current_user.user)  # the same QR code again, to try once more
    user = current_user.user
    page["enabled"] = second_factor.is_enabled(user)
    page["required"] = user.role == "admin" and user.clinic.admins_need_second_factor
    page["codes_left"] = second_factor.recovery_codes_left(db, current_user.user)
    status = 422 if page["error"] else 200
    return render_template("accounts/second_factor.html", **page), status


@bp.post("/admin/second-factor")
@admin_required
def require_for_admins():
    """The clinic's rule: administrators sign in with a second factor."""
    db = get_db()
    required = request.form.get("required") == "y"
    second_factor.set_admins_need_second_factor(db, current_actor(), required)
    db.commit()
    flash(
        "Administrators now need a second factor to sign in."
        if required
        else "Administrators may now sign in without a second factor.",
        "success",
    )
    return redirect(url_for("admin.index"))


def require_second_factor_setup():
    """before_request: an administrator whose clinic requires a second factor and who has none
    sees only the set-up page (and can sign out)."""
    if request.endpoint in SETUP_ENDPOINTS or request.path.startswith(("/api/", "/p/")):
        return None
    if current_user.is_authenticated and second_factor.must_enrol(current_user.user):
        return redirect(url_for("second_factor.setup"))
    return None
