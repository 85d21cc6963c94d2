"""Benchmark: the full pipeline (parse → store → normalise → places → stories → detect →
triage) in posts/s on one core, on SQLite and PostgreSQL; the floor (parse + insert only);
a naive reference pipeline measured in the same run (per-post underthesea segmentation,
datasketch MinHash LSH, per-post model calls, a commit per post); and 1 vs 2 worker processes
on PostgreSQL + RabbitMQ, with the CPU the workers and the PostgreSQL server spend per item
(read from /proc; the server's only when it runs on this machine).

Prints one JSON line per figure. Usage:
    .venv/bin/python bench/pipeline.py [--posts 20000] [--naive-posts 1000] [--items 12000]
        [--postgres-url URL] [--amqp-url URL] [--no-postgres] [--no-workers] [--worker-rounds 3]
The naive reference needs the `bench` extra (underthesea, datasketch); without it, that part
is reported as skipped.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from soitin import pipeline as pipeline_module
from soitin.db.engine import Database, make_engine
from soitin.db.migrate import upgrade
from soitin.db.models import Item, Source
from soitin.ingest.incoming import IncomingItem
from soitin.ingest.sources import add_source
from soitin.ingest.store import store_items
from soitin.runtime import settle_after_start

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
BATCH = 500
POLL_S = 0.5  # how often the worker runs count the processed items
ALL_CORES = set(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else set()


def emit(**figure: Any) -> None:
    """One JSON line."""
    print(json.dumps(figure, ensure_ascii=False), flush=True)


def make_posts(n: int, seed: int = 11) -> list[str]:
    """~120-character posts from our own demo texts: reposts with edits, and fresh posts."""
    from importlib import resources

    lines = resources.files("soitin.demo").joinpath("data", "posts.jsonl").read_text("utf-8")
    texts = [json.loads(line)["text"] for line in lines.splitlines() if line.strip()]
    rng = random.Random(seed)  # noqa: S311 - test data
    words = " ".join(texts).split()
    posts = []
    for i in range(n):
        if rng.random() < 0.4:
            base = rng.choice(texts)[:110]
            posts.append(f"{base} {rng.choice(['🙏', '!!', 'chia sẻ', '#tin'])} {i % 97}")
        else:
            posts.append(" ".join(rng.choice(words) for _ in range(22))[:120] + f" {i}")
    return posts


def jsonl(posts: Sequence[str]) -> list[str]:
    """The posts as JSONL lines, as a file import would read them."""
    return [
        json.dumps(
            {
                "external_id": f"p{i}",
                "text": t,
                "author": f"user{i % 3000}",
                "likes": i % 50,
                "shares": i % 7,
            },
            ensure_ascii=False,
        )
        for i, t in enumerate(posts)
    ]


@contextmanager
def database(kind: str, pg_url: str) -> Iterator[Database]:
    """A throw-away migrated database."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
            upgrade(engine)
            yield Database(engine)
            engine.dispose()
        return
    schema = f"b_{uuid.uuid4().hex[:10]}"
    admin = make_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(f"{pg_url}?options={quote(f'-csearch_path={schema}')}")
    upgrade(engine)
    try:
        yield Database(engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _source(db: Database) -> int:
    with db.transaction() as s:
        return add_source(s, name=f"bench-{uuid.uuid4().hex[:6]}", kind="file").id


def run_ours(db: Database, lines: Sequence[str]) -> tuple[float, float]:
    """Parse + store + every default stage, in batches; returns (wall s, CPU s)."""
    source_id = _source(db)
    wall, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(lines), BATCH):
        rows = [IncomingItem(**json.loads(line)) for line in lines[start : start + BATCH]]
        with db.transaction() as s:
            source = s.get(Source, source_id)
            assert source is not None
            store_items(s, source, rows, key="bench-key")
    return time.perf_counter() - wall, time.process_time() - cpu


