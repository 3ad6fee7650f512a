"""Substring search with SQL LIKE, the same results for every table and both databases.

`column LIKE '%text%'` alone scans every row it is asked about. On PostgreSQL the searched
tables have a GIN index over (clinic_id, search_text) (pg_trgm's trigrams, migration 0012, and
btree_gin's clinic ids, migration 0020) that serves the LIKE itself with `clinic_id = ?` inside
it: each trigram's list is read for the clinic only, not for the whole group. On
SQLite the same columns have an FTS5 trigram index (migration 0016: a contentless table
`<table>_fts` kept in step by triggers, its row id the clinic's and the row's); `search_in_clinic`
then adds `id IN (SELECT rowid - clinic range FROM <table>_fts WHERE search_text MATCH '"text"'
AND rowid in the clinic's range)` before the LIKEs, for terms of 3 or more characters (a trigram
index knows nothing shorter). The MATCH finds a superset of the LIKE's rows (a trigram phrase is
a substring, case folded); the LIKE, kept, makes the result exactly what it was without the index.
"""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, column, func, or_, select, table, true
from sqlalchemy import text as sql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.visitors import InternalTraversal

# table -> its FTS5 trigram table on SQLite (migration 0016), over the table's search_text
SQLITE_SEARCH_INDEXES = {"patient": "patient_fts", "exercise": "exercise_fts"}
TRIGRAM = 3  # the shortest text a trigram index can look up
CLINIC_ROWID_SPAN = 2**32  # an FTS5 row id is clinic_id * 2^32 + the row's id (migration 0016)
FTS5_SHADOW_SUFFIXES = ("", "_data", "_idx", "_config", "_docsize", "_content")


def is_search_index_table(name: str) -> bool:
    """True for the FTS5 tables of SQLITE_SEARCH_INDEXES and their shadow tables: an index, not
    data (no model describes them; a restore target may hold their bookkeeping rows)."""
    return any(
        name == f"{fts}{suffix}"
        for fts in SQLITE_SEARCH_INDEXES.values()
        for suffix in FTS5_SHADOW_SUFFIXES
    )


