"""Bulk inserts that give back the new primary keys in the order of the rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

__all__ = ["insert_returning_ids"]


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
