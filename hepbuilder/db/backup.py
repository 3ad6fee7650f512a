"""A consistent copy of the whole database while the app runs, and its restore into an empty one.

SQLite: the online backup API (sqlite3.Connection.backup) copies every page under one read
snapshot, so writers carry on and the copy holds exactly the transactions committed when it began.
PostgreSQL: the server's own tool, `pg_dump --format=custom` (one consistent snapshot too), and
`pg_restore` back; both must be on PATH, in the server's major version or newer.
Restoring refuses a database that holds any row, so a backup never lands on top of live data.
A backup holds the database only: handouts whose PDF is in the S3 store (`handout.pdf_store`,
db/pdf_store.py) keep just its SHA-256 there, and the bucket needs its own backup
(`pdfs_outside_database` counts them, so the command can say so).
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from .like import is_search_index_table
from .session import SQLITE_BEGIN_OPTION, get_engine

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
KEPT_WHEN_EMPTY = {"alembic_version"}  # a freshly migrated database is still empty


class BackupError(Exception):
    """A backup or restore that cannot be done, in one sentence for the user."""


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(database)


def _pg_command(tool: str, url: str) -> tuple[list[str], dict]:
    """The tool's path with --dbname (no password on the command line) and its environment."""
    path = shutil.which(tool)
    if path is None:
        raise BackupError(
            f"{tool} was not found: install PostgreSQL's client tools (for example "
            f"`apt-get install postgresql-client`) in your server's major version or newer."
        )
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    libpq = parsed.set(drivername="postgresql", password=None)
    return [path, "--dbname", libpq.render_as_string(hide_password=False)], env


def _run(command: list[str], env: dict, what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise BackupError(f"{what} failed: {last}")


def backup_database(url: str, out: Path) -> str:
    """Write a consistent copy of the database at `url` to `out` (replaced only when complete);
    returns how it was made, for the user."""
    out = Path(out)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    if make_url(url).get_backend_name() == "sqlite":
        source_path = _sqlite_path(url)
        if not source_path.exists():
            raise BackupError(f"There is no database at {source_path}.")
        source = sqlite3.connect(source_path)
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        how = "SQLite's online backup API"
    else:
        command, env = _pg_command("pg_dump", url)
        _run([*command, "--format=custom", "--no-owner", "--file", str(partial)], env, "pg_dump")
        how = "pg_dump --format=custom"
    partial.replace(out)
    return how


def pdfs_outside_database(url: str) -> int:
    """How many handouts keep their PDF outside the database (in the S3 store); 0 for a
    database from before migration 0018. Only reads, so on SQLite it does not wait for another
    writer's lock."""
    engine = get_engine(url).execution_options(**{SQLITE_BEGIN_OPTION: "DEFERRED"})
    with engine.connect() as connection:
        columns = {column["name"] for column in inspect(connection).get_columns("handout")}
        if "pdf_store" not in columns:
            return 0
        return connection.scalar(text("SELECT count(*) FROM handout WHERE pdf_store <> 'database'"))


def table_names_with_rows(url: str) -> list[str]:
    """The tables of the database at `url` that hold at least one row (alembic's and SQLite's
    FTS5 search index tables aside: a freshly migrated index holds its own bookkeeping rows)."""
    engine = get_engine(url)
    with engine.connect() as connection:
        names = [
            name
            for name in inspect(connection).get_table_names()
            if name not in KEPT_WHEN_EMPTY and not is_search_index_table(name)
        ]
        preparer = engine.dialect.identifier_preparer
        return [
            name
            for name in names
            if connection.execute(text(f"SELECT 1 FROM {preparer.quote(name)} LIMIT 1")).first()
        ]


def _check_backup_file(source: Path, magic: bytes, kind: str) -> None:
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    with source.open("rb") as handle:
        if handle.read(len(magic)) != magic:
            raise BackupError(f"{source} is not a {kind} backup, which this database needs.")


def restore_database(url: str, source: Path) -> str:
    """Restore the backup `source` into the (empty) database at `url`; returns how."""
    source = Path(source)
    sqlite = make_url(url).get_backend_name() == "sqlite"
    if sqlite:
        _check_backup_file(source, SQLITE_MAGIC, "SQLite")
        target_path = _sqlite_path(url)
        target_path.parent.mkdir(parents=True, exist_ok=True)
    else:
        _check_backup_file(source, PG_DUMP_MAGIC, "pg_dump --format=custom")
    if not sqlite or target_path.exists():
        full = table_names_with_rows(url)
        if full:
            shown = ", ".join(full[:3]) + (", ..." if len(full) > 3 else "")
            raise BackupError(
                f"The database is not empty (rows in {shown}); restore only into an empty one."
            )
    if sqlite:
        get_engine(url).dispose()  # no pooled connection may keep the old pages
        backup = sqlite3.connect(source)
        target = sqlite3.connect(target_path)
        try:
            if backup.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{source} is damaged (SQLite's quick_check failed).")
            backup.backup(target)
        finally:
            target.close()
            backup.close()
        return "SQLite's online backup API"
    command, env = _pg_command("pg_restore", url)
    options = ["--no-owner", "--single-transaction", "--exit-on-error", "--clean", "--if-exists"]
    _run([*command, *options, str(source)], env, "pg_restore")
    get_engine(url).dispose()
    return "pg_restore"
