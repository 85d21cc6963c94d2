"""Pipeline and scheduled work as broker tasks (Dramatiq on RabbitMQ).

Each task is idempotent: it re-reads its rows under a lock and quietly skips work that is
already done, so a redelivered message (after a worker was killed before acknowledging)
does nothing twice. Messages are acknowledged only after the task finished (Dramatiq's
default), failures are retried with exponential back-off, and a task that fails after its
last retry is recorded in `failed_tasks`, where an admin can retry it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import dramatiq
from sqlalchemy import select
from sqlalchemy.orm import Session

from soitin.db import Database, open_database
from soitin.db.models import Item
from soitin.pipeline import run_stages, worker_stages
from soitin.settings import get_settings

PIPELINE_QUEUE = "pipeline"
SCHEDULED_QUEUE = "scheduled"


@lru_cache(maxsize=1)
def worker_database() -> Database:
    """The database of this worker process, opened once."""
    return open_database(get_settings())


def _unprocessed(
    database: Database, session: Session, item_ids: Sequence[int], columns: Any = Item
) -> list[Any]:
    """The items (or `columns` of them) not processed yet, locked on PostgreSQL, by id."""
    query = (
        select(columns)
        .where(Item.id.in_(list(item_ids)), Item.processed_at.is_(None))
        .order_by(Item.id)
    )
    if database.dialect == "postgresql":
        # Two workers handed the same ids (a redelivery) serialise here; the second
        # then sees processed_at set and skips.
        query = query.with_for_update()
    return list(session.scalars(query))


def process_item_batch(item_ids: Sequence[int], database: Database | None = None) -> int:
    """Run the pipeline over the items not processed yet; returns how many it processed.

    Two transactions (`worker_stages`): text, places, detect and story assignment; then the
    story figures and triage, which mark the items processed. A run that dies between them
    leaves items with a story but unprocessed; the next run assigns nothing again and counts
    them then. The second transaction locks and reads only the ids still unprocessed and
    goes on with the first one's objects (what it committed): loading every row again, its
    scores included, cost an eighth of a worker's time.
    """
    database = database or worker_database()
    first, second = worker_stages()
    with database.transaction() as session:
        items = _unprocessed(database, session, item_ids)
        run_stages(session, items, first, mark_processed=False)
        count = len(items)
    with database.transaction() as session:
        still = set(_unprocessed(database, session, item_ids, Item.id))
        carried = [item for item in items if item.id in still]
        session.add_all(carried)
        run_stages(session, carried, second)
    return count


def run_scheduled_job(name: str) -> None:
    """Run one scheduled job by name (feeds, alerts, reports, retention…)."""
    from soitin.ops.schedule import JOBS

    JOBS[name].run(worker_database())


TASKS: dict[str, tuple[Callable[..., Any], str]] = {
    "process_item_batch": (process_item_batch, PIPELINE_QUEUE),
    "run_scheduled_job": (run_scheduled_job, SCHEDULED_QUEUE),
}


def declare_actors(
    broker: dramatiq.Broker, max_retries: int, prefix: str = "soitin"
) -> dict[str, dramatiq.Actor[Any, Any]]:
    """Declare every task on `broker`, on queues named `<prefix>.<queue>`."""
    actors: dict[str, dramatiq.Actor[Any, Any]] = {}
    for name, (fn, queue) in TASKS.items():
        actors[name] = dramatiq.Actor(
            fn,
            actor_name=name,
            queue_name=f"{prefix}.{queue}",
            priority=0,
            broker=broker,
            options={
                "max_retries": max_retries,
                "min_backoff": 1_000,
                "max_backoff": 300_000,
                "time_limit": 600_000,
            },
        )
    return actors
