"""Search re-index: stored folded text brought to the folding version of this code.

`items.text_folded` and `stories.search_text` are written with `fold_item_text` when an item
arrives. When the folding changes (`FOLD_VERSION`), queries are folded the new way at once
while the stored text keeps the old form, and some items stop being found (a number written
"0912 345 678" against the query's joined "0912345678"). `reindex_search` re-folds the
stored text in batches and then records the new version in the `meta` table.

- Resumable: each batch commits with the position reached (`meta` key `search_reindex`),
  so an interrupted run (Ctrl-C, restart, a killed worker) goes on from there.
- Several runners at once (a worker's job and `soitin search reindex`) share the work: each
  batch locks the position first, so they take batches in turn and none is done twice.
- Idempotent: only rows whose folded text differs are written (each write also updates the
  full-text index: FTS5 triggers on SQLite, the GIN index on PostgreSQL); a second run
  changes nothing.
- Searches keep working meanwhile: each batch is a short transaction.

Items whose raw text was purged (retention) keep what they have: there is nothing to fold
again. A story's search text is folded from its representative item, or from the stored
representative text when that item's text is gone.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.orm import Session

from soitin.db import Database
from soitin.db.meta import delete_value, lock_value, read_value, write_value
from soitin.db.models import Item, Story
from soitin.stories.aggregate import REPRESENTATIVE_CHARS
from soitin.text.fold import FOLD_VERSION, fold_item_text

__all__ = [
    "PROGRESS_KEY",
    "VERSION_KEY",
    "ReindexResult",
    "ReindexStatus",
    "mark_current",
    "reindex_search",
    "reindex_status",
    "rows_to_reindex",
]

#: `meta` key of the folding version the stored text was written with (absent: 1).
VERSION_KEY = "search_fold_version"
#: `meta` key of a re-index under way: {"version": target, "table": ..., "after": last id}.
PROGRESS_KEY = "search_reindex"
_UNRECORDED = 1
_TABLES = ("items", "stories")


@dataclass(frozen=True)
class ReindexStatus:
    """Where the stored search text stands against this code's folding."""

    stored_version: int
    code_version: int
    #: rows of items and stories re-folded so far by the run under way, and in all
    done: int
    total: int
    under_way: bool

    @property
    def needed(self) -> bool:
        """True while the stored text is older than this code's folding."""
        return self.stored_version < self.code_version


@dataclass
class ReindexResult:
    """What one call of `reindex_search` did."""

    items_seen: int = 0
    items_changed: int = 0
    stories_seen: int = 0
    stories_changed: int = 0
    finished: bool = False
    seconds: float = 0.0


def _stored_version(session: Session) -> int:
    value = read_value(session, VERSION_KEY)
    return int(value) if value else _UNRECORDED


def _items_to_fold(after: int | None = None) -> Any:
    query = select(func.count(Item.id)).where(Item.raw_purged_at.is_(None))
    return query if after is None else query.where(Item.id <= after)


def reindex_status(session: Session) -> ReindexStatus:
    """The stored folding version, this code's, and the progress of a re-index under way."""
    stored = _stored_version(session)
    raw = read_value(session, PROGRESS_KEY)
    items_total = session.scalar(_items_to_fold()) or 0
    stories_total = session.scalar(select(func.count(Story.id))) or 0
    total = items_total + stories_total
    if not raw:
        done = total if stored >= FOLD_VERSION else 0
        return ReindexStatus(stored, FOLD_VERSION, done, total, under_way=False)
    state = json.loads(raw)
    if state["table"] == "items":
        done = session.scalar(_items_to_fold(state["after"])) or 0
    else:
        done = items_total + (
            session.scalar(select(func.count(Story.id)).where(Story.id <= state["after"])) or 0
        )
    return ReindexStatus(stored, FOLD_VERSION, done, total, under_way=True)


def rows_to_reindex(session: Session) -> int:
    """Rows of items and stories still to re-fold (0, from one small read, when current)."""
    if not read_value(session, PROGRESS_KEY) and _stored_version(session) >= FOLD_VERSION:
        return 0
    status = reindex_status(session)
    return max(status.total - status.done, 0)


def mark_current(database: Database) -> None:
    """Record that the stored text is of this code's folding (a new, empty database)."""
    with database.transaction() as session:
        write_value(session, VERSION_KEY, str(FOLD_VERSION))
        delete_value(session, PROGRESS_KEY)