def stored_bytes(db: Database) -> int:
    """Mean size of an item's stored detector results (`items.scores`), in bytes."""
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "postgresql":
            query = "SELECT avg(octet_length(scores::text)) FROM items"
        else:
            query = "SELECT avg(length(CAST(scores AS BLOB))) FROM items"
        return round(float(conn.scalar(text(query)) or 0))


def run_floor(db: Database, lines: Sequence[str]) -> tuple[float, float]:
    """Parse + insert only: the same path with no stages."""
    original = pipeline_module.default_stages
    pipeline_module.default_stages = lambda: []  # type: ignore[assignment]
    try:
        return run_ours(db, lines)
    finally:
        pipeline_module.default_stages = original  # type: ignore[assignment]


class _Timed:
    """A stage that adds its own wall time to `spent[name]`."""

    def __init__(self, stage: Any, spent: dict[str, float]) -> None:
        self.stage, self.spent, self.name = stage, spent, stage.name
        self.reads_items = getattr(stage, "reads_items", False)

    def __call__(self, session: Any, items: Any) -> None:
        start = time.perf_counter()
        self.stage(session, items)
        self.spent[self.name] = self.spent.get(self.name, 0.0) + time.perf_counter() - start


def run_stage_split(db: Database, lines: Sequence[str]) -> dict[str, float]:
    """µs per post of each stage, and of everything else (parse, insert, column writes,
    commit), over the same path as `run_ours`."""
    spent: dict[str, float] = {}
    original = pipeline_module.default_stages
    pipeline_module.default_stages = lambda: [  # type: ignore[assignment]
        _Timed(stage, spent) for stage in original()
    ]
    try:
        wall, _cpu = run_ours(db, lines)
    finally:
        pipeline_module.default_stages = original  # type: ignore[assignment]
    per_post = {name: round(secs / len(lines) * 1e6, 1) for name, secs in spent.items()}
    per_post["rest"] = round((wall - sum(spent.values())) / len(lines) * 1e6, 1)
    return per_post


def run_naive(db: Database, posts: Sequence[str]) -> tuple[float, float, dict[str, float]] | None:
    """The way a first prototype would do it: everything per post. Returns (wall s, CPU s,
    µs per post of each step: normalise, segment, minhash, detect, places, store)."""
    try:
        from datasketch import MinHash, MinHashLSH
        from underthesea import word_tokenize
    except ImportError:
        return None
    from soitin.detect.registry import product_suite
    from soitin.places.tagger import tag_places
    from soitin.text.fold import fold_diacritics
    from soitin.text.normalise import normalise_for_matching

    suite = product_suite()
    lsh = MinHashLSH(threshold=0.7, num_perm=128)
    source_id = _source(db)
    steps = ("normalise", "segment", "minhash", "detect", "places", "store")
    spent = dict.fromkeys(steps, 0.0)
    clock = time.perf_counter
    wall, cpu = clock(), time.process_time()
    for i, post in enumerate(posts):
        t0 = clock()
        norm = normalise_for_matching(post)
        t1 = clock()
        tokens = word_tokenize(norm)
        t2 = clock()
        mh = MinHash(num_perm=128)
        for k in range(max(1, len(tokens) - 2)):
            mh.update(" ".join(tokens[k : k + 3]).encode("utf-8"))
        lsh.query(mh)
        lsh.insert(f"p{i}", mh)
        t3 = clock()
        scores = {name: res[0].score for name, res in suite.score([post]).items()}
        t4 = clock()
        places = tag_places(post)
        t5 = clock()
        with db.transaction() as s:
            s.add(
                Item(
                    source_id=source_id,
                    external_id=f"n{i}",
                    content_hash=str(i),
                    text=post,
                    text_folded=fold_diacritics(post),
                    province_codes=places.province_codes,
                    scores={"n": len(scores)},
                )
            )
        t6 = clock()
        marks = (t0, t1, t2, t3, t4, t5, t6)
        for step, a, b in zip(steps, marks[:-1], marks[1:], strict=True):
            spent[step] += b - a
    wall, cpu = clock() - wall, time.process_time() - cpu
    return wall, cpu, {step: round(secs / len(posts) * 1e6, 1) for step, secs in spent.items()}


