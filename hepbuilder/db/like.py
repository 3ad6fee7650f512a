"""Substring search with SQL LIKE, the same way for every table and both databases."""

from sqlalchemy import ColumnElement
from sqlalchemy.orm import InstrumentedAttribute


def contains(column: InstrumentedAttribute, text: str) -> ColumnElement[bool]:
    """`column LIKE '%text%'` with `text` taken literally: `%`, `_` and `\\` in it match
    themselves, never act as wildcards."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")
