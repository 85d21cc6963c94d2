"""Schema migrations (Alembic) run from code: upgrade, downgrade, and version checks."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from soitin.errors import DatabaseError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    """The newest revision this version of soitin knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None  # noqa: S101 - there is always an initial revision
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_new_database(engine: Engine) -> bool:
    """True when the database holds no soitin schema at all."""
    return "alembic_version" not in inspect(engine).get_table_names()


def check_known_revision(engine: Engine) -> None:
    """Refuse a database created by a newer soitin (a revision we do not know)."""
    rev = current_revision(engine)
    if rev is None:
        return
    script = ScriptDirectory.from_config(_config())
    try:
        script.get_revision(rev)
    except Exception as exc:  # alembic raises several kinds for unknown revisions
        raise DatabaseError(
            f"The database is at schema revision {rev!r}, which this soitin does not know: "
            "it was created by a newer version; upgrade soitin before using it."
        ) from exc


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database up to `revision`."""
    check_known_revision(engine)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database down to `revision` (`base` removes everything)."""
    check_known_revision(engine)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def all_revisions() -> list[str]:
    """Every revision id, oldest first."""
    script = ScriptDirectory.from_config(_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]
