"""Benchmark: file import (JSONL) into SQLite and PostgreSQL, first import and re-import.

Prints one JSON line per figure. Usage:
    .venv/bin/python bench/ingest.py [--rows 50000] [--pipeline-rows 5000]
                                     [--postgres-url URL] [--no-postgres]
Two figures per database: `pipeline: "none"` measures ingest itself (read, detect encoding,
validate, pseudonymise, store exactly once, mark processed) with the stage list emptied;
`pipeline: "default"` runs the registered stages (stories, detectors, triage, ...) as well.
The PostgreSQL run uses a throw-away schema in the given database and drops it afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path

from sqlalchemy import Engine, text

from soitin import pipeline as pipeline_module
from soitin.db.engine import Database, make_engine
from soitin.db.migrate import upgrade
from soitin.db.models import Source
from soitin.ingest.files import import_file
from soitin.ingest.sources import add_source

ONSETS = "b c ch d đ g gh h k kh l m n ng nh p ph qu r s t th tr v x".split()
VOWELS = "a ă â e ê i o ô ơ u ư y ai ao au ay oi ôi ơi ui ưa ua ia iê uô ươ".split()
CODAS = ["", "", "n", "ng", "m", "t", "c", "nh", "ch", "p"]
KEY = "bench-pseudonym-key-0123456789"


def write_rows(path: Path, rows: int, seed: int = 7) -> None:
    """`rows` distinct posts of Vietnamese-like syllables (few near-duplicates, as in real
    traffic); every other one without an external id (keyed by its content hash)."""
    rng = random.Random(seed)  # noqa: S311 - test data, not security
    syllables = sorted(
        {rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(5000)}
    )
    with path.open("w", encoding="utf-8") as out:
        for i in range(rows):
            words = " ".join(rng.choice(syllables) for _ in range(rng.randint(15, 60)))
            row: dict[str, object] = {
                "text": f"{words} #{i}",
                "author": f"user{rng.randint(1, 5000)}",
                "published_at": f"2025-05-{1 + i % 28:02d}T{i % 24:02d}:00:00+07:00",
                "likes": rng.randint(0, 500),
                "shares": rng.randint(0, 50),
                "platform": "facebook",
            }
            if i % 2 == 0:
                row["external_id"] = f"p{i}"
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def run(backend: str, engine: Engine, *, path: Path, rows: int, pipeline: str) -> None:
    upgrade(engine)
    database = Database(engine)
    with database.transaction() as session:
        source: Source = add_source(session, kind="file", name=f"bench-{pipeline}")
    registered = pipeline_module.default_stages
    if pipeline == "none":
        pipeline_module.default_stages = list  # the stage list emptied: ingest alone
    stages = [getattr(s, "name", type(s).__name__) for s in pipeline_module.default_stages()]
    try:
        _timed(backend, database, source, path, rows, pipeline, stages)
    finally:
        pipeline_module.default_stages = registered


def _timed(
    backend: str,
    database: Database,
    source: Source,
    path: Path,
    rows: int,
    pipeline: str,
    stages: list[str],
) -> None:
    for run_name in ("import", "reimport"):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = import_file(database, source, path, key=KEY)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        assert result.rows == rows and result.rejected == 0  # noqa: S101
        print(
            json.dumps(
                {
                    "bench": f"ingest.file.{run_name}",
                    "db": backend,
                    "rows": rows,
                    "inserted": result.inserted,
                    "seconds": round(seconds, 2),
                    "items_per_s": round(rows / seconds),
                    # CPU of this process only (not the PostgreSQL server): a fairer figure
                    # on a shared machine.
                    "cpu_seconds": round(cpu, 2),
                    "items_per_cpu_s": round(rows / cpu),
                    "pipeline": pipeline,
                    "stages": stages if pipeline == "default" else [],
                }
            ),
            flush=True,
        )


def with_postgres(url: str, body: Callable[[Engine], None]) -> None:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        body(engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000, help="rows, ingest alone")
    parser.add_argument(
        "--pipeline-rows", type=int, default=5_000, help="rows, with the pipeline stages"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "SOITIN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("SOITIN_PSEUDONYM_KEY", KEY)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("SOITIN_DATA_DIR", tmp)
        for pipeline, rows in (("none", args.rows), ("default", args.pipeline_rows)):
            if rows <= 0:
                continue
            path = Path(tmp) / f"rows-{pipeline}.jsonl"
            write_rows(path, rows)
            engine = make_engine(f"sqlite:///{Path(tmp) / f'bench-{pipeline}.db'}")
            run("sqlite", engine, path=path, rows=rows, pipeline=pipeline)
            engine.dispose()
            if not args.no_postgres:
                with_postgres(
                    args.postgres_url,
                    partial(run, "postgresql", path=path, rows=rows, pipeline=pipeline),
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