class CpuMeter:
    """CPU seconds used so far by some processes: `pids`, or this machine's PostgreSQL server
    processes (their titles start with "postgres") when `pids` is None, but `exclude`; 0
    without /proc.

    A process that exits keeps counting with the last figure read (a server backend of a
    closed connection); a process is known by its pid and start time, so a reused pid is a
    new process.
    """

    def __init__(self, pids: Sequence[int] | None, exclude: Sequence[int] = ()) -> None:
        self.pids = pids
        self.exclude = set(exclude)
        self.last: dict[tuple[int, str], float] = {}
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def read(self) -> float:
        for pid in self.pids if self.pids is not None else _proc_pids():
            if pid in self.exclude:
                continue
            try:
                if self.pids is None and not Path(f"/proc/{pid}/cmdline").read_bytes().startswith(
                    b"postgres"
                ):
                    continue
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # gone, or not ours to read
                continue
            # utime + stime, by (pid, start time)
            self.last[(pid, fields[19])] = (int(fields[11]) + int(fields[12])) / self.tick
        return sum(self.last.values())


def _proc_pids() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []


class WorkerRun(NamedTuple):
    """One run of `n` workers: seconds in all, steady items/s, and CPU µs per item in the
    steady part (workers; PostgreSQL's server processes, None when it is not on this host)."""

    total: float
    steady: float
    worker_us: float | None
    postgres_us: float | None


def run_workers(n_workers: int, items: int, pg_url: str, amqp_url: str) -> WorkerRun | None:
    """Seconds for `n_workers` worker processes to process `items` queued items, and their
    steady rate in items/s: from 10% to 90% processed, so the workers' start-up — imports
    and model loading, the same for one or two — does not count as throughput. The CPU the
    workers and the PostgreSQL server spend per item in that part is read from /proc."""
    try:
        import pika

        pika.BlockingConnection(pika.URLParameters(amqp_url)).close()
    except Exception:  # no broker here
        return None
    prefix = f"bench{uuid.uuid4().hex[:6]}"
    lines = jsonl(make_posts(items, seed=n_workers))
    with database("postgresql", pg_url) as db:
        url = db.engine.url.render_as_string(hide_password=False)
        env = {
            **os.environ,
            "SOITIN_DATABASE_URL": url,
            "SOITIN_BROKER_URL": amqp_url,
            "SOITIN_QUEUE_PREFIX": prefix,
            "SOITIN_WORKER_THREADS": "1",
        }
        os.environ.update(
            {k: env[k] for k in ("SOITIN_BROKER_URL", "SOITIN_QUEUE_PREFIX", "SOITIN_DATABASE_URL")}
        )
        from soitin.settings import get_settings

        get_settings.cache_clear()
        try:
            run_ours(db, lines)  # broker mode: stored and queued, not processed
        finally:
            for k in ("SOITIN_BROKER_URL", "SOITIN_QUEUE_PREFIX", "SOITIN_DATABASE_URL"):
                os.environ.pop(k, None)
            get_settings.cache_clear()
        # the count below runs on a connection of its own, whose server process is not counted:
        # a scan of the whole table every POLL_S (~10 ms) is the bench's work, not the workers'
        poll = db.engine.connect()
        poll_pid = poll.scalar(text("SELECT pg_backend_pid()"))
        poll.commit()
        if ALL_CORES:  # the workers get every core; the single-core figures pin only themselves
            os.sched_setaffinity(0, ALL_CORES)
        procs = [
            subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "soitin", "worker", "--no-scheduler"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(n_workers)
        ]
        workers_cpu = CpuMeter([proc.pid for proc in procs])
        server_cpu = CpuMeter(None, exclude=[int(poll_pid or 0)])
        local_pg = make_url(pg_url).host in {None, "", "127.0.0.1", "localhost", "::1"}
        start = time.perf_counter()
        # (time, items processed, worker CPU s, server CPU s) every POLL_S. The count reads the
        # whole items table (~10 ms at 10,000 items): polled every 0.1 s it took ~10 % of a
        # core from the workers it measures. The 10 % and 90 % times are interpolated between
        # samples instead.
        samples: list[tuple[float, int, float, float]] = [
            (start, 0, workers_cpu.read(), server_cpu.read())
        ]
        try:
            while True:
                time.sleep(POLL_S)
                done = (
                    poll.scalar(select(func.count(Item.id)).where(Item.processed_at.is_not(None)))
                    or 0
                )
                poll.commit()  # no snapshot held between counts
                now = time.perf_counter()
                samples.append((now, done, workers_cpu.read(), server_cpu.read()))
                if done == items or now - start > 1800:
                    break
            total = time.perf_counter() - start
            t10, t90 = (_crossing(samples, share * items) for share in (0.1, 0.9))
            steady = 0.8 * items / (t90 - t10) if t90 > t10 else items / total
            used = [_between(samples, column, t10, t90) for column in (2, 3)]
            per_item = [round(1e6 * cpu / (0.8 * items), 1) if cpu > 0 else None for cpu in used]
            return WorkerRun(total, steady, per_item[0], per_item[1] if local_pg else None)
        finally:
            poll.close()
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=60)
            _delete_queues(amqp_url, prefix)


