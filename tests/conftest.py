"""Shared fixtures: a migrated database (SQLite, or HEPBUILDER_TEST_DATABASE_URL), the app, its clients.

The schema is migrated once per run; each test that touches the database starts from empty tables.
Under pytest-xdist (`make test` runs one worker per core) every worker has its own database: its
own SQLite file (in /dev/shm where there is room), or on PostgreSQL a database named after the
given one and the worker ("test_gw0"), created when missing.
"""

import gc
import os
import shutil
import sqlite3
import tempfile
from contextlib import closing
from functools import cache
from pathlib import Path

# A cheap password hash for the whole run, subprocesses included (scrypt costs ~400 ms a call and
# most of the suite's time); tests/services/test_passwords.py checks production keeps scrypt.
os.environ["HEPBUILDER_PASSWORD_HASH"] = "pbkdf2:sha256:1000"

import pytest  # noqa: E402
from sqlalchemy import make_url, text  # noqa: E402

from hepbuilder.db.migrate import upgrade  # noqa: E402
from hepbuilder.db.models import Base  # noqa: E402
from hepbuilder.db.session import get_engine, session_factory  # noqa: E402


def _worker_database(url: str) -> str:
    """The PostgreSQL database of this xdist worker (`url` itself outside xdist), created if
    missing."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    given = make_url(url)
    name = f"{given.database}_{worker}"
    server = given.set(database="postgres").render_as_string(hide_password=False)
    with get_engine(server).connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    return given.set(database=name).render_as_string(hide_password=False)


# SQLite syncs its file to disk at every commit (WAL, synchronous=FULL): about 7 ms a commit on
# the development machine's disk, and the suite commits tens of thousands of times. In memory
# (tmpfs) a sync costs nothing; SQLite and its settings are the same.
MEMORY_DIR = "/dev/shm"
MEMORY_DIR_MIN_FREE = 512 * 1024 * 1024


def _sqlite_dir(tmp_path_factory) -> Path:
    """A new directory for the SQLite test database: in memory when the machine has room there,
    else under pytest's temporary directory."""
    if os.path.isdir(MEMORY_DIR) and os.access(MEMORY_DIR, os.W_OK):
        stats = os.statvfs(MEMORY_DIR)
        if stats.f_bavail * stats.f_frsize >= MEMORY_DIR_MIN_FREE:
            return Path(tempfile.mkdtemp(prefix="hepbuilder-test-", dir=MEMORY_DIR))
    return tmp_path_factory.mktemp("db")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("HEPBUILDER_TEST_DATABASE_URL")
    if url:
        url = _worker_database(url)
        with get_engine(url).begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        upgrade(url)
        yield url
        return
    directory = _sqlite_dir(tmp_path_factory)
    url = f"sqlite:///{directory / 'test.db'}"
    upgrade(url)
    yield url
    get_engine(url).dispose()
    shutil.rmtree(directory, ignore_errors=True)


@cache
def _id_sequences(url: str) -> dict[str, list[str]]:
    """PostgreSQL: the sequences each table's columns own (its ids), by table name."""
    sequences: dict[str, list[str]] = {}
    engine = get_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            owned = connection.execute(
                text(
                    "SELECT t.relname, s.relname FROM pg_class s"
                    " JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')"
                    " JOIN pg_class t ON t.oid = d.refobjid"
                    " WHERE s.relkind = 'S' AND s.relnamespace = 'public'::regnamespace"
                )
            )
            for table, sequence in owned:
                sequences.setdefault(table, []).append(sequence)
    return sequences


@cache
def _touched_tables_query(url: str) -> str:
    """One query naming the tables a test left rows in, or (PostgreSQL) whose id sequence moved:
    an insert rolled back leaves its table empty but changes the next id."""
    sequences = _id_sequences(url)
    tests = []
    for table in Base.metadata.sorted_tables:
        moved = [f'(SELECT is_called FROM "{name}")' for name in sequences.get(table.name, [])]
        test = " OR ".join([f'EXISTS (SELECT 1 FROM "{table.name}")', *moved])
        tests.append(f"SELECT '{table.name}' WHERE {test}")
    return " UNION ALL ".join(tests)


