"""Decisions on cases: each is one CaseEvent plus one audit entry, committed here.

Services check the state (a decided case cannot be confirmed again, etc.) and raise domain
errors; permission checks happen before, in the handler, through `review.policies`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soitin.db.engine import Database
from soitin.db.models import Alert, Case, CaseEvent, CaseStatus, Category, Story, Unit, User
from soitin.db.types import utcnow
from soitin.errors import ConflictError, InvalidInputError, NotFoundError
from soitin.ingest.incoming import clean_text
from soitin.review import audit, triage
from soitin.review.policies import ASSIGNABLE_ROLES, load_unit_tree
from soitin.review.triage import ACTIVE_STATUSES, deadline_for
from soitin.settings import Settings, get_settings

__all__ = [
    "DISMISS_REASONS",
    "DECIDED_STATUSES",
    "do_assign",
    "do_bulk_assign",
    "do_bulk_dismiss",
    "do_comment",
    "do_confirm",
    "do_dismiss",
    "do_escalate",
    "do_forward",
    "do_open",
    "do_open_from_alert",
    "do_reopen",
    "escalate_overdue",
]

#: Why a case may be dismissed; only "not_harmful" teaches the detectors a negative label.
DISMISS_REASONS = ("not_harmful", "duplicate", "out_of_area", "insufficient", "other")
DECIDED_STATUSES = (
    CaseStatus.CONFIRMED.value,
    CaseStatus.DISMISSED.value,
    CaseStatus.FORWARDED.value,
    CaseStatus.CLOSED.value,
)
MAX_NOTE = 4000


def _note(note: str | None, *, required: bool = False) -> str | None:
    # Without control characters: PostgreSQL refuses NUL bytes in text (was a 500).
    text = clean_text(note or "").strip()
    if len(text) > MAX_NOTE:
        raise InvalidInputError(key="case.note_too_long", limit=MAX_NOTE)
    if required and not text:
        raise InvalidInputError(key="case.note_required")
    return text or None


def _require_active(case: Case) -> None:
    if case.status not in ACTIVE_STATUSES:
        raise ConflictError(key="case.not_active", case_id=case.id, status=case.status)


def _event(
    session: Session,
    case: Case,
    kind: str,
    actor: User | None,
    now: datetime,
    *,
    note: str | None = None,
    ip: str | None = None,
    **data: Any,
) -> CaseEvent:
    event = CaseEvent(
        case_id=case.id,
        kind=kind,
        actor_id=actor.id if actor else None,
        at=now,
        note=note,
        data=data,
    )
    # Time to first response counts response-ledger entries only (`respond.ledger`): a
    # decision, forward or comment is review work, not a response to the public.
    session.add(event)
    audit.record(
        session,
        f"case.{kind}",
        actor=actor,
        object_type="case",
        object_id=case.id,
        ip=ip,
        status=case.status,
        **data,
    )
    return event


def _finish(session: Session, commit: bool) -> None:
    session.flush()
    if commit:
        session.commit()


def do_open(
    session: Session,
    story_id: int,
    unit_id: int,
    actor: User,
    *,
    alert_id: int | None = None,
    ip: str | None = None,
    settings: Settings | None = None,
    commit: bool = True,
) -> tuple[Case, bool]:
    """Open a case for a story in `unit_id` by hand; (the case, True) or, when the story
    already has a case there (in any state), (that case, False).

    Triage opens a case only for a story whose scores or claim matches are high enough; an
    alert can still point at one that has none (a debunked claim repeated once). The case
    gets its priority, severity and deadline as triage would give them, and its opening
    names who opened it and from which alert.
    """
    settings = settings or get_settings()
    story = session.get(Story, story_id)
    if story is None:
        raise NotFoundError(key="story.not_found", story_id=story_id)
    if (found := _case_at(session, story_id, unit_id)) is not None:
        return found, False
    now = utcnow()
    locality = triage.route_story(story, load_unit_tree(session)).get(unit_id, 0.0)
    matches = triage.claim_matches(session, [story_id]).get(story_id, [])
    parts = triage.compute_priority(story, matches, locality, settings)
    case = triage.new_case(story_id, unit_id, parts, settings, now)
    try:
        with session.begin_nested():  # triage, or a second click, may open it meanwhile
            session.add(case)
    except IntegrityError:
        if (found := _case_at(session, story_id, unit_id)) is None:
            raise
        return found, False
    _event(
        session,
        case,
        "opened",
        actor,
        now,
        ip=ip,
        by_hand=True,
        alert_id=alert_id,
        story_id=story_id,
        unit_id=unit_id,
        priority=parts.priority,
        severity=case.severity,
    )
    _finish(session, commit)
    return case, True


def _case_at(session: Session, story_id: int, unit_id: int) -> Case | None:
    """The case of a story in a unit (at most one: the pair is a unique key)."""
    return session.scalar(select(Case).where(Case.story_id == story_id, Case.unit_id == unit_id))


def do_open_from_alert(
    session: Session,
    alert: Alert,
    actor: User,
    *,
    ip: str | None = None,
    settings: Settings | None = None,
) -> tuple[Case, bool]:
    """`do_open` for the story of `alert` (already authorised), in the actor's own unit."""
    if alert.story_id is None:
        raise InvalidInputError(key="alert.no_story")
    return do_open(
        session, alert.story_id, actor.unit_id, actor, alert_id=alert.id, ip=ip, settings=settings
    )


