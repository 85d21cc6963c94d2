"""The `meta` table: small facts about the stored data, read and written by key."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from soitin.db.models import MetaValue
from soitin.db.types import utcnow

__all__ = ["delete_value", "lock_value", "read_value", "write_value"]


def read_value(session: Session, key: str) -> str | None:
    """The value stored under `key`, or None."""
    return session.scalar(select(MetaValue.value).where(MetaValue.key == key))


def lock_value(session: Session, key: str, default: str) -> str:
    """The value under `key` (written as `default` when missing), locked until the commit.

    PostgreSQL: the row is locked (`FOR UPDATE`), so callers that lock the same key run one
    after the other and each reads what the previous one committed. SQLite: writing
    transactions already run one at a time (BEGIN IMMEDIATE).
    """
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(MetaValue)
    session.execute(
        insert.on_conflict_do_nothing(index_elements=["key"]),
        {"key": key, "value": default, "updated_at": utcnow()},
    )
    query = select(MetaValue.value).where(MetaValue.key == key)
    if dialect == "postgresql":
        query = query.with_for_update()
    value = session.scalar(query)
    return default if value is None else value


def write_value(session: Session, key: str, value: str) -> None:
    """Store `value` under `key` (insert or replace)."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(MetaValue)
    stmt = insert.values(key=key, value=value, updated_at=utcnow())
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
        )
    )


def delete_value(session: Session, key: str) -> None:
    """Remove `key` (nothing happens when it is absent)."""
    session.execute(delete(MetaValue).where(MetaValue.key == key))
