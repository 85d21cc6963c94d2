"""make_engine and Database: how SQLite connections and transactions are set up."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from soitin.db.engine import SQLITE_CACHE_KIB, Database, make_engine


def test_file_database_connections_use_wal_and_a_larger_page_cache(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'soitin.db'}")
    try:
        with engine.connect() as conn:
            pragma = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "cache_size")
            }
    finally:
        engine.dispose()
    # synchronous 1 = NORMAL; a negative cache size is in KiB
    assert pragma == {"journal_mode": "wal", "synchronous": 1, "cache_size": -SQLITE_CACHE_KIB}


def test_writers_keep_temporary_records_in_memory_and_readers_do_not(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'soitin.db'}")
    db = Database(engine)
    query = text("PRAGMA temp_store")
    try:
        with db.transaction() as session:  # 2 = MEMORY
            assert session.scalar(query) == 2
        with db.session(read_only=True) as session, session.begin():  # 0 = SQLite's default
            assert session.scalar(query) == 0
        with db.transaction() as session:  # the pooled connection is set again
            assert session.scalar(query) == 2
    finally:
        engine.dispose()
