"""Every route of the app, as a visitor, clinic A's therapist and admin, and clinic B's therapist
and admin, against clinic A's objects: the status is the designed one (sign-in, 401, 403 or 404)
and no answer to anyone outside clinic A carries the patient's data.

ROUTES classifies each route of the URL map, one line per method and rule. A route missing from it
fails `test_every_route_of_the_app_is_classified`, naming the line to add.
"""

import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from sqlalchemy import make_url

from hepbuilder.db.models import Clinic
from tests.builders import (
    image_bytes,
    make_clinic,
    make_token,
    make_user,
    patient_world,
    see_committed,
    sign_in,
)
from tests.conftest import WorldOnce, _empty_all_tables

# What each kind of route answers: "ok" (the route works for this role), "login" (a redirect
# to sign-in), or a status code. API routes are called with clinic A's or B's token (a visitor
# sends none).
ROLES = (
    "visitor",
    "therapist_b",
    "admin_b",
    "therapist_a",
    "admin_a",
)  # admin_a last: it changes things


@dataclass(frozen=True)
class Access:
    visitor: object
    therapist_b: object
    admin_b: object
    therapist_a: object
    admin_a: object


PUBLIC = Access("ok", "ok", "ok", "ok", "ok")
SIGNED_IN = Access("login", "ok", "ok", "ok", "ok")  # any user; lists show their own clinic only
CLINIC_OBJECT = Access("login", 404, 404, "ok", "ok")  # one of clinic A's objects
ADMIN = Access("login", 403, "ok", 403, "ok")  # the admin's own clinic
ADMIN_OBJECT = Access("login", 403, 404, 403, "ok")  # one of clinic A's objects, admins only
API = Access(401, "ok", "ok", "ok", "ok")  # token B sees its own clinic only
API_OBJECT = Access(401, 404, 404, "ok", "ok")
API_PUBLIC = PUBLIC
GONE_AFTER_SET_UP = Access(404, 404, 404, 404, 404)  # the one-time set-up page, once used
NOT_FOUND = Access(404, 404, 404, 404, 404)  # a private link's token that is not one: no one
API_LIBRARY = Access(401, 403, 403, 403, 403)  # changing the library: the tokens lack that scope
MISSING_OBJECT = Access("login", 404, 404, 404, 404)  # no such object in the world: 404 for all
ADMIN_MISSING = Access("login", 403, 404, 403, 404)  # admins only; no such object for A either
API_MISSING = Access(401, 404, 404, 404, 404)

