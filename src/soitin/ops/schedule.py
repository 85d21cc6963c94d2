"""Scheduled jobs, run from one place and exactly once per time slot.

Every process that runs a `SchedulerLoop` (each worker, or the web process in embedded mode)
tries to claim the current slot of each job by inserting (job, slot) into `schedule_runs`;
the unique key lets exactly one of them win, whatever the number of processes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.dialects import postgresql, sqlite

from soitin.db import Database
from soitin.db.models import ScheduleRun
from soitin.db.types import utcnow

if TYPE_CHECKING:
    from soitin.worker import Broker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A named piece of periodic work."""

    name: str
    every_s: int
    work: Callable[[Database], object]

    def run(self, database: Database) -> None:
        """Do the work once."""
        self.work(database)


def _poll_feeds(database: Database) -> object:
    from soitin.ingest import feeds

    return feeds.poll_due_feeds(database)


def _alerts_pass(database: Database) -> object:
    from soitin.triage import alerts

    return alerts.run_alert_pass(database)


def _deliver_alerts(database: Database) -> object:
    from soitin.triage import delivery

    return delivery.deliver_pending(database)


def _overdue(database: Database) -> object:
    from soitin.review import cases

    return cases.escalate_overdue(database)


def _match_claims(database: Database) -> object:
    """Semantic claim matching of new stories (too slow for the ingest path)."""
    from soitin.settings import get_settings
    from soitin.stories.claim_service import match_queued_stories

    return match_queued_stories(database, get_settings())


def _weekly_reports(database: Database) -> object:
    from soitin.report import scheduled

    return scheduled.generate_scheduled_reports(database, "weekly")


def _monthly_reports(database: Database) -> object:
    from soitin.report import scheduled

    return scheduled.generate_scheduled_reports(database, "monthly")


def _retention(database: Database) -> object:
    from soitin.ops import retention

    return retention.purge_expired(database)


#: Seconds of re-indexing per minute slot: the other jobs of an embedded scheduler (same
#: thread) wait at most this long, and a worker thread is not held for long.
REINDEX_BUDGET_S = 20


def _search_reindex(database: Database) -> object:
    """Re-fold stored search text after a folding upgrade, a slice at a time (a no-op,
    one small read, once it is current)."""
    from soitin.text.reindex import reindex_search

    result = reindex_search(database, budget_s=REINDEX_BUDGET_S)
    if result.items_seen or result.stories_seen:
        log.info(
            "search re-index: %d items (%d changed), %d stories (%d changed)%s",
            result.items_seen,
            result.items_changed,
            result.stories_seen,
            result.stories_changed,
            ", finished" if result.finished else "",
        )
    return result


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("poll_feeds", 60, _poll_feeds),
        Job("alerts_pass", 60, _alerts_pass),
        Job("deliver_alerts", 30, _deliver_alerts),
        Job("escalate_overdue", 300, _overdue),
        Job("match_claims", 60, _match_claims),
        Job("weekly_reports", 7 * 86400, _weekly_reports),
        Job("monthly_reports", 30 * 86400, _monthly_reports),
        Job("retention", 3600, _retention),
        Job("search_reindex", 60, _search_reindex),  # last: the others first in a tick
    )
}


def claim(database: Database, job: str, slot: int, by: str = "") -> bool:
    """True for exactly one caller per (job, slot), across every process."""
    with database.transaction() as session:
        dialect = session.get_bind().dialect.name
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ScheduleRun)
        result = session.execute(
            insert.on_conflict_do_nothing(index_elements=["job", "slot"]).returning(ScheduleRun.id),
            {"job": job, "slot": slot, "claimed_at": utcnow(), "claimed_by": by[:128]},
        )
        return result.scalar() is not None


def run_due(
    database: Database, now: datetime | None = None, broker: Broker | None = None, by: str = ""
) -> list[str]:
    """Claim and start every job whose current slot nobody has claimed; returns their names.

    With a broker the job is sent as a task; without one (embedded mode) it runs here.
    """
    now = now or utcnow()
    started = []
    for job in JOBS.values():
        slot = int(now.timestamp()) // job.every_s
        if not claim(database, job.name, slot, by):
            continue
        started.append(job.name)
        if broker is not None:
            broker.send("run_scheduled_job", job.name)
            continue
        try:
            job.run(database)
        except ImportError:
            log.info("job %s skipped: its area is not installed", job.name)
        except Exception:  # one failing job must not stop the others
            log.exception("scheduled job %s failed", job.name)
    return started


class SchedulerLoop:
    """A daemon thread that calls `run_due` every `tick` seconds."""

    def __init__(
        self,
        database: Database,
        broker: Broker | None = None,
        name: str = "",
        tick: float = 15,
        first_delay: float = 0,
    ) -> None:
        self.database = database
        self.broker = broker
        self.name = name
        self.tick = tick
        self.first_delay = first_delay
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soitin-scheduler", daemon=True)

    def start(self) -> None:
        """Start ticking."""
        self._thread.start()

    def stop(self) -> None:
        """Stop after the current tick."""
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        # Let a freshly started web process answer its first requests before heavy jobs.
        if self._stop.wait(self.first_delay):
            return
        while not self._stop.is_set():
            try:
                run_due(self.database, broker=self.broker, by=self.name)
            except Exception:  # keep ticking: the next slot may succeed
                log.exception("scheduler tick failed")
            self._stop.wait(self.tick)
