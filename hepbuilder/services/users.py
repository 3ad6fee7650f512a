"""User accounts: sign-in, passwords, and the admin's management of the clinic's users.

Every function that changes a user takes the Actor and works only inside `actor.clinic_id`
(another clinic's user is simply NotFound); those an admin alone may call say so. Flushes, never
commits; each change records an audit event in the caller's transaction."""

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from hepbuilder.db.models import Clinic, User
from hepbuilder.domain.errors import Conflict, NotFound, ValidationError
from hepbuilder.domain.limits import USER_LIMITS

from .actor import Actor, require_admin
from .audit import record_event
from .email_addresses import BLANK_MESSAGE, email_problem
from .passwords import check_password_rules, hash_password, verify_password
from .user_sessions import end_user_sessions

ROLES = ("admin", "therapist")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def create_user(session: Session, actor: Actor, data: Mapping[str, str]) -> User:
    """Add a user to the acting admin's clinic, the password hashed. Admins only (the command line
    and the one-time set-up act as `system_actor`).

    `data`: email, name, role, password, credentials (optional). Raises ValidationError for bad
    fields and Conflict when the email is taken. Records "user.create".
    """
    require_admin(actor)
    errors = {}
    email = normalize_email(str(data.get("email") or ""))
    name = str(data.get("name") or "").strip()
    role = str(data.get("role") or "")
    password = str(data.get("password") or "")
    credentials = str(data.get("credentials") or "").strip()
    if not email:
        errors["email"] = BLANK_MESSAGE
    elif len(email) > USER_LIMITS["email"]:
        errors["email"] = f"must be at most {USER_LIMITS['email']} characters"
    elif problem := email_problem(email, deliverable=False):  # never mailed: clinic.local is fine
        errors["email"] = problem  # kept as typed, in lower case: what the user signs in with
    if not name:
        errors["name"] = "is required"
    elif len(name) > USER_LIMITS["name"]:
        errors["name"] = f"must be at most {USER_LIMITS['name']} characters"
    if len(credentials) > USER_LIMITS["credentials"]:
        errors["credentials"] = f"must be at most {USER_LIMITS['credentials']} characters"
    if role not in ROLES:
        errors["role"] = "must be admin or therapist"
    if errors:
        raise ValidationError(errors)
    clinic = session.get(Clinic, actor.clinic_id)
    check_password_rules(password, email=email, clinic_name=clinic.name if clinic else "")
    # Emails are unique within a clinic only: whether the address has an account at another
    # clinic is none of this clinic's business (sign-in asks which clinic when both match).
    if email_taken(session, actor, email):
        raise Conflict(
            f"A user of this clinic already has the email {email}.",
            fields={"email": "is already used by another user of this clinic"},
        )
    user = User(
        clinic_id=actor.clinic_id,
        email=email,
        name=name,
        role=role,
        credentials=credentials,
        password_hash=hash_password(password),
        is_active=True,
    )
    session.add(user)
    session.flush()
    record_event(session, actor, "user.create", user_id=user.id, email=user.email, role=user.role)
    return user


def email_taken(session: Session, actor: Actor, email: str) -> bool:
    """True when a user of the actor's clinic signs in with `email` (compared normalised)."""
    return _user_id_by_email(session, actor, email) is not None


def _user_id_by_email(session: Session, actor: Actor, email: str) -> int | None:
    return session.scalar(
        select(User.id).where(
            User.clinic_id == actor.clinic_id, User.email == normalize_email(email)
        )
    )


def set_password(session: Session, user: User, password: str, field: str = "password") -> None:
    """Give `user` a new password (hashed); every session of theirs ends (the caller starts a
    new one for the browser that changed it). Raises ValidationError on `field` for a bad one."""
    check_password_rules(password, field, email=user.email, clinic_name=user.clinic.name)
    user.password_hash = hash_password(password)
    end_user_sessions(session, user.id)
    session.flush()


def change_password(
    session: Session, actor: Actor, current_password: str, new_password: str
) -> User:
    """The signed-in user changes their own password, proving they know the current one.

    Raises ValidationError on "current_password" or "new_password". Records
    "user.password_change"; the user's other sessions end.
    """
    user = session.scalar(
        select(User).where(User.id == actor.user_id, User.clinic_id == actor.clinic_id)
    )
    if user is None or not user.is_active:
        raise NotFound("There is no such user.")
    if not verify_password(user.password_hash, current_password):
        raise ValidationError({"current_password": "is not your current password"})
    if new_password == current_password:
        raise ValidationError({"new_password": "must differ from your current password"})
    set_password(session, user, new_password, field="new_password")
    record_event(session, actor, "user.password_change", user_id=user.id)
    return user


def list_users(session: Session, actor: Actor) -> list[User]:
    """The clinic's users: active first, then by name."""
    require_admin(actor)
    return list(
        session.scalars(
            select(User)
            .where(User.clinic_id == actor.clinic_id)
            .order_by(User.is_active.desc(), User.name, User.id)
        )
    )