ROUTES = {
    "GET /": PUBLIC,
    "GET /static/<path:filename>": PUBLIC,
    "GET /brand/<color>.css": PUBLIC,
    "GET /favicon.ico": PUBLIC,
    "GET /healthz": PUBLIC,
    "GET /readyz": PUBLIC,
    "GET /setup": GONE_AFTER_SET_UP,
    "POST /setup": GONE_AFTER_SET_UP,
    "GET /login": PUBLIC,
    "POST /login": PUBLIC,
    "GET /login/clinic": PUBLIC,
    "POST /login/clinic": PUBLIC,
    "POST /logout": PUBLIC,
    "GET /login/code": PUBLIC,
    "POST /login/code": PUBLIC,
    "GET /account/second-factor": SIGNED_IN,
    "POST /account/second-factor": SIGNED_IN,
    "POST /admin/second-factor": ADMIN,
    "GET /account/password": SIGNED_IN,
    "POST /account/password": SIGNED_IN,
    "GET /exercises": SIGNED_IN,
    "GET /exercises/<slug>": CLINIC_OBJECT,  # clinic B has no library: A's slug is A's only
    "GET /patients": SIGNED_IN,
    "GET /patients/new": SIGNED_IN,
    "POST /patients/new": SIGNED_IN,
    "GET /patients/<int:patient_id>": CLINIC_OBJECT,
    "GET /patients/<int:patient_id>/edit": CLINIC_OBJECT,
    "POST /patients/<int:patient_id>/edit": CLINIC_OBJECT,
    "POST /patients/<int:patient_id>/archive": CLINIC_OBJECT,
    "POST /patients/<int:patient_id>/restore": CLINIC_OBJECT,
    "POST /patients/<int:patient_id>/programs": CLINIC_OBJECT,
    "GET /patients/by-external-id/<path:external_id>": CLINIC_OBJECT,
    "GET /patients/<int:patient_id>/export": ADMIN_OBJECT,
    "GET /patients/<int:patient_id>/erase": ADMIN_OBJECT,
    "POST /patients/<int:patient_id>/erase": ADMIN_OBJECT,
    "GET /programs/dose-words": SIGNED_IN,
    "GET /programs/<int:program_id>": CLINIC_OBJECT,
    "POST /programs/<int:program_id>": CLINIC_OBJECT,
    "GET /programs/<int:program_id>/picker": CLINIC_OBJECT,
    "GET /programs/<int:program_id>/preview": CLINIC_OBJECT,
    "GET /handouts/<int:handout_id>": CLINIC_OBJECT,
    "GET /handouts/<int:handout_id>/pdf": CLINIC_OBJECT,
    "GET /handouts/<int:handout_id>/download": CLINIC_OBJECT,
    "GET /handouts/<int:handout_id>/print": CLINIC_OBJECT,
    "GET /admin": ADMIN,
    "GET /admin/audit": ADMIN,
    "GET /admin/audit.csv": ADMIN,
    "POST /admin/audit/time-zone": ADMIN,
    "GET /admin/branding": ADMIN,
    "POST /admin/branding": ADMIN,
    "GET /admin/branding/logo.png": ADMIN_OBJECT,  # clinic A's logo; B has none
    "POST /admin/branding/logo/remove": ADMIN,
    "GET /admin/tokens": ADMIN,
    "POST /admin/tokens": ADMIN,
    "POST /admin/tokens/<int:token_id>/revoke": ADMIN_OBJECT,
    "GET /admin/users": ADMIN,
    "POST /admin/users": ADMIN,
    "POST /admin/users/<int:user_id>/deactivate": ADMIN_OBJECT,
    "POST /admin/users/<int:user_id>/reactivate": ADMIN_OBJECT,
    "GET /admin/users/<int:user_id>/password": ADMIN_OBJECT,
    "POST /admin/users/<int:user_id>/password": ADMIN_OBJECT,
    "POST /admin/users/<int:user_id>/role": ADMIN_OBJECT,
    "POST /admin/users/<int:user_id>/sign-out": ADMIN_OBJECT,
    "GET /api/v1/openapi.json": API_PUBLIC,
    "GET /api/v1/exercises": API,
    "GET /api/v1/exercises/<slug>": API_OBJECT,
    "GET /api/v1/patients": API,
    "POST /api/v1/patients": API,
    "GET /api/v1/patients/<int:patient_id>": API_OBJECT,
    "GET /api/v1/patients/<int:patient_id>/export": API_OBJECT,
    "POST /api/v1/programs": API,
    "GET /api/v1/programs/<int:program_id>": API_OBJECT,
    "PUT /api/v1/programs/<int:program_id>": API_OBJECT,
    "POST /api/v1/programs/<int:program_id>/handouts": API_OBJECT,
    "GET /api/v1/handouts/<int:handout_id>.pdf": API_OBJECT,
    "GET /api/v1/handouts": API,
    "GET /api/v1/handouts/<int:handout_id>": API_OBJECT,
    "GET /api/v1/handouts/<int:handout_id>/fhir": API_OBJECT,
    "GET /api/v1/programs": API,
    "GET /api/v1/protocols": API,
    "PATCH /api/v1/patients/<int:patient_id>": API_OBJECT,
    "POST /api/v1/patients/<int:patient_id>/archive": API_OBJECT,
    "POST /api/v1/patients/<int:patient_id>/restore": API_OBJECT,
    # Email is not set up in the tests: the email route says so (409) before it looks for the
    # handout, so clinic B learns nothing but that.
    "POST /api/v1/handouts/<int:handout_id>/email": Access(401, 409, 409, 409, 409),
    "GET /api/v1/deliveries/<int:delivery_id>": API_MISSING,
    "POST /api/v1/exercises": API_LIBRARY,
    "PUT /api/v1/exercises/<slug>": API_LIBRARY,
    "POST /api/v1/exercises/<slug>/archive": API_LIBRARY,
    "POST /api/v1/exercises/<slug>/restore": API_LIBRARY,
    "POST /api/v1/protocols": API_LIBRARY,
    # The patient's private link, and what it serves: a token that is not one is 404 for all.
    "GET /p/": NOT_FOUND,
    "GET /p/<path:anything>": NOT_FOUND,
    "GET /p/<token>": NOT_FOUND,
    "GET /p/<token>/handouts/<int:number>.pdf": NOT_FOUND,
    "GET /p/<token>/logo.png": NOT_FOUND,
    "GET /p/<token>/photos/<int:item>/<int:number>.jpg": NOT_FOUND,
    "GET /p/brand/<color>.css": PUBLIC,
    "POST /patients/<int:patient_id>/link/renew": CLINIC_OBJECT,
    # Email from the web: not set up in the tests, so it redirects back with that message.
    "POST /handouts/<int:handout_id>/email": SIGNED_IN,
    "POST /deliveries/<int:delivery_id>/retry": MISSING_OBJECT,
    # The library, on the web
    "GET /exercises/<slug>/figure.svg": CLINIC_OBJECT,
    "GET /exercises/<slug>/photos/<name>": MISSING_OBJECT,
    "POST /exercises/<slug>/star": CLINIC_OBJECT,
    "GET /protocols": SIGNED_IN,
    "POST /protocols/<slug>/star": CLINIC_OBJECT,
    "POST /programs/<int:program_id>/protocol": CLINIC_OBJECT,
    "GET /admin/library": ADMIN,
    "GET /admin/library/new": ADMIN,
    "POST /admin/library/new": ADMIN,
    "GET /admin/library/transfer": ADMIN,
    "GET /admin/library/export.zip": ADMIN,
    "POST /admin/library/import": ADMIN,
    "GET /admin/library/<slug>/edit": ADMIN_OBJECT,
    "POST /admin/library/<slug>/edit": ADMIN_OBJECT,
    "GET /admin/library/<slug>/pose": ADMIN_OBJECT,
    "POST /admin/library/<slug>/pose": ADMIN_OBJECT,
    "POST /admin/library/<slug>/pose/preview": ADMIN_OBJECT,
    "GET /admin/library/<slug>/versions": ADMIN_OBJECT,
    "POST /admin/library/<slug>/versions/<int:number>/restore": ADMIN_MISSING,
    "POST /admin/library/<slug>/archive": ADMIN_OBJECT,
    "POST /admin/library/<slug>/restore": ADMIN_OBJECT,
    "POST /admin/library/<slug>/photos": ADMIN_OBJECT,
    "POST /admin/library/<slug>/photos/remove": ADMIN_MISSING,
    "GET /admin/library/protocols": ADMIN,
    "GET /admin/library/protocols/new": ADMIN,
    "POST /admin/library/protocols/new": ADMIN,
    "GET /admin/library/protocols/<slug>": ADMIN_OBJECT,
    "POST /admin/library/protocols/<slug>": ADMIN_OBJECT,
    "POST /admin/library/protocols/<slug>/<any(archive, restore, approve):change>": ADMIN_OBJECT,
    # Webhooks (admins)
    "GET /admin/webhooks": ADMIN,
    "POST /admin/webhooks": ADMIN,
    "POST /admin/webhooks/<int:endpoint_id>/disable": ADMIN_MISSING,
    "POST /admin/webhooks/deliveries/<int:delivery_id>/retry": ADMIN_MISSING,
}
# Path values a route needs besides the world's (a protocol's slug where a rule says <slug>).
PROTOCOL_SLUG = {"slug": "unstable-hips-trendelenburg"}
PATH_VALUES = {
    "GET /admin/library/protocols/<slug>": PROTOCOL_SLUG,
    "POST /admin/library/protocols/<slug>": PROTOCOL_SLUG,
    "POST /admin/library/protocols/<slug>/<any(archive, restore, approve):change>": PROTOCOL_SLUG,
    "POST /protocols/<slug>/star": PROTOCOL_SLUG,
}

