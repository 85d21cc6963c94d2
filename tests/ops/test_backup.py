"""Backup and restore round trip on SQLite and PostgreSQL: nothing lost."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from soitin.cli import app
from soitin.db import Database, make_engine
from soitin.db.migrate import upgrade
from soitin.db.models import Unit, User
from soitin.review import accounts
from tests.conftest import PG_URL, require_postgres

runner = CliRunner()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database of each kind (PostgreSQL: a database of its own)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'live.db'}"
        yield url
        return
    require_postgres()
    name = f"soitin_backup_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _counts(url: str) -> tuple[int, int, list[str]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        units = conn.scalar(select(func.count(Unit.id))) or 0
        users = conn.scalar(select(func.count(User.id))) or 0
        names = sorted(conn.scalars(select(Unit.name)))
    engine.dispose()
    return units, users, names


def test_backup_restore_round_trip(database_url: str, tmp_path: Path) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    db = Database(engine)
    with db.transaction() as s:
        accounts.add_unit(s, "qt", "Tỉnh Quảng Trị — đơn vị gốc", place_codes=["44"])
        for i in range(25):
            accounts.add_unit(s, f"x{i}", f"Xã số {i} «Đồng Hới»", parent_code="qt")
        accounts.add_user(s, "lead", role="lead", unit_code="qt", password="p" * 12)
    engine.dispose()
    before = _counts(database_url)
    env = {"SOITIN_DATABASE_URL": database_url, "SOITIN_DATA_DIR": str(tmp_path)}
    target = tmp_path / "backup.bin"
    result = runner.invoke(app, ["backup", str(target)], env=env)
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0

    engine = make_engine(database_url)
    with Database(engine).transaction() as s:
        accounts.add_unit(s, "late", "Thêm sau bản sao")
        s.execute(text("DELETE FROM users"))
    engine.dispose()
    assert _counts(database_url) != before

    refused = runner.invoke(app, ["restore", str(target)], env=env)
    assert refused.exit_code == 1 and "--yes" in refused.output
    result = runner.invoke(app, ["restore", str(target), "--yes"], env=env)
    assert result.exit_code == 0, result.output
    assert _counts(database_url) == before


def test_backup_of_missing_sqlite_file_is_a_clear_error(tmp_path: Path) -> None:
    env = {"SOITIN_DATABASE_URL": f"sqlite:///{tmp_path}/none.db", "SOITIN_DATA_DIR": str(tmp_path)}
    result = runner.invoke(app, ["backup", str(tmp_path / "b.db")], env=env)
    assert result.exit_code == 1
    assert "No SQLite database" in result.output
