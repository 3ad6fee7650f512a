"""Builders for test data: each makes one row with sensible defaults; overrides change them.

They flush, never commit; call `session.commit()` in the test when a web request must see the rows.
"""

import io
import itertools

from PIL import Image
from sqlalchemy import delete

from hepbuilder.db.models import AuditEvent, Clinic, User
from hepbuilder.services import api_tokens, clinics, users
from hepbuilder.services.actor import system_actor

_numbers = itertools.count(1)

DEFAULT_PASSWORD = "correct horse battery"


def _forget_setup_events(session, clinic_id: int) -> None:
    """Drop the audit events the command line's actor leaves when a builder makes a user or a
    token, so that a test counts only the events of what it does itself."""
    session.execute(
        delete(AuditEvent).where(
            AuditEvent.clinic_id == clinic_id,
            AuditEvent.user_id.is_(None),
            AuditEvent.api_token_id.is_(None),
            AuditEvent.action.in_(("user.create", "token.create")),
        )
    )


def see_committed(session) -> None:
    """End the test session's transaction and forget what it loaded, so its next read sees what
    the app committed since, as a second client would (its snapshot held the old rows)."""
    session.rollback()
    session.expire_all()


def make_clinic(session, **overrides) -> Clinic:
    """A clinic named "Clinic N"; overrides set any Clinic column (e.g. brand_color)."""
    name = overrides.pop("name", f"Clinic {next(_numbers)}")
    clinic = clinics.create_clinic(session, name)
    for key, value in overrides.items():
        setattr(clinic, key, value)
    session.flush()
    return clinic


def make_user(
    session,
    clinic: Clinic | None = None,
    *,
    role: str = "therapist",
    password: str = DEFAULT_PASSWORD,
    **overrides,
) -> User:
    """A user in `clinic` (a new clinic if None) who can sign in with `password`."""
    clinic = clinic or make_clinic(session)
    number = next(_numbers)
    email = overrides.pop("email", f"user{number}@example.net")
    name = overrides.pop("name", f"User {number}")
    is_active = overrides.pop("is_active", True)
    data = {"email": email, "name": name, "role": role, "password": password, **overrides}
    user = users.create_user(session, system_actor(clinic.id), data)
    _forget_setup_events(session, clinic.id)
    user.is_active = is_active
    session.flush()
    return user


def seeded_clinic(session, library=None, **overrides) -> Clinic:
    """A clinic with the bundled exercise library (or `library`) loaded into it.

    The bundled library is seeded once per process; later clinics get copies of the rows that
    seed made (tests/web/test_seed.py checks they are the rows seeding makes)."""
    from hepbuilder.services.library_sync import load_bundled_library, seed_clinic

    clinic = make_clinic(session, **overrides)
    if library is None:
        bundled = load_bundled_library()
        if _seeded_rows.get("library") is bundled:
            copy_seeded_library(session, clinic)
            return clinic
        seed_clinic(session, clinic, bundled)
        _seeded_rows.clear()
        _seeded_rows.update(library=bundled, **_library_rows(session, clinic.id))
        return clinic
    seed_clinic(session, clinic, library)
    return clinic


# The rows seeding the bundled library made in this process (by table), and the library.
_seeded_rows: dict = {}
# The tables a seed writes for a clinic (parents first) and those that hang off its exercises.
_CLINIC_TABLES = ("muscle", "exercise", "protocol")
_EXERCISE_TABLES = ("exercise_target", "exercise_equipment")


def _copied_columns(table) -> list[str]:
    """The columns to copy: not a clinic table's id (the insert makes one), nor a time stamp (the
    insert sets it now)."""
    from sqlalchemy import DateTime

    return [
        column.name
        for column in table.columns
        if not (column.name == "id" and table.name in _CLINIC_TABLES)
        and not (isinstance(column.type, DateTime) and column.default is not None)
    ]


def _library_rows(session, clinic_id: int) -> dict[str, list[dict]]:
    """The library rows of `clinic_id` (with their ids), by table."""
    from sqlalchemy import select

    from hepbuilder.db.models import Base

    tables = Base.metadata.tables
    rows = {
        name: [
            dict(row)
            for row in session.execute(
                select(tables[name])
                .where(tables[name].c.clinic_id == clinic_id)
                .order_by(tables[name].c.id)
            ).mappings()
        ]
        for name in _CLINIC_TABLES
    }
    exercise_ids = [row["id"] for row in rows["exercise"]]
    for name in _EXERCISE_TABLES:
        table = tables[name]
        query = select(table).where(table.c.exercise_id.in_(exercise_ids))
        rows[name] = [
            dict(row) for row in session.execute(query.order_by(*table.primary_key)).mappings()
        ]
    return rows


def copy_seeded_library(session, clinic: Clinic) -> None:
    """Give `clinic` copies of the library rows the process's first seed made: what seeding the
    bundled library into a new clinic makes, in a few INSERTs instead of a seed."""
    from sqlalchemy import insert, select

    from hepbuilder.db.models import Base
    from hepbuilder.services.illustration_paths import store_illustration_paths

    tables = Base.metadata.tables
    new_ids: dict[str, dict[int, int]] = {}
    for name in _CLINIC_TABLES:
        table, rows = tables[name], _seeded_rows[name]
        columns = _copied_columns(table)
        session.execute(
            insert(table),
            [{**{c: row[c] for c in columns}, "clinic_id": clinic.id} for row in rows],
        )
        query = select(table.c.slug, table.c.id).where(table.c.clinic_id == clinic.id)
        ids = dict(session.execute(query).all())
        new_ids[name] = {row["id"]: ids[row["slug"]] for row in rows}
    for name in _EXERCISE_TABLES:
        table = tables[name]
        values = []
        for row in _seeded_rows[name]:
            value = {column: row[column] for column in _copied_columns(table)}
            value["exercise_id"] = new_ids["exercise"][row["exercise_id"]]
            if "muscle_id" in value:
                value["muscle_id"] = new_ids["muscle"][row["muscle_id"]]
            values.append(value)
        session.execute(insert(table), values)
    store_illustration_paths(session, [row["illustration"] for row in _seeded_rows["exercise"]])
    session.flush()


