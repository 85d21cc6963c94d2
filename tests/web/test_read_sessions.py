"""Pages that only read run in read transactions: on SQLite they never wait for the writer.

These tests run on a real SQLite file through an engine (not the shared test connection),
as `soitin serve` does, because that is where readers and the writer are separate.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select
from sqlalchemy.exc import OperationalError

from soitin.db.engine import Database, make_engine
from soitin.db.migrate import upgrade
from soitin.db.models import AuditEvent
from soitin.review import accounts
from soitin.settings import load_settings
from soitin.web.app import create_app
from tests.web.conftest import PASSWORD_HASH, login


@pytest.fixture
def file_db(tmp_path: Path) -> Iterator[tuple[Database, Path]]:
    """A migrated SQLite file with a unit and a lead."""
    path = tmp_path / "soitin.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    database = Database(engine)
    with database.transaction() as s:
        accounts.add_unit(s, "qt", "Tỉnh Quảng Trị", place_codes=["44"])
        for role in ("lead", "admin"):
            accounts.add_user(
                s, f"{role}_qt", role=role, unit_code="qt", password="", password_hash=PASSWORD_HASH
            )
    yield database, path
    engine.dispose()


@pytest.fixture
def client_as(
    file_db: tuple[Database, Path], tmp_path: Path
) -> Iterator[Callable[[str], TestClient]]:
    """`client_as("lead_qt")`: a client of the app on the SQLite file, signed in."""
    app = create_app(load_settings(data_dir=tmp_path, env="test"), file_db[0])
    with ExitStack() as stack:

        def signed_in(username: str) -> TestClient:
            client = stack.enter_context(TestClient(app, follow_redirects=False))
            return login(client, username)

        yield signed_in


def test_a_read_only_session_refuses_writes(file_db: tuple[Database, Path]) -> None:
    database, _ = file_db
    with database.session(read_only=True) as s:
        with pytest.raises(OperationalError, match="readonly"):
            s.execute(insert(AuditEvent).values(action="x", detail={}))
        s.rollback()
    with database.transaction() as s:  # the pooled connection is writable again
        s.execute(insert(AuditEvent).values(action="y", detail={}))
    with database.session() as s:
        assert s.scalars(select(AuditEvent.action)).all() == ["y"]


def test_readers_that_each_write_a_line_never_wait_for_a_connection(
    file_db: tuple[Database, Path],
) -> None:
    # 40 requests (the web thread pool) each hold a read transaction and then write an audit
    # line through a second connection: a bounded pool would wait here, for ever under load.
    database, _ = file_db
    with ExitStack() as stack:
        readers = [stack.enter_context(database.session(read_only=True)) for _ in range(40)]
        for reader in readers:
            reader.execute(select(AuditEvent.id)).all()
        for i in range(len(readers)):
            with database.transaction() as writer:
                writer.execute(insert(AuditEvent).values(action=f"viewed-{i}", detail={}))
    with database.session() as s:
        assert len(s.scalars(select(AuditEvent.id)).all()) == 40


def test_pages_answer_while_another_process_holds_the_write_lock(
    file_db: tuple[Database, Path], client_as: Callable[[str], TestClient]
) -> None:
    client = client_as("lead_qt")
    assert client.get("/").status_code == 200  # the dashboard stores its roll-up days once
    writer = sqlite3.connect(file_db[1], isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # e.g. the pipeline in the middle of a batch
    answers: dict[str, int] = {}

    def read() -> None:
        for url in ("/", "/api/v1/stats", "/guides"):
            answers[url] = client.get(url).status_code

    reader = threading.Thread(target=read)
    reader.start()
    reader.join(timeout=20)  # a page that waited for the lock would wait 30 s
    finished = not reader.is_alive()
    writer.execute("ROLLBACK")
    writer.close()
    reader.join()
    assert finished, "a read-only page waited for the write lock"
    assert answers == {"/": 200, "/api/v1/stats": 200, "/guides": 200}


def test_views_are_audited_from_read_requests(
    file_db: tuple[Database, Path], client_as: Callable[[str], TestClient]
) -> None:
    database, _ = file_db
    client = client_as("admin_qt")
    assert client.get("/queue").status_code == 200
    exported = client.get("/admin/audit.csv")
    assert exported.status_code == 200
    with database.session() as s:
        actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["queue.viewed", "audit.exported"]
    # The export's own line was written in a transaction of its own, and the CSV lists it.
    assert "audit.exported" in exported.text and "queue.viewed" in exported.text
