"""Benchmark of story assignment: assignments/s and lookups/s at 100k and 1M stories.

Prints one JSON line per figure. Run: `nice .venv/bin/python bench/stories.py` (SQLite in a
temporary folder; `--postgres URL` to use PostgreSQL instead). The first 100k stories are made
by the real stories stage from posts (shared data when present, else generated text); the
stories up to 1M are bulk-loaded with random signatures (same tables, same keys), then the
stage runs again on top of them.

* Rates are per CPU second of this process (time.process_time), so other load on the
  machine does not distort them.
* assignments/s: items through `StoryStage` (canonical text, MinHash, index, SQL, figures),
  committed in batches of 500, on one core.
* lookups/s: candidate lookups of new texts in the in-process band index (signature + band
  keys + index probe), batch of 2,000.
* bytes per story: database file growth (SQLite) and in-process index size, per story.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import numpy as np
from sqlalchemy import Engine, Table, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from soitin.db.engine import Database, make_engine  # noqa: E402
from soitin.db.migrate import upgrade  # noqa: E402
from soitin.db.models import Item, Source, Story, StoryBandKey, StorySignature  # noqa: E402
from soitin.settings import Settings, shared_data_dir  # noqa: E402
from soitin.stories.canonical import canonical_text  # noqa: E402
from soitin.stories.index import BandIndex, forget_indexes, sync_index  # noqa: E402
from soitin.stories.minhash import NUM_PERM, band_keys, signatures  # noqa: E402
from soitin.stories.stage import StoryStage  # noqa: E402
from soitin.text.fold import fold_for_search  # noqa: E402

BATCH = 500
T0 = datetime(2025, 7, 1, tzinfo=UTC)


def emit(**fields: Any) -> None:
    print(json.dumps(fields, ensure_ascii=False), flush=True)


def base_texts() -> list[str]:
    """Real posts from the shared data when there, else generated Vietnamese-like text."""
    root = shared_data_dir()
    out: list[str] = []
    for name, column in (
        ("reintel/train.csv", "post_message"),
        ("vihsd/train.csv", "free_text"),
        ("baomoi_tc201805/train.csv", ""),
    ):
        path = root / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                value = row.get(column) if column else " ".join(v for v in row.values() if v)
                if value and len(value) > 40:
                    out.append(value[:1500])
    if out:
        return out
    rng = random.Random(1)
    syllables = (
        "tin nhan ngan hang canh bao lua dao nguoi dan thong tin tai khoan duong link mat "
        "tien dich benh vac xin gia xang tang giam ha noi thanh pho truong hoc nghi tet"
    ).split()
    return [
        " ".join(rng.choice(syllables) for _ in range(rng.randint(15, 80))) for _ in range(50_000)
    ]


def posts(n: int, seed: int) -> Iterator[str]:
    """A stream of posts: 70 % new texts, 30 % edited copies of earlier ones."""
    rng = random.Random(seed)
    texts = base_texts()
    seen: list[str] = []
    for i in range(n):
        if seen and rng.random() < 0.3:
            words = rng.choice(seen).split()
            k = rng.randrange(len(words))
            words.insert(k, rng.choice(["nhé", "ạ", "😱", "https://bit.ly/x" + str(i)]))
            yield " ".join(words)
        else:
            base = texts[rng.randrange(len(texts))]
            # Unique: a number and a few words make each "new" post a new story.
            yield f"{base} #{i} {rng.randrange(10**9)}"
            if len(seen) < 20_000:
                seen.append(base)


def timed_stage(database: Database, source_id: int, texts: list[str], prefix: str) -> float:
    """Seconds spent in the stories stage (and its SQL) for `texts`, batches of 500."""
    stage = StoryStage(
        Settings(secret_key="s" * 32, pseudonym_key="p" * 32, semantic_matching=False)
    )
    spent = 0.0
    for b in range(0, len(texts), BATCH):
        chunk = texts[b : b + BATCH]
        folded = [fold_for_search(t) for t in chunk]  # the normalise stage's work
        with database.transaction() as session:
            items = [
                Item(
                    source_id=source_id,
                    external_id=f"{prefix}-{b + i}",
                    content_hash=f"{prefix}-{b + i}",
                    text=t,
                    text_folded=f,
                    published_at=T0,
                    fetched_at=T0,
                )
                for i, (t, f) in enumerate(zip(chunk, folded, strict=True))
            ]
            session.add_all(items)
            session.flush()
            t1 = time.process_time()
            stage(session, items)
            session.flush()
            spent += time.process_time() - t1
    return spent


def bulk_stories(engine: Engine, count: int, seed: int) -> None:
    """Add `count` stories with random signatures and their band keys, fast."""
    rng = np.random.default_rng(seed)
    now = datetime.now(UTC)
    chunk = 50_000
    with engine.begin() as conn:
        next_story = (conn.execute(select(func.max(Story.id))).scalar() or 0) + 1
        next_sig = (conn.execute(select(func.max(StorySignature.id))).scalar() or 0) + 1
    done = 0
    while done < count:
        n = min(chunk, count - done)
        sigs = rng.integers(0, 2**32, size=(n, NUM_PERM), dtype=np.uint32)
        keys = band_keys(sigs)
        story_ids = range(next_story, next_story + n)
        sig_ids = range(next_sig, next_sig + n)
        with engine.begin() as conn:
            conn.execute(
                cast(Table, Story.__table__).insert(),
                [
                    {
                        "id": s,
                        "first_seen": now,
                        "last_seen": now,
                        "item_count": 1,
                        "source_count": 1,
                        "reach": 0,
                        "velocity": 0.0,
                        "velocity_earlier": 0.0,
                        "representative_text": "",
                        "province_codes": [],
                        "ward_codes": [],
                        "max_scores": {},
                        "updated_at": now,
                    }
                    for s in story_ids
                ],
            )
            conn.execute(
                cast(Table, StorySignature.__table__).insert(),
                [
                    {
                        "id": g,
                        "story_id": s,
                        "item_id": None,
                        "signature": sigs[i].tobytes(),
                        "created_at": now,
                    }
                    for i, (g, s) in enumerate(zip(sig_ids, story_ids, strict=True))
                ],
            )
            conn.execute(
                cast(Table, StoryBandKey.__table__).insert(),
                [
                    {"band_key": int(k), "signature_id": g}
                    for g, row in zip(sig_ids, keys.tolist(), strict=True)
                    for k in row
                ],
            )
        next_story += n
        next_sig += n
        done += n


def db_bytes(engine: Engine) -> int | None:
    if engine.dialect.name == "sqlite":
        path = Path(str(engine.url.database))
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
                )
            ).scalar()
            or 0
        )


def lookups_per_second(database: Database, texts: list[str]) -> tuple[float, int]:
    """Candidate lookups/s in the synced index (signature + keys + probe), and index bytes."""
    with database.session() as session:
        index = sync_index(session)
    canon = [canonical_text(t) for t in texts]
    start = time.process_time()
    found = 0
    for b in range(0, len(canon), 2_000):
        sigs = signatures(canon[b : b + 2_000])
        hits = index.lookup(band_keys(sigs))
        found += sum(1 for h in hits if h)
    elapsed = time.process_time() - start
    return len(canon) / elapsed, index.nbytes


def index_figures(sizes: list[int], texts: list[str]) -> None:
    """Lookups/s of the in-process index alone at each size (random signatures as stories)."""
    rng = np.random.default_rng(11)
    index = BandIndex()
    have = 0
    canon = [canonical_text(t) for t in texts]
    for size in sorted(sizes):
        while have < size:
            n = min(50_000, size - have)
            sigs = rng.integers(0, 2**32, size=(n, NUM_PERM), dtype=np.uint32)
            keys = band_keys(sigs)
            ids = np.repeat(np.arange(have + 1, have + n + 1, dtype=np.int32), keys.shape[1])
            index.add(keys, ids)
            have += n
        start = time.process_time()
        for b in range(0, len(canon), 2_000):
            index.lookup(band_keys(signatures(canon[b : b + 2_000])))
        rate = len(canon) / (time.process_time() - start)
        start = time.process_time()
        keys = band_keys(signatures(canon))
        sig_time = time.process_time() - start
        start = time.process_time()
        index.lookup(keys)
        probe_rate = len(canon) / (time.process_time() - start)
        emit(
            figure="index_lookups_per_s",
            stories=have,
            value=round(rate),
            probe_only=round(probe_rate),
            minhash_per_s=round(len(canon) / sig_time),
            index_bytes_per_story=round(index.nbytes / have),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="PostgreSQL URL (a schema is made and dropped).")
    parser.add_argument("--first", type=int, default=100_000, help="Stories made by the stage.")
    parser.add_argument("--total", type=int, default=1_000_000, help="Stories in the end.")
    parser.add_argument("--probe", type=int, default=5_000, help="Items timed at each size.")
    parser.add_argument(
        "--index-only", action="store_true", help="Only the in-process index at 100k and 1M."
    )
    args = parser.parse_args()
    if args.index_only:
        emit(bench="stories-index", cpu_count=os.cpu_count())
        index_figures([100_000, 1_000_000], list(posts(10_000, seed=3)))
        return

    tmp = tempfile.mkdtemp(prefix="soitin-bench-")
    schema = None
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = make_engine(args.postgres)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = make_engine(args.postgres, connect_args={"options": f"-csearch_path={schema}"})
    else:
        engine = make_engine(f"sqlite:///{os.path.join(tmp, 'bench.db')}")
    try:
        upgrade(engine)
        database = Database(engine)
        with database.transaction() as session:
            src = Source(kind="file", name="bench")
            session.add(src)
            session.flush()
            source_id = src.id
        emit(bench="stories", backend=engine.dialect.name, cpu_count=os.cpu_count())

        empty = db_bytes(engine) or 0
        stream = list(posts(args.first + 3 * args.probe, seed=7))
        fill = stream[: args.first]
        seconds = timed_stage(database, source_id, fill, "fill")
        with database.session() as session:
            stories = session.scalar(select(func.count()).select_from(Story)) or 0
        emit(
            figure="assignments_per_s",
            stories_before=0,
            stories_after=stories,
            items=len(fill),
            value=round(len(fill) / seconds),
        )
        for size in sorted({args.first, args.total}):
            with database.session() as session:
                have = session.scalar(select(func.count()).select_from(Story)) or 0
            if size > have:
                t = time.process_time()
                bulk_stories(engine, size - have, seed=size)
                emit(figure="bulk_load_s", stories=size, value=round(time.process_time() - t, 1))
            with database.session() as session:
                have = session.scalar(select(func.count()).select_from(Story)) or 0
            forget_indexes()
            t = time.process_time()
            with database.session() as session:
                sync_index(session)
            emit(figure="index_load_s", stories=have, value=round(time.process_time() - t, 2))
            probe = stream[args.first + (0 if size == args.first else args.probe) :][: args.probe]
            rate, index_bytes = lookups_per_second(database, probe)
            emit(figure="lookups_per_s", stories=have, value=round(rate))
            seconds = timed_stage(database, source_id, probe, f"probe{size}")
            emit(
                figure="assignments_per_s",
                stories=have,
                items=len(probe),
                value=round(len(probe) / seconds),
            )
            with database.session() as session:
                have = session.scalar(select(func.count()).select_from(Story)) or 0
            size_now = db_bytes(engine) or 0
            emit(
                figure="bytes_per_story",
                stories=have,
                database=round((size_now - empty) / max(have, 1)),
                index_in_process=round(index_bytes / max(have, 1)),
            )
    finally:
        engine.dispose()
        if schema and args.postgres:
            admin = make_engine(args.postgres)
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
