"""UTCDateTime: aware times stored as UTC on both databases, the same text on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import DateTime, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import StatementError

from soitin.db.engine import Database
from soitin.db.models import Source
from soitin.db.types import UTCDateTime

TIMES = [
    datetime(2026, 12, 1, 3, 0, tzinfo=UTC),
    datetime(2026, 12, 1, 10, 30, 15, 123456, tzinfo=timezone(timedelta(hours=7))),
    datetime(2026, 1, 1, 0, 0, 0, 1, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
    datetime(1, 1, 1, 12, 0, tzinfo=UTC),
    datetime(999, 6, 7, 8, 9, 10, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
]


def test_sqlite_text_is_what_sqlalchemys_own_processors_give() -> None:
    dialect = sqlite.dialect()
    ours = UTCDateTime().bind_processor(dialect)
    theirs = DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert ours is not None and theirs is not None
    for at in TIMES:
        naive_utc = at.astimezone(UTC).replace(tzinfo=None)
        assert ours(at) == theirs(naive_utc)
    assert ours(TIMES[1]) == "2026-12-01 03:30:15.123456"
    # the last time is remembered: repeats, the same instant in another zone or object, a new
    # one after, and a naive time after an equal aware one
    same = TIMES[1].astimezone(UTC)
    assert same is not TIMES[1] and ours(same) == ours(TIMES[1])
    ours(TIMES[0])
    with pytest.raises(ValueError, match="naive"):
        ours(TIMES[0].replace(tzinfo=None))
    a, b = TIMES[0], TIMES[1]
    assert [ours(t) for t in (a, a, b, b, a)] == [
        theirs(t.astimezone(UTC).replace(tzinfo=None)) for t in (a, a, b, b, a)
    ]
    assert ours(None) is None
    with pytest.raises(ValueError, match="naive"):
        ours(datetime(2026, 12, 1, 3, 0))  # noqa: DTZ001 - naive on purpose


@pytest.mark.parametrize("at", TIMES[:3])
def test_times_come_back_as_the_same_instant_in_utc(db: Database, at: datetime) -> None:
    with db.transaction() as s:
        source = Source(kind="file", name=f"types-{at.isoformat()}", created_at=at)
        s.add(source)
        s.flush()
        source_id = source.id
    with db.session() as s:
        back = s.scalar(select(Source.created_at).where(Source.id == source_id))
        stored = s.scalar(
            text("SELECT CAST(created_at AS TEXT) FROM sources WHERE id = :i"), {"i": source_id}
        )
    assert back == at and back is not None and back.tzinfo is not None
    assert back.utcoffset() == timedelta(0)
    if db.engine.dialect.name == "sqlite":
        assert stored == at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def test_naive_times_are_refused_on_both_databases(db: Database) -> None:
    with pytest.raises((ValueError, StatementError), match="naive"), db.transaction() as s:
        s.add(Source(kind="file", name="types-naive", created_at=datetime(2026, 12, 1)))  # noqa: DTZ001
        s.flush()
