"""The broker side: Dramatiq on RabbitMQ, the dead-letter record, and `soitin worker`.

Why Dramatiq on RabbitMQ: acknowledgement after the task ran is Dramatiq's default (a worker
killed mid-task leaves its messages unacknowledged and RabbitMQ redelivers them), retries with
exponential back-off and a dead-letter queue are built in, and RabbitMQ keeps messages on disk,
where a Redis broker without persistence (as run here) would lose them on restart.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import traceback
from collections.abc import Sequence
from typing import Any

import dramatiq
from dramatiq.broker import MessageProxy
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.middleware import Middleware, Retries
from sqlalchemy.dialects import postgresql, sqlite

from soitin.db import Database
from soitin.db.models import FailedTask
from soitin.errors import ConfigError
from soitin.settings import Settings
from soitin.tasks import PIPELINE_QUEUE, SCHEDULED_QUEUE, declare_actors, worker_database

QUEUES = (PIPELINE_QUEUE, SCHEDULED_QUEUE)


class RecordFailures(Middleware):
    """After the last retry, write the task to `failed_tasks` (the admin's dead-letter page)."""

    def __init__(self, database: Database | None = None) -> None:
        self._database = database

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        if exception is None or not message.failed:
            return
        database = self._database or worker_database()
        error = "".join(traceback.format_exception_only(type(exception), exception)).strip()
        row = {
            "message_id": message.message_id,
            "queue": message.queue_name,
            "actor": message.actor_name,
            "args": {"args": list(message.args), "kwargs": dict(message.kwargs)},
            "error": error[:2000],
            "retries": int(message.options.get("retries", 0)),
        }
        with database.transaction() as session:
            dialect = session.get_bind().dialect.name
            insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(FailedTask)
            session.execute(insert.on_conflict_do_nothing(index_elements=["message_id"]), row)


class Broker:
    """The configured broker with soitin's actors declared on it."""

    def __init__(self, settings: Settings, database: Database | None = None) -> None:
        if not settings.broker_url:
            raise ConfigError("SOITIN_BROKER_URL is not set: soitin runs in embedded mode.")
        self.settings = settings
        self.broker = RabbitmqBroker(url=settings.broker_url)
        # Before Retries in the list: "after" hooks run in reverse, so this one then sees the
        # `failed` mark that Retries sets when the last retry is used up.
        self.broker.add_middleware(RecordFailures(database), before=Retries)
        self.actors = declare_actors(self.broker, settings.task_max_retries, settings.queue_prefix)
        self.queues = [f"{settings.queue_prefix}.{queue}" for queue in QUEUES]
        for queue in self.queues:
            self.broker.declare_queue(queue)

    def enqueue_items(self, item_ids: Sequence[int], batch: int = 200) -> None:
        """Send the items to the pipeline queue in batches (call after the commit)."""
        ids = list(item_ids)
        for start in range(0, len(ids), batch):
            self.actors["process_item_batch"].send(ids[start : start + batch])

    def send(self, actor: str, *args: Any) -> None:
        """Enqueue one task by name."""
        self.actors[actor].send(*args)

    def queue_depths(self) -> dict[str, int]:
        """Messages waiting per queue (ready + delayed + dead-lettered)."""
        depths = {}
        for queue in self.queues:
            ready, delayed, dead = self.broker.get_queue_message_counts(queue)
            depths[queue] = ready
            depths[f"{queue}.delayed"] = delayed
            depths[f"{queue}.dead"] = dead
        return depths

    def close(self) -> None:
        """Close the broker's connections."""
        self.broker.close()


_SHARED: dict[tuple[str, str], Broker] = {}
_SHARED_LOCK = threading.Lock()


def shared_broker(settings: Settings) -> Broker:
    """One `Broker` per process and broker URL, for senders (web, CLI, ingest)."""
    key = (settings.broker_url, settings.queue_prefix)
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = Broker(settings)
        return _SHARED[key]


def run_worker(settings: Settings, threads: int | None = None, scheduler: bool = True) -> None:
    """Consume both queues until SIGINT/SIGTERM; optionally run the scheduler loop too."""
    from soitin.ops.schedule import SchedulerLoop

    broker = Broker(settings)
    worker = dramatiq.Worker(
        broker.broker, queues=set(broker.queues), worker_threads=threads or settings.worker_threads
    )
    stop = threading.Event()

    def _stop(_signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    worker.start()
    loop = None
    if scheduler and settings.scheduler_enabled:
        loop = SchedulerLoop(
            worker_database(), broker, name=f"{socket.gethostname()}:{os.getpid()}"
        )
        loop.start()
    try:
        stop.wait()
    finally:
        if loop is not None:
            loop.stop()
        worker.stop()
        broker.close()