# What clinic A's patient is known by: none of it may reach anyone outside clinic A.
PATIENT_DATA = ("Zoë", "Łukasiewicz", "MRN-884422", "zoe@example.net", "1961-04-09", "Left hip")
IGNORED_METHODS = {"HEAD", "OPTIONS"}
# Bodies that pass a route's checks of shape, so that what is tested is who may reach the object.
BODIES = {
    "POST /admin/users/<int:user_id>/role": {"role": "admin"},
    "PUT /api/v1/programs/<int:program_id>": {"version": 1},
    "PATCH /api/v1/patients/<int:patient_id>": {"phone": "0123"},
}


def app_routes(app) -> set[str]:
    return {
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        for method in rule.methods - IGNORED_METHODS
    }


def test_every_route_of_the_app_is_classified(app):
    routes = app_routes(app)
    unclassified = sorted(routes - set(ROUTES))
    assert not unclassified, (
        "Routes not in the matrix of tests/web/test_route_matrix.py; add a line to ROUTES for "
        "each, saying who may call it: " + "; ".join(f'"{r}": <Access>' for r in unclassified)
    )
    gone = sorted(set(ROUTES) - routes)
    assert not gone, f"ROUTES lists routes the app no longer has: {gone}"


@dataclass
class World:
    values: dict
    clients: dict
    tokens: dict


