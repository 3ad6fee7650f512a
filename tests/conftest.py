"""Shared fixtures: a migrated database (SQLite, or HEPBUILDER_TEST_DATABASE_URL), the app, its clients.

The schema is migrated once per run; each test that touches the database starts from empty tables.
Under pytest-xdist (`make test` runs one worker per core) every worker has its own database: its
own SQLite file, or on PostgreSQL a database named after the given one and the worker
("test_gw0"), created when missing.
"""

import os

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


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("HEPBUILDER_TEST_DATABASE_URL")
    if url:
        url = _worker_database(url)
        with get_engine(url).begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    upgrade(url)
    return url


def _empty_all_tables(url: str) -> None:
    engine = get_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())


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


SLOW_SUITES = ("tests/browser/", "tests/api/test_schemathesis.py", "tests/unit/test_pdf_viewers.py")


# The longest files (tens of seconds each), handed out first: `--dist loadfile` gives each worker
# the next whole file in collection order, so a long file collected last keeps one worker busy
# while the other has nothing left to do.
LONG_FILES = (
    "tests/api/test_schemathesis.py",
    "tests/unit/test_pdf_layout.py",
    "tests/browser/",
    "tests/unit/test_pdf_handout.py",
    "tests/web/test_library_transfer.py",
    "tests/web/test_logs_redacted.py",
)


def pytest_collection_modifyitems(config, items):
    """Mark the slow suites (a real browser, schemathesis, pdf.js) `slow`, so that
    `make quicktest` (pytest -m "not slow") runs the rest before every commit; put the longest
    files first (the order within each file and among the rest unchanged)."""
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
