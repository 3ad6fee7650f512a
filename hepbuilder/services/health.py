"""Whether this app server can take requests: the database answers and its schema is the one this
version of hepbuilder runs on (`hepbuilder db upgrade` done). Read-only; no clinic data is read."""

import logging

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from hepbuilder.db.migrate import head_revision, schema_revision
from hepbuilder.db.session import read_only_transaction

log = logging.getLogger(__name__)


def readiness(session: Session) -> dict[str, str]:
    """{"status": "ok" or "not ready", "database": ..., "schema": ...}, each check "ok" or what
    is wrong in a few words; "ok" when both checks are. A database that does not answer is
    logged (its error's class only: the message may hold the connection's address)."""
    checks = _checks(session)
    ready = all(value == "ok" for value in checks.values())
    return {"status": "ok" if ready else "not ready", **checks}


def _checks(session: Session) -> dict[str, str]:
    try:
        read_only_transaction(session)  # on SQLite no write lock, however often it is asked
        revision = schema_revision(session)
    except SQLAlchemyError as error:
        session.rollback()
        log.warning("readiness: the database does not answer (%s)", type(error).__name__)
        return {"database": "not answering", "schema": "unknown"}
    session.rollback()  # nothing to keep: the next request starts afresh
    if revision is None:
        schema = "not created: run hepbuilder db upgrade"
    elif revision != head_revision():
        schema = "not current: run hepbuilder db upgrade"
    else:
        schema = "ok"
    return {"database": "ok", "schema": schema}