SIGNED_IN_ROLES = ("therapist_a", "admin_a", "therapist_b", "admin_b")


def _build_world(_app, session, clients) -> dict:
    admin_a, patient, program, handout = patient_world(session, role="admin")
    therapist_a = make_user(session, admin_a.clinic, role="therapist")
    admin_a.clinic.logo = image_bytes()
    token_a, secret_a = make_token(session, admin_a.clinic)
    clinic_b = make_clinic(session, name="Hillside Physio")
    admin_b = make_user(session, clinic_b, role="admin")
    therapist_b = make_user(session, clinic_b, role="therapist")
    _token_b, secret_b = make_token(session, clinic_b)
    session.commit()
    for role, user in [
        ("therapist_a", therapist_a),
        ("admin_a", admin_a),
        ("therapist_b", therapist_b),
        ("admin_b", admin_b),
    ]:
        sign_in(clients[role], user)
    values = {
        "patient_id": patient.id,
        "program_id": program.id,
        "handout_id": handout.id,
        "user_id": therapist_a.id,
        "token_id": token_a.id,
        "external_id": patient.external_id,
        "slug": "step-up",
        "color": "1f6f8b",
        "filename": "app.css",
        "token": "A" * 32,
        "anything": "anything",
        "item": 1,
        "number": 1,
        "name": "step-up-1.png",
        "delivery_id": 1,
        "endpoint_id": 1,
        "change": "archive",
    }
    tokens = {"therapist_a": secret_a, "admin_a": secret_a}
    tokens |= {"therapist_b": secret_b, "admin_b": secret_b}
    return {"values": values, "tokens": tokens}


WORLD = WorldOnce(_build_world)  # built once per run on SQLite (tests/conftest.py)


@pytest.fixture
def world(app, session) -> World:
    clients = {"visitor": app.test_client()}
    clients |= {role: app.test_client() for role in SIGNED_IN_ROLES}
    data = WORLD(app, session, clients)
    return World(values=data["values"], clients=clients, tokens=data["tokens"])


