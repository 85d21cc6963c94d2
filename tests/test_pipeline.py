"""The whole pipeline on real databases: normalise → places → stories → detect → triage."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select, text

from soitin.db.engine import Database
from soitin.db.models import Case, Item, Story
from soitin.detect.catalog import PRODUCT
from soitin.ingest.incoming import IncomingItem
from soitin.ingest.sources import add_source
from soitin.ingest.store import store_items
from soitin.report.periods import parse_period
from soitin.report.stats import StatsQuery, compute_statistics
from soitin.review import accounts

SCAM = (
    "Điện lực Quảng Trị thông báo: quý khách nợ tiền điện 2 tháng, sẽ cắt điện trong 2 giờ. "
    "Chuyển khoản ngay 1.250.000đ vào tài khoản 0951234567 ngân hàng ACB hoặc bấm "
    "bit.ly/tiendien-qt để thanh toán."
)
NEWS = "Sở Giáo dục tỉnh Quảng Trị tổ chức lễ khai giảng năm học mới tại thành phố Đông Hà."


def test_items_come_out_scored_placed_grouped_and_triaged(db: Database) -> None:
    with db.transaction() as s:
        accounts.add_unit(s, "qt", "Tỉnh Quảng Trị", place_codes=["44"])
        source = add_source(s, name="Trang công khai (thử)", kind="file")
        store_items(
            s,
            source,
            [
                IncomingItem(external_id="a", text=SCAM),
                IncomingItem(external_id="b", text=SCAM + " 🙏 chia sẻ gấp"),
                IncomingItem(external_id="c", text=NEWS),
            ],
            key="k" * 16,
        )
    with db.session() as s:
        items = {i.external_id: i for i in s.scalars(select(Item))}
        scam, repost, news = items["a"], items["b"], items["c"]
        for item in items.values():
            assert item.processed_at is not None
            assert item.text_folded  # normalised and folded
            assert "44" in item.province_codes  # Quảng Trị, Đông Hà
            assert set(PRODUCT) <= set(item.scores)
            for name in PRODUCT:
                stored = item.scores[name]
                assert stored["model"] and stored["version"]  # every score says its model
                assert 0.0 <= stored["score"] <= 1.0
        assert scam.story_id == repost.story_id != news.story_id
        assert scam.category == "scam"
        assert scam.scores["scam"]["score"] > news.scores["scam"]["score"]
        assert any("0951234567" in v for v in scam.scores["scam"]["evidence"].values())
        assert scam.scores["scam"]["explanation"] and scam.scores["scam"]["highlights"]
        # a result that explains nothing stores no empty lists, and no name its key repeats
        quiet = news.scores["scam"]
        assert set(quiet) == {"model", "version", "label", "score", "probabilities"}, quiet
        story = s.get(Story, scam.story_id)
        assert story is not None and story.item_count == 2
        assert story.max_scores["scam"] == max(
            scam.scores["scam"]["score"], repost.scores["scam"]["score"]
        )
        case = s.scalar(select(Case).where(Case.story_id == story.id))
        assert case is not None and case.priority > 0
        # the story takes its items' category: reports and the dashboard count stories by it
        assert story.category == "scam"
        assert news.category is None and s.get(Story, news.story_id).category is None  # type: ignore[union-attr]
        unit = accounts.get_unit(s, "qt")
        period = parse_period(
            scam.fetched_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m")
        )
        figures = compute_statistics(s, StatsQuery(unit_id=unit.id, period=period))
        assert figures.stories_by_category == {"scam": 1, "uncategorised": 1}
        only_scam = StatsQuery(unit_id=unit.id, period=period, category="scam")
        assert compute_statistics(s, only_scam).totals["stories"] == 1


def test_a_story_is_named_by_the_first_harm_category_of_its_items() -> None:
    from soitin.stories.aggregate import story_category

    assert story_category(None, [None, None]) is None
    assert story_category(None, [None, "scam", "toxic"]) == "scam"  # the first one stays
    assert story_category("toxic", ["scam"]) == "toxic"
    assert story_category(None, ["spam", None]) == "spam"
    assert story_category("spam", ["spam", "misinformation"]) == "misinformation"  # harm wins
    assert story_category("misinformation", ["spam"]) == "misinformation"


def test_worker_run_that_died_after_assignment_counts_items_once(db: Database) -> None:
    from soitin.pipeline import run_stages, worker_stages
    from soitin.tasks import process_item_batch
    from tests.stories.helpers import item, source

    with db.transaction() as s:
        accounts.add_unit(s, "qt2", "Tỉnh Quảng Trị (thử)", place_codes=["44"])
        src = source(s)
        items = [item(src, SCAM), item(src, SCAM + " 🙏 chia sẻ gấp"), item(src, NEWS)]
        s.add_all(items)
        s.flush()
        ids = [it.id for it in items]
    first, _second = worker_stages()
    with db.transaction() as s:  # the first transaction commits, then the worker dies
        run_stages(
            s, list(s.scalars(select(Item).where(Item.id.in_(ids)))), first, mark_processed=False
        )
    with db.session() as s:
        stored = list(s.scalars(select(Item).where(Item.id.in_(ids))))
        assert all(it.story_id and it.processed_at is None for it in stored)
        assert {s.get(Story, it.story_id).item_count for it in stored} == {0}  # type: ignore[union-attr]

    assert process_item_batch(ids, db) == 3  # the redelivered message
    assert process_item_batch(ids, db) == 0  # and once more: nothing left to do
    with db.session() as s:
        stored = {it.external_id: it for it in s.scalars(select(Item).where(Item.id.in_(ids)))}
        scam, repost, news = (stored[it.external_id] for it in items)
        assert all(it.processed_at is not None for it in stored.values())
        assert scam.story_id == repost.story_id != news.story_id
        story = s.get(Story, scam.story_id)
        assert story is not None and story.item_count == 2  # counted once
        assert story.representative_item_id == scam.id  # a new story: the first item shows
        assert story.category == "scam"
        assert s.scalar(select(Case).where(Case.story_id == story.id)) is not None


def _item_row_writes(db: Database) -> tuple[list[int], Any]:
    """A list that counts the item rows each `UPDATE items` statement wrote, and its hook."""
    from sqlalchemy import event

    writes: list[int] = []

    def count(_c: Any, cursor: Any, statement: str, _p: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("UPDATE ITEMS"):
            writes.append(cursor.rowcount)  # the rows written, one statement or many

    engine = db.engine
    event.listen(engine, "after_cursor_execute", count)
    return writes, count


def test_a_pipeline_run_writes_each_item_row_once(db: Database) -> None:
    from sqlalchemy import event

    texts = [SCAM, SCAM + " 🙏 chia sẻ gấp", NEWS] + [f"{NEWS} Tin số {i}." for i in range(12)]
    writes, hook = _item_row_writes(db)
    try:
        with db.transaction() as s:
            accounts.add_unit(s, "qt3", "Tỉnh Quảng Trị (thử 3)", place_codes=["44"])
            source = add_source(s, name="Trang công khai (thử 3)", kind="file")
            rows = [IncomingItem(external_id=f"w{i}", text=t) for i, t in enumerate(texts)]
            store_items(s, source, rows, key="k" * 16)
    finally:
        event.remove(db.engine, "after_cursor_execute", hook)
    # text, places, scores, story and "processed" in one UPDATE per item (before: five)
    assert sum(writes) == len(texts), writes
    with db.session() as s:
        stored = list(s.scalars(select(Item).where(Item.external_id.like("w%"))))
        assert len(stored) == len(texts)
        for it in stored:
            assert it.processed_at and it.text_folded and it.story_id and it.scores


class _ReadsFolded:
    """A stage that reads `items.text_folded` with SQL, as a plug-in stage might."""

    name = "reader"

    def __init__(self, reads_items: bool) -> None:
        self.reads_items = reads_items
        self.seen: list[str] = []

    def __call__(self, session: Any, items: Any) -> None:
        ids = [it.id for it in items]
        self.seen = list(session.scalars(select(Item.text_folded).where(Item.id.in_(ids))))


def test_a_stage_that_reads_items_with_sql_sees_what_earlier_stages_set(db: Database) -> None:
    from soitin.pipeline import run_stages
    from soitin.text.stage import TextStage
    from tests.stories.helpers import item, source

    with db.transaction() as s:
        src = source(s)
        items = [item(src, NEWS), item(src, SCAM)]
        s.add_all(items)
        s.flush()
        reader, blind = _ReadsFolded(reads_items=True), _ReadsFolded(reads_items=False)
        run_stages(s, items, [TextStage(), blind, reader])
        assert all("quang tri" in folded for folded in reader.seen), reader.seen
        # without the attribute a stage sees the columns as stored before the run
        assert blind.seen == ["", ""]
        # and every item is processed, with its column written
        assert all(it.processed_at is not None for it in items)
    with db.session() as s:
        ids = [it.id for it in items]
        assert all(s.scalars(select(Item.processed_at).where(Item.id.in_(ids))))


def test_buffered_columns_write_nothing_when_the_block_fails(db: Database) -> None:
    import pytest

    from soitin.db.bulk import buffered_columns, write_columns
    from tests.stories.helpers import item, source

    with db.transaction() as s:
        src = source(s)
        it = item(src, NEWS)
        s.add(it)
        s.flush()
        with pytest.raises(RuntimeError), buffered_columns(s):
            write_columns(s, [it], [{"text_folded": "da ghi"}])
            raise RuntimeError("stage failed")
        assert s.scalar(select(Item.text_folded).where(Item.id == it.id)) == ""


def test_a_worker_batch_loads_its_items_once(db: Database) -> None:
    from sqlalchemy import event

    from soitin.tasks import process_item_batch
    from tests.stories.helpers import item, source

    with db.transaction() as s:
        src = source(s)
        items = [item(src, SCAM), item(src, NEWS), item(src, NEWS + " 🙏")]
        s.add_all(items)
        s.flush()
        ids = [it.id for it in items]
    full_loads: list[str] = []

    def watch(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        if statement.lstrip().startswith("SELECT items.id, items.source_id"):
            full_loads.append(statement)

    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        assert process_item_batch(ids, db) == 3
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)
    # the second transaction locks the ids and goes on with the first one's objects
    assert len(full_loads) == 1, full_loads
    with db.session() as s:
        stored = list(s.scalars(select(Item).where(Item.id.in_(ids))))
        assert all(it.processed_at and it.story_id for it in stored)
        story = s.get(Story, next(it.story_id for it in stored if it.id == ids[0]))
        assert story is not None and story.item_count == 1


@pytest.mark.parametrize("empty_engine", ["postgres"], indirect=True)
def test_on_postgresql_marking_items_processed_leaves_their_rows_where_they_are(
    empty_engine: Engine,
) -> None:
    """The worker's second write of an item (`processed_at`, in no index) stays on the row's
    page, so PostgreSQL updates none of its indexes (a heap-only tuple): pages keep room."""
    from soitin.db.migrate import upgrade
    from soitin.pipeline import run_stages, worker_stages
    from tests.stories.helpers import item, source

    upgrade(empty_engine)
    db = Database(empty_engine)
    with db.transaction() as s:
        src = source(s)
        items = [item(src, f"{NEWS} Tin số {n}: {SCAM[: 40 + n]}") for n in range(120)]
        s.add_all(items)
        s.flush()
        ids = [it.id for it in items]
    first, second = worker_stages()

    def pages() -> dict[int, str]:
        with db.session() as s:
            rows = s.execute(
                text("SELECT id, (ctid::text::point)[0] FROM items WHERE id = ANY(:ids)"),
                {"ids": ids},
            )
            return {row[0]: str(row[1]) for row in rows}

    with db.transaction() as s:
        loaded = list(s.scalars(select(Item).where(Item.id.in_(ids))))
        run_stages(s, loaded, first, mark_processed=False)
    before = pages()
    with db.transaction() as s:
        loaded = list(s.scalars(select(Item).where(Item.id.in_(ids))))
        run_stages(s, loaded, second)
    after = pages()
    with db.session() as s:
        assert s.scalar(select(func.count()).where(Item.processed_at.is_not(None))) == len(ids)
    stayed = sum(before[i] == after[i] for i in ids)
    assert stayed >= 0.9 * len(ids), f"{stayed} of {len(ids)} rows stayed on their page"
