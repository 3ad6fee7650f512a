"""Running the app: gunicorn with one outbox delivery loop beside it (`hepbuilder serve`), and the
loop itself (`hepbuilder outbox send --loop`). A command-line adapter, like cli.py.

`serve` runs gunicorn in this process (its master), which loads the app and warms it (fonts, the
bundled library, its illustrations: pdf/warm.py) before forking the workers, so a new worker's
first handout costs about what any other does. Once it listens, the master starts exactly one child
process, `python -m hepbuilder outbox send --loop`, which gunicorn's exit hook stops. The child also
stops by itself when its parent is gone, so a killed server leaves no loop behind. Larger
deployments run `hepbuilder outbox send --loop` on their own instead (several at once on
PostgreSQL; one on SQLite).
"""

import gc
import logging
import os
import signal
import subprocess
import sys
import threading
import time

log = logging.getLogger("hepbuilder.outbox")

PARENT_ENV = "HEPBUILDER_OUTBOX_PARENT"  # set by serve: the loop's parent process id
STOP_SECONDS = 10
PURGE_EVERY_SECONDS = 60  # expired Idempotency-Key answers are deleted once a minute


def run_delivery_loop(
    sessions, settings, *, interval_seconds: float = 2.0, ignore_backoff: bool = False
) -> None:
    """Deliver due messages every `interval_seconds` until SIGTERM/SIGINT (or the serving parent
    is gone). A failing pass (say the database restarts) is logged and the loop goes on."""
    from hepbuilder.services.outbox import send_due

    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] [outbox] %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    parent = os.environ.get(PARENT_ENV)
    log.info("Delivering queued messages every %s s", interval_seconds)
    next_purge = 0.0
    while not stop.is_set():
        try:
            result = send_due(
                sessions, settings, ignore_backoff=ignore_backoff, stopping=stop.is_set
            )
            if result.total:
                log.info("Outbox: %s", result.summary())
            if time.monotonic() >= next_purge:
                _purge_expired_idempotency_records(sessions, settings)
                next_purge = time.monotonic() + PURGE_EVERY_SECONDS
        except Exception:  # noqa: BLE001 - keep delivering; the log says what happened
            log.exception("Outbox pass failed; trying again shortly")
        if parent and str(os.getppid()) != parent:
            log.info("The server that started this loop is gone; stopping")
            return
        stop.wait(interval_seconds)
    log.info("Stopped")


def _purge_expired_idempotency_records(sessions, settings) -> None:
    """Drop the API's Idempotency-Key answers past their time (they may hold patient data)."""
    from hepbuilder.services.idempotency import purge_expired_records

    with sessions() as session:
        deleted = purge_expired_records(session, settings.idempotency_ttl_hours or 24)
        session.commit()
    if deleted:
        log.info("Purged %s expired idempotency records", deleted)


class _DeliveryChild:
    """The one delivery loop of a `serve`: started when gunicorn is ready, stopped on its exit."""

    def __init__(self):
        self.process: subprocess.Popen | None = None

    def start(self, _server=None) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        env = {**os.environ, PARENT_ENV: str(os.getpid())}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hepbuilder", "outbox", "send", "--loop"], env=env
        )

    def stop(self, _server=None) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _gunicorn_settings() -> dict:
    """The settings of hepbuilder/web/gunicorn_conf.py, as gunicorn's `-c` would read them."""
    from hepbuilder.web import gunicorn_conf

    return {
        name: getattr(gunicorn_conf, name)
        for name in ("accesslog", "access_log_format", "logger_class", "limit_request_line")
    }


def _forget_inherited_connections(_server, worker) -> None:
    """gunicorn's post_fork: a forked worker must not share the master's database sockets."""
    sessions = worker.app.callable.extensions["hepbuilder.sessions"]
    sessions.kw["bind"].dispose(close=False)


def load_warm_app():
    """The app, created and warmed (the master does this once; workers inherit it)."""
    from hepbuilder.pdf.warm import warm_up
    from hepbuilder.web import create_app

    app = create_app()
    started = time.perf_counter()
    warmed = warm_up()
    seconds = time.perf_counter() - started
    # What the master holds now (modules, the library, fonts, drawn illustrations) lives as long
    # as the workers: frozen, no worker's garbage collection walks it again (a full collection
    # of it took about 150 ms in the middle of a request) or copies its pages by touching them.
    gc.collect()
    gc.freeze()
    print(
        f"Warmed up: {warmed.exercises} exercises, {warmed.illustrations} illustrations"
        f" in {seconds * 1000:.0f} ms; {gc.get_freeze_count()} objects kept out of garbage"
        " collection",
        file=sys.stderr,
        flush=True,
    )
    return app


def server_options(host: str, port: int, workers: int, child: _DeliveryChild) -> dict:
    """gunicorn's settings for `serve`: the app preloaded in the master, the loop beside it."""
    return {
        **_gunicorn_settings(),  # the redacted access log and request-line limit
        "bind": f"{host}:{port}",
        "workers": workers,
        "preload_app": True,
        "post_fork": _forget_inherited_connections,
        "when_ready": child.start,
        "on_exit": child.stop,
    }


def run_server(host: str, port: int, workers: int) -> None:
    """gunicorn serving the warmed `create_app()` on host:port, with the delivery loop beside it."""
    from gunicorn.app.base import BaseApplication

    child = _DeliveryChild()

    class HepbuilderServer(BaseApplication):
        def load_config(self):
            for name, value in server_options(host, port, workers, child).items():
                self.cfg.set(name, value)

        def load(self):
            return load_warm_app()

    try:
        HepbuilderServer().run()
    finally:
        child.stop()
