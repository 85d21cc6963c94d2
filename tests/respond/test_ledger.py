"""The response ledger: kinds and their fields, first-response time, outcomes, the timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from soitin.db.models import Action, AuditEvent, Case, CaseEvent
from soitin.db.types import utcnow
from soitin.errors import InvalidInputError, NotFoundError
from soitin.respond.ledger import (
    ResponseInput,
    case_responses,
    record_response,
    set_outcome,
    time_to_first_response,
)
from tests.report.world import World, local


def _case(session: Session, world: World, key: str) -> Case:
    case = session.get(Case, world.cases[key])
    assert case is not None
    return case


def test_first_response_time_is_kept_on_the_case(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    c1 = _case(session, world, "C1")
    assert c1.first_response_at == local(10, 1, 12)
    assert time_to_first_response(c1) == timedelta(hours=2)
    # An earlier response recorded later moves the first-response time back.
    record_response(
        session,
        c1,
        ResponseInput(kind="public_warning", at=local(10, 1, 11), channel="Zalo OA"),
        actor=None,
    )
    assert time_to_first_response(c1) == timedelta(hours=1)
    # A later one does not.
    record_response(
        session,
        c1,
        ResponseInput(kind="official_notice", at=local(10, 9, 9), title="Thông báo"),
        actor=None,
    )
    assert c1.first_response_at == local(10, 1, 11)
    assert [a.kind for a in case_responses(session, c1.id)] == [
        "public_warning",
        "fact_check",
        "platform_report",
        "official_notice",
    ]
    c3 = _case(session, world, "C3")
    assert time_to_first_response(c3) is None


def test_each_response_is_on_the_timeline_and_in_the_audit(
    world_session: tuple[Session, World],
) -> None:
    session, world = world_session
    c1 = _case(session, world, "C1")
    kinds = session.scalars(
        select(CaseEvent.kind).where(CaseEvent.case_id == c1.id).order_by(CaseEvent.id)
    ).all()
    assert kinds == ["response", "response", "response_outcome"]
    audits = session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(c1.id))
    ).all()
    assert audits.count("response.recorded") == 2 and "response.outcome" in audits


INVALID: list[tuple[ResponseInput, str]] = [
    (ResponseInput(kind="fact_check", url="https://x.vn/a"), "channel"),
    (ResponseInput(kind="fact_check", channel="web"), "url"),
    (ResponseInput(kind="fact_check", url="javascript:alert(1)", channel="web"), "http"),
    (ResponseInput(kind="correction", url="ftp://x.vn/a", channel="web"), "http"),
    (ResponseInput(kind="platform_report"), "platform"),
    (ResponseInput(kind="official_notice"), "title"),
    (ResponseInput(kind="referral"), "channel"),
    (ResponseInput(kind="public_warning", channel=" "), "channel"),
    (ResponseInput(kind="deleted_the_post", channel="x"), "Unknown response kind"),
    (ResponseInput(kind="platform_report", platform="fb", outcome="vanished"), "outcome"),
    (ResponseInput(kind="referral", channel="CA", outcome="removed"), "Only a platform"),
    (ResponseInput(kind="referral", channel="CA", verdict="false"), "Only a fact-check"),
    (ResponseInput(kind="fact_check", url="https://x.vn", channel="w", verdict="fake"), "verdict"),
    (
        ResponseInput(kind="public_warning", channel="loa", at=utcnow() + timedelta(days=1)),
        "future",
    ),
    (ResponseInput(kind="public_warning", channel="x" * 65), "longer"),
]


def test_invalid_responses_are_refused(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    case = _case(session, world, "C3")
    for data, message in INVALID:
        with pytest.raises(InvalidInputError, match=message):
            record_response(session, case, data, actor=None)
    assert case.first_response_at is None


def test_fact_check_takes_the_claim_verdict(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    action = session.scalars(select(Action).where(Action.kind == "fact_check")).one()
    assert action.claim_id == world.claim_id and action.verdict == "false"
    with pytest.raises(NotFoundError):
        record_response(
            session,
            _case(session, world, "C3"),
            ResponseInput(
                kind="fact_check",
                url="https://x.vn/a",
                channel="web",
                claim_id=999_999,
            ),
            actor=None,
        )
    own = record_response(
        session,
        _case(session, world, "C3"),
        ResponseInput(
            kind="fact_check",
            url="https://x.vn/a",
            channel="web",
            claim_id=world.claim_id,
            verdict="misleading",
        ),
        actor=None,
    )
    assert own.verdict == "misleading"


def test_outcomes_of_platform_reports(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    reports = session.scalars(
        select(Action).where(Action.kind == "platform_report").order_by(Action.at)
    ).all()
    assert [(r.outcome, r.outcome_at) for r in reports] == [
        ("removed", local(10, 3, 9)),
        ("pending", None),
    ]
    set_outcome(session, reports[1], "labelled", actor=None, at=local(10, 6, 8))
    assert (reports[1].outcome, reports[1].outcome_at) == ("labelled", local(10, 6, 8))
    set_outcome(session, reports[1], "pending", actor=None)
    assert reports[1].outcome_at is None
    with pytest.raises(InvalidInputError):
        set_outcome(session, reports[1], "gone", actor=None)
    fact_check = session.scalars(select(Action).where(Action.kind == "fact_check")).one()
    with pytest.raises(InvalidInputError):
        set_outcome(session, fact_check, "removed", actor=None)
