"""make_engine: how SQLite connections are set up."""

from __future__ import annotations

from pathlib import Path

from soitin.db.engine import SQLITE_CACHE_KIB, make_engine


def test_file_database_connections_use_wal_memory_temp_store_and_a_larger_cache(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'soitin.db'}")
    try:
        with engine.connect() as conn:
            pragma = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "temp_store", "cache_size")
            }
    finally:
        engine.dispose()
    # synchronous 1 = NORMAL; temp_store 2 = MEMORY; a negative cache size is in KiB
    assert pragma == {
        "journal_mode": "wal",
        "synchronous": 1,
        "temp_store": 2,
        "cache_size": -SQLITE_CACHE_KIB,
    }
