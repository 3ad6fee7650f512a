"""No patient data in the logs: a real gunicorn, real requests, then grep its logs."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from hepbuilder.web.log_redaction import redact_path, redact_target
from tests.builders import DEFAULT_PASSWORD, make_token, patient_world

SECRETS = ("Łukasiewicz", "%C5%81ukasiewicz", "ukasiewicz", "MRN-884422", "zoe@example.net")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(port: int, process, seconds: float = 60.0) -> None:
    """Until gunicorn answers on `port` (it preloads and warms up first: slow on a busy machine)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.communicate()[1])
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"gunicorn did not start within {seconds:.0f} seconds")


@pytest.fixture
def gunicorn(db_url, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "HEPBUILDER_DATABASE_URL": db_url,
        "HEPBUILDER_SECRET_KEY": "log-test-secret",
        "HEPBUILDER_INSTANCE_DIR": str(tmp_path),
    }
    command = [sys.executable, "-m", "hepbuilder", "serve", "--port", str(port), "--workers", "1"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_until_serving(port, process)
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()


def test_a_session_of_real_use_leaves_no_patient_data_in_the_logs(gunicorn, session):
    base, process = gunicorn
    user, patient, _program, handout = patient_world(session)
    _token, secret = make_token(session, user.clinic)
    session.commit()
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    login_page = browser.open(base + "/login").read().decode()
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    form = urllib.parse.urlencode(
        {"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": csrf}
    ).encode()
    browser.open(base + "/login", data=form)
    search = base + "/patients?q=" + urllib.parse.quote(patient.last_name)
    for url in (
        search,
        base + "/patients/by-external-id/MRN-884422",
        base + f"/patients/{patient.id}",
        base + f"/handouts/{handout.id}",
        base + "/patients?q=zoe@example.net&page=1",
    ):
        request = urllib.request.Request(url, headers={"Referer": search})
        assert browser.open(request).status == 200
    with pytest.raises(urllib.error.HTTPError):
        browser.open(base + "/p/private-link-token-xyz")
    api = urllib.request.Request(
        base + "/api/v1/patients?external_id=MRN-884422",
        headers={"Authorization": f"Bearer {secret}", "Referer": search},
    )
    assert b"MRN-884422" in urllib.request.urlopen(api).read()  # the answer has it; logs must not

    process.terminate()
    out, err = process.communicate(timeout=10)
    logs = out + err
    assert "GET /patients?q=- HTTP/1.1" in logs  # requests are logged, redacted
    assert "GET /patients/by-external-id/- HTTP/1.1" in logs
    assert "/p/- " in logs and "private-link-token-xyz" not in logs
    for text in SECRETS:
        assert text not in logs, text
    assert secret not in logs


def test_redaction_keeps_names_and_ids_but_no_values():
    assert redact_target("/patients", "q=Zo%C3%AB&archived=1") == "/patients?q=-&archived=-"
    assert redact_path("/patients/by-external-id/A/B") == "/patients/by-external-id/-"
    assert redact_path("/p/tok123") == "/p/-"
    assert redact_path("/patients/12/edit") == "/patients/12/edit"
