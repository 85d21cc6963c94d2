"""Fixtures for real SQLite and real PostgreSQL; every storage test runs on both.

Each test runs inside an outer transaction that is rolled back afterwards; services that
commit only release a SAVEPOINT. PostgreSQL tests use a schema of their own per test run
(so parallel runs never meet) in the database `test` on 127.0.0.1:5432.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from soitin.db.engine import Database, make_engine
from soitin.db.migrate import upgrade

PG_URL = os.environ.get(
    "SOITIN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite", "postgres"]


def _postgres_reason() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        engine = make_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure means: no server to test against
        return f"PostgreSQL at {PG_URL} does not answer ({type(exc).__name__})"
    return None


_PG_REASON = _postgres_reason()


def require_postgres() -> None:
    """Skip (outside CI) or fail (in CI) when PostgreSQL is not there."""
    if _PG_REASON is None:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {_PG_REASON}")
    pytest.skip(_PG_REASON)


def _new_pg_schema_engine() -> tuple[Engine, Callable[[], None]]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})

    def drop() -> None:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return engine, drop


@pytest.fixture
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A brand-new empty database of the backend named by the `backend` parameter."""
    backend = getattr(request, "param", "sqlite")
    if backend == "postgres":
        require_postgres()
        engine, drop = _new_pg_schema_engine()
        yield engine
        drop()
    else:
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated SQLite database shared by the session's tests."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """A migrated PostgreSQL schema shared by the session's tests."""
    require_postgres()
    engine, drop = _new_pg_schema_engine()
    upgrade(engine)
    yield engine
    drop()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest) -> Iterator[Database]:
    """A `Database` on SQLite and then on PostgreSQL, rolled back after each test."""
    engine: Engine = request.getfixturevalue(f"{request.param}_engine")
    conn = engine.connect()
    outer = conn.begin()
    try:
        yield Database(conn)
    finally:
        if outer.is_active:
            outer.rollback()
        conn.close()


@pytest.fixture
def sqlite_db(sqlite_engine: Engine) -> Iterator[Database]:
    """SQLite only (for tests of SQLite-specific behaviour)."""
    conn = sqlite_engine.connect()
    outer = conn.begin()
    try:
        yield Database(conn)
    finally:
        outer.rollback()
        conn.close()
