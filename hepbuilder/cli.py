"""The `hepbuilder` command line. Thin: parse arguments, call a service, print one line.

User mistakes become click.ClickException (one sentence on stderr, exit 1), never a traceback.
Heavy imports (Flask, SQLAlchemy, reportlab) happen inside the commands that need them.
"""

import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from hepbuilder.domain.errors import DomainError, ValidationError


def fail(message: str) -> click.ClickException:
    return click.ClickException(message)


def error_sentence(error: DomainError) -> str:
    if isinstance(error, ValidationError) and error.fields:
        return "; ".join(f"{field}: {text}" for field, text in error.fields.items())
    return getattr(error, "message", None) or str(error)


@contextmanager
def transaction():
    """A session on the configured database, committed when the block ends without error."""
    from hepbuilder.config import database_url_from_env
    from hepbuilder.db.session import session_factory

    session = session_factory(database_url_from_env())()
    try:
        yield session
        session.commit()
    except DomainError as error:
        session.rollback()
        raise fail(error_sentence(error)) from None
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@click.group()
def main() -> None:
    """hepbuilder: home-exercise programs for physiotherapy clinics."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the latest schema."""
    from hepbuilder.config import database_url_from_env
    from hepbuilder.db.migrate import upgrade

    upgrade(database_url_from_env())
    click.echo("Database is up to date.")


@main.command()
@click.argument("spec_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--library", "library_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Exercise library folder (default: the bundled library).")
def render(spec_path: Path, output: Path, library_dir: Path | None) -> None:
    """Render a handout spec (JSON) to a PDF, with no database."""
    from hepbuilder.pdf import render_spec

    try:
        raw = spec_path.read_bytes()
    except OSError as error:
        raise fail(f"Cannot read {spec_path}: {error.strerror or error}.") from None
    try:
        spec = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise fail(f"{spec_path} is not UTF-8 text.") from None
    except json.JSONDecodeError as error:
        raise fail(f"{spec_path} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}.") from None
    try:
        pdf = render_spec(spec, library_dir=library_dir, base_dir=spec_path.parent)
    except DomainError as error:
        raise fail(f"{spec_path}: {error_sentence(error)}") from None
    write_atomically(output, pdf)
    click.echo(f"Wrote {output} ({len(pdf):,} bytes).")


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename, so no partial file is ever left."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise fail(f"Cannot write {path}: {error.strerror or error}.") from None


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web app with gunicorn."""
    args = [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", str(workers),
            "--access-logfile", "-", "hepbuilder.web:create_app()"]
    os.execv(sys.executable, args)