def do_confirm(
    session: Session,
    case: Case,
    actor: User,
    *,
    category: str,
    note: str | None = None,
    ip: str | None = None,
    commit: bool = True,
) -> CaseEvent:
    """Confirm the case as harmful, in one category (its label feeds retraining)."""
    try:
        category = Category(category).value
    except ValueError as exc:
        raise InvalidInputError(key="case.unknown_category", value=category) from exc
    _require_active(case)
    now = utcnow()
    previous = case.category
    case.status = CaseStatus.CONFIRMED.value
    case.category = category
    case.closed_at = now
    event = _event(
        session,
        case,
        "confirm",
        actor,
        now,
        note=_note(note),
        ip=ip,
        category=category,
        previous_category=previous,
    )
    _finish(session, commit)
    return event


def do_dismiss(
    session: Session,
    case: Case,
    actor: User,
    *,
    reason: str,
    note: str | None = None,
    ip: str | None = None,
    commit: bool = True,
) -> CaseEvent:
    """Dismiss the case with a reason (not harmful, duplicate, out of area, ...)."""
    if reason not in DISMISS_REASONS:
        raise InvalidInputError(
            key="case.unknown_reason", value=reason, known=", ".join(DISMISS_REASONS)
        )
    _require_active(case)
    now = utcnow()
    case.status = CaseStatus.DISMISSED.value
    case.dismiss_reason = reason
    case.closed_at = now
    event = _event(session, case, "dismiss", actor, now, note=_note(note), ip=ip, reason=reason)
    _finish(session, commit)
    return event


def do_forward(
    session: Session,
    case: Case,
    actor: User,
    *,
    to_unit_id: int,
    note: str | None = None,
    ip: str | None = None,
    settings: Settings | None = None,
) -> Case:
    """Hand the case to another unit: this case becomes "forwarded", theirs opens.

    The receiving unit gets its own case of the story (a new one, or its earlier one
    reopened) with the category carried over and a fresh deadline. Returns that case.
    """
    settings = settings or get_settings()
    if case.status not in (*ACTIVE_STATUSES, CaseStatus.CONFIRMED.value):
        raise ConflictError(key="case.cannot_forward", case_id=case.id, status=case.status)
    target_unit = session.get(Unit, to_unit_id)
    if target_unit is None:
        raise NotFoundError(key="unit.no_id", unit_id=to_unit_id)
    if target_unit.id == case.unit_id:
        raise InvalidInputError(key="case.same_unit")
    note = _note(note)
    now = utcnow()
    target = session.scalar(
        select(Case).where(Case.story_id == case.story_id, Case.unit_id == target_unit.id)
    )
    if target is None:
        target = Case(
            story_id=case.story_id,
            unit_id=target_unit.id,
            status=CaseStatus.OPEN.value,
            category=case.category,
            severity=case.severity,
            priority=case.priority,
            priority_parts=dict(case.priority_parts or {}),
            opened_at=now,
            due_at=now + deadline_for(case.category, case.severity, settings),
        )
        session.add(target)
        session.flush()
    elif target.status not in ACTIVE_STATUSES:
        target.status = CaseStatus.OPEN.value
        target.assignee_id = None
        target.closed_at = None
        target.dismiss_reason = None
        target.category = target.category or case.category
        target.due_at = now + deadline_for(target.category, target.severity, settings)
        target.overdue = False
    case.status = CaseStatus.FORWARDED.value
    case.closed_at = now
    _event(
        session,
        case,
        "forward",
        actor,
        now,
        note=note,
        ip=ip,
        to_unit_id=target_unit.id,
        to_case_id=target.id,
    )
    session.add(
        CaseEvent(
            case_id=target.id,
            kind="forwarded_in",
            actor_id=actor.id,
            at=now,
            note=note,
            data={"from_unit_id": case.unit_id, "from_case_id": case.id},
        )
    )
    _finish(session, True)
    return target


