"""Bulk writes: inserts that give back the new ids in row order, column updates by id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from soitin.db.models import Item

__all__ = ["insert_returning_ids", "write_columns"]


def insert_returning_ids(
    session: Session, table: Table, rows: Sequence[dict[str, Any]]
) -> list[int]:
    """Insert `rows` into `table` (integer primary key `id`); their new ids, in row order.

    SQLAlchemy's `sort_by_parameter_order` sends one statement per row on SQLite. SQLite
    inserts the rows of a multi-row INSERT one after another, each taking the largest rowid
    so far plus one, and the session holds the write lock: the ids, sorted, are the rows'
    ids in order. PostgreSQL keeps SQLAlchemy's batched, ordered RETURNING.
    """
    if not rows:
        return []
    id_column = table.c.id
    if session.get_bind().dialect.name == "sqlite":
        ids = session.execute(table.insert().returning(id_column), list(rows)).scalars().all()
        return sorted(ids)
    stmt = table.insert().returning(id_column, sort_by_parameter_order=True)
    return list(session.execute(stmt, list(rows)).scalars().all())


def write_columns(
    session: Session, items: Sequence[Item], values: Sequence[dict[str, Any]]
) -> None:
    """Store `values[i]` on `items[i]` with one executemany UPDATE by primary key.

    The ORM's own flush sends one statement per run of rows that changed the same columns
    (text only, text and provinces, …: hundreds per batch); here every row of one call sets
    the same columns. The objects get the values as stored (not marked dirty). Items added
    to the session but not flushed yet are flushed first, to get their ids.
    """
    if not items:
        return
    if any(item.id is None for item in items):
        session.flush()
    rows = [{"id": item.id, **vals} for item, vals in zip(items, values, strict=True)]
    if any(row["id"] is None for row in rows):
        raise ValueError("write_columns needs items that have been flushed (an id)")
    session.execute(update(Item), rows)
    for item, vals in zip(items, values, strict=True):
        for key, value in vals.items():
            set_committed_value(item, key, value)
