"""Search re-index after a folding upgrade, on SQLite (FTS5) and PostgreSQL (GIN).

Items stored before the upgrade hold text folded the old way (grouped numbers not joined);
queries are folded the new way, so some stop matching until the re-index refolds them.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from typer.testing import CliRunner

from soitin.cli import app
from soitin.db import Database, make_engine
from soitin.db.meta import read_value, write_value
from soitin.db.migrate import upgrade
from soitin.db.models import Item, Source, Story
from soitin.ops.schedule import run_due
from soitin.text.fold import FOLD_VERSION, fold_for_search, fold_item_text
from soitin.text.reindex import (
    PROGRESS_KEY,
    VERSION_KEY,
    reindex_search,
    reindex_status,
    rows_to_reindex,
)
from soitin.text.search import search_items

BOTH = pytest.mark.parametrize("empty_engine", ["sqlite", "postgres"], indirect=True)
PHONE = "Gọi ngay 0912 345 678 để nhận quà tại TP.HCM"
PURGED_FOLDED = "noi dung cu 0912 345 678"


def _old_folding(title: str | None, text: str | None) -> str:
    """`text_folded` as written before grouped numbers were joined (folding version 1)."""
    return fold_for_search("\n".join(p for p in (title, text) if p))


def _store_old(database: Database, n: int = 7) -> dict[str, list[int]]:
    """`n` items and a story each, folded the old way, plus one purged item; version 1."""
    ids: dict[str, list[int]] = {"items": [], "stories": [], "purged": []}
    with database.transaction() as s:
        source = Source(kind="feed", name="Nguồn cũ")
        s.add(source)
        s.flush()
        for i in range(n):
            text = f"{PHONE} (bài {i})"
            story = Story(representative_text=text, search_text=_old_folding(None, text)[:4000])
            s.add(story)
            s.flush()
            item = Item(
                source_id=source.id,
                external_id=f"old-{i}",
                content_hash=f"old{i}",
                text=text,
                text_folded=_old_folding(None, text),
                story_id=story.id,
            )
            s.add(item)
            s.flush()
            story.representative_item_id = item.id
            ids["items"].append(item.id)
            ids["stories"].append(story.id)
        purged = Item(
            source_id=source.id,
            external_id="purged",
            content_hash="purged",
            text=None,
            text_folded=PURGED_FOLDED,
            raw_purged_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        s.add(purged)
        s.flush()
        ids["purged"].append(purged.id)
        write_value(s, VERSION_KEY, "1")
    return ids


def _found(database: Database, query: str) -> set[int]:
    with database.session() as s:
        return {hit.item_id for hit in search_items(s, query, limit=500)}


def test_reindex_makes_old_items_findable_by_grouped_numbers_and_records_the_version(
    db: Database,
) -> None:
    ids = _store_old(db)
    old = set(ids["items"])
    # The regression: the query is folded to the joined word, the stored text lacks it.
    assert _found(db, "0912 345 678") & old == set()
    assert _found(db, "TPHCM") & old == set()
    with db.session() as s:
        before = reindex_status(s)
        assert before.needed and not before.under_way and before.stored_version == 1
        assert rows_to_reindex(s) == len(old) * 2

    result = reindex_search(db, batch_size=3)

    assert result.finished
    assert (result.items_seen, result.items_changed) == (len(old), len(old))
    assert (result.stories_seen, result.stories_changed) == (len(old), len(old))
    for query in ("0912 345 678", "0912.345.678", "+84 912 345 678", "0912345678", "TPHCM"):
        assert _found(db, query) & old == old, query
    assert _found(db, '"nhan qua"') & old == old  # FTS rows of the old text are gone cleanly
    with db.session() as s:
        assert read_value(s, VERSION_KEY) == str(FOLD_VERSION)
        assert read_value(s, PROGRESS_KEY) is None
        assert rows_to_reindex(s) == 0 and not reindex_status(s).needed
        item = s.get(Item, ids["items"][0])
        assert item is not None and item.text_folded == fold_item_text(None, item.text)
        story = s.get(Story, ids["stories"][0])
        assert story is not None and story.search_text == item.text_folded
        # Retention blanked this item's text: its stored folded text stays as it was.
        purged = s.get(Item, ids["purged"][0])
        assert purged is not None and purged.text_folded == PURGED_FOLDED


def test_metrics_show_the_rows_left(db: Database, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from soitin.settings import load_settings
    from soitin.web.app import create_app

    _store_old(db, n=3)
    with TestClient(create_app(load_settings(data_dir=tmp_path, env="test"), db)) as client:
        assert "soitin_search_reindex_rows 6.0" in client.get("/metrics").text
        reindex_search(db, batch_size=2, budget_s=0)
        assert "soitin_search_reindex_rows 4.0" in client.get("/metrics").text
        reindex_search(db)
        assert "soitin_search_reindex_rows 0.0" in client.get("/metrics").text


def test_reindex_is_idempotent(db: Database) -> None:
    _store_old(db, n=3)
    assert reindex_search(db).items_changed == 3
    again = reindex_search(db)  # current: nothing read, nothing written
    assert again.finished and again.items_seen == 0
    forced = reindex_search(db, force=True)  # everything read again, nothing differs
    assert forced.finished and forced.items_seen == 3 and forced.stories_seen == 3
    assert forced.items_changed == 0 and forced.stories_changed == 0


def test_an_interrupted_reindex_goes_on_where_it_stopped(db: Database) -> None:
    ids = _store_old(db, n=7)
    # budget 0: one batch per call, like a process stopped after each commit
    first = reindex_search(db, batch_size=2, budget_s=0)
    assert not first.finished and first.items_changed == 2
    with db.session() as s:
        status = reindex_status(s)
        assert status.under_way and status.needed and status.done == 2
        assert read_value(s, VERSION_KEY) == "1"
    # searches work meanwhile: the refolded items are found by the joined number already
    assert len(_found(db, "0912.345.678") & set(ids["items"])) == 2
    calls, changed = 1, first.items_changed + first.stories_changed
    while True:
        step = reindex_search(db, batch_size=2, budget_s=0)
        calls += 1
        changed += step.items_changed + step.stories_changed
        if step.finished:
            break
        assert calls < 20
    assert changed == 14  # each row rewritten exactly once over all the runs
    assert _found(db, "0912.345.678") & set(ids["items"]) == set(ids["items"])


@BOTH
def test_two_runners_at_once_share_the_batches(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    database = Database(empty_engine)
    ids = _store_old(database, n=60)
    results = []
    lock = threading.Lock()

    def run() -> None:
        result = reindex_search(Database(empty_engine), batch_size=5)
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.finished for r in results)
    assert sum(r.items_changed for r in results) == 60  # no batch done twice
    assert sum(r.stories_changed for r in results) == 60
    assert _found(database, "0912.345.678") == set(ids["items"])


@BOTH
def test_the_scheduler_reindexes_without_anyone_asking(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    database = Database(empty_engine)
    ids = _store_old(database, n=4)
    started = run_due(database, datetime(2026, 11, 30, 8, 0, 30, tzinfo=UTC))
    assert "search_reindex" in started
    assert _found(database, "0912.345.678") == set(ids["items"])
    with database.session() as s:
        assert read_value(s, VERSION_KEY) == str(FOLD_VERSION)


def test_cli_reindex_and_status(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"SOITIN_DATA_DIR": str(tmp_path), "SOITIN_DATABASE_URL": f"sqlite:///{tmp_path}/t.db"}
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    engine = make_engine(env["SOITIN_DATABASE_URL"])
    database = Database(engine)
    status = runner.invoke(app, ["search", "status"], env=env)
    assert status.exit_code == 0, status.output
    assert f"stored {FOLD_VERSION}, code {FOLD_VERSION}" in status.output  # a new database
    ids = _store_old(database, n=5)
    status = runner.invoke(app, ["search", "status"], env=env)
    assert f"stored 1, code {FOLD_VERSION}" in status.output and "needed" in status.output

    result = runner.invoke(app, ["search", "reindex", "--batch-size", "10"], env=env)

    assert result.exit_code == 0, result.output
    assert "5 items (5 changed), 5 stories (5 changed)" in result.output
    assert _found(database, "0912.345.678") == set(ids["items"])
    again = runner.invoke(app, ["search", "reindex"], env=env)
    assert again.exit_code == 0 and "already current" in again.output
    forced = runner.invoke(app, ["search", "reindex", "--force"], env=env)
    assert "5 items (0 changed)" in forced.output  # the purged item is left out
    # A run left under way (for another folding version: it starts again from the first row).
    with database.transaction() as s:
        s.execute(update(Item).values(text_folded="x"))
        write_value(s, PROGRESS_KEY, '{"version": 99, "table": "items", "after": 0}')
    assert "under way" in runner.invoke(app, ["search", "status"], env=env).output
    resumed = runner.invoke(app, ["search", "reindex"], env=env)
    assert "(5 changed), 5 stories (0 changed)" in resumed.output, resumed.output
    with database.session() as s:
        assert s.scalar(select(Item.text_folded).where(Item.id == ids["items"][0])) != "x"
    engine.dispose()
