"""A worker process for the concurrency test: store items and run the stories stage.

Usage: python -m tests.stories._worker URL SCHEMA BARRIER_DIR NAME TEXTS_JSON
Both workers wait at a file barrier, then each stores its items, assigns stories and keeps
its transaction open for a moment, so the other meets its keys before they are committed.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from soitin.db.engine import Database, make_engine
from soitin.db.models import Item, Source
from soitin.pipeline import process_items
from soitin.stories.stage import StoryStage
from tests.stories.helpers import T0, settings


def _ingest(database: Database, source_id: int, name: str, texts: list[str]) -> None:
    with database.transaction() as session:
        items = [
            Item(
                source_id=source_id,
                external_id=f"{name}-{i}",
                content_hash=f"{name}-{i}",
                text=text,
                published_at=T0,
                fetched_at=T0,
            )
            for i, text in enumerate(texts)
        ]
        session.add_all(items)
        session.flush()
        stage = StoryStage(settings())
        process_items(session, items, [stage])
        time.sleep(1.0)
    # Tells the test whether this worker met the other's story only at insert time.
    print(json.dumps({"merged": stage.last.merged if stage.last else 0}))


def main(url: str, schema: str, barrier: str, name: str, texts_json: str) -> None:
    kwargs: dict[str, Any] = {}
    if schema:
        kwargs["connect_args"] = {"options": f"-csearch_path={schema}"}
    database = Database(make_engine(url, **kwargs))
    texts: list[str] = json.loads(Path(texts_json).read_text(encoding="utf-8"))
    Path(barrier, name).touch()
    deadline = time.monotonic() + 60
    while len(list(Path(barrier).iterdir())) < 2:
        if time.monotonic() > deadline:
            raise SystemExit("the other worker never came")
        time.sleep(0.01)
    with database.session() as session:
        source_id = session.scalar(select(Source.id).where(Source.name == "shared"))
        assert source_id is not None
    # The transaction writes first, as ingest does. SQLite may answer "database is locked"
    # at once when the other worker holds the write lock (a deferred BEGIN that has read the
    # schema cannot wait); a worker then retries the whole batch, as this one does.
    for attempt in range(200):
        try:
            _ingest(database, source_id, name, texts)
            break
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == 199:
                raise
            time.sleep(0.05)
    database.engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:6])