def _empty_all_tables(url: str) -> None:
    """Empty every table the test touched, children first, and (PostgreSQL) start its ids again
    at 1: the state of a freshly migrated database. Only the touched ones, with DELETE: most
    tests touch few tables and few rows, and TRUNCATE costs PostgreSQL a new file per table."""
    with get_engine(url).begin() as connection:
        touched = set(connection.exec_driver_sql(_touched_tables_query(url)).scalars())
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in touched:
                connection.exec_driver_sql(f'DELETE FROM "{table.name}"')
                for sequence in _id_sequences(url).get(table.name, []):
                    connection.exec_driver_sql(f'ALTER SEQUENCE "{sequence}" RESTART')


@pytest.fixture
def db_url(database_url):
    """The test database URL, emptied after the test."""
    yield database_url
    _empty_all_tables(database_url)


@pytest.fixture
def session(db_url):
    """A session on the test database for arranging data and checking rows, as a second client
    would: it sees what the app committed once it ends its own transaction (commit or rollback).
    It begins DEFERRED, so merely reading does not take SQLite's write lock from the app."""
    with session_factory(db_url, begin="DEFERRED")() as db_session:
        yield db_session


def _test_app(db_url, instance_dir, monkeypatch, **overrides):
    from hepbuilder.web import create_app

    monkeypatch.setenv("HEPBUILDER_INSTANCE_DIR", str(instance_dir))
    settings = {
        "TESTING": True,
        "DATABASE_URL": db_url,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "PUBLIC_URL": "https://hep.example.test",
    }
    return create_app({**settings, **overrides})


@pytest.fixture
def app(db_url, tmp_path, monkeypatch):
    """The app with CSRF checks off, so tests can post forms directly."""
    return _test_app(db_url, tmp_path / "instance", monkeypatch)


