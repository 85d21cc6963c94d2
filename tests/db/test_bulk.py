"""`insert_returning_ids`: new ids come back in the order of the rows, on both databases."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, delete, select

from soitin.db.bulk import insert_returning_ids
from soitin.db.engine import Database
from soitin.db.models import Source, Story
from soitin.db.types import utcnow


def test_ids_follow_the_rows(db: Database) -> None:
    table = cast(Table, Source.__table__)
    with db.transaction() as s:
        # a gap below: the largest id so far decides, not the count of rows
        first = insert_returning_ids(s, table, [{"name": "gap-a", "kind": "file"}])
        s.execute(delete(Source).where(Source.id == first[0]))
        rows = [{"name": f"bulk-{i:04d}", "kind": "file"} for i in range(1200)]
        ids = insert_returning_ids(s, table, rows)  # more rows than one SQLite statement takes
        assert len(ids) == 1200 and len(set(ids)) == 1200
        names = dict(s.execute(select(Source.id, Source.name).where(Source.id.in_(ids))).all())
        assert [names[i] for i in ids] == [r["name"] for r in rows]
        assert insert_returning_ids(s, table, []) == []


def test_story_rows_without_distinct_values_get_distinct_ids(db: Database) -> None:
    now = utcnow()
    with db.transaction() as s:
        ids = insert_returning_ids(
            s, cast(Table, Story.__table__), [{"first_seen": now, "last_seen": now}] * 3
        )
        assert ids == sorted(ids) and len(set(ids)) == 3