def do_escalate(
    session: Session,
    case: Case,
    actor: User,
    *,
    note: str | None = None,
    ip: str | None = None,
) -> CaseEvent:
    """Escalate to the parent unit: the case stays visible here and goes to their lead."""
    _require_active(case)
    tree = load_unit_tree(session)
    node = tree.nodes.get(case.unit_id)
    parent_id = node.parent_id if node else None
    if parent_id is None:
        raise ConflictError(key="case.no_parent")
    if (
        case.status == CaseStatus.ESCALATED.value
        and case.assignee is not None
        and (case.assignee.unit_id == parent_id)
    ):
        raise ConflictError(key="case.already_escalated")
    lead = session.scalar(
        select(User)
        .where(User.unit_id == parent_id, User.role == "lead", User.is_active.is_(True))
        .order_by(User.id)
        .limit(1)
    )
    now = utcnow()
    case.status = CaseStatus.ESCALATED.value
    if lead is not None:
        case.assignee_id = lead.id
    event = _event(
        session,
        case,
        "escalate",
        actor,
        now,
        note=_note(note),
        ip=ip,
        to_unit_id=parent_id,
        assignee_id=lead.id if lead else None,
        auto=False,
    )
    _finish(session, True)
    return event


def do_comment(
    session: Session, case: Case, actor: User, *, note: str, ip: str | None = None
) -> CaseEvent:
    """Add a comment to the case's timeline."""
    event = _event(
        session, case, "comment", actor, utcnow(), note=_note(note, required=True), ip=ip
    )
    _finish(session, True)
    return event


def _check_assignee(session: Session, case: Case, assignee_id: int | None) -> User | None:
    if assignee_id is None:
        return None
    assignee = session.get(User, assignee_id)
    if assignee is None or not assignee.is_active or assignee.role not in ASSIGNABLE_ROLES:
        raise InvalidInputError(key="case.not_assignable")
    tree = load_unit_tree(session)
    if assignee.unit_id not in tree.ancestors(case.unit_id):
        raise InvalidInputError(key="case.assignee_wrong_unit")
    return assignee


def do_assign(
    session: Session,
    case: Case,
    actor: User,
    *,
    assignee_id: int | None,
    note: str | None = None,
    ip: str | None = None,
    commit: bool = True,
) -> CaseEvent:
    """Give the case to someone of the unit (or above it), or take it back (None)."""
    _require_active(case)
    assignee = _check_assignee(session, case, assignee_id)
    previous = case.assignee_id
    case.assignee_id = assignee.id if assignee else None
    if case.status != CaseStatus.ESCALATED.value:
        case.status = CaseStatus.ASSIGNED.value if assignee else CaseStatus.OPEN.value
    kind = "assign" if previous is None else "reassign"
    event = _event(
        session,
        case,
        kind,
        actor,
        utcnow(),
        note=_note(note),
        ip=ip,
        assignee_id=case.assignee_id,
        previous_assignee_id=previous,
    )
    _finish(session, commit)
    return event


def do_reopen(
    session: Session, case: Case, actor: User, *, note: str | None = None, ip: str | None = None
) -> CaseEvent:
    """Reopen a decided case."""
    if case.status in ACTIVE_STATUSES:
        raise ConflictError(key="case.still_open", case_id=case.id)
    case.status = CaseStatus.ASSIGNED.value if case.assignee_id else CaseStatus.OPEN.value
    case.closed_at = None
    case.dismiss_reason = None
    event = _event(session, case, "reopen", actor, utcnow(), note=_note(note), ip=ip)
    _finish(session, True)
    return event


def do_bulk_assign(
    session: Session,
    cases: Sequence[Case],
    actor: User,
    *,
    assignee_id: int | None,
    ip: str | None = None,
) -> int:
    """Assign many open cases at once (all or nothing); returns how many."""
    for case in cases:
        do_assign(session, case, actor, assignee_id=assignee_id, ip=ip, commit=False)
    _finish(session, True)
    return len(cases)


def do_bulk_dismiss(
    session: Session,
    cases: Sequence[Case],
    actor: User,
    *,
    reason: str,
    note: str | None = None,
    ip: str | None = None,
) -> int:
    """Dismiss many open cases with one reason (all or nothing); returns how many."""
    for case in cases:
        do_dismiss(session, case, actor, reason=reason, note=note, ip=ip, commit=False)
    _finish(session, True)
    return len(cases)


def escalate_overdue(database: Database, *, now: datetime | None = None) -> list[int]:
    """Scheduled job: mark overdue cases and escalate them to the parent unit's lead.

    Runs in its own transaction (the pipeline's triage stage does the same inside each batch;
    this catches cases that fall due while no new items arrive). Returns the case ids.
    """
    with database.transaction() as session:
        return triage.escalate_overdue(session, now=now)
