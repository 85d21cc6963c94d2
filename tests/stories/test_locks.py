"""Two workers on PostgreSQL: what one holds must not stop the other more than needed."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text, update

from soitin.db.engine import Database
from soitin.db.migrate import upgrade
from soitin.db.models import Item
from soitin.stories.aggregate import update_stories
from soitin.stories.index import forget_indexes
from tests.stories.helpers import ingest, item, source


@pytest.mark.parametrize("empty_engine", ["postgres"], indirect=True)
def test_items_pointing_at_a_story_do_not_block_its_update(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    forget_indexes()
    db = Database(empty_engine)
    with db.transaction() as s:
        src = source(s)
        first = item(src, "Khẩn cấp: đập thủy điện sắp vỡ, bà con hạ lưu phải sơ tán ngay đêm nay")
        other = item(src, "Giá vàng SJC hôm nay tăng mạnh, người dân xếp hàng dài chờ mua")
        ingest(s, [first, other])
        story_id, first_id, other_id = first.story_id, first.id, other.id
    assert story_id is not None and story_id != other.story_id

    with db.transaction() as worker_a, db.transaction() as worker_b:
        # Worker A points an item at the story and has not committed: its foreign-key
        # check holds KEY SHARE on the story row.
        worker_a.execute(update(Item).where(Item.id == other_id).values(story_id=story_id))
        # Worker B adds an item's figures to the same story meanwhile.
        worker_b.execute(text("SET LOCAL lock_timeout = '3s'"))
        mine = worker_b.get(Item, first_id)
        assert mine is not None
        figures = update_stories(worker_b, [mine], [], 24, 72)
        assert [f.id for f in figures] == [story_id]
        worker_a.rollback()
    forget_indexes()
