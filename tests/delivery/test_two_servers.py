"""Two `hepbuilder serve` processes on one PostgreSQL database behave as one system: sessions,
sign-in throttling, API rate limits, Idempotency-Key replays and the outbox (each server runs its
own delivery loop, and every queued email still goes out once)."""

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from hepbuilder.db.migrate import upgrade
from hepbuilder.db.session import session_factory
from tests.builders import (
    DEFAULT_PASSWORD,
    make_patient,
    make_program,
    make_token,
    make_user,
    queue_handout_email,
    seeded_clinic,
)
from tests.delivery.conftest import LINK_KEY, MAIL_FROM, free_port
from tests.delivery.test_serve import children_of, wait_for

DATABASE = "hb_scale_two"
EMAILS = 200
RATE_LIMIT = 6


@pytest.fixture
def two_server_url():
    base = os.environ.get("HEPBUILDER_TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        pytest.skip(
            "needs PostgreSQL: set HEPBUILDER_TEST_DATABASE_URL (uses database hb_scale_two)"
        )
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(text(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'")):
            connection.execute(text(f"CREATE DATABASE {DATABASE}"))
    admin.dispose()
    url = make_url(base).set(database=DATABASE).render_as_string(hide_password=False)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(url)
    return url


@pytest.fixture
def world(two_server_url):
    """A clinic with a therapist, two API tokens, a program to issue and EMAILS queued emails."""
    with session_factory(two_server_url)() as session:
        clinic = seeded_clinic(session, name="Riverside Physio")
        user = make_user(session, clinic, email="sam@riverside.example")
        patient = make_patient(session, clinic, email="pat@example.com")
        program = make_program(session, patient, protocol="unstable-hips-trendelenburg")
        _, limited = make_token(session, clinic, name="limited")
        _, issuer = make_token(session, clinic, name="issuer")
        from hepbuilder.services import handouts
        from hepbuilder.services.actor import Actor

        handout = handouts.issue_handout(session, Actor(clinic_id=clinic.id), program.id)
        for number in range(EMAILS):
            queue_handout_email(session, handout, to=f"patient{number}@example.com")
        session.commit()
        return {"email": user.email, "program_id": program.id, "limited": limited, "issuer": issuer}


@pytest.fixture
def servers(two_server_url, world, mail_server, tmp_path):
    """Two serve processes (one worker each) with the same keys: their base addresses."""
    env = {
        **os.environ,
        "HEPBUILDER_DATABASE_URL": two_server_url,
        "HEPBUILDER_SECRET_KEY": "two-servers-one-secret",
        "HEPBUILDER_LINK_KEY": LINK_KEY,
        "HEPBUILDER_SMTP_HOST": "127.0.0.1",
        "HEPBUILDER_SMTP_PORT": str(mail_server.port),
        "HEPBUILDER_MAIL_FROM": MAIL_FROM,
        "HEPBUILDER_API_RATE_LIMIT": str(RATE_LIMIT),
    }
    with ExitStack() as stack:
        bases, processes = [], []
        for name in ("a", "b"):
            port = free_port()
            log = stack.enter_context((tmp_path / f"serve-{name}.log").open("w"))
            command = [sys.executable, "-m", "hepbuilder", "serve", "--port", str(port)]
            command += ["--workers", "1"]
            process = subprocess.Popen(
                command,
                env={**env, "HEPBUILDER_INSTANCE_DIR": str(tmp_path / name)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            stack.callback(_stop, process)
            processes.append(process)
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            wait_for(lambda base=base: _status(base + "/login") == 200, f"{base} to serve")
        yield bases, processes


def _stop(process) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _open(url, *, data=None, headers=None, method=None):
    """(status, headers, body text) without following redirects or raising on 4xx/5xx."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def _status(url) -> int | None:
    try:
        return _open(url)[0]
    except OSError:
        return None


def _cookies(headers, jar: dict) -> dict:
    for value in headers.get_all("Set-Cookie") or []:
        name, _, rest = value.partition("=")
        jar[name] = rest.split(";", 1)[0]
    return jar


def _cookie_header(jar: dict) -> dict:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    return found.group(1)


def _post_login(base: str, email: str, password: str) -> tuple[int, dict]:
    status, headers, page = _open(base + "/login")
    jar = _cookies(headers, {})
    form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": _csrf(page)})
    status, headers, _ = _open(base + "/login", data=form.encode(), headers=_cookie_header(jar))
    return status, _cookies(headers, jar)


def test_two_servers_share_sessions_and_signing_out_on_one_ends_it_on_both(servers, world):
    (a, b), _ = servers
    status, jar = _post_login(a, world["email"], DEFAULT_PASSWORD)
    assert status == 302
    signed_in = dict(jar)
    assert _open(b + "/patients", headers=_cookie_header(signed_in))[0] == 200
    status, _, page = _open(a + "/patients", headers=_cookie_header(signed_in))
    assert status == 200
    form = urllib.parse.urlencode({"csrf_token": _csrf(page)}).encode()
    assert _open(a + "/logout", data=form, headers=_cookie_header(signed_in))[0] == 302
    for base in (a, b):  # the old cookie, sent again as it was, opens nothing on either server
        status, headers, _ = _open(base + "/patients", headers=_cookie_header(signed_in))
        assert status == 302 and "/login" in headers["Location"]


def test_two_servers_count_failed_sign_ins_together(servers, world):
    (a, b), _ = servers
    statuses = [_post_login((a, b)[n % 2], world["email"], "wrong password 1")[0] for n in range(6)]
    assert statuses[:5] == [422] * 5 and statuses[5] == 429  # 3 failures on each, paused as one


def test_two_servers_share_one_api_rate_limit(servers, world):
    (a, b), _ = servers
    auth = {"Authorization": f"Bearer {world['limited']}"}
    statuses = [_open((a, b)[n % 2] + "/api/v1/exercises", headers=auth)[0] for n in range(8)]
    assert statuses[:RATE_LIMIT] == [200] * RATE_LIMIT and set(statuses[RATE_LIMIT:]) == {429}


def test_an_idempotency_key_used_on_one_server_is_replayed_by_the_other(servers, world):
    (a, b), _ = servers
    headers = {
        "Authorization": f"Bearer {world['issuer']}",
        "Content-Type": "application/json",
        "Idempotency-Key": "issue-once-7f3a",
    }
    address = f"/api/v1/programs/{world['program_id']}/handouts"
    first = _open(a + address, data=b"{}", headers=headers)
    again = _open(b + address, data=b"{}", headers=headers)
    assert first[0] == again[0] == 201
    assert json.loads(first[2])["id"] == json.loads(again[2])["id"]
    assert again[1]["Idempotent-Replayed"] == "true"


def test_two_delivery_loops_send_every_queued_email_exactly_once(servers, mail_server):
    _, processes = servers
    for process in processes:  # each server runs its own loop
        loops = wait_for(
            lambda p=process: [c for c in children_of(p.pid) if "outbox send --loop" in c[1]],
            "a delivery loop",
        )
        assert len(loops) == 1
    # Two loops deliver about 2.5 emails a second here (200 in 81 s on the quiet machine).
    wait_for(lambda: len(mail_server.inbox.envelopes) >= EMAILS, f"{EMAILS} emails", 300)
    time.sleep(5)  # two more passes of both loops: nothing is sent twice
    recipients = [tuple(e.rcpt_tos) for e in mail_server.inbox.envelopes]
    assert len(recipients) == EMAILS and len(set(recipients)) == EMAILS
