"""A webhook receiver in the test process (http.server on 127.0.0.1 in a thread) that answers
with the statuses a test lines up, and the receiver-side signature check a PMS would write."""

import hashlib
import hmac
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.delivery.conftest import mail_server, worker_settings  # noqa: F401 (a fixture)

WEBHOOK_KEY = "webhook-test-key"


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """What the server got, and what it answers next: `answers` (status, body, headers) are used
    in turn, then 200."""

    url: str
    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[int, bytes, dict]] = field(default_factory=list)
    on_request: Callable[[], None] | None = None  # run as each request arrives

    def answer_next(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        self.answers.append((status, body, headers or {}))


def verify_signature(secret: str, header: str, body: bytes) -> bool:
    """What a receiver does: split "t=…,v1=…", recompute HMAC-SHA256 of "t.body", compare."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), parts["v1"])


@pytest.fixture
def receiver():
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            if state.on_request is not None:
                state.on_request()
            length = int(self.headers.get("Content-Length") or 0)
            state.requests.append(
                Received(self.path, dict(self.headers.items()), self.rfile.read(length))
            )
            status, body, headers = state.answers.pop(0) if state.answers else (200, b"ok", {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST  # noqa: N815 - a followed redirect would show up here

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/hepbuilder"
    # serve_forever looks for shutdown() every poll_interval: 0.5 s by default, which every
    # test would wait at its end
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _webhook_key(monkeypatch):
    """The app and the worker derive the signing secrets from the same key."""
    monkeypatch.setenv("HEPBUILDER_WEBHOOK_KEY", WEBHOOK_KEY)


def settings_for(db_url: str, smtp_port: int = 1, **overrides):
    """What the outbox worker reads: the test database, the webhook key, a public URL."""
    return worker_settings(db_url, smtp_port, **{"webhook_key": WEBHOOK_KEY, **overrides})
