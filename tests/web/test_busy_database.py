"""A page whose audit line cannot be written (SQLite write lock held too long) is not shown.

Every raw-text view and queue view is audited (docs/review.md), so a read whose audit line
fails is refused, but as "busy, try again" (503 with Retry-After), not as a server error.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from soitin.db.engine import Database, make_engine
from soitin.db.migrate import upgrade
from soitin.db.models import AuditEvent
from soitin.review import accounts
from soitin.settings import load_settings
from soitin.web.app import create_app
from tests.web.conftest import PASSWORD_HASH, login


@pytest.fixture
def busy_app(tmp_path: Path) -> Iterator[tuple[TestClient, Database, Path]]:
    """The app on a SQLite file whose writers give up after 0.2 s instead of 30 s."""
    path = tmp_path / "soitin.db"
    engine = make_engine(
        f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 0.2}
    )
    upgrade(engine)
    database = Database(engine)
    with database.transaction() as s:
        accounts.add_unit(s, "qt", "Tỉnh Quảng Trị", place_codes=["44"])
        accounts.add_user(
            s, "viewer_qt", role="viewer", unit_code="qt", password="", password_hash=PASSWORD_HASH
        )
    settings = load_settings(data_dir=tmp_path, env="test")
    with TestClient(create_app(settings, database), follow_redirects=False) as client:
        yield client, database, path
    engine.dispose()


def _queue_views(database: Database) -> int:
    with database.session() as s:
        found = s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "queue.viewed")
        )
    return found or 0


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_a_read_whose_audit_line_waits_too_long_answers_busy(
    busy_app: tuple[TestClient, Database, Path], accept: str
) -> None:
    client, database, db_path = busy_app
    login(client, "viewer_qt")
    holder = sqlite3.connect(db_path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer keeps the lock
        busy = client.get("/queue", headers={"Accept": accept})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "5"
    assert busy.headers["content-type"].startswith(accept)
    # the page in its language (Vietnamese), the API in English
    assert ("try again" if accept == "application/json" else "thử lại sau vài giây") in busy.text
    assert _queue_views(database) == 0
    assert client.get("/queue").status_code == 200
    assert _queue_views(database) == 1
