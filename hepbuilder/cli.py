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


def pdf_store_info() -> dict:
    """The session `info` naming the configured PDF stores (HEPBUILDER_PDF_STORE, _S3_*); a
    wrong setting is one sentence naming it."""
    from hepbuilder.config import SettingError, pdf_store_settings_from_env
    from hepbuilder.db.pdf_store import session_info

    try:
        return session_info(pdf_store_settings_from_env())
    except SettingError as error:
        raise fail(str(error)) from None


def sessions_from_env():
    """The session factory of the configured database and PDF stores."""
    from hepbuilder.config import database_url_from_env
    from hepbuilder.db.session import session_factory

    return session_factory(database_url_from_env(), info=pdf_store_info())


@contextmanager
def transaction():
    """A session on the configured database, committed when the block ends without error."""
    session = sessions_from_env()()
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
@click.option(
    "-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "--library",
    "library_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Exercise library folder (default: the bundled library).",
)
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
        raise fail(
            f"{spec_path} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
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
    """Serve the web app with gunicorn, and deliver queued email while it runs."""
    from hepbuilder.serve import run_server

    pdf_store_info()  # a wrong HEPBUILDER_PDF_STORE / _S3_* setting stops here, named
    run_server(host, port, workers)


@main.group()
def outbox() -> None:
    """Queued handout emails and webhook events waiting to be delivered."""


@outbox.command("send")
@click.option("--loop", is_flag=True, help="Keep running, delivering messages as they fall due.")
@click.option("--now", is_flag=True, help="Send every queued message, ignoring the retry back-off.")
@click.option(
    "--interval",
    default=2.0,
    show_default=True,
    type=click.FloatRange(0.1, 3600),
    help="With --loop: seconds between looks at the outbox.",
)
def outbox_send(loop: bool, now: bool, interval: float) -> None:
    """Deliver the queued messages that are due (one pass, or with --loop until stopped)."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from hepbuilder.config import SettingError, load_settings
    from hepbuilder.db.pdf_store import session_info
    from hepbuilder.db.session import session_factory
    from hepbuilder.services.outbox import send_due

    try:
        settings = load_settings()
    except SettingError as error:
        raise fail(str(error)) from None
    sessions = session_factory(settings.database_url, info=session_info(settings.pdf_store))
    if not loop:
        try:
            result = send_due(sessions, settings, ignore_backoff=now)
        except (OperationalError, ProgrammingError) as error:
            raise fail(
                "Cannot read the outbox: is the database reachable and up to date "
                f"(`hepbuilder db upgrade`)? {error.orig or error}"
            ) from None
        click.echo(f"Outbox: {result.summary()}.")
        return
    from hepbuilder.serve import run_delivery_loop

    run_delivery_loop(sessions, settings, interval_seconds=interval, ignore_backoff=now)


# --- clinics, users, tokens and the library (thin: each calls one service) ----------------------

_LIBRARY_DIR = click.Path(file_okay=False, path_type=Path)
clinic_option = click.option(
    "--clinic",
    "clinic_slug",
    default=None,
    help="The clinic's slug (may be left out while there is one clinic).",
)


def _load_library(directory: Path | None):
    """The checked library folder (default: the bundled one); a problem becomes one clear sentence."""
    from hepbuilder.services.library_sync import load_bundled_library

    try:
        return load_bundled_library(directory)
    except DomainError as error:
        raise fail(error_sentence(error)) from None


@main.command()
@click.option(
    "--library",
    "library_dir",
    type=_LIBRARY_DIR,
    default=None,
    help="Library folder (default: the bundled library).",
)
def seed(library_dir: Path | None) -> None:
    """Load the exercise library into every clinic: add what is missing, update what no clinic edited."""
    from hepbuilder.services.library_sync import seed_all

    library = _load_library(library_dir)
    with transaction() as session:
        results = seed_all(session, library)
    if not results:
        click.echo(
            "No clinic yet, so nothing was loaded; the set-up page (or `hepbuilder clinic create`) creates one and loads its library."
        )
    for slug, result in results.items():
        click.echo(f"{slug}: {result.summary()}.")


@main.group()
def clinic() -> None:
    """Clinics (each with its own users, library, patients and brand)."""


@clinic.command("create")
@click.option("--name", required=True, help="The clinic's name, as patients see it.")
def clinic_create(name: str) -> None:
    """Create a clinic, load the bundled library into it, and print its slug."""
    from hepbuilder.services.clinics import create_clinic
    from hepbuilder.services.library_sync import seed_clinic

    library = _load_library(None)
    with transaction() as session:
        new_clinic = create_clinic(session, name)
        seed_clinic(session, new_clinic, library)
        slug = new_clinic.slug
    click.echo(slug)


password_stdin_option = click.option(
    "--password-stdin",
    "password_stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (else you are asked for it).",
)


@main.group()
def user() -> None:
    """User accounts."""


@user.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "therapist"]))
@password_stdin_option
@clinic_option
def user_create(
    email: str, name: str, role: str, password_stdin: bool, clinic_slug: str | None
) -> None:
    """Create a user who can sign in to the web app."""
    from hepbuilder.services.actor import system_actor
    from hepbuilder.services.clinics import resolve_clinic
    from hepbuilder.services.users import create_user

    password = _read_password(password_stdin)
    with transaction() as session:
        target = resolve_clinic(session, clinic_slug)
        data = {"email": email, "name": name, "role": role, "password": password}
        created = create_user(session, system_actor(target.id), data)
        message = f"Created {created.role} {created.email} in {target.slug}."
    click.echo(message)


@user.command("set-password")
@click.option("--email", required=True, help="The address the user signs in with.")
@password_stdin_option
@clinic_option
def user_set_password(email: str, password_stdin: bool, clinic_slug: str | None) -> None:
    """Set a new password for a user (an administrator locked out); their sessions end."""
    from hepbuilder.services.actor import system_actor
    from hepbuilder.services.clinics import resolve_clinic
    from hepbuilder.services.users import reset_password_by_email

    password = _read_password(password_stdin)
    with transaction() as session:
        target = resolve_clinic(session, clinic_slug)
        changed = reset_password_by_email(session, system_actor(target.id), email, password)
        message = f"New password set for {changed.email} in {target.slug}; their sessions ended."
        if not changed.is_active:
            message += " The account is deactivated: an administrator reactivates it on Users."
    click.echo(message)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@main.group()
def token() -> None:
    """API tokens for a practice-management system."""


@token.command("create")
@click.option("--name", required=True, help="What the token is for, e.g. the PMS's name.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(["programs", "library"]),
    help="What it may do (repeat for both): programs (the default) or library (change it).",
)
@click.option(
    "--therapist",
    "therapist_email",
    default=None,
    help="Email of the clinic user named as therapist when a request names none.",
)
@clinic_option
def token_create(
    name: str, scopes: tuple[str, ...], therapist_email: str | None, clinic_slug: str | None
) -> None:
    """Create an API token and print it once (only its SHA-256 is kept)."""
    from hepbuilder.services.actor import system_actor
    from hepbuilder.services.api_tokens import DEFAULT_SCOPES, create_api_token
    from hepbuilder.services.clinics import resolve_clinic

    with transaction() as session:
        target = resolve_clinic(session, clinic_slug)
        _row, secret = create_api_token(
            session,
            system_actor(target.id),
            name,
            scopes or DEFAULT_SCOPES,
            therapist_email=therapist_email,
        )
    click.echo(secret)
    click.echo("Keep this token now: it cannot be shown again.", err=True)


@main.group()
def webhook() -> None:
    """Webhook endpoints: where a PMS receives signed events."""


@webhook.command("create")
@click.option("--url", required=True, help="The receiver: https://…, or http:// to localhost.")
@click.option(
    "--event",
    "events",
    multiple=True,
    help="An event to send (repeat the option); default: every event.",
)
@clinic_option
def webhook_create(url: str, events: tuple[str, ...], clinic_slug: str | None) -> None:
    """Subscribe an endpoint to events and print its signing secret once."""
    from hepbuilder.config import webhook_key
    from hepbuilder.services.actor import system_actor
    from hepbuilder.services.clinics import resolve_clinic
    from hepbuilder.services.webhooks import EVENTS, create_endpoint

    with transaction() as session:
        target = resolve_clinic(session, clinic_slug)
        _row, secret = create_endpoint(
            session, system_actor(target.id), url, list(events or EVENTS), key=webhook_key()
        )
    click.echo(secret)
    click.echo("Keep this signing secret now: it cannot be shown again.", err=True)


@main.group()
def idempotency() -> None:
    """The API's stored Idempotency-Key answers."""


@idempotency.command("purge")
def idempotency_purge() -> None:
    """Delete the answers older than HEPBUILDER_IDEMPOTENCY_TTL_HOURS (they may hold patient data)."""
    from hepbuilder.config import idempotency_ttl_hours
    from hepbuilder.services.idempotency import purge_expired_records

    ttl_hours = idempotency_ttl_hours()
    with transaction() as session:
        deleted = purge_expired_records(session, ttl_hours)
    click.echo(f"Deleted {deleted} Idempotency-Key answers older than {ttl_hours} hours.")


@main.group()
def library() -> None:
    """A clinic's exercise library as files (exercises/*.yaml, muscles.yaml, protocols.yaml)."""


@library.command("export")
@click.argument("directory", type=_LIBRARY_DIR)
@clinic_option
def library_export(directory: Path, clinic_slug: str | None) -> None:
    """Write the clinic's library to DIRECTORY (the same form `library import` and `seed --library` read)."""
    from hepbuilder.library import write_library
    from hepbuilder.services.clinics import resolve_clinic
    from hepbuilder.services.library_sync import export_library

    with transaction() as session:
        exported = export_library(session, resolve_clinic(session, clinic_slug).id)
    try:
        write_library(exported, directory)
    except OSError as error:
        raise fail(f"Cannot write to {directory}: {error.strerror or error}.") from None
    click.echo(
        f"Wrote {len(exported.exercises)} exercises, {len(exported.muscles)} muscles and "
        f"{len(exported.protocols)} protocols to {directory}."
    )


@library.command("import")
@click.argument("directory", type=click.Path(path_type=Path))
@clinic_option
def library_import(directory: Path, clinic_slug: str | None) -> None:
    """Load a library folder into the clinic as its own version (entries it changes stay put on `seed`)."""
    from hepbuilder.services.clinics import resolve_clinic
    from hepbuilder.services.library_sync import import_library

    if directory.is_file():  # most often the zip the web's export gives
        raise fail(
            f"{directory} is a file, but this command reads a library folder: unzip it into a "
            "folder first, or import the zip on the web (Exercise library, Import and export)."
        )
    loaded = _load_library(directory)
    with transaction() as session:
        result = import_library(session, resolve_clinic(session, clinic_slug), loaded)
    click.echo(f"Imported {directory}: {result.summary()}.")


@main.group()
def illustrations() -> None:
    """Exercise illustrations."""


@illustrations.command("sheet")
@click.option(
    "-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "--library",
    "library_dir",
    type=_LIBRARY_DIR,
    default=None,
    help="Library folder (default: the bundled library).",
)
def illustrations_sheet(output: Path, library_dir: Path | None) -> None:
    """Draw every exercise's illustration on a contact sheet PDF, each under its name."""
    from hepbuilder.illustrations import render_contact_sheet

    library = _load_library(library_dir)
    pdf = render_contact_sheet(list(library.exercises.values()))
    write_atomically(output, pdf)
    click.echo(f"Wrote {output}: {len(library.exercises)} exercises.")


# --- backup and restore -------------------------------------------------------------------------


@main.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def backup(out: Path) -> None:
    """Write a consistent copy of the database to OUT while the app keeps running.

    SQLite: SQLite's online backup API (OUT is an SQLite file). PostgreSQL: runs
    `pg_dump --format=custom` (OUT is its archive), which must be installed. It covers the
    database only: PDFs kept in the S3 store are not in it, and the command says how many.
    """
    from hepbuilder.config import database_url_from_env
    from hepbuilder.db.backup import BackupError, backup_database, pdfs_outside_database

    url = database_url_from_env()
    try:
        how = backup_database(url, out)
    except (BackupError, OSError) as error:
        raise fail(str(error)) from None
    click.echo(f"Wrote a backup of the database to {out} ({how}).")
    outside = pdfs_outside_database(url)
    if outside:
        click.echo(
            f"It does not hold the PDFs of {outside} handouts kept in the S3 store "
            "(HEPBUILDER_S3_BUCKET): back that bucket up as well."
        )
    else:
        click.echo("It holds every handout's PDF (none is kept in the S3 store).")


@main.group()
def pdfs() -> None:
    """Where issued handouts' PDFs are kept (the database, or an S3 store)."""


@pdfs.command("move-to-s3")
@click.option(
    "--batch",
    default=50,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="Handouts moved per transaction.",
)
def pdfs_move_to_s3(batch: int) -> None:
    """Move the PDFs the database holds into the S3 store (HEPBUILDER_S3_*), each written, read
    back and checked before the database gives up its bytes. Safe to stop and run again."""
    from hepbuilder.services.handout_pdfs import move_to_s3

    try:
        moved, left = move_to_s3(sessions_from_env(), batch=batch)
    except DomainError as error:
        raise fail(error_sentence(error)) from None
    click.echo(f"Moved {moved} handout PDFs to the S3 store.")
    if left:
        raise fail(
            f"{left} PDFs do not match their recorded SHA-256 and stay in the database "
            "(the log names each handout)."
        )


@main.command()
@click.argument("source", metavar="IN", type=click.Path(dir_okay=False, path_type=Path))
def restore(source: Path) -> None:
    """Restore the backup IN (made by `hepbuilder backup`) into an empty database, then migrate it.

    Refuses a database that holds any row. PostgreSQL: runs `pg_restore`, which must be installed.
    """
    from hepbuilder.config import database_url_from_env
    from hepbuilder.db.backup import BackupError, restore_database
    from hepbuilder.db.migrate import upgrade

    url = database_url_from_env()
    try:
        how = restore_database(url, source)
    except (BackupError, OSError) as error:
        raise fail(str(error)) from None
    upgrade(url)  # a backup made by an older hepbuilder gets this one's schema
    click.echo(f"Restored {source} ({how}); the schema is up to date.")
