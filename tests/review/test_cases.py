"""Decisions: each is a CaseEvent and an audit entry; states are enforced; labels come out."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from soitin.db.engine import Database
from soitin.db.migrate import upgrade
from soitin.db.models import AuditEvent, Case, CaseEvent, CaseStatus, User
from soitin.errors import ConflictError, InvalidInputError, NotFoundError
from soitin.review import accounts, cases
from soitin.review.labels import decided_labels
from tests.review.factories import make_case, make_source, make_story


def _user(s: Session, name: str) -> User:
    user = s.scalar(select(User).where(User.username == name))
    assert user is not None
    return user


def _kinds(s: Session, case: Case) -> list[str]:
    return list(
        s.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
    )


def test_confirm_dismiss_reopen_with_events_and_audit(db: Database, units: dict[str, int]) -> None:
    with db.session() as s:
        src = make_source(s)
        story = make_story(s, "Giả danh công an gọi điện", sources=[src])
        case = make_case(s, story, units["dh"])
        reviewer = _user(s, "reviewer_dh")
        cases.do_confirm(s, case, reviewer, category="scam", note="Số lạ", ip="10.0.0.5")
        assert case.status == CaseStatus.CONFIRMED.value and case.closed_at is not None
        # A decision is no response: only the response ledger sets the first-response time.
        assert case.first_response_at is None
        with pytest.raises(ConflictError):
            cases.do_dismiss(s, case, reviewer, reason="not_harmful")
        cases.do_reopen(s, case, _user(s, "lead_dh"))
        assert case.status == CaseStatus.OPEN.value and case.closed_at is None
        with pytest.raises(InvalidInputError):
            cases.do_dismiss(s, case, reviewer, reason="boring")
        with pytest.raises(InvalidInputError):
            cases.do_confirm(s, case, reviewer, category="politics")
        cases.do_dismiss(s, case, reviewer, reason="duplicate")
        assert case.dismiss_reason == "duplicate"
        assert _kinds(s, case) == ["confirm", "reopen", "dismiss"]
        audit = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "case", AuditEvent.object_id == str(case.id))
            .order_by(AuditEvent.id)
        ).all()
        assert [a.action for a in audit] == ["case.confirm", "case.reopen", "case.dismiss"]
        assert audit[0].ip == "10.0.0.5" and audit[0].actor_id == reviewer.id
        assert audit[0].detail["category"] == "scam"


def test_forward_opens_a_case_in_the_other_unit(db: Database, units: dict[str, int]) -> None:
    with db.session() as s:
        src = make_source(s)
        story = make_story(s, "Tin sai ở Vĩnh Linh", sources=[src])
        case = make_case(s, story, units["dh"], category="misinformation")
        reviewer = _user(s, "reviewer_dh")
        target = cases.do_forward(s, case, reviewer, to_unit_id=units["vl"], note="Địa bàn VL")
        assert case.status == CaseStatus.FORWARDED.value
        assert target.unit_id == units["vl"] and target.status == CaseStatus.OPEN.value
        assert target.category == "misinformation" and target.due_at is not None
        assert _kinds(s, case) == ["forward"]
        assert _kinds(s, target) == ["forwarded_in"]
        with pytest.raises(ConflictError):
            cases.do_forward(s, case, reviewer, to_unit_id=units["qt"])
        with pytest.raises(InvalidInputError):
            cases.do_forward(s, target, reviewer, to_unit_id=units["vl"])
        # Forwarding back reopens the first case rather than making a duplicate.
        back = cases.do_forward(s, target, reviewer, to_unit_id=units["dh"])
        assert back.id == case.id and case.status == CaseStatus.OPEN.value


def test_escalate_goes_to_the_parent_lead_and_assign_rules(
    db: Database, units: dict[str, int]
) -> None:
    with db.session() as s:
        src = make_source(s)
        story = make_story(s, "Lừa đảo việc làm", sources=[src])
        case = make_case(s, story, units["dh"])
        root_case = make_case(s, make_story(s, "Khác", sources=[src]), units["qt"])
        reviewer = _user(s, "reviewer_dh")
        lead_qt = _user(s, "lead_qt")
        cases.do_escalate(s, case, reviewer, note="Cần tỉnh quyết")
        assert case.status == CaseStatus.ESCALATED.value and case.assignee_id == lead_qt.id
        with pytest.raises(ConflictError):
            cases.do_escalate(s, case, reviewer)
        with pytest.raises(ConflictError):
            cases.do_escalate(s, root_case, lead_qt)
        # Assignees must work on the unit's cases: dh's cases go to dh or qt people.
        with pytest.raises(InvalidInputError):
            cases.do_assign(s, root_case, lead_qt, assignee_id=_user(s, "reviewer_dh").id)
        with pytest.raises(InvalidInputError):
            cases.do_assign(s, root_case, lead_qt, assignee_id=_user(s, "viewer_qt").id)
        cases.do_assign(s, root_case, lead_qt, assignee_id=_user(s, "reviewer_qt").id)
        assert root_case.status == CaseStatus.ASSIGNED.value
        cases.do_assign(s, root_case, lead_qt, assignee_id=None)
        assert root_case.status == CaseStatus.OPEN.value
        assert _kinds(s, root_case) == ["assign", "reassign"]
        with pytest.raises(InvalidInputError):
            cases.do_comment(s, case, reviewer, note="   ")
        cases.do_comment(s, case, reviewer, note="Đã gọi điện lực xác minh")
        assert _kinds(s, case) == ["escalate", "comment"]


def test_bulk_is_all_or_nothing(db: Database, units: dict[str, int]) -> None:
    with db.session() as s:
        src = make_source(s)
        lead = _user(s, "lead_qt")
        open_cases = [
            make_case(s, make_story(s, f"Tin {i}", sources=[src]), units["dh"]) for i in range(3)
        ]
        s.commit()
        done = make_case(
            s,
            make_story(s, "Đã xong", sources=[src]),
            units["dh"],
            status=CaseStatus.CONFIRMED.value,
        )
        s.commit()
        with pytest.raises(ConflictError):
            cases.do_bulk_dismiss(s, [*open_cases, done], lead, reason="duplicate")
        s.rollback()
        assert all(s.get(Case, c.id).status == "open" for c in open_cases)  # type: ignore[union-attr]
        assert cases.do_bulk_dismiss(s, open_cases, lead, reason="duplicate") == 3
        assert {c.status for c in open_cases} == {"dismissed"}


def test_decisions_become_training_labels(db: Database, units: dict[str, int]) -> None:
    with db.session() as s:
        src = make_source(s)
        reviewer = _user(s, "reviewer_dh")
        lead = _user(s, "lead_dh")
        scam = make_case(
            s, make_story(s, "Chuyển tiền vào tài khoản tạm giữ", sources=[src]), units["dh"]
        )
        fine = make_case(
            s, make_story(s, "Lịch cắt điện đúng thông báo", sources=[src]), units["dh"]
        )
        dup = make_case(s, make_story(s, "Bản trùng", sources=[src]), units["dh"])
        flip = make_case(s, make_story(s, "Đổi ý", sources=[src]), units["dh"])
        cases.do_confirm(s, scam, reviewer, category="scam")
        cases.do_dismiss(s, fine, reviewer, reason="not_harmful")
        cases.do_dismiss(s, dup, reviewer, reason="duplicate")
        cases.do_confirm(s, flip, reviewer, category="toxic")
        cases.do_reopen(s, flip, lead)
        labels = {lab.story_id: lab for lab in decided_labels(s)}
        assert set(labels) == {scam.story_id, fine.story_id}
        assert labels[scam.story_id].label == "scam"
        assert labels[scam.story_id].text == "Chuyển tiền vào tài khoản tạm giữ"
        assert labels[fine.story_id].label == "not_harmful"
        assert labels[fine.story_id].to_json()["decided_at"]


def test_opening_a_case_by_hand_takes_triages_figures_and_happens_once(
    db: Database, units: dict[str, int]
) -> None:
    with db.session() as s:
        story = make_story(s, "Tin đồn đã bị bác bỏ", sources=[make_source(s)])
        reviewer = _user(s, "reviewer_qt")
        case, created = cases.do_open(s, story.id, units["qt"], reviewer, alert_id=7)
        assert created and case.status == CaseStatus.OPEN.value and case.unit_id == units["qt"]
        assert case.severity in (1, 2, 3) and case.due_at is not None
        assert set(case.priority_parts) == {"detector", "claims", "reach", "velocity", "locality"}
        assert _kinds(s, case) == ["opened"]
        again, created_again = cases.do_open(s, story.id, units["qt"], reviewer)
        assert again.id == case.id and not created_again
        with pytest.raises(NotFoundError):
            cases.do_open(s, 10**9, units["qt"], reviewer)


@pytest.mark.parametrize("empty_engine", ["postgres"], indirect=True)
def test_two_hands_opening_the_same_story_at_once_get_one_case(empty_engine: Engine) -> None:
    """The second insert meets the first's uncommitted row, waits, then finds its case."""
    upgrade(empty_engine)
    database = Database(empty_engine)
    with database.transaction() as s:
        unit = accounts.add_unit(s, "qt", "Tỉnh Quảng Trị", place_codes=["44"])
        for name in ("a", "b"):
            accounts.add_user(s, name, role="reviewer", unit_code="qt", password="x" * 12)
        story_id, unit_id = make_story(s, "Tin đồn", sources=[make_source(s)]).id, unit.id
    first_flushed, first_id = threading.Event(), []

    def first() -> None:
        with database.session() as s:
            case, created = cases.do_open(s, story_id, unit_id, _user(s, "a"), commit=False)
            assert created
            first_id.append(case.id)
            first_flushed.set()
            time.sleep(0.5)  # the second hand's insert waits on the unique key meanwhile
            s.commit()

    thread = threading.Thread(target=first)
    thread.start()
    assert first_flushed.wait(10)
    with database.session() as s:
        case, created = cases.do_open(s, story_id, unit_id, _user(s, "b"))
        second_id = case.id
    thread.join(10)
    assert not created and second_id == first_id[0]
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 1
        assert s.scalar(select(func.count()).select_from(CaseEvent)) == 1
