"""`hepbuilder serve` delivers queued email by itself: one delivery loop beside gunicorn, which
stops when the server stops."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hepbuilder.db.migrate import upgrade
from hepbuilder.db.session import session_factory
from hepbuilder.services.handouts import handout_spec
from tests.builders import make_handout, make_patient, queue_handout_email, seeded_clinic
from tests.delivery.conftest import LINK_KEY, MAIL_FROM, free_port, signer

DEADLINE_SECONDS = 60


def children_of(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the processes whose parent is `pid` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        parent = next(line for line in status.splitlines() if line.startswith("PPid:"))
        if int(parent.split()[1]) == pid:
            found.append((int(entry.name), command))
    return found


def wait_for(condition, what: str, seconds: float = DEADLINE_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads child processes from /proc")
def test_serve_delivers_queued_email_with_one_loop_that_stops_with_it(tmp_path, mail_server):
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    upgrade(url)
    with session_factory(url)() as session:
        clinic = seeded_clinic(session, name="Riverside Physio")
        patient = make_patient(session, clinic, email="pat@example.com")
        handout = make_handout(session, patient, links=signer())
        queue_handout_email(session, handout)
        session.commit()
        token = handout_spec(handout)["share_url"].rsplit("/", 1)[1]
    env = {
        **os.environ,
        "HEPBUILDER_DATABASE_URL": url,
        "HEPBUILDER_INSTANCE_DIR": str(tmp_path / "instance"),
        "HEPBUILDER_SMTP_HOST": "127.0.0.1",
        "HEPBUILDER_SMTP_PORT": str(mail_server.port),
        "HEPBUILDER_MAIL_FROM": MAIL_FROM,
        "HEPBUILDER_LINK_KEY": LINK_KEY,
    }
    port = free_port()
    command = [sys.executable, "-m", "hepbuilder", "serve", "--port", str(port)]
    log = tmp_path / "serve.log"
    with (
        log.open("w") as output,
        subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT) as server,
    ):
        try:
            wait_for(lambda: mail_server.inbox.envelopes, "the queued email")
            page = wait_for(lambda: _get(f"http://127.0.0.1:{port}/p/{token}"), "the server")
            assert "Your exercises" in page
            loops = [c for c in children_of(server.pid) if "outbox send --loop" in c[1]]
            assert len(loops) == 1, children_of(server.pid)
            loop_pid = loops[0][0]
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=30) == 0
            wait_for(lambda: not Path(f"/proc/{loop_pid}").exists(), "the loop to stop")
        finally:
            if server.poll() is None:
                server.kill()
    assert len(mail_server.inbox.envelopes) == 1
    logged = log.read_text()
    assert "GET /p/- HTTP/1.1" in logged and token not in logged
    assert "Warmed up: " in logged and logged.index("Warmed up: ") < logged.index("GET /p/-")
    # the warmed objects are frozen before the workers fork (gc.freeze)
    assert re.search(r"Warmed up: .*; [1-9]\d+ objects kept out of garbage collection", logged)


def _get(url: str) -> str | None:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except OSError:
        return None
