"""One SQLAlchemy session per request, opened on first use and closed at teardown. The view owns the commit."""

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from hepbuilder.db.pdf_store import session_info
from hepbuilder.db.session import read_only_transaction, session_factory

__all__ = ["commit_then_read", "get_db", "read_only_transaction", "register_database"]


def register_database(app: Flask) -> None:
    """Sessions on DATABASE_URL that carry the PDF stores of PDF_STORE_SETTINGS."""
    app.extensions["hepbuilder.sessions"] = session_factory(
        app.config["DATABASE_URL"], info=session_info(app.config["PDF_STORE_SETTINGS"])
    )
    app.teardown_appcontext(_close_session)


def get_db() -> Session:
    """The request's session; anything not committed by the view is rolled back at teardown."""
    if "db" not in g:
        g.db = current_app.extensions["hepbuilder.sessions"]()
    return g.db


def commit_then_read(session: Session) -> None:
    """Commit what the request wrote (a page's audit event) and read the rest of it in a
    read-only transaction: on SQLite the page is then built without holding the one write lock,
    so the other workers' requests write meanwhile (db/session.py, read_only_transaction)."""
    session.commit()
    read_only_transaction(session)


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.rollback()
        session.close()