def _crossing(samples: Sequence[tuple[float, int, float, float]], count: float) -> float:
    """When `count` items were processed, interpolated between the two samples around it."""
    for (t0, n0, *_), (t1, n1, *_) in itertools.pairwise(samples):
        if n1 >= count:
            return t0 if n1 == n0 else t0 + (t1 - t0) * (count - n0) / (n1 - n0)
    return samples[-1][0]


def _between(
    samples: Sequence[tuple[float, int, float, float]], column: int, t0: float, t1: float
) -> float:
    """How much the CPU counter in `column` grew from time `t0` to `t1` (interpolated)."""

    def at(t: float) -> float:
        for a, b in itertools.pairwise(samples):
            if b[0] >= t:
                share = 0.0 if b[0] == a[0] else (t - a[0]) / (b[0] - a[0])
                return a[column] + share * (b[column] - a[column])
        return samples[-1][column]

    return at(t1) - at(t0)


def _delete_queues(amqp_url: str, prefix: str) -> None:
    import pika

    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = conn.channel()
    for base in ("pipeline", "scheduled"):
        for suffix in ("", ".DQ", ".XQ"):
            channel.queue_delete(f"{prefix}.{base}{suffix}")
    conn.close()


def main() -> int:
    """Run the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--naive-posts", type=int, default=1_000)
    parser.add_argument("--items", type=int, default=12_000, help="items for the worker runs")
    parser.add_argument("--postgres-url", default=PG_URL)
    parser.add_argument("--amqp-url", default=AMQP_URL)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-workers", action="store_true")
    parser.add_argument("--workers-only", action="store_true", help="only the 1 vs 2 workers")
    parser.add_argument(
        "--worker-rounds", type=int, default=3, help="rounds of 1 and 2 workers (medians)"
    )
    args = parser.parse_args()
    if not args.workers_only:
        single_core_figures(args)
    if not args.no_postgres and not args.no_workers:
        worker_figures(args)
    return 0


def single_core_figures(args: argparse.Namespace) -> None:
    """Ours, the floor and the naive reference, on one core."""
    if hasattr(os, "sched_setaffinity"):  # "one core"
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    posts = make_posts(args.posts)
    lines = jsonl(posts)
    warm = jsonl(make_posts(500, seed=99))
    with database("sqlite", args.postgres_url) as db:
        run_ours(db, warm)  # load models, gazetteer, indexes
    settle_after_start()  # as `soitin serve` and `soitin worker` do after start-up
    kinds = ["sqlite"] + ([] if args.no_postgres else ["postgresql"])
    ours_rate: dict[str, float] = {}
    for kind in kinds:
        with database(kind, args.postgres_url) as db:
            wall, cpu = run_ours(db, lines)
            stored = stored_bytes(db)
        ours_rate[kind] = len(lines) / wall
        emit(
            figure=f"pipeline_posts_per_s_{kind}",
            value=round(len(lines) / wall),
            cpu_posts_per_s=round(len(lines) / cpu),
            posts=len(lines),
            goal=3000,
        )
        emit(figure=f"stored_score_bytes_per_item_{kind}", value=stored)
        with database(kind, args.postgres_url) as db:
            fwall, fcpu = run_floor(db, lines)
        emit(
            figure=f"floor_posts_per_s_{kind}",
            value=round(len(lines) / fwall),
            cpu_posts_per_s=round(len(lines) / fcpu),
            posts=len(lines),
        )
        emit(figure=f"pipeline_fraction_of_floor_{kind}", value=round(fwall / wall, 3))
        if kind == "sqlite":  # where a post's time goes (a separate run: timing costs a little)
            with database(kind, args.postgres_url) as db:
                split = run_stage_split(db, lines[: max(1, len(lines) // 2)])
            emit(figure="pipeline_stage_us_per_post_sqlite", **split)
    with database("sqlite", args.postgres_url) as db:
        naive = run_naive(db, posts[: args.naive_posts])
    if naive is None:
        emit(figure="naive_posts_per_s_sqlite", skipped="install the bench extra")
    else:
        rate = args.naive_posts / naive[0]
        emit(figure="naive_posts_per_s_sqlite", value=round(rate, 1), posts=args.naive_posts)
        emit(figure="naive_step_us_per_post_sqlite", **naive[2])
        emit(
            figure="pipeline_vs_naive_ratio_sqlite",
            value=round(ours_rate["sqlite"] / rate, 1),
            goal=20,
        )


def worker_figures(args: argparse.Namespace) -> None:
    """1 vs 2 worker processes on PostgreSQL and the broker, in alternating rounds.

    This VM's speed drifts within a minute, and a slower minute for one of the two runs moves
    their ratio by 0.2-0.4. Each round runs both (one first, then two; the next round the
    other way round), and the figures are the medians over the rounds.
    """
    rounds: list[tuple[WorkerRun, WorkerRun]] = []
    for r in range(args.worker_rounds):
        order = (1, 2) if r % 2 == 0 else (2, 1)
        measured = {n: run_workers(n, args.items, args.postgres_url, args.amqp_url) for n in order}
        one, two = measured[1], measured[2]
        if one is None or two is None:
            emit(figure="workers_ratio_postgresql", skipped="no broker")
            return
        rounds.append((one, two))
    for n in (1, 2):
        runs = [pair[n - 1] for pair in rounds]
        emit(
            figure=f"worker_{n}_posts_per_s_postgresql",
            value=round(statistics.median(run.steady for run in runs)),
            with_start_up=round(statistics.median(args.items / run.total for run in runs)),
            rounds=[round(run.steady) for run in runs],
        )
        for part in ("worker", "postgres"):
            cpu = [getattr(run, f"{part}_us") for run in runs]
            if all(x is not None for x in cpu):
                emit(
                    figure=f"worker_{n}_{part}_cpu_us_per_item",
                    value=round(statistics.median(x for x in cpu if x is not None)),
                    rounds=cpu,
                )
    ratios = [two.steady / one.steady for one, two in rounds]
    emit(
        figure="workers_2_vs_1_ratio_postgresql",
        value=round(statistics.median(ratios), 2),
        rounds=[round(x, 2) for x in ratios],
        with_start_up=round(statistics.median(one.total / two.total for one, two in rounds), 2),
        goal=1.8,
        cores=os.cpu_count(),
    )


if __name__ == "__main__":
    raise SystemExit(main())
