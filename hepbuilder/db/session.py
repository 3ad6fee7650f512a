"""Engine and session factory. One engine per database URL per process.

SQLite: pysqlite's own transaction handling is switched off and SQLAlchemy emits BEGIN itself
(SQLAlchemy's documented "serializable isolation / savepoints" recipe for pysqlite). Without it,
pysqlite never opens a transaction before a SELECT or a SAVEPOINT, so a `begin_nested()` savepoint
became a transaction of its own whose RELEASE committed its rows early (12 concurrent API POSTs
with one Idempotency-Key stored two patients, one of them without its audit event).

Sessions that may write begin with `BEGIN IMMEDIATE`: they take SQLite's one write lock up front,
and a second writer waits for it (busy_timeout) instead of failing. Nearly every request writes
(an audit event for each read, the session's last-seen time), and a plain (deferred) BEGIN that
reads first and writes later fails at once with "database is locked" when another writer
committed in between: waiting cannot help there, only re-running the whole request. Readers that
never write (a report, a test's second client) may ask for `begin="DEFERRED"`: in WAL mode they
read a consistent snapshot without taking the write lock. PostgreSQL needs none of this.

Read-only requests: a GET whose page reads patient data writes its audit event, so it must
begin IMMEDIATE (a deferred read that then writes fails at once if another request wrote
meanwhile). What such a page reads after committing that event, and the sign-in check before it
(the session row is written at most once a minute, in its own short transaction), run in
`read_only_transaction`: BEGIN DEFERRED on SQLite, so the page is built without holding the
write lock, and any write there fails at once instead of only when two requests meet. (On
PostgreSQL the sign-in check is instead the first read of the request's transaction: readers never
wait for writers there, and it saves a connection checkout, web/auth.py `_load_user`.)
"""

from functools import lru_cache

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BEGIN_OPTION = "hepbuilder_sqlite_begin"
READ_ONLY_OPTION = "hepbuilder_read_only"
SQLITE_BEGIN_MODES = ("IMMEDIATE", "DEFERRED")
SQLITE_BUSY_TIMEOUT_MS = 15000


def _configure_sqlite_connection(dbapi_connection, _record):
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN (see _begin_sqlite)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _begin_sqlite(connection: Connection) -> None:
    mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "IMMEDIATE")
    connection.exec_driver_sql(f"BEGIN {mode}")


def _refuse_writes(connection: Connection, _cursor, statement: str, *_args) -> None:
    """In a transaction begun by `read_only_transaction`, only reads may run."""
    if connection.get_execution_options().get(READ_ONLY_OPTION) and not statement.lstrip()[
        :6
    ].upper().startswith(("SELECT", "WITH", "BEGIN", "PRAGMA")):
        raise PermissionError(f"A write in a read-only transaction: {statement[:60]!r}")


def read_only_transaction(session: Session) -> bool:
    """Begin the session's next transaction as one that only reads: on SQLite `BEGIN DEFERRED`,
    so it takes no write lock and other requests write meanwhile; on PostgreSQL `BEGIN READ
    ONLY`. A write in it fails at once (PermissionError on SQLite, a database error on
    PostgreSQL), never only when two requests happen to meet. With a transaction already open
    (nothing committed yet) nothing changes and it returns False."""
    if session.in_transaction():
        return False
    options = {SQLITE_BEGIN_OPTION: "DEFERRED", READ_ONLY_OPTION: True}
    if session.get_bind().dialect.name == "postgresql":
        options["postgresql_readonly"] = True
    session.connection(execution_options=options)
    return True


def transaction_has_written(session: Session) -> bool:
    """Whether the session's transaction has written anything, as far as triggers deferred to
    the commit could matter: on PostgreSQL, whether it has a transaction id (the library_version
    triggers of migration 0024 run at commit, so a transaction that changed the library still
    reads the number from before). SQLite runs its triggers at once: always False there."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    return bool(session.scalar(text("SELECT txid_current_if_assigned() IS NOT NULL")))


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """The shared engine for `url` (SQLite gets foreign keys, WAL, a busy timeout and real
    transactions that begin IMMEDIATE unless a reader asks otherwise)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _configure_sqlite_connection)
        event.listen(engine, "begin", _begin_sqlite)
        event.listen(engine, "before_cursor_execute", _refuse_writes)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def session_factory(
    url: str, *, begin: str = "IMMEDIATE", info: dict | None = None
) -> sessionmaker[Session]:
    """Sessions on `url`. `begin="DEFERRED"` is for sessions that only read (SQLite only; see the
    module's docstring); PostgreSQL ignores it. Each session starts with a copy of `info` (the
    PDF stores: db/pdf_store.py)."""
    if begin not in SQLITE_BEGIN_MODES:
        raise ValueError(f"begin must be one of {SQLITE_BEGIN_MODES}")
    engine = get_engine(url)
    if begin != "IMMEDIATE":
        engine = engine.execution_options(**{SQLITE_BEGIN_OPTION: begin})
    return sessionmaker(bind=engine, expire_on_commit=False, info=info)
