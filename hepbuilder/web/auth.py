"""Sign-in for the web pages: Flask-Login, app-wide CSRF, and who is acting.

Every page needs a signed-in user unless its view is marked `@public` (set-up, sign-in, static
files); addresses under /api/ (bearer tokens) and /p/ (a patient's private link) are left to their
own checks. A signed-out visitor is sent to /login?next=<path> and back after signing in.

Other blueprints import `current_actor`, `admin_required` and `public` from here, and
`login_required` / `current_user` from flask_login.
"""

import datetime as dt
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask_login import (
    LoginManager,
    UserMixin,
    current_user,
    login_required,
    login_user,
    logout_user,
)
from flask_wtf.csrf import CSRFError, CSRFProtect

from hepbuilder.config import session_idle_minutes, session_max_hours
from hepbuilder.db.models import User
from hepbuilder.services import user_sessions
from hepbuilder.services.actor import Actor

from .database import get_db, read_only_transaction
from .errors import error_response

# Set at sign-in when the password no longer meets the rules: every page leads to a new one.
MUST_CHANGE_PASSWORD_KEY = "must_change_password"
CSRF_MESSAGE = "This form has expired. Please go back, reload the page and try again."

login_manager = LoginManager()
csrf = CSRFProtect()

# Path prefixes whose views check access themselves (API bearer tokens, patients' private links).
SELF_GUARDED_PREFIXES = ("/api/", "/p/")

__all__ = [
    "SignedInUser",
    "admin_required",
    "csrf",
    "current_actor",
    "is_safe_next",
    "login_required",
    "public",
    "register_auth",
    "sign_in_user",
    "sign_out_user",
]


class SignedInUser(UserMixin):
    """The signed-in user as Flask-Login sees it; other attributes come from the User row."""

    def __init__(self, user: User, session_secret: str):
        self.user = user
        self.session_secret = session_secret

    def get_id(self) -> str:
        """What the cookie keeps: the secret of this browser's row in `user_session`, never the
        user's id, so ending that row (server-side) signs the browser out for good."""
        return self.session_secret

    @property
    def is_active(self) -> bool:
        return bool(self.user.is_active)

    @property
    def is_admin(self) -> bool:
        return self.user.role == "admin"

    def __getattr__(self, name: str):
        if name in ("user", "session_secret"):
            raise AttributeError(name)
        return getattr(self.user, name)


def public(view):
    """Mark a view as open to signed-out visitors."""
    view.is_public = True
    return view


def current_actor() -> Actor:
    """The signed-in user as the services' Actor (clinic, user, role, address). Needs a signed-in user."""
    if not current_user.is_authenticated:
        abort(401)
    return Actor(
        clinic_id=current_user.clinic_id,
        user_id=current_user.id,
        role=current_user.role,
        remote_addr=request.remote_addr or "",
    )


def admin_required(view):
    """Like login_required, and the user must be an admin (else 403)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def is_safe_next(target: str | None) -> bool:
    """True for a local path such as "/patients/3?x=1"; False for other hosts, schemes or "//evil"."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and not any(ord(c) < 32 for c in target)


def sign_in_user(user: User) -> None:
    """Start a server-side session for `user` in a fresh cookie session (committed here, as the
    browser is told about it now)."""
    db = get_db()
    secret = user_sessions.start_session(db, user, request.remote_addr or "")
    db.commit()
    session.clear()
    login_user(SignedInUser(user, secret))


def sign_out_user() -> None:
    """End this browser's session (in the database too) and empty its cookie."""
    secret = getattr(current_user, "session_secret", None) if current_user else None
    if secret:
        db = get_db()
        user_sessions.end_session(db, secret)
        db.commit()
    logout_user()
    session.clear()


def _load_user(secret: str) -> SignedInUser | None:
    """The signed-in user of this cookie's session; the session is written only when it is to be
    ended or marked seen (at most once a minute). On SQLite the check is a read-only transaction
    of its own, so it takes no write lock; on PostgreSQL, where readers never wait for writers,
    it is the first read of the request's transaction (one connection checkout, its ping, a
    BEGIN and a COMMIT fewer on every signed-in page)."""
    db = get_db()
    own_transaction = db.get_bind().dialect.name == "sqlite"
    if own_transaction:
        read_only_transaction(db)
    check = user_sessions.check_session(
        db,
        secret,
        idle=dt.timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"]),
        lifetime=dt.timedelta(hours=current_app.config["SESSION_MAX_HOURS"]),
    )
    if own_transaction:
        db.commit()
    if user_sessions.settle_session(db, check):
        db.commit()  # the session's end or last-seen time; nothing else is pending yet
    return SignedInUser(check.user, secret) if check.user is not None else None


def _is_self_guarded() -> bool:
    return request.path.startswith(SELF_GUARDED_PREFIXES)


def _protect_forms():
    """CSRF on every state-changing request, /p/ pages included; the JSON API uses bearer tokens.

    Signing out is exempt: a form token that expired on a page left open for hours must not keep
    anyone signed in on a shared computer (and the SameSite=Lax cookie is not sent by another
    site's form, so no other site can sign anyone out)."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True) or request.path.startswith("/api/"):
        return None
    if request.endpoint == "accounts.logout":
        return None
    csrf.protect()
    return None


def _require_sign_in():
    """Send signed-out visitors of inner pages to sign-in (unknown addresses still get a 404)."""
    if request.endpoint is None or _is_self_guarded() or current_user.is_authenticated:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if request.endpoint == "static" or getattr(view, "is_public", False):
        return None
    return login_manager.unauthorized()


def _require_new_password():
    """A user whose password fails today's rules sees only the password page until it is new."""
    if not session.get(MUST_CHANGE_PASSWORD_KEY) or not current_user.is_authenticated:
        return None
    if request.endpoint in ("accounts.change_password", "accounts.logout", "static"):
        return None
    if _is_self_guarded():
        return None
    return redirect(url_for("accounts.change_password"))


def _unauthorized():
    """Flask-Login's hook: redirect to sign-in with the local path to come back to."""
    target = request.full_path if request.query_string else request.path
    if request.method != "GET" or not is_safe_next(target):
        return redirect(url_for("accounts.login"))
    return redirect(url_for("accounts.login", next=target))


def register_auth(app: Flask) -> None:
    """Flask-Login, CSRF for every form, a hardened session cookie, and the sign-in wall."""
    app.config.setdefault("WTF_CSRF_ENABLED", True)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked in _protect_forms, which skips /api/
    app.config["SESSION_COOKIE_NAME"] = "hepbuilder_session"  # Flask presets "session"
    app.config.setdefault("SESSION_IDLE_MINUTES", session_idle_minutes())
    app.config.setdefault("SESSION_MAX_HOURS", session_max_hours())
    if app.config.get("PUBLIC_URL", "").startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = (
            True  # served over HTTPS: never send the cookie in clear
        )
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    app.before_request(_protect_forms)
    app.before_request(_require_sign_in)
    app.before_request(_require_new_password)

    @app.errorhandler(CSRFError)
    def handle_csrf_error(_error: CSRFError):
        return error_response(400, CSRF_MESSAGE)
