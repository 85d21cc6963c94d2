"""`insert_returning_ids`: new ids come back in the order of the rows, on both databases."""

from __future__ import annotations

from typing import cast

import numpy as np
import pytest
from sqlalchemy import Table, delete, select
from sqlalchemy.exc import StatementError

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


def test_write_columns_stores_values_in_one_statement(db: Database) -> None:
    from sqlalchemy import event

    from soitin.db.bulk import write_columns
    from soitin.db.models import Item

    with db.transaction() as s:
        src = Source(kind="file", name="bulk-items")
        s.add(src)
        s.flush()
        items = [
            Item(source_id=src.id, external_id=f"w{i}", content_hash=f"w{i}", text=f"tin {i}")
            for i in range(30)
        ]
        s.add_all(items)
        s.flush()
        updates: list[str] = []
        bind = s.connection()
        listener = lambda *a: updates.append(a[2]) if a[2].startswith("UPDATE") else None  # noqa: E731
        event.listen(bind, "before_cursor_execute", listener)
        try:
            write_columns(
                s,
                items,
                [{"province_codes": ["01"] if i % 2 else [], "ward_codes": []} for i in range(30)],
            )
        finally:
            event.remove(bind, "before_cursor_execute", listener)
        assert len(updates) == 1  # one executemany, whatever each row's values
        assert not s.dirty  # the objects hold the stored values
        s.expire_all()
        codes = dict(s.execute(select(Item.external_id, Item.province_codes)).all())
        assert codes["w1"] == ["01"] and codes["w2"] == []
        with pytest.raises(ValueError, match="flushed"):
            write_columns(s, [Item(source_id=src.id, external_id="x", content_hash="x")], [{}])


def test_insert_alike_gives_n_rows_with_their_defaults(db: Database) -> None:
    from soitin.db.bulk import insert_alike

    now = utcnow()
    table = cast(Table, Story.__table__)
    with db.transaction() as s:
        ids = insert_alike(s, table, {"first_seen": now, "last_seen": now}, 700)
        assert ids == sorted(ids) and len(set(ids)) == 700
        stories = list(s.scalars(select(Story).where(Story.id.in_(ids))))
        assert len(stories) == 700
        for st in stories:
            assert st.first_seen == now and st.last_seen == now
            assert st.item_count == 0 and st.reach == 0 and st.velocity == 0.0
            assert st.province_codes == [] and st.max_scores == {}
            assert st.representative_text == "" and st.category is None
        assert insert_alike(s, table, {"first_seen": now, "last_seen": now}, 0) == []


def test_json_columns_store_letters_as_text_and_escape_lone_surrogates(db: Database) -> None:
    from sqlalchemy import String, cast

    now = utcnow()
    with db.transaction() as s:
        plain = Story(first_seen=now, last_seen=now, province_codes=["Quảng Trị", "44"])
        hostile = Story(first_seen=now, last_seen=now, province_codes=["x\ud800y"])
        s.add_all([plain, hostile])
        s.flush()
        ids = (plain.id, hostile.id)
    with db.session() as s:
        raw = dict(
            s.execute(
                select(Story.id, cast(Story.province_codes, String)).where(Story.id.in_(ids))
            ).all()
        )
        assert raw[ids[0]] == '["Quảng Trị","44"]'  # not "Qu\u1ea3ng Tr\u1ecb", no spaces
        assert raw[ids[1]] == '["x\\ud800y"]'  # no UTF-8 form: escaped, and nothing lost
        back = dict(
            s.execute(select(Story.id, Story.province_codes).where(Story.id.in_(ids))).all()
        )
        assert back == {ids[0]: ["Quảng Trị", "44"], ids[1]: ["x\ud800y"]}


def test_update_rows_stores_every_kind_of_value_in_one_statement(db: Database) -> None:
    from datetime import timedelta

    from sqlalchemy import event

    from soitin.db.bulk import update_rows

    now = utcnow()
    table = cast(Table, Story.__table__)
    with db.transaction() as s:
        ids = insert_returning_ids(s, table, [{"first_seen": now, "last_seen": now}] * 1500)
        texts = [
            'Tin "nóng" \\ đường dẫn C:\\x, {"a": [1]} — ',
            '=HYPERLINK("http://x")\t\n',
            "x\ud800y",  # a lone surrogate: kept, as JSON columns keep it
        ]
        rows = [
            {
                "id": story_id,
                "last_seen": now + timedelta(minutes=n),
                "item_count": n,
                "velocity": n / 7,
                "category": None if n % 2 else "scam",
                "representative_text": texts[n % 2] + str(n),
                "province_codes": [texts[n % 3], "44"],
                "max_scores": {"scam": {"score": n / 1500, "evidence": {"urls": [texts[0]]}}},
            }
            for n, story_id in enumerate(ids)
        ]
        statements: list[str] = []
        bind = s.connection()
        listener = lambda *a: statements.append(a[2])  # noqa: E731
        event.listen(bind, "before_cursor_execute", listener)
        try:
            update_rows(s, table, rows, [c for c in rows[0] if c != "id"])
        finally:
            event.remove(bind, "before_cursor_execute", listener)
        assert len(statements) == 1  # one statement (PostgreSQL) or one executemany (SQLite)
        s.expire_all()
        stored = {st.id: st for st in s.scalars(select(Story).where(Story.id.in_(ids)))}
        for row in rows:
            story = stored[row["id"]]
            assert {c: getattr(story, c) for c in row} == row
            assert story.first_seen == now  # a column not named is left alone
        if db.engine.dialect.name == "postgresql":  # the rows travel as one JSON document
            numpy_count = np.int64(7)  # a figure computed with numpy is stored as a number
            update_rows(s, table, [{"id": ids[0], "item_count": numpy_count}], ["item_count"])
            s.expire_all()
            assert s.get(Story, ids[0]).item_count == 7  # type: ignore[union-attr]
            with pytest.raises(ValueError, match="finite"):  # JSON holds no NaN: a clear error
                update_rows(s, table, [{"id": ids[0], "velocity": float("nan")}], ["velocity"])
        with pytest.raises((ValueError, StatementError), match="naive"):
            update_rows(
                s, table, [{"id": ids[0], "last_seen": now.replace(tzinfo=None)}], ["last_seen"]
            )
