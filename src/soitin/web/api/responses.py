"""`/api/v1/cases/{id}/responses` and `/api/v1/responses/{id}`: the response ledger as JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from soitin.db.models import Case, User
from soitin.errors import NotFoundError
from soitin.respond import ledger
from soitin.respond.access import require_respond, visible_unit_ids
from soitin.web.api.auth import ApiUser, api_csrf
from soitin.web.deps import SessionDep

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["responses"], dependencies=[Depends(api_csrf)])


class ResponseIn(BaseModel):
    """One response to record (fields needed depend on the kind; see the docs)."""

    kind: str = Field(max_length=32, examples=["fact_check"])
    at: AwareDatetime | None = None
    url: str | None = Field(default=None, max_length=2048)
    channel: str | None = Field(default=None, max_length=64)
    platform: str | None = Field(default=None, max_length=64)
    reference: str | None = Field(default=None, max_length=255)
    outcome: str | None = Field(default=None, max_length=32)
    outcome_at: AwareDatetime | None = None
    title: str | None = Field(default=None, max_length=500)
    note: str | None = Field(default=None, max_length=4000)
    claim_id: int | None = None
    verdict: str | None = Field(default=None, max_length=16)


class OutcomeIn(BaseModel):
    """What the platform did with a report."""

    outcome: str = Field(max_length=32, examples=["removed"])
    at: AwareDatetime | None = None


def _case(session: Session, user: User, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None or case.unit_id not in visible_unit_ids(session, user):
        raise NotFoundError("No such case.")
    return case


def _ledger(session: Session, case: Case) -> dict[str, Any]:
    actions = ledger.case_responses(session, case.id)
    names: dict[int | None, str] = dict(
        session.execute(
            select(User.id, User.display_name).where(
                User.id.in_([a.actor_id for a in actions if a.actor_id])
            )
        ).all()
    )
    delta = ledger.time_to_first_response(case)
    return {
        "case_id": case.id,
        "first_response_at": case.first_response_at.isoformat() if case.first_response_at else None,
        "time_to_first_response_seconds": int(delta.total_seconds()) if delta else None,
        "responses": [ledger.action_to_dict(a, names.get(a.actor_id)) for a in actions],
    }


@router.get("/cases/{case_id}/responses", summary="A case's response ledger")
def list_responses(case_id: int, session: SessionDep, user: ApiUser) -> dict[str, Any]:
    """Every response of the case, oldest first, and the time to the first one."""
    return _ledger(session, _case(session, user, case_id))


@router.post("/cases/{case_id}/responses", status_code=201, summary="Record a response")
def add_response(
    case_id: int, body: ResponseIn, session: SessionDep, user: ApiUser
) -> dict[str, Any]:
    """Record a fact-check, correction, platform report, notice, referral or warning."""
    case = _case(session, user, case_id)
    require_respond(session, user, case)
    action = ledger.record_response(
        session, case, ledger.ResponseInput(**body.model_dump()), actor=user
    )
    session.commit()
    return ledger.action_to_dict(action, user.display_name)


@router.patch("/responses/{action_id}", summary="Set a platform report's outcome")
def update_outcome(
    action_id: int, body: OutcomeIn, session: SessionDep, user: ApiUser
) -> dict[str, Any]:
    """removed, labelled, no_action or pending (with the time it happened)."""
    action = ledger.get_action(session, action_id)
    case = _case(session, user, action.case_id)
    require_respond(session, user, case)
    at: datetime | None = body.at
    ledger.set_outcome(session, action, body.outcome, actor=user, at=at)
    session.commit()
    return ledger.action_to_dict(action)
