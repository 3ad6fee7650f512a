"""Substring search with SQL LIKE, the same results for every table and both databases.

`column LIKE '%text%'` alone scans every row it is asked about. On PostgreSQL the searched
tables' `search_text` has a pg_trgm GIN index (migration 0012) that serves the LIKE itself. On
SQLite the same columns have an FTS5 trigram index (migration 0016: an external-content table
`<table>_fts` kept in step by triggers); `contains_any` then adds
`id IN (SELECT rowid FROM <table>_fts WHERE search_text MATCH '"text"')` in front of the LIKE,
for texts of 3 or more characters (a trigram index knows nothing shorter). The MATCH finds a
superset of the LIKE's rows (a trigram phrase is a substring, case folded), and the LIKE, kept,
makes the result exactly what it was without the index.
"""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, column, or_, select, table
from sqlalchemy import text as sql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.visitors import InternalTraversal

# table -> its FTS5 trigram table on SQLite (migration 0016), over the table's search_text
SQLITE_SEARCH_INDEXES = {"patient": "patient_fts", "exercise": "exercise_fts"}
TRIGRAM = 3  # the shortest text a trigram index can look up
FTS5_SHADOW_SUFFIXES = ("", "_data", "_idx", "_config", "_docsize", "_content")


def is_search_index_table(name: str) -> bool:
    """True for the FTS5 tables of SQLITE_SEARCH_INDEXES and their shadow tables: an index, not
    data (no model describes them; a restore target may hold their bookkeeping rows)."""
    return any(
        name == f"{fts}{suffix}"
        for fts in SQLITE_SEARCH_INDEXES.values()
        for suffix in FTS5_SHADOW_SUFFIXES
    )


def _like(column_: ColumnElement, text: str) -> ColumnElement[bool]:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column_.like(f"%{escaped}%", escape="\\")


def _phrase(text: str) -> str:
    """`text` as an FTS5 phrase: every character literal (a `"` doubled)."""
    return '"' + text.replace('"', '""') + '"'


class _IndexedOnSqlite(ColumnElement[bool]):
    """`plain` everywhere; `indexed` (the same rows, read through the FTS5 index) on SQLite."""

    inherit_cache = True
    _is_implicitly_boolean = True  # a condition: no "= 1" after it on SQLite
    _traverse_internals = [
        ("plain", InternalTraversal.dp_clauseelement),
        ("indexed", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, plain: ColumnElement[bool], indexed: ColumnElement[bool]):
        self.plain = plain
        self.indexed = indexed
        self.type = plain.type


@compiles(_IndexedOnSqlite)
def _compile_plain(element, compiler, **kw):
    return compiler.process(element.plain, **kw)


@compiles(_IndexedOnSqlite, "sqlite")
def _compile_indexed(element, compiler, **kw):
    return compiler.process(element.indexed, **kw)


def contains_any(column_: InstrumentedAttribute | ColumnElement, texts: Sequence[str]):
    """`column LIKE '%text%'` for any of `texts`, each taken literally (`%`, `_` and `\\` in it
    match themselves, never act as wildcards); read through the SQLite FTS5 index when the
    column is an indexed `search_text` and every text has 3 or more characters."""
    plain = or_(*(_like(column_, text) for text in texts))
    entity = getattr(column_, "parent", None)
    fts_name = SQLITE_SEARCH_INDEXES.get(
        getattr(getattr(column_, "class_", None), "__tablename__", "")
    )
    if (
        fts_name is None
        or getattr(column_, "key", "") != "search_text"
        or not texts
        or any(len(text) < TRIGRAM for text in texts)
    ):
        return plain
    fts = table(fts_name, column("rowid"), column("search_text"))
    query = " OR ".join(_phrase(text) for text in texts)
    found = select(fts.c.rowid).where(fts.c.search_text.match(query))
    return _IndexedOnSqlite(plain, entity.entity.id.in_(found) & plain)


def contains(column_: InstrumentedAttribute | ColumnElement, text: str) -> ColumnElement[bool]:
    """`column LIKE '%text%'` with `text` taken literally (see contains_any)."""
    return contains_any(column_, [text])


def forget_replaced_search_text(session: Session, table_name: str) -> None:
    """Make the SQLite FTS5 index of `table_name` hold nothing of texts replaced or deleted so
    far (a patient's erased name). FTS5 records a removal as a tombstone beside the old entry,
    which stays in the index's pages until segments merge; 'optimize' merges them all now,
    dropping both. It rewrites the table's whole index (a clinic's patients: well under a
    second), so it is for erasure, not every edit. PostgreSQL: nothing to do here."""
    fts_name = SQLITE_SEARCH_INDEXES[table_name]
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sql(f"INSERT INTO {fts_name}({fts_name}) VALUES ('optimize')"))
