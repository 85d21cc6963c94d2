"""Exactly once across a crash: an import killed with SIGKILL part-way, then run again.

The subprocess runs the real `soitin ingest file` command with the pipeline's stages list
emptied (items are still stored, counted and marked processed in the same transaction):
this test is about ingest's guarantee, and with the stories and detector stages a
100,000-row import takes minutes. Those stages are tested in their own areas.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from soitin.db.engine import Database, make_engine
from soitin.db.migrate import upgrade
from soitin.ingest.sources import add_source
from tests.ingest.conftest import TEST_KEY

ROWS = 100_000


def _write(path: Path) -> None:
    """Distinct posts; every other one has no external id (keyed by its content hash)."""
    with path.open("w", encoding="utf-8") as out:
        for i in range(ROWS):
            row: dict[str, object] = {
                "text": f"Cảnh báo lừa đảo số {i}: chuyển khoản nhận quà",
                "author": f"nguoi_dung_{i % 997}",
                "likes": i % 50,
            }
            if i % 2 == 0:
                row["external_id"] = f"p{i}"
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def _scalar(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


@pytest.mark.slow
def test_a_killed_import_resumes_with_every_item_exactly_once(tmp_path: Path) -> None:
    data = tmp_path / "big.jsonl"
    _write(data)
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with Database(engine).transaction() as session:
        add_source(session, kind="file", name="crash")
    env = {
        **os.environ,
        "SOITIN_DATABASE_URL": url,
        "SOITIN_DATA_DIR": str(tmp_path / "var"),
        "SOITIN_PSEUDONYM_KEY": TEST_KEY,
    }
    command = [
        sys.executable,
        "-c",
        "import soitin.pipeline as p; p.default_stages = list; from soitin.cli import app; app()",
        "ingest",
        "file",
        str(data),
        "--source",
        "crash",
        "--batch-size",
        "500",
    ]
    count = "SELECT count(*) FROM items"

    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        give_up = time.monotonic() + 180
        while _scalar(engine, count) < 5_000:
            assert first.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < give_up, "the import made no progress"
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
    finally:
        first.kill()
        first.wait()
    assert first.returncode == -signal.SIGKILL
    partial = _scalar(engine, count)
    assert 5_000 <= partial < ROWS

    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{ROWS - partial:,} new, {partial:,} already there" in rerun.stdout

    assert _scalar(engine, count) == ROWS
    assert _scalar(engine, "SELECT count(DISTINCT external_id) FROM items") == ROWS
    assert _scalar(engine, "SELECT count(DISTINCT content_hash) FROM items") == ROWS
    assert _scalar(engine, "SELECT count(*) FROM items WHERE external_id LIKE 'p%'") == ROWS // 2
    assert _scalar(engine, "SELECT count(*) FROM items WHERE processed_at IS NULL") == 0
    engine.dispose()