def _path(rule: str, values: dict) -> str:
    return re.sub(r"<(?:[^:>]+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)


def _call(world: World, route: str, role: str, path: str):
    method = route.split(" ", 1)[0]
    body = BODIES.get(route, {})
    if not path.startswith("/api/"):
        data = body if method in ("POST", "PUT") else None
        return world.clients[role].open(path, method=method, data=data)
    headers = {}
    if role in world.tokens:
        headers["Authorization"] = f"Bearer {world.tokens[role]}"
    json_body = body if method in ("POST", "PUT", "PATCH") else None
    return world.clients["visitor"].open(path, method=method, headers=headers, json=json_body)


def _check_status(route: str, role: str, expected, response) -> None:
    where = f"{route} as {role}"
    status = response.status_code
    assert status < 500, f"{where}: {status}"
    if expected == "ok":
        assert status not in (401, 403, 404), f"{where}: {status}, expected the route to work"
    elif expected == "login":
        location = response.headers.get("Location", "")
        assert status == 302 and location.startswith("/login"), f"{where}: {status} {location}"
    else:
        assert status == expected, f"{where}: {status}, expected {expected}"


def _check_no_patient_data(route: str, role: str, path: str, response) -> None:
    text = response.get_data().decode("utf-8", "replace")
    text += " ".join(f"{name}: {value}" for name, value in response.headers.items())
    # A redirect to sign-in repeats the caller's own address (?next=); that tells them nothing new.
    for own in (quote(path, safe=""), quote(path), path):
        text = text.replace(own, "")
    leaked = [value for value in PATIENT_DATA if value in text]
    assert not leaked, f"{route} as {role} shows clinic A's patient data: {leaked}"


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_route_answers_each_role_as_designed_without_leaking_patient_data(route, world):
    path = _path(route.split(" ", 1)[1], {**world.values, **PATH_VALUES.get(route, {})})
    access = ROUTES[route]
    for role in ROLES:
        response = _call(world, route, role, path)
        _check_status(route, role, getattr(access, role), response)
        if not role.endswith("_a"):
            _check_no_patient_data(route, role, path, response)
        response.close()


# Columns a second build fills differently: the time, salted or random secrets, and the builders'
# running numbers in names ("User 7", user7@example.net).
BUILT_APART = {"password_hash", "token_hash", "prefix"}
NUMBERED = {("user_account", "name"), ("user_account", "email")}


def _all_rows(url: str) -> dict[str, list]:
    """Every row of every table of the SQLite database at `url`, sorted, without BUILT_APART
    and time columns (…_at), digits in NUMBERED columns as "N"."""
    with closing(sqlite3.connect(make_url(url).database)) as connection:
        # Not the full-text indexes' own storage (patient_fts_data...): its blocks keep the
        # history of deletes; the index's rows (patient_fts) are compared.
        names = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE '%\\_fts\\_%' ESCAPE '\\'"
        )
        rows = {}
        for (name,) in names.fetchall():
            cursor = connection.execute(f'SELECT * FROM "{name}"')
            columns = [c[0] for c in cursor.description]
            kept = []
            for row in cursor:
                values = {}
                for column, value in zip(columns, row, strict=True):
                    if column in BUILT_APART or column.endswith("_at"):
                        continue
                    if (name, column) in NUMBERED:
                        value = re.sub(r"\d+", "N", value)
                    values[column] = value
                kept.append(sorted(values.items()))
            rows[name] = sorted(kept, key=repr)
        return rows


def test_the_world_put_back_equals_a_fresh_build(app, session, db_url):
    """SQLite: after a test changed the world (and its end emptied the database), what WORLD
    puts back is, row for row, what building it on an empty database makes."""
    if not db_url.startswith("sqlite"):
        pytest.skip("the world is put back on SQLite only; PostgreSQL builds it for each test")
    clients = {name: app.test_client() for name in ("visitor", *SIGNED_IN_ROLES)}
    values = WORLD(app, session, clients)["values"]
    admin = clients["admin_a"]
    assert admin.post(f"/patients/{values['patient_id']}/archive").status_code == 302
    assert admin.post("/admin/library/step-up/archive").status_code == 302
    make_user(session, make_clinic(session))
    session.commit()
    changed = _all_rows(db_url)
    _empty_all_tables(db_url)  # as the end of the test does
    session.expunge_all()
    WORLD(app, session, {name: app.test_client() for name in clients})
    put_back = _all_rows(db_url)
    _empty_all_tables(db_url)
    session.expunge_all()
    WORLD.build(app, session, {name: app.test_client() for name in clients})
    fresh = _all_rows(db_url)
    assert changed != fresh
    for table in fresh:
        assert put_back[table] == fresh[table], table
    assert put_back.keys() == fresh.keys()


def test_the_world_is_built_not_put_back_over_rows_a_test_has_written(app, session, db_url):
    """A copy put back would lose what the test wrote before asking for the world: it is built
    on top instead, as on PostgreSQL."""
    clients = {name: app.test_client() for name in ("visitor", *SIGNED_IN_ROLES)}
    WORLD(app, session, clients)  # kept (SQLite) or built
    _empty_all_tables(db_url)
    session.expunge_all()
    mine = make_clinic(session, name="Written first")
    session.commit()
    WORLD(app, session, {name: app.test_client() for name in clients})
    see_committed(session)
    assert session.get(Clinic, mine.id).name == "Written first"
