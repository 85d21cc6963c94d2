"""The response ledger: what the team did openly about a case, by whom and when.

Kinds (`ActionKind`): a fact-check or a correction published under the team's own name (URL,
channel, time), a report filed through a platform's official channel (platform, reference,
time; its outcome comes later), an official notice or press statement, a referral to another
agency, a warning to the public. Only these entries are responses: the earliest one sets the
case's `first_response_at`, from which statistics take the time to first response (a
decision, forward or comment on the case does not). A response cannot be dated before the
case was opened.

The functions work in the caller's session and flush; the caller commits.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from soitin.db.models import Action, ActionKind, Case, CaseEvent, Claim, User, Verdict
from soitin.db.types import utcnow
from soitin.errors import InvalidInputError, NotFoundError
from soitin.review import audit
from soitin.settings import get_settings

__all__ = [
    "FUTURE_TOLERANCE",
    "Outcome",
    "ResponseInput",
    "action_to_dict",
    "case_responses",
    "check_url",
    "get_action",
    "record_response",
    "set_outcome",
    "time_to_first_response",
]

#: Clocks differ a little; a response may not be dated further ahead than this.
FUTURE_TOLERANCE = timedelta(minutes=10)


class Outcome(enum.StrEnum):
    """What a platform did with a report filed through its official channel."""

    PENDING = "pending"
    REMOVED = "removed"
    LABELLED = "labelled"
    NO_ACTION = "no_action"


#: Which fields each kind needs (beyond the kind and time).
REQUIRED: dict[str, tuple[str, ...]] = {
    ActionKind.FACT_CHECK.value: ("url", "channel"),
    ActionKind.CORRECTION.value: ("url", "channel"),
    ActionKind.PLATFORM_REPORT.value: ("platform",),
    ActionKind.OFFICIAL_NOTICE.value: ("title",),
    ActionKind.REFERRAL.value: ("channel",),
    ActionKind.PUBLIC_WARNING.value: ("channel",),
}

_LIMITS = {"channel": 64, "platform": 64, "reference": 255, "title": 500, "note": 4000}


@dataclass
class ResponseInput:
    """What a person enters for one response (strings as typed; validated on record)."""

    kind: str
    at: datetime | None = None
    url: str | None = None
    channel: str | None = None
    platform: str | None = None
    reference: str | None = None
    outcome: str | None = None
    outcome_at: datetime | None = None
    title: str | None = None
    note: str | None = None
    claim_id: int | None = None
    verdict: str | None = None


def check_url(url: str | None) -> str | None:
    """An http(s) URL stripped of spaces, or None; anything else is refused."""
    if url is None or not url.strip():
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2048:
        raise InvalidInputError(key="input.link")
    return url


def _clean(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    limit = _LIMITS[name]
    if len(value) > limit:
        raise InvalidInputError(key="input.too_long", field=name, limit=limit)
    return value


def _kind(value: str) -> str:
    try:
        return ActionKind(value).value
    except ValueError:
        kinds = ", ".join(k.value for k in ActionKind)
        raise InvalidInputError(key="respond.unknown_kind", value=value, known=kinds) from None


def _outcome(value: str) -> str:
    try:
        return Outcome(value).value
    except ValueError:
        known = ", ".join(o.value for o in Outcome)
        raise InvalidInputError(key="respond.unknown_outcome", value=value, known=known) from None


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise InvalidInputError(key="input.needs_tz", field=name)
    if value > utcnow() + FUTURE_TOLERANCE:
        raise InvalidInputError(key="input.future", field=name)
    return value


def _not_before_opening(at: datetime, case: Case) -> None:
    # Back-dated entries made the time to first response negative (shown as 0): refuse them.
    if at >= case.opened_at:
        return
    tz = get_settings().tz
    when, opened = (f"{v.astimezone(tz):%H:%M %d/%m/%Y}" for v in (at, case.opened_at))
    raise InvalidInputError(key="respond.before_opening", when=when, opened=opened)


def record_response(
    session: Session, case: Case, data: ResponseInput, *, actor: User | None
) -> Action:
    """Add one response to `case`'s ledger and keep the case's first-response time."""
    kind = _kind(data.kind)
    values: dict[str, Any] = {
        "url": check_url(data.url),
        "channel": _clean("channel", data.channel),
        "platform": _clean("platform", data.platform),
        "reference": _clean("reference", data.reference),
        "title": _clean("title", data.title),
        "note": _clean("note", data.note),
    }
    missing = [name for name in REQUIRED[kind] if not values[name]]
    if missing:
        raise InvalidInputError(key="respond.needs", kind=kind, fields=missing)
    at = _aware(data.at, "response time") if data.at else utcnow()
    _not_before_opening(at, case)

    outcome = outcome_at = None
    if kind == ActionKind.PLATFORM_REPORT.value:
        outcome = _outcome(data.outcome or Outcome.PENDING.value)
        if outcome != Outcome.PENDING.value:
            outcome_at = _aware(data.outcome_at, "outcome time") if data.outcome_at else utcnow()
    elif data.outcome:
        raise InvalidInputError(key="respond.outcome_only_report")

    claim_id, verdict = None, None
    if kind == ActionKind.FACT_CHECK.value:
        if data.claim_id is not None:
            claim = session.get(Claim, data.claim_id)
            if claim is None:
                raise NotFoundError(key="respond.no_claim", claim_id=data.claim_id)
            claim_id, verdict = claim.id, claim.verdict
        if data.verdict:
            try:
                verdict = Verdict(data.verdict).value
            except ValueError:
                known = ", ".join(v.value for v in Verdict)
                raise InvalidInputError(
                    key="respond.unknown_verdict", value=data.verdict, known=known
                ) from None
    elif data.claim_id is not None or data.verdict:
        raise InvalidInputError(key="respond.claim_only_fact_check")

    action = Action(
        case_id=case.id,
        kind=kind,
        actor_id=actor.id if actor else None,
        unit_id=case.unit_id,
        at=at,
        outcome=outcome,
        outcome_at=outcome_at,
        claim_id=claim_id,
        verdict=verdict,
        **values,
    )
    session.add(action)
    if case.first_response_at is None or at < case.first_response_at:
        case.first_response_at = at
    session.flush()
    session.add(
        CaseEvent(
            case_id=case.id,
            kind="response",
            actor_id=actor.id if actor else None,
            data={"action_id": action.id, "response_kind": kind},
        )
    )
    audit.record(
        session,
        "response.recorded",
        actor=actor,
        object_type="case",
        object_id=case.id,
        action_id=action.id,
        kind=kind,
    )
    session.flush()
    return action


def get_action(session: Session, action_id: int) -> Action:
    """The response with this id."""
    action = session.get(Action, action_id)
    if action is None:
        raise NotFoundError(key="respond.no_response", action_id=action_id)
    return action


def set_outcome(
    session: Session,
    action: Action,
    outcome: str,
    *,
    actor: User | None,
    at: datetime | None = None,
) -> Action:
    """Record what the platform did with a report (removed, labelled, no action, pending)."""
    if action.kind != ActionKind.PLATFORM_REPORT.value:
        raise InvalidInputError(key="respond.outcome_only_report")
    action.outcome = _outcome(outcome)
    action.outcome_at = (
        None
        if action.outcome == Outcome.PENDING.value
        else (_aware(at, "outcome time") if at else utcnow())
    )
    session.add(
        CaseEvent(
            case_id=action.case_id,
            kind="response_outcome",
            actor_id=actor.id if actor else None,
            data={"action_id": action.id, "outcome": action.outcome},
        )
    )
    audit.record(
        session,
        "response.outcome",
        actor=actor,
        object_type="case",
        object_id=action.case_id,
        action_id=action.id,
        outcome=action.outcome,
    )
    session.flush()
    return action


def case_responses(session: Session, case_id: int) -> list[Action]:
    """The ledger of a case, oldest first."""
    return list(
        session.scalars(
            select(Action).where(Action.case_id == case_id).order_by(Action.at, Action.id)
        )
    )


def time_to_first_response(case: Case) -> timedelta | None:
    """From opening to the first response (never negative), or None without a response."""
    if case.first_response_at is None:
        return None
    return max(case.first_response_at - case.opened_at, timedelta(0))


def action_to_dict(action: Action, actor_name: str | None = None) -> dict[str, Any]:
    """The JSON form of a response."""
    return {
        "id": action.id,
        "case_id": action.case_id,
        "kind": action.kind,
        "at": action.at.isoformat(),
        "actor": actor_name,
        "unit_id": action.unit_id,
        "url": action.url,
        "channel": action.channel,
        "platform": action.platform,
        "reference": action.reference,
        "outcome": action.outcome,
        "outcome_at": action.outcome_at.isoformat() if action.outcome_at else None,
        "title": action.title,
        "note": action.note,
        "claim_id": action.claim_id,
        "verdict": action.verdict,
    }