def make_patient(session, clinic: Clinic, **overrides):
    """A patient of `clinic` ("Pat Patient N" unless overridden), made by the patient service."""
    from hepbuilder.services import patients
    from hepbuilder.services.actor import Actor

    number = next(_numbers)
    data = {"first_name": "Pat", "last_name": f"Patient {number}", **overrides}
    return patients.create_patient(session, Actor(clinic_id=clinic.id), data)


def make_program(session, patient, *, protocol=None, created_by=None, **data):
    """A program for `patient` (blank, or from `protocol` slug); `data` is the program data form."""
    from hepbuilder.services import programs
    from hepbuilder.services.actor import Actor

    actor = Actor(clinic_id=patient.clinic_id, user_id=created_by.id if created_by else None)
    return programs.create_program(session, actor, patient.id, data, protocol=protocol)


def make_token(
    session,
    clinic: Clinic,
    name: str = "PMS",
    therapist_email: str | None = None,
    scopes=("programs",),
):
    """An API token for `clinic`: (ApiToken row, secret to send as a bearer token)."""
    token_and_secret = api_tokens.create_api_token(
        session, system_actor(clinic.id), name, scopes, therapist_email=therapist_email
    )
    _forget_setup_events(session, clinic.id)
    return token_and_secret


def sign_in(client, user: User, password: str = DEFAULT_PASSWORD):
    """Sign `user` in on a Flask test client (CSRF off, as in the `app` fixture); returns the response."""
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, f"sign-in failed for {user.email}"
    return response


def image_bytes(size=(800, 400), mode="RGB", fmt="PNG", color=(31, 111, 139), **save) -> bytes:
    """An image file of one colour: `fmt` PNG, JPEG, WEBP...; `save` passes Pillow save options."""
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


def signs_in(session, email: str, password: str) -> list[User]:
    """The accounts this email and password open (the sign-in service, from no address)."""
    from hepbuilder.services.sign_in import attempt_sign_in

    return attempt_sign_in(session, email, password, "").users


def issue_program(session, program, issued_by=None):
    """Issue `program` (which needs items) as a handout, by `issued_by` or the command line."""
    from hepbuilder.services import handouts
    from hepbuilder.services.actor import Actor

    actor = Actor(clinic_id=program.clinic_id, user_id=issued_by.id if issued_by else None)
    return handouts.issue_handout(session, actor, program.id)


def patient_world(session, *, role: str = "therapist"):
    """A seeded clinic with a user (`role`), a patient Zoë Łukasiewicz with an external id, her
    program from a protocol and its first handout: (user, patient, program, handout)."""
    clinic = seeded_clinic(session, name="Riverside Physio")
    user = make_user(session, clinic, role=role, name="Sam Rivera")
    patient = make_patient(
        session,
        clinic,
        first_name="Zoë",
        last_name="Łukasiewicz",
        external_id="MRN-884422",
        email="zoe@example.net",
        date_of_birth="1961-04-09",
        notes="Left hip replaced 2019",
    )
    program = make_program(session, patient, protocol="unstable-hips-trendelenburg")
    handout = issue_program(session, program, issued_by=user)
    session.commit()
    return user, patient, program, handout


def make_handout(
    session, patient, *, user=None, links=None, protocol="unstable-hips-trendelenburg", **columns
):
    """Issue a handout for `patient` (of a seeded clinic) from a new program made from `protocol`
    (`columns` set other Program columns first, e.g. review_on=date); with `links` (a LinkSigner)
    it carries the patient's private link."""
    from hepbuilder.services import handouts
    from hepbuilder.services.actor import Actor

    program = make_program(session, patient, protocol=protocol, created_by=user)
    for name, value in columns.items():
        setattr(program, name, value)
    session.flush()
    actor = Actor(clinic_id=patient.clinic_id, user_id=user.id if user else None)
    return handouts.issue_handout(session, actor, program.id, links=links)


def queue_handout_email(session, handout, *, to=None, once=None, smtp=None, user=None):
    """Queue `handout`'s email as a therapist would (email set up unless `smtp` says otherwise)."""
    from hepbuilder.services import handout_emails
    from hepbuilder.services.actor import Actor
    from hepbuilder.services.smtp import SmtpSettings

    smtp = smtp or SmtpSettings(host="127.0.0.1", mail_from="handouts@riverside.example")
    actor = Actor(clinic_id=handout.clinic_id, user_id=user.id if user else None)
    message, _created = handout_emails.email_handout(
        session,
        actor,
        handout.id,
        to=to,
        smtp=smtp,
        link_base="https://hep.example.test",
        once=once,
    )
    return message


def make_endpoint(session, clinic, url: str, events=None, *, key: str = "webhook-test-key"):
    """A webhook endpoint of `clinic` for `events` (default: all): (row, signing secret)."""
    from hepbuilder.services import webhooks

    endpoint, secret = webhooks.create_endpoint(
        session, system_actor(clinic.id), url, list(events or webhooks.EVENTS), key=key
    )
    session.flush()
    return endpoint, secret