def reindex_search(
    database: Database,
    *,
    batch_size: int = 1000,
    force: bool = False,
    budget_s: float | None = None,
    on_batch: Callable[[str, int], None] | None = None,
) -> ReindexResult:
    """Re-fold stored search text in batches until it is all of `FOLD_VERSION`.

    Does nothing when the stored version is current and no run is under way, unless `force`
    (re-fold everything again, e.g. after restoring an old backup by hand). `budget_s` stops
    after the batch that used up the time (the scheduled job's share of a minute); the
    next call goes on. `on_batch(table, rows)` is called after each committed batch.
    """
    started = time.monotonic()
    result = ReindexResult()
    with database.session() as session:
        if (
            not force
            and not read_value(session, PROGRESS_KEY)
            and _stored_version(session) >= FOLD_VERSION
        ):
            result.finished = True
            return result
    first = True
    while True:
        step = _step(database, batch_size, start=first and force)
        first = False
        if step is None:
            result.finished = True
            break
        table, seen, changed, finished = step
        if table == "items":
            result.items_seen += seen
            result.items_changed += changed
        else:
            result.stories_seen += seen
            result.stories_changed += changed
        if on_batch is not None and seen:
            on_batch(table, seen)
        if finished:
            result.finished = True
            break
        if budget_s is not None and time.monotonic() - started >= budget_s:
            break
    result.seconds = time.monotonic() - started
    return result


def _step(database: Database, batch_size: int, *, start: bool) -> tuple[str, int, int, bool] | None:
    """One batch in one transaction: (table, rows seen, rows changed, re-index finished), or
    None when there was nothing left to do (another runner finished it)."""
    with database.transaction() as session:
        raw = lock_value(session, PROGRESS_KEY, "")
        state = json.loads(raw) if raw else None
        if state is None or state.get("version") != FOLD_VERSION:
            if state is None and not start and _stored_version(session) >= FOLD_VERSION:
                delete_value(session, PROGRESS_KEY)  # the placeholder lock_value wrote
                return None
            state = {"version": FOLD_VERSION, "table": "items", "after": 0}
        table = str(state["table"])
        fold = _fold_items if table == "items" else _fold_stories
        seen, changed, last = fold(session, int(state["after"]), batch_size)
        finished = False
        if seen < batch_size:  # this table is done
            index = _TABLES.index(table) + 1
            if index < len(_TABLES):
                state = {"version": FOLD_VERSION, "table": _TABLES[index], "after": 0}
            else:
                finished = True
        else:
            state["after"] = last
        if finished:
            write_value(session, VERSION_KEY, str(FOLD_VERSION))
            delete_value(session, PROGRESS_KEY)
        else:
            write_value(session, PROGRESS_KEY, json.dumps(state))
        return table, seen, changed, finished


def _fold_items(session: Session, after: int, limit: int) -> tuple[int, int, int]:
    rows = session.execute(
        select(Item.id, Item.title, Item.text, Item.text_folded)
        .where(Item.id > after, Item.raw_purged_at.is_(None))
        .order_by(Item.id)
        .limit(limit)
    ).all()
    changed = []
    for row in rows:
        if row.title is None and row.text is None:
            continue
        folded = fold_item_text(row.title, row.text)
        if folded != row.text_folded:
            changed.append({"b_id": row.id, "b_value": folded})
    table = cast(Table, Item.__table__)
    _write(session, table, "text_folded", changed)
    return len(rows), len(changed), rows[-1].id if rows else after


def _fold_stories(session: Session, after: int, limit: int) -> tuple[int, int, int]:
    rows = session.execute(
        select(
            Story.id,
            Story.representative_text,
            Story.search_text,
            Item.text_folded,
            Item.raw_purged_at,
        )
        .outerjoin(Item, Item.id == Story.representative_item_id)
        .where(Story.id > after)
        .order_by(Story.id)
        .limit(limit)
    ).all()
    changed = []
    for row in rows:
        # the items pass ran first: a kept representative item's folded text is current
        if row.text_folded and row.raw_purged_at is None:
            folded = row.text_folded
        elif row.representative_text:
            folded = fold_item_text(None, row.representative_text)
        else:
            continue
        folded = folded[:REPRESENTATIVE_CHARS]
        if folded != row.search_text:
            changed.append({"b_id": row.id, "b_value": folded})
    table = cast(Table, Story.__table__)
    _write(session, table, "search_text", changed)
    return len(rows), len(changed), rows[-1].id if rows else after


def _write(session: Session, table: Table, column: str, rows: list[dict[str, Any]]) -> None:
    """One executemany UPDATE of `column` by id (each row once: on PostgreSQL every update
    writes a new row version and index entries)."""
    if rows:
        stmt = (
            table.update()
            .where(table.c.id == bindparam("b_id"))
            .values({column: bindparam("b_value")})
        )
        session.execute(stmt, rows)
