"""The dead-letter place: tasks that failed after their last retry, and retrying them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from soitin.db.models import FailedTask, User
from soitin.db.types import utcnow
from soitin.errors import ConflictError, InvalidInputError, NotFoundError
from soitin.review import audit
from soitin.settings import Settings


def list_failed(
    session: Session, *, include_retried: bool = False, limit: int = 200
) -> list[FailedTask]:
    """Failed tasks, newest first."""
    query = select(FailedTask).order_by(FailedTask.failed_at.desc(), FailedTask.id.desc())
    if not include_retried:
        query = query.where(FailedTask.retried_at.is_(None))
    return list(session.scalars(query.limit(limit)))


def retry_failed(
    session: Session, settings: Settings, task_id: int, user: User, ip: str | None = None
) -> FailedTask:
    """Send the task to its queue again and mark it retried (audited)."""
    task = session.get(FailedTask, task_id)
    if task is None:
        raise NotFoundError(key="task.not_found")
    if task.retried_at is not None:
        raise ConflictError(key="task.already_retried")
    if not settings.broker_url:
        raise InvalidInputError(key="task.no_broker")
    from soitin.worker import shared_broker

    broker = shared_broker(settings)
    if task.actor not in broker.actors:
        raise InvalidInputError(key="task.unknown", value=task.actor)
    broker.actors[task.actor].send(*task.args.get("args", []), **task.args.get("kwargs", {}))
    task.retried_at = utcnow()
    task.retried_by_id = user.id
    audit.record(
        session,
        "task.retried",
        actor=user,
        object_type="failed_task",
        object_id=task.id,
        ip=ip,
        task=task.actor,
    )
    session.flush()
    return task
