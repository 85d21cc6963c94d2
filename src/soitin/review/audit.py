"""The append-only audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from soitin.db.models import AuditEvent, User


def record(
    session: Session,
    action: str,
    *,
    actor: User | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    ip: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Append one audit entry in the caller's transaction."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor else None,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        ip=ip,
        detail=detail,
    )
    session.add(event)
    return event