def emails_by_id(session: Session, actor: Actor, user_ids) -> dict[int, str]:
    """The email of each of the users of the actor's clinic (active or not), by id; one query
    (none for no ids). For naming the therapists of what is listed; no admin needed."""
    ids = set(user_ids)
    if not ids:
        return {}
    return dict(
        session.execute(
            select(User.id, User.email).where(User.clinic_id == actor.clinic_id, User.id.in_(ids))
        ).all()
    )


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    """A user of the actor's clinic (admins only); NotFound for anyone else's."""
    require_admin(actor)
    return _get_user(session, actor, user_id)


def _get_user(session: Session, actor: Actor, user_id: int) -> User:
    user = session.scalar(select(User).where(User.id == user_id, User.clinic_id == actor.clinic_id))
    if user is None:
        raise NotFound("There is no such user.")
    return user


def _check_another_admin_remains(session: Session, actor: Actor, user: User, doing: str) -> None:
    """Refuse to leave the clinic with no active admin. Locks the admins' rows where the database can."""
    admin_ids = session.scalars(
        select(User.id)
        .where(User.clinic_id == actor.clinic_id, User.role == "admin", User.is_active.is_(True))
        .with_for_update()
    ).all()
    if not set(admin_ids) - {user.id}:
        raise ValidationError(
            {"user": f"{user.name} is the clinic's last active administrator"},
            message=f"{user.name} is the clinic's last active administrator, so you cannot "
            f"{doing}. Make someone else an administrator first.",
        )


def set_user_active(session: Session, actor: Actor, user_id: int, is_active: bool) -> User:
    """Deactivate (can no longer sign in; their sessions end) or reactivate a user.

    An admin cannot deactivate themself, and the last active admin stays. Records
    "user.deactivate" or "user.reactivate".
    """
    require_admin(actor)
    user = _get_user(session, actor, user_id)
    if user.is_active == is_active:
        return user
    if not is_active:
        if user.id == actor.user_id:
            raise ValidationError(
                {"user": "you cannot deactivate your own account"},
                message="You cannot deactivate your own account; ask another administrator.",
            )
        if user.role == "admin":
            _check_another_admin_remains(session, actor, user, "deactivate them")
    user.is_active = is_active
    if not is_active:
        end_user_sessions(session, user.id)  # and reactivation starts none: they sign in anew
    record_event(
        session,
        actor,
        "user.reactivate" if is_active else "user.deactivate",
        user_id=user.id,
        email=user.email,
    )
    session.flush()
    return user


def set_user_role(session: Session, actor: Actor, user_id: int, role: str) -> User:
    """Make a user an admin or a therapist; the last active admin cannot be demoted. Records "user.role"."""
    require_admin(actor)
    if role not in ROLES:
        raise ValidationError({"role": "must be admin or therapist"})
    user = _get_user(session, actor, user_id)
    if user.role == role:
        return user
    if user.role == "admin" and user.is_active:
        _check_another_admin_remains(session, actor, user, "make them a therapist")
    previous, user.role = user.role, role
    end_user_sessions(session, user.id)  # they sign in again, with the new role's pages
    record_event(
        session, actor, "user.role", user_id=user.id, email=user.email, role=role, previous=previous
    )
    session.flush()
    return user


def reset_user_password(session: Session, actor: Actor, user_id: int, password: str) -> User:
    """An admin sets a new password for another user of the clinic (who forgot theirs, or whose
    password may be known to someone else): their sessions end. Admins change their own password
    on the account page, with their current one. Records "user.password_reset"."""
    require_admin(actor)
    user = _get_user(session, actor, user_id)
    if user.id == actor.user_id:
        raise ValidationError(
            {"user": "use the password page for your own account"},
            message="Change your own password on your account page, with your current password.",
        )
    set_password(session, user, password)
    record_event(session, actor, "user.password_reset", user_id=user.id, email=user.email)
    return user


def reset_password_by_email(session: Session, actor: Actor, email: str, password: str) -> User:
    """The command line sets a new password for the clinic's user who signs in with `email` (an
    administrator locked out has no one else to ask): as `reset_user_password`, their sessions
    end and "user.password_reset" is recorded."""
    found = _user_id_by_email(session, actor, email)
    if found is None:
        raise NotFound("No user of this clinic signs in with that email.")
    return reset_user_password(session, actor, found, password)


def sign_out_everywhere(session: Session, actor: Actor, user_id: int) -> User:
    """An admin ends every session of a user of the clinic (a lost phone, a shared computer).
    Records "user.sign_out_everywhere" with how many sessions were live."""
    require_admin(actor)
    user = _get_user(session, actor, user_id)
    ended = end_user_sessions(session, user.id)
    record_event(session, actor, "user.sign_out_everywhere", user_id=user.id, sessions=ended)
    session.flush()
    return user


def resolve_therapist(session: Session, actor: Actor, email: str | None) -> int | None:
    """The id of the therapist to name on what the actor creates.

    With `email`, the active user of the actor's clinic with that address (ValidationError on
    "therapist_email" otherwise); without, the actor's own therapist (the signed-in user, or an
    API token's default therapist), which may be None.
    """
    if not email:
        return actor.therapist_id
    user_id = session.scalar(
        select(User.id).where(
            User.clinic_id == actor.clinic_id,
            User.email == normalize_email(email),
            User.is_active.is_(True),
        )
    )
    if user_id is None:
        raise ValidationError({"therapist_email": "is not an active user of this clinic"})
    return user_id
