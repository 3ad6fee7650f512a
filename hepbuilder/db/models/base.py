"""The declarative base every model shares, its naming convention, and the helpers the models
and Alembic use (utcnow, trigram_index, schema_object_filter)."""

import datetime as dt

from sqlalchemy import Index, MetaData
from sqlalchemy.orm import DeclarativeBase

from ..like import is_search_index_table

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def trigram_index(name: str, column: str) -> Index:
    """A GIN index on (clinic_id, a folded search column): pg_trgm's trigrams of the column and
    btree_gin's clinic ids (migration 0020), so `clinic_id = ? AND LIKE '%term%'` (terms of 3
    or more characters) reads only the clinic's part of each trigram's list, not the whole
    group's, nor every row of the clinic. PostgreSQL only: SQLite has an FTS5 trigram table
    instead (migration 0016, read by db/like.py)."""
    return Index(
        name,
        "clinic_id",
        column,
        postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
        info={"only_on": "postgresql"},
    ).ddl_if(dialect="postgresql")


def schema_object_filter(dialect_name: str):
    """Alembic's include_object for `dialect_name`: leaves out what the models create only on
    another database (an index with info["only_on"]), so autogenerate compares like with like,
    and SQLite's FTS5 search tables (migration 0016): indexes made of virtual and shadow tables,
    which no model describes."""

    def include(obj, name, type_, reflected, _compare_to) -> bool:
        if reflected and type_ == "table" and is_search_index_table(name):
            return False
        only_on = getattr(obj, "info", {}).get("only_on")
        return reflected or only_on in (None, dialect_name)

    return include
