"""Prometheus metrics: items per minute, queue depth, task failures, open cases, search
re-index backlog, sources switched on and failing."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from sqlalchemy import func, select

from soitin.db.models import Case, CaseStatus, FailedTask, Item, Source
from soitin.db.types import utcnow
from soitin.text.reindex import rows_to_reindex
from soitin.web.deps import SessionDep

router = APIRouter()


@router.get("/metrics", tags=["ops"], response_class=Response)
def metrics(request: Request, session: SessionDep) -> Response:
    """Aggregate health figures in the Prometheus text format (no post content, no people)."""
    registry = CollectorRegistry()
    now = utcnow()
    items_total = Gauge("soitin_items_total", "Items stored", registry=registry)
    items_total.set(session.scalar(select(func.count(Item.id))) or 0)
    per_minute = Gauge(
        "soitin_items_per_minute", "Items stored during the last minute", registry=registry
    )
    per_minute.set(
        session.scalar(
            select(func.count(Item.id)).where(Item.fetched_at >= now - timedelta(minutes=1))
        )
        or 0
    )
    unprocessed = Gauge(
        "soitin_items_unprocessed", "Items waiting for the pipeline", registry=registry
    )
    unprocessed.set(
        session.scalar(select(func.count(Item.id)).where(Item.processed_at.is_(None))) or 0
    )
    failures = Gauge(
        "soitin_task_failures",
        "Tasks failed after all retries, not yet retried",
        registry=registry,
    )
    failures.set(
        session.scalar(select(func.count(FailedTask.id)).where(FailedTask.retried_at.is_(None)))
        or 0
    )
    open_cases = Gauge("soitin_open_cases", "Cases open or assigned", registry=registry)
    open_cases.set(
        session.scalar(
            select(func.count(Case.id)).where(
                Case.status.in_([CaseStatus.OPEN.value, CaseStatus.ASSIGNED.value])
            )
        )
        or 0
    )
    reindex = Gauge(
        "soitin_search_reindex_rows",
        "Items and stories whose search text awaits re-folding after an upgrade",
        registry=registry,
    )
    reindex.set(rows_to_reindex(session))
    by_state = Gauge(
        "soitin_sources",
        "Sources switched on, by kind, and how many of them failed their last poll",
        ["kind", "state"],
        registry=registry,
    )
    for kind, failed_polls, n in session.execute(
        select(Source.kind, Source.consecutive_failures, func.count(Source.id))
        .where(Source.enabled.is_(True))
        .group_by(Source.kind, Source.consecutive_failures)
    ):
        by_state.labels(kind=kind, state="failing" if failed_polls else "ok").inc(n)
    depth = Gauge(
        "soitin_queue_depth", "Messages waiting on the broker", ["queue"], registry=registry
    )
    broker = getattr(request.app.state, "broker", None)
    if broker is not None:
        try:
            for queue, count in broker.queue_depths().items():
                depth.labels(queue=queue).set(count)
        except Exception:  # the broker being down must not break the metrics page
            depth.labels(queue="unreachable").set(-1)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
