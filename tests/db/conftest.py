"""Fixtures for the database tests: a second, empty database beside the test database."""

import shutil

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from hepbuilder.db.session import get_engine


@pytest.fixture
def empty_database(db_url, tmp_path):
    """The URL of a second, empty database (not migrated) of the same kind as the test database."""
    if make_url(db_url).get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'second.db'}"
        return
    server = create_engine(make_url(db_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = f"{make_url(db_url).database}_second"
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(db_url).set(database=name).render_as_string(hide_password=False)
    yield url
    get_engine(url).dispose()
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


@pytest.fixture
def empty_target(db_url, empty_database):
    """An empty database to restore a backup into (PostgreSQL: with its client tools on PATH)."""
    if make_url(db_url).get_backend_name() != "sqlite" and not (
        shutil.which("pg_dump") and shutil.which("pg_restore")
    ):
        pytest.skip("needs pg_dump and pg_restore (PostgreSQL's client tools) on PATH")
    return empty_database
