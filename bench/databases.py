"""The databases a benchmark runs on: the local PostgreSQL (a fresh database of its own) when one
answers at 127.0.0.1:5432, and a temporary SQLite file."""

import socket
import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from hepbuilder.db.session import get_engine

POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def postgres_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), 2).close()
        return True
    except OSError:
        return False


def fresh_postgres(name: str) -> str:
    """The URL of an empty database `name` on the local server (dropped first if it exists)."""
    engine = get_engine(f"{POSTGRES_SERVER}/postgres")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    return f"{POSTGRES_SERVER}/{name}"


def on_each_database(run: Callable[[str, str], None], postgres_name: str, only: str | None) -> None:
    """`run(label, url)` on PostgreSQL (when it answers) and then SQLite; `only` picks one."""
    if only != "sqlite":
        if postgres_answers():
            run("PostgreSQL (127.0.0.1:5432)", fresh_postgres(postgres_name))
        else:
            print("No PostgreSQL at 127.0.0.1:5432: only SQLite is measured.")
    if only != "postgresql":
        with tempfile.TemporaryDirectory() as tmp:
            run("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}")
