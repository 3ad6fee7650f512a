"""One SQLAlchemy session per request, opened on first use and closed at teardown. The view owns the commit."""

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from hepbuilder.db.session import session_factory


def register_database(app: Flask) -> None:
    app.extensions["hepbuilder.sessions"] = session_factory(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)


def get_db() -> Session:
    """The request's session; anything not committed by the view is rolled back at teardown."""
    if "db" not in g:
        g.db = current_app.extensions["hepbuilder.sessions"]()
    return g.db


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.rollback()
        session.close()
