"""store_items: exactly once per (source, key), authors pseudonymised, new items processed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from soitin.db.engine import Database
from soitin.db.models import Item, Source
from soitin.ingest.incoming import IncomingItem
from soitin.ingest.privacy import pseudonymise_author
from soitin.ingest.store import content_hash, ids_for_keys, store_items
from tests.ingest.conftest import TEST_KEY


def _count(db: Database, source: Source) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).where(Item.source_id == source.id)) or 0)


def test_stores_new_items_once_and_skips_them_on_retry(
    db: Database, make_source: Callable[..., Source]
) -> None:
    source = make_source()
    rows = [IncomingItem(external_id=f"p{i}", text=f"Bài viết số {i}") for i in range(3)]
    with db.transaction() as session:
        first = store_items(session, source, rows)
    assert (first.received, first.inserted, first.duplicates) == (3, 3, 0)
    assert len(first.new_ids) == 3
    with db.transaction() as session:
        again = store_items(session, source, rows)
    assert (again.received, again.inserted, again.duplicates) == (3, 0, 3)
    assert again.new_ids == []
    assert _count(db, source) == 3


def test_rows_without_an_id_are_keyed_by_content(
    db: Database, make_source: Callable[..., Source]
) -> None:
    source = make_source()
    when = datetime(2025, 5, 12, 1, 30, tzinfo=UTC)
    rows = [
        IncomingItem(text="Cảnh báo lừa đảo", author="an", published_at=when),
        IncomingItem(text="Cảnh   báo lừa đảo ", author="an", published_at=when),  # same content
        IncomingItem(text="Cảnh báo lừa đảo", author="binh", published_at=when),  # other author
        IncomingItem(text="Cảnh báo lừa đảo", author="an"),  # no time
    ]
    with db.transaction() as session:
        result = store_items(session, source, rows)
    assert (result.inserted, result.duplicates) == (3, 1)
    assert result.keys[0] == result.keys[1] and result.keys[0].startswith("h:")
    with db.transaction() as session:
        assert store_items(session, source, rows).inserted == 0
    assert _count(db, source) == 3


def test_same_external_id_in_two_sources_is_two_items(
    db: Database, make_source: Callable[..., Source]
) -> None:
    a, b = make_source("Nguồn A"), make_source("Nguồn B")
    row = IncomingItem(external_id="42", text="x")
    with db.transaction() as session:
        assert store_items(session, a, [row]).inserted == 1
        assert store_items(session, b, [row]).inserted == 1


def test_author_handle_is_never_stored(db: Database, make_source: Callable[..., Source]) -> None:
    source = make_source()
    rows = [
        IncomingItem(external_id="1", text="một", author="@Nguyen.Van.A"),
        IncomingItem(external_id="2", text="hai", author="nguyen.van.a"),
        IncomingItem(external_id="3", text="ba", author="tran.thi.b"),
    ]
    with db.transaction() as session:
        store_items(session, source, rows)
    with db.session() as session:
        items = session.scalars(
            select(Item).where(Item.source_id == source.id).order_by(Item.external_id)
        ).all()
        stored = [
            str(getattr(item, column.key)) for item in items for column in Item.__table__.columns
        ]
    assert not any("nguyen" in value.lower() or "tran.thi" in value for value in stored)
    expected = pseudonymise_author("nguyen.van.a", TEST_KEY)
    assert items[0].author_hash == items[1].author_hash == expected
    assert items[2].author_hash != expected and len(expected) == 64


def test_new_items_go_through_the_pipeline_and_old_ones_do_not(
    db: Database, make_source: Callable[..., Source]
) -> None:
    source = make_source()
    with db.transaction() as session:
        store_items(session, source, [IncomingItem(external_id="a", text="một")])
    with db.session() as session:
        first_done = session.scalar(select(Item.processed_at).where(Item.external_id == "a"))
    assert first_done is not None
    with db.transaction() as session:
        result = store_items(
            session,
            source,
            [IncomingItem(external_id="a", text="một"), IncomingItem(external_id="b", text="hai")],
        )
    with db.session() as session:
        rows = dict(
            session.execute(
                select(Item.external_id, Item.processed_at).where(Item.source_id == source.id)
            ).all()
        )
    assert result.inserted == 1
    assert rows["a"] == first_done  # not processed again
    assert rows["b"] is not None


def test_on_sqlite_items_are_stored_folded_and_searchable_before_the_pipeline_runs(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite indexes an item's folded text once, as it is stored (with a broker configured,
    the pipeline does not run here: the item is found all the same)."""
    from soitin.ingest.sources import add_source
    from soitin.settings import get_settings
    from soitin.text.fold import fold_item_text
    from soitin.text.search import search_items

    db = sqlite_db
    with db.transaction() as session:
        source = add_source(session, kind="file", name="Nguồn thử")
    monkeypatch.setenv("SOITIN_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
    get_settings.cache_clear()
    try:
        with pytest.raises(RuntimeError), db.transaction() as session:
            store_items(
                session,
                source,
                [
                    IncomingItem(external_id="a", title="Cảnh báo", text="LỪA ĐẢO qua điện thoại"),
                    IncomingItem(external_id="b", text="Giá lúa hôm nay"),
                ],
            )
            item = session.scalars(select(Item).where(Item.external_id == "a")).one()
            assert item.processed_at is None  # deferred to the workers
            assert item.text_folded == fold_item_text("Cảnh báo", "LỪA ĐẢO qua điện thoại")
            assert [h.item_id for h in search_items(session, "lua dao")] == [item.id]
            raise RuntimeError("rolled back: nothing is sent to the broker")
    finally:
        get_settings.cache_clear()
    assert _count(db, source) == 0


def test_store_items_does_not_commit(db: Database, make_source: Callable[..., Source]) -> None:
    source = make_source()
    with pytest.raises(RuntimeError), db.transaction() as session:
        assert store_items(session, source, [IncomingItem(text="x")]).inserted == 1
        raise RuntimeError("the caller's batch fails")
    assert _count(db, source) == 0


def test_control_characters_are_removed_and_text_is_nfc(
    db: Database, make_source: Callable[..., Source]
) -> None:
    source = make_source()
    decomposed = "Vie\u0302\u0323t Nam\x00 ok\x07"
    with db.transaction() as session:
        store_items(session, source, [IncomingItem(external_id="n", text=decomposed)])
    with db.session() as session:
        text = session.scalar(select(Item.text).where(Item.source_id == source.id))
    assert text == "Việt Nam ok"


def test_large_batches_are_chunked_and_ids_found(
    db: Database, make_source: Callable[..., Source]
) -> None:
    source = make_source()
    rows = [IncomingItem(external_id=str(i), text=f"tin {i}", likes=i) for i in range(600)]
    with db.transaction() as session:
        result = store_items(session, source, rows)
        ids = ids_for_keys(session, source.id, result.keys)
    assert result.inserted == 600 and len(set(result.new_ids)) == 600
    assert set(ids.values()) == set(result.new_ids)
    with db.session() as session:
        likes = session.scalar(select(func.sum(Item.likes)).where(Item.source_id == source.id))
    assert likes == sum(range(600))


def test_content_hash_ignores_spacing_but_not_words() -> None:
    assert content_hash("T", "a  b\n c", None) == content_hash("T", "a b c", None)
    assert content_hash("T", "a b c", None) != content_hash("T", "a b d", None)
    assert content_hash(None, "x", "https://a.vn/") != content_hash(None, "x", None)
