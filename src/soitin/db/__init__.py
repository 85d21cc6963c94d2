"""Storage: engine and sessions, typed models, migrations."""

from __future__ import annotations

from soitin.db.engine import Database, check_connection, describe_url, make_engine
from soitin.db.migrate import check_known_revision, current_revision, head_revision
from soitin.errors import DatabaseError
from soitin.settings import Settings

__all__ = ["Database", "open_database", "make_engine", "require_current_schema"]


def open_database(settings: Settings) -> Database:
    """Connect to the configured database, or raise `DatabaseError` with one clear sentence."""
    engine = make_engine(settings.database_url)
    check_connection(engine)
    check_known_revision(engine)
    return Database(engine)


def require_current_schema(database: Database) -> None:
    """Refuse to work on a database that is not migrated to this version's head."""
    rev = current_revision(database.engine)
    if rev != head_revision():
        raise DatabaseError(
            f"The database at {describe_url(str(database.engine.url))} is at schema revision "
            f"{rev or 'none'}; run `soitin db upgrade` (or `soitin init`) first."
        )
