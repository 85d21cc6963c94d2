"""The core CLI: init, users, units, db upgrade, and clear errors on bad configuration."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from soitin.cli import app

runner = CliRunner()


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {"SOITIN_DATA_DIR": str(tmp_path), "SOITIN_DATABASE_URL": f"sqlite:///{tmp_path}/t.db"}
    env.update(extra)
    return env


def test_init_creates_admin_once_and_prints_password(tmp_path: Path) -> None:
    first = runner.invoke(app, ["init"], env=_env(tmp_path))
    assert first.exit_code == 0, first.output
    assert "admin" in first.output
    assert re.search(r"password: \S{12,}", first.output)
    second = runner.invoke(app, ["init"], env=_env(tmp_path))
    assert second.exit_code == 0
    assert "password:" not in second.output  # printed once only
    listed = runner.invoke(app, ["user", "list"], env=_env(tmp_path))
    assert "admin" in listed.output and "yes" in listed.output


def test_units_and_users_round_trip(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    r = runner.invoke(
        app, ["unit", "add", "qt", "--name", "Tỉnh Quảng Trị", "--places", "44"], env=env
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        app, ["unit", "add", "dh", "--name", "Phường Đồng Hới", "--parent", "qt"], env=env
    )
    assert r.exit_code == 0, r.output
    tree = runner.invoke(app, ["unit", "list"], env=env).output
    assert "qt  Tỉnh Quảng Trị  [44]" in tree
    assert "  dh  Phường Đồng Hới" in tree
    r = runner.invoke(app, ["user", "add", "lan", "--role", "reviewer", "--unit", "dh"], env=env)
    assert r.exit_code == 0 and "printed once" in r.output
    r = runner.invoke(app, ["user", "disable", "lan"], env=env)
    assert r.exit_code == 0
    assert re.search(
        r"lan\s+.*reviewer.*dh.*no", runner.invoke(app, ["user", "list"], env=env).output
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["user", "add", "x", "--role", "boss", "--unit", "root"], "Unknown role 'boss'"),
        (["user", "add", "x", "--role", "viewer", "--unit", "nowhere"], "No unit with code"),
        (["unit", "add", "root", "--name", "again"], "already exists"),
        (["user", "disable", "ghost"], "No user named 'ghost'"),
    ],
)
def test_wrong_input_is_one_sentence(tmp_path: Path, args: list[str], message: str) -> None:
    env = _env(tmp_path)
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a valid SQLAlchemy URL"),
        ("mysql://x@localhost/db", "Unsupported database"),
        ("postgresql+psycopg://nobody@127.0.0.1:1/none", "Cannot reach the database"),
    ],
)
def test_bad_database_url_stops_with_one_sentence(tmp_path: Path, url: str, message: str) -> None:
    result = runner.invoke(app, ["init"], env=_env(tmp_path, SOITIN_DATABASE_URL=url))
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_production_without_secret_changes_nothing(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["init"], env=_env(tmp_path, SOITIN_ENV="production", SOITIN_SECRET_KEY="")
    )
    assert result.exit_code == 1
    assert "SOITIN_SECRET_KEY" in result.output
    assert not (tmp_path / "t.db").exists()


def test_newer_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    import sqlite3

    env = _env(tmp_path)
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    with sqlite3.connect(tmp_path / "t.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num='9999_future'")
    for args in (["init"], ["user", "list"], ["db", "upgrade"]):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 1, args
        assert "newer version" in result.output
    with sqlite3.connect(tmp_path / "t.db") as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (
            "9999_future",
        )


def test_every_command_has_help() -> None:
    from tests.docs_helpers import all_commands

    for command in all_commands():
        result = runner.invoke(app, [*command.split()[1:], "--help"])
        assert result.exit_code == 0, command
        assert "Usage" in result.output
