"""Cases in the test unit tree for the review web tests (import the `workbench` fixture)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import event

from soitin.db.engine import Database
from soitin.db.models import CaseStatus
from tests.review.factories import make_case, make_claim_match, make_source, make_story

SCAM_SCORES = {
    "scam": {
        "score": 0.93,
        "label": "scam",
        "explanation": [{"feature": "tài khoản tạm giữ", "weight": 1.2}, "chuyển tiền"],
        "evidence": {
            "phones": ["0912 345 678"],
            "organisations": ["công an"],
            "lures": ["prize"],  # a kind's name, as the scam detector stores lures
        },
        # the words that raised the score, as the detect stage stores them
        "highlights": [{"start": 44, "end": 61, "source": "ngram"}],
    },
    "toxic": {"score": 0.41, "spans": [[0, 3]]},
}
SCAM_TEXT = "Đồ ngu! Công an phường gọi: chuyển tiền vào tài khoản tạm giữ, gọi 0912 345 678."


@dataclass
class Workbench:
    """Ids of what the fixture made."""

    scam: int  # dh, top priority, toxic span + scam evidence, claim match
    misinfo: int  # dh, assigned to reviewer_dh
    overdue: int  # dh, past its deadline
    province: int  # qt
    village: int  # vl
    other_source: int  # dh, only from the second source
    dismissed: int  # dh, decided
    source_a: int
    source_b: int
    story_scam: int


@pytest.fixture
def workbench(db: Database, units: dict[str, int]) -> Workbench:
    """Seven cases across qt, dh and vl, with sources, claims and scores."""
    from sqlalchemy import select

    from soitin.db.models import User

    with db.transaction() as s:
        a = make_source(s, "Báo Quảng Trị")
        b = make_source(s, "Nhóm Facebook Đồng Hới", kind="api")
        scam_story = make_story(
            s,
            SCAM_TEXT,
            sources=[a, b],
            items=4,
            max_scores={"scam": 0.93, "toxic": 0.41},
            item_scores=SCAM_SCORES,
            province_codes=["44"],
            ward_codes=["19123"],
            reach=5400,
        )
        make_claim_match(
            s, scam_story, "Công an yêu cầu chuyển tiền vào tài khoản tạm giữ", verdict="false"
        )
        reviewer = s.scalar(select(User).where(User.username == "reviewer_dh"))
        assert reviewer is not None
        scam = make_case(s, scam_story, units["dh"], priority=0.91, severity=3)
        misinfo = make_case(
            s,
            make_story(
                s, "Tin đồn cắt điện toàn phường Đồng Hới 5 ngày", sources=[a], ward_codes=["19123"]
            ),
            units["dh"],
            priority=0.6,
            category="misinformation",
            status=CaseStatus.ASSIGNED.value,
            assignee_id=reviewer.id,
        )
        overdue = make_case(
            s,
            make_story(s, "Việc nhẹ lương cao, nạp tiền làm nhiệm vụ", sources=[a]),
            units["dh"],
            priority=0.4,
            due_in=timedelta(hours=-2),
        )
        province = make_case(
            s,
            make_story(s, "Lừa đảo đầu tư tiền ảo khắp tỉnh", sources=[a], province_codes=["44"]),
            units["qt"],
            priority=0.7,
        )
        village = make_case(
            s,
            make_story(s, "Thông tin sai ở Vĩnh Linh", sources=[a]),
            units["vl"],
            priority=0.65,
            category="misinformation",
        )
        other = make_case(
            s,
            make_story(s, "Bình luận rác quảng cáo", sources=[b]),
            units["dh"],
            priority=0.3,
            category="spam",
        )
        dismissed = make_case(
            s,
            make_story(s, "Đã xử lý xong", sources=[a]),
            units["dh"],
            priority=0.95,
            status=CaseStatus.DISMISSED.value,
        )
        return Workbench(
            scam.id,
            misinfo.id,
            overdue.id,
            province.id,
            village.id,
            other.id,
            dismissed.id,
            a.id,
            b.id,
            scam_story.id,
        )


class QueryCounter:
    """Counts SQL statements sent on an engine (SQLAlchemy `before_cursor_execute`)."""

    def __init__(self, db: Database) -> None:
        self.engine = db.engine
        self.statements: list[str] = []

    def _on(self, conn: object, cursor: object, statement: str, *args: object) -> None:
        self.statements.append(statement)

    def __enter__(self) -> QueryCounter:
        event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on)

    @property
    def count(self) -> int:
        """Statements other than transaction control (SAVEPOINT / RELEASE / ROLLBACK TO)."""
        return sum(
            1
            for s in self.statements
            if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))
        )
