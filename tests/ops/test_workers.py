"""Workers on the real broker (RabbitMQ) and PostgreSQL: exactly once, even when killed.

Two `soitin worker` processes consume 20,000 items; one is killed with SIGKILL mid-batch and
a third takes over. Every item must be processed, none twice (story sizes add up to exactly
20,000), and near-duplicates handled by different workers must land in one story.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pika
import pytest
from sqlalchemy import Engine, func, select, text

from soitin.db import Database, make_engine
from soitin.db.migrate import upgrade
from soitin.db.models import FailedTask, Item, Story
from soitin.ingest.incoming import IncomingItem
from soitin.ingest.sources import add_source
from soitin.ingest.store import store_items
from soitin.ops.schedule import JOBS, claim, run_due
from soitin.settings import get_settings, load_settings
from tests.conftest import IN_CI, PG_URL, require_postgres

AMQP_URL = os.environ.get("SOITIN_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


def require_rabbitmq() -> None:
    """Skip (outside CI) or fail (in CI) when RabbitMQ does not answer."""
    try:
        pika.BlockingConnection(pika.URLParameters(AMQP_URL)).close()
    except Exception as exc:  # any failure: no broker to test against
        reason = f"RabbitMQ at {AMQP_URL} does not answer ({type(exc).__name__})"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)


@pytest.fixture
def pg_schema() -> Iterator[tuple[str, Engine]]:
    """A migrated PostgreSQL schema of its own, and a URL that points into it."""
    require_postgres()
    schema = f"w_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}?options={quote(f'-csearch_path={schema}')}"
    engine = make_engine(url)
    upgrade(engine)
    try:
        yield url, engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def queue_prefix() -> Iterator[str]:
    """Queues of their own on the broker, deleted afterwards."""
    require_rabbitmq()
    prefix = f"t{uuid.uuid4().hex[:8]}"
    yield prefix
    conn = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = conn.channel()
    for base in ("pipeline", "scheduled"):
        for suffix in ("", ".DQ", ".XQ"):
            channel.queue_delete(f"{prefix}.{base}{suffix}")
    conn.close()


WORDS = (
    "mưa lũ sạt lở đê đập xả lũ người dân sơ tán công an cảnh báo lừa đảo điện lực tiền điện "
    "chuyển khoản tài khoản ngân hàng trúng thưởng việc nhẹ lương cao nhiệm vụ vay tiền từ "
    "thiện quyên góp giá xăng tăng vắc xin sởi vô sinh lá đu đủ sốt xuất huyết bệnh viện "
    "trường học học sinh giao thông tai nạn cầu đường thôn xã phường huyện tỉnh chợ hải sản "
    "nông dân lúa cà phê hồ tiêu du lịch hang động biển bão áp thấp nhiệt đới"
).split()


def _groups(n_groups: int, per_group: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    groups = []
    for g in range(n_groups):
        base = " ".join(rng.choice(WORDS) for _ in range(30)) + f" mã tin {g}"
        groups.append([base + ("" if k == 0 else f" 🙏 #{k} chia sẻ") for k in range(per_group)])
    return groups


def _worker(url: str, prefix: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SOITIN_DATABASE_URL": url,
        "SOITIN_BROKER_URL": AMQP_URL,
        "SOITIN_QUEUE_PREFIX": prefix,
        "SOITIN_WORKER_THREADS": "2",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "soitin", "worker", "--no-scheduler"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _processed(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count(Item.id)).where(Item.processed_at.is_not(None))) or 0


@pytest.mark.slow
def test_two_workers_process_every_item_once_even_when_one_is_killed(
    pg_schema: tuple[str, Engine],
    queue_prefix: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, engine = pg_schema
    total_groups, per_group = 2_000, 10  # 20,000 items
    monkeypatch.setenv("SOITIN_DATABASE_URL", url)
    monkeypatch.setenv("SOITIN_BROKER_URL", AMQP_URL)
    monkeypatch.setenv("SOITIN_QUEUE_PREFIX", queue_prefix)
    get_settings.cache_clear()
    database = Database(engine)
    groups = _groups(total_groups, per_group)
    # Interleave the copies so that the two workers see members of one group concurrently.
    rows = [(g, k, groups[g][k]) for k in range(per_group) for g in range(total_groups)]
    try:
        with database.transaction() as s:
            source = add_source(s, name="Tệp xuất thử nghiệm", kind="file")
            source_id = source.id
        for start in range(0, len(rows), 1_000):
            with database.transaction() as s:
                src = s.get(type(source), source_id)
                assert src is not None
                store_items(
                    s,
                    src,
                    [
                        IncomingItem(external_id=f"{g}-{k}", text=body)
                        for g, k, body in rows[start : start + 1_000]
                    ],
                )
    finally:
        get_settings.cache_clear()
    assert _processed(engine) == 0  # broker mode: nothing processed in the ingest process

    log = tmp_path / "workers.log"
    first, second = _worker(url, queue_prefix, log), _worker(url, queue_prefix, log)
    third = None
    try:
        deadline = time.monotonic() + 900
        while _processed(engine) < 3_000 and time.monotonic() < deadline:
            time.sleep(0.5)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        killed_at = _processed(engine)
        assert killed_at < 20_000, "the kill came too late to test anything"
        third = _worker(url, queue_prefix, log)
        while _processed(engine) < 20_000 and time.monotonic() < deadline:
            time.sleep(1)
        assert _processed(engine) == 20_000, log.read_text(errors="replace")[-3000:]
    finally:
        for proc in (first, second, third):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=60)

    with engine.connect() as conn:
        assert conn.scalar(select(func.count(Item.id))) == 20_000
        assert conn.scalar(select(func.count(Item.id)).where(Item.story_id.is_(None))) == 0
        # No item was counted twice: story sizes add up to the number of items.
        assert conn.scalar(select(func.sum(Story.item_count))) == 20_000
        story_of = dict(conn.execute(select(Item.external_id, Item.story_id)).all())
    split = [
        g for g in range(total_groups) if len({story_of[f"{g}-{k}"] for k in range(per_group)}) != 1
    ]
    assert not split, f"{len(split)} near-duplicate groups split across stories"
    assert len(set(story_of.values())) == total_groups


def test_failed_task_is_recorded_after_its_retries_and_can_be_retried(
    queue_prefix: str, tmp_path: Path
) -> None:
    import dramatiq

    from soitin.ops.failed import list_failed, retry_failed
    from soitin.review import accounts
    from soitin.worker import Broker

    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    upgrade(engine)
    database = Database(engine)
    settings = load_settings(
        data_dir=tmp_path,
        database_url=str(engine.url),
        broker_url=AMQP_URL,
        queue_prefix=queue_prefix,
        task_max_retries=0,
    )
    broker = Broker(settings, database)
    worker = dramatiq.Worker(broker.broker, queues=set(broker.queues), worker_threads=1)
    worker.start()
    try:
        broker.send("process_item_batch", None)  # fails every time: None is not a list of ids
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with database.session() as s:
                if list_failed(s):
                    break
            time.sleep(0.2)
        with database.transaction() as s:
            failed = list_failed(s)
            assert len(failed) == 1
            assert failed[0].actor == "process_item_batch"
            assert "TypeError" in failed[0].error
            accounts.add_unit(s, "root", "Gốc")
            admin = accounts.add_user(s, "ad", role="admin", unit_code="root", password="x" * 12)
            retry_failed(s, settings, failed[0].id, admin)
        # The retried message fails again: a second dead-letter row, the first marked retried.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with database.session() as s:
                if s.scalar(select(func.count(FailedTask.id))) == 2:
                    break
            time.sleep(0.2)
        with database.session() as s:
            rows = s.scalars(select(FailedTask).order_by(FailedTask.id)).all()
            assert len(rows) == 2
            assert rows[0].retried_at is not None and rows[1].retried_at is None
    finally:
        worker.stop()
        broker.close()
        engine.dispose()


@pytest.mark.parametrize("empty_engine", ["sqlite", "postgres"], indirect=True)
def test_each_schedule_slot_is_claimed_exactly_once(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    databases = [Database(empty_engine) for _ in range(4)]
    wins: list[bool] = []
    lock = threading.Lock()

    def contend(db: Database) -> None:
        for slot in range(20):
            won = claim(db, "poll_feeds", slot, by=str(id(db)))
            with lock:
                wins.append(won)

    threads = [threading.Thread(target=contend, args=(db,)) for db in databases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wins.count(True) == 20 and len(wins) == 80


def test_due_jobs_run_once_per_slot_in_embedded_mode(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    upgrade(engine)
    database = Database(engine)
    now = datetime(2026, 11, 29, 8, 0, 30, tzinfo=UTC)
    first = run_due(database, now)
    assert set(first) == set(JOBS)
    assert run_due(database, now) == []  # same slots: nothing again
    later = run_due(database, datetime(2026, 11, 29, 8, 1, 30, tzinfo=UTC))
    assert "poll_feeds" in later and "retention" not in later
    engine.dispose()
