"""Backups: SQLite's online backup API, and pg_dump / pg_restore for PostgreSQL."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from soitin.errors import SoitinError


class BackupError(SoitinError):
    """A backup or restore could not be made."""


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    parsed = make_url(url)
    args = []
    if parsed.host:
        args += ["-h", parsed.host]
    if parsed.port:
        args += ["-p", str(parsed.port)]
    if parsed.username:
        args += ["-U", parsed.username]
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    return args, {**env, "PGDATABASE": parsed.database or ""}


def backup(database_url: str, target: Path) -> Path:
    """Write a consistent copy of the database to `target` while it is in use."""
    parsed = make_url(database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    if parsed.get_backend_name() == "sqlite":
        source_path = parsed.database
        if not source_path or not Path(source_path).exists():
            raise BackupError(f"No SQLite database at {source_path!r}.")
        with sqlite3.connect(source_path) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return target
    if parsed.get_backend_name() == "postgresql":
        if shutil.which("pg_dump") is None:
            raise BackupError("pg_dump is not installed; install the PostgreSQL client tools.")
        args, env = _pg_args(database_url)
        _run(["pg_dump", "--format=custom", "--no-owner", "-f", str(target), *args], env)
        return target
    raise BackupError(f"Backups of {parsed.get_backend_name()!r} databases are not supported.")


def restore(database_url: str, source: Path) -> None:
    """Replace the database's content with the backup at `source`."""
    if not source.exists():
        raise BackupError(f"No backup file at {source}.")
    parsed = make_url(database_url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database:
            raise BackupError("The SQLite URL names no file.")
        with sqlite3.connect(source) as src, sqlite3.connect(parsed.database) as dst:
            src.backup(dst)
        return
    if parsed.get_backend_name() == "postgresql":
        if shutil.which("pg_restore") is None:
            raise BackupError("pg_restore is not installed; install the PostgreSQL client tools.")
        args, env = _pg_args(database_url)
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "-d",
                env["PGDATABASE"],
                *args,
                str(source),
            ],
            env,
        )
        return
    raise BackupError(f"Restores of {parsed.get_backend_name()!r} databases are not supported.")


def _run(cmd: list[str], env: dict[str, str]) -> None:
    import os

    result = subprocess.run(  # noqa: S603 - fixed program, arguments from our own settings
        cmd, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["unknown error"])[0]
        raise BackupError(f"{cmd[0]} failed: {first}")