def _escaped(text: str) -> str:
    """`text` with LIKE's wildcards (and the escape character) taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(column_: ColumnElement, text: str) -> ColumnElement[bool]:
    return column_.like(f"%{_escaped(text)}%", escape="\\")


def starts_with(column_: ColumnElement, prefix: str) -> ColumnElement[bool]:
    """`column` begins with `prefix`, every character literal ("sign_in." matches no
    "signXin."): a LIKE with a fixed prefix, which a btree with pattern ops serves as a range
    (the audit trail's kind index, migration 0021)."""
    return column_.like(f"{_escaped(prefix)}%", escape="\\")


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


def contains(column_: ColumnElement, text: str) -> ColumnElement[bool]:
    """`column LIKE '%text%'` with `text` taken literally: `%`, `_` and `\\` in it match
    themselves, never act as wildcards. Reads no index on SQLite (see search_in_clinic)."""
    return _like(column_, text)


def _trigram_terms(terms: Sequence[Sequence[str]]) -> list[Sequence[str]]:
    """The terms a trigram index can look up: every alternative 3 characters or more."""
    return [term for term in terms if term and all(len(text) >= TRIGRAM for text in term)]


def count_matches(model, terms: Sequence[Sequence[str]]) -> ColumnElement[int]:
    """What to SELECT to count the rows of `search_in_clinic(model, clinic, terms)`: count(*)
    or count(id), the same number (an id is never NULL), read two ways on PostgreSQL.

    With no term a trigram index can look up, every row of the clinic has to be read, and
    count(*) lets PostgreSQL read them in a btree of the searched columns alone (patient:
    ix_patient_clinic_search, without the rows). With one, count(id) asks for a column no such
    btree holds, so the count reads the trigram index and then only the rows it found: the
    planner prices a LIKE on each of a clinic's 20,000 btree entries at next to nothing and
    would otherwise walk them all (16 ms against 1 for 750 matches, bench/search_scale.py)."""
    return func.count(model.id) if _trigram_terms(terms) else func.count()


def page_of_matches(
    columns: Sequence[ColumnElement],
    conditions: Sequence[ColumnElement[bool]],
    terms: Sequence[Sequence[str]],
    order_by: Sequence[ColumnElement],
    *,
    limit: int,
    offset: int,
) -> Select | None:
    """With a term the search index can look up (3 characters or more): one statement giving a
    page of the rows matching `conditions`, in `order_by`, each row ending with the number of
    matches ("total"). The matches are found in the index once, as a MATERIALIZED common table
    expression, then sorted and counted. Without one, None: the caller walks the name index.

    Why: a page of rows in name order makes PostgreSQL walk the (clinic, name) btree, testing
    the LIKE on every entry until the page is full, and a surname's matches sit together in that
    order (12,000 entries read before the 25 rows of "nunez" in a clinic of 20,000, 4.5 ms),
    and then the count reads the trigram index anyway (0.6 ms). From the materialized matches
    the page and the count together cost about what the count did alone."""
    if not _trigram_terms(terms):
        return None
    ordered = [key.label(f"_order_{number}") for number, key in enumerate(order_by)]
    found = select(*columns, *ordered).where(*conditions).cte("matches")
    found = found.prefix_with("MATERIALIZED")
    total = select(func.count()).select_from(found).scalar_subquery().label("total")
    return (
        select(*(found.c[column.key] for column in columns), total)
        .order_by(*(found.c[key.name] for key in ordered))
        .limit(limit)
        .offset(offset)
    )


def search_in_clinic(
    model, clinic_id: int, terms: Sequence[Sequence[str]]
) -> list[ColumnElement[bool]]:
    """The conditions "in clinic `clinic_id`, and for every term, `search_text` contains one of
    its alternatives" (each taken literally, as `contains`), for `model` (Patient, Exercise).

    On SQLite the terms whose alternatives all have 3 or more characters are looked up in the
    table's FTS5 index first, inside the clinic's range of index row ids (rowid = clinic_id *
    2^32 + id: the index's lists are the clinic's own, not the group's), and the clinic
    condition is written `clinic_id + 0 = ?` so the query starts from what the index found
    rather than walking the clinic's rows in name order (SQLite would, for the ORDER BY).
    The LIKEs stay, so the rows are the same either way."""
    likes = [or_(*(_like(model.search_text, text) for text in term)) for term in terms if term]
    in_clinic = model.clinic_id == clinic_id
    indexed = _trigram_terms(terms)
    fts_name = SQLITE_SEARCH_INDEXES.get(model.__tablename__)
    if not indexed or fts_name is None:
        return [in_clinic, *likes]
    fts = table(fts_name, column("rowid"), column("search_text"))
    query = " AND ".join(
        "(" + " OR ".join(_phrase(text) for text in term) + ")" for term in indexed
    )
    first = clinic_id * CLINIC_ROWID_SPAN
    found = select(fts.c.rowid - first).where(
        fts.c.search_text.match(query),
        fts.c.rowid.between(first, first + CLINIC_ROWID_SPAN - 1),
    )
    return [
        _IndexedOnSqlite(in_clinic, (model.clinic_id + 0) == clinic_id),
        _IndexedOnSqlite(true(), model.id.in_(found)),
        *likes,
    ]


def forget_replaced_search_text(session: Session, table_name: str) -> None:
    """Make the SQLite FTS5 index of `table_name` hold nothing of texts replaced or deleted so
    far (a patient's erased name). FTS5 records a removal as a tombstone beside the old entry,
    which stays in the index's pages until segments merge; 'optimize' merges them all now,
    dropping both. It rewrites the whole table's index, every clinic's (0.7 s for 200,000
    patients), so it is for erasure, not every edit. PostgreSQL: nothing to do here."""
    fts_name = SQLITE_SEARCH_INDEXES[table_name]
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sql(f"INSERT INTO {fts_name}({fts_name}) VALUES ('optimize')"))