@pytest.fixture
def csrf_app(db_url, tmp_path, monkeypatch):
    """The app with CSRF checks on, as in production (served over plain http)."""
    return _test_app(
        db_url, tmp_path / "instance", monkeypatch, WTF_CSRF_ENABLED=True, PUBLIC_URL=""
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def cli(db_url, monkeypatch, tmp_path):
    """Run the `hepbuilder` command on the test database: cli("library", "export", DIR)."""
    from click.testing import CliRunner

    from hepbuilder.cli import main

    monkeypatch.setenv("HEPBUILDER_DATABASE_URL", db_url)
    monkeypatch.setenv("HEPBUILDER_INSTANCE_DIR", str(tmp_path / "instance"))
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return run


def _clear_caches_of_database_state() -> None:
    """Forget what the process keeps by database state that a restored database can repeat
    with other content: the builder's facets and the search vocabulary, by (clinic created_at,
    library_version). A test that edits the library moves
    the version to N+1; the next test starts again from N and may make another N+1. The
    caches by content (illustrations, cards, snapshot parts, exercise forms) stay right."""
    from hepbuilder.services import exercises

    exercises.facets_kept.clear()
    exercises.vocabularies.clear()


def _untouched(url: str, session) -> bool:
    """Whether the test database is as the last test left it emptied, and the test's session has
    not begun (a copy of the database may be put back under it)."""
    if session.in_transaction():
        return False
    with get_engine(url).connect() as connection:
        return connection.exec_driver_sql(_touched_tables_query(url)).first() is None


class WorldOnce:
    """A test module's world, built once on SQLite and put back before each test that asks.

    `build(app, session, clients)` makes the world's rows (committed), signs in the test
    clients it is given ({name: app.test_client()}) and returns plain data (ids, secrets). On
    SQLite the first call builds, then keeps a copy of the database (sqlite3's backup API, into
    memory) and of each client's cookies; every later call copies the database back over the
    test database (the engine's pooled connections closed first, none mid-transaction: the
    test's session has not begun), gives the test's own clients the saved cookies (their
    sessions are rows of the copy) and returns the same data. On PostgreSQL it builds for every
    test, as before, and so it does on SQLite when the test has already written anything (or its
    session has begun), which a copy put back would lose. tests/web/test_route_matrix.py checks
    the copy put back equals the build."""

    def __init__(self, build):
        self.build = build
        self.saved: dict[str, tuple] = {}  # database url -> (data, cookies by client, copy)

    def __call__(self, app, session, clients: dict) -> dict:
        url = app.config["DATABASE_URL"]
        if not url.startswith("sqlite") or not _untouched(url, session):
            return self.build(app, session, clients)
        path = make_url(url).database
        if url not in self.saved:
            data = self.build(app, session, clients)
            copy = sqlite3.connect(":memory:", check_same_thread=False)
            with closing(sqlite3.connect(path)) as live:
                live.backup(copy)
            cookies = {name: list(client._cookies.values()) for name, client in clients.items()}
            self.saved[url] = (data, cookies, copy)
            return data
        data, cookies, copy = self.saved[url]
        get_engine(url).dispose()
        with closing(sqlite3.connect(path)) as live:
            copy.backup(live)
        _clear_caches_of_database_state()
        session.expire_all()
        for name, client in clients.items():
            for cookie in cookies[name]:
                client.set_cookie(
                    cookie.key,
                    cookie.value,
                    domain=cookie.domain,
                    origin_only=cookie.origin_only,
                    path=cookie.path,
                    expires=cookie.expires,
                    secure=cookie.secure,
                    httponly=cookie.http_only,
                    samesite=cookie.same_site,
                )
        return data


# What `make quicktest` leaves to `make test`: the suites that drive another program or server
# (Chromium, pdf.js and the API linters under node, the client generator, moto's S3 server,
# `hepbuilder serve`, gunicorn) and the exhaustive ones (schemathesis, every route against every
# role, every field against every bad input, the stress handouts' layout).
SLOW_SUITES = (
    "tests/browser/",
    "tests/unit/test_pdf_viewers.py",
    "tests/api/test_openapi_lint.py",
    "tests/api/test_generated_client.py",
    "tests/storage/test_s3_pdf_store.py",
    "tests/delivery/test_serve.py",
    "tests/delivery/test_two_servers.py",
    "tests/delivery/test_outbox_postgres.py",
    "tests/web/test_logs_redacted.py",
    "tests/api/test_schemathesis.py",
    "tests/web/test_route_matrix.py",
    "tests/web/test_bad_input.py",
    "tests/unit/test_pdf_layout.py",
)


# The longest files (15 to 70 s each on one worker), handed out first: `--dist loadfile` gives
# each worker the next whole file in collection order, so a long file collected last keeps one
# worker busy while the other has nothing left to do.
LONG_FILES = (
    "tests/unit/test_pdf_layout.py",
    "tests/api/test_schemathesis.py",
    "tests/web/test_route_matrix.py",
    "tests/web/test_bad_input.py",
    "tests/web/test_stored_paths.py",
    "tests/browser/",
    "tests/delivery/test_serve.py",
    "tests/web/test_pose_editor.py",
    "tests/web/test_logs_redacted.py",
)


def pytest_configure(config):
    """Keep the collection order for `--dist loadfile`: pytest-xdist (3.x) otherwise hands out
    the files with the most tests first, which put schemathesis (few tests, a minute long) last."""
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_finish(session):
    """Spend less of the run in the garbage collector (about 11 % of a worker's CPU with
    Python's defaults, 5 % with these): what exists once the tests are collected (modules, the
    bundled library, the tests themselves) lives the whole run, so it is frozen out of every
    later collection, and the youngest generation is collected every 10,000 allocations rather
    than 700, each test's app and sessions being garbage within a few thousand."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


@pytest.hookimpl(optionalhook=True)  # pytest -p no:xdist has no such hook
def pytest_xdist_auto_num_workers(config):
    """`-n auto`: one worker more than the cores this process may run on. Some tests wait on
    other processes (a server, gunicorn, Chromium, pdf.js under node), and the extra worker uses
    the core they leave idle (2 cores: 2 min 10 s with 2 workers, 2 min 4 s with 3, 2 min 14 s
    with 4, whose extra start-ups cost more than they fill)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if config.option.markexpr == "not slow":
        # `make quicktest` leaves out the suites that wait, so an extra worker would only add
        # its start-up (2 cores: 1 min 13 s and 1 min 12 s with 2 workers, 1 min 17 s and
        # 1 min 22 s with 3, run alternately on a busy machine)
        return cores or 1
    return (cores or 1) + 1


def pytest_collection_modifyitems(config, items):
    """Mark the SLOW_SUITES `slow`, so that `make quicktest` (pytest -m "not slow") runs the
    rest before every commit; put the longest files first (the order within each file and
    among the rest unchanged)."""
    for item in items:
        path = item.nodeid.split("::")[0]
        if path.startswith(SLOW_SUITES):
            item.add_marker(pytest.mark.slow)

    def rank(item) -> int:
        path = item.nodeid.split("::")[0]
        return next(
            (i for i, long in enumerate(LONG_FILES) if path.startswith(long)), len(LONG_FILES)
        )

    items.sort(key=rank)
