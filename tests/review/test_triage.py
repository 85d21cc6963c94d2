"""Triage: routing to units, priority parts and weights, deadlines, escalation, the stage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from soitin.db.engine import Database
from soitin.db.models import AuditEvent, Case, CaseEvent, CaseStatus, Story, User
from soitin.db.types import utcnow
from soitin.pipeline import default_stages
from soitin.review.triage import TriageStage, escalate_overdue, triage_stories
from soitin.settings import Settings, load_settings
from tests.review.factories import make_claim_match, make_source, make_story

SCAM = {"scam": {"score": 0.92, "label": "scam"}, "toxic": 0.1}


@pytest.fixture
def settings(tmp_path: object) -> Settings:
    return load_settings(env="test", data_dir=str(tmp_path))


def _cases(s: object, story: Story) -> list[Case]:
    return list(s.scalars(select(Case).where(Case.story_id == story.id)))  # type: ignore[attr-defined]


def test_story_goes_to_the_most_specific_unit_of_its_places(
    db: Database, units: dict[str, int], settings: Settings
) -> None:
    with db.transaction() as s:
        src = make_source(s)
        ward = make_story(
            s,
            "Giả danh công an ở Đồng Hới",
            sources=[src],
            max_scores=SCAM,
            province_codes=["44"],
            ward_codes=["19123"],
        )
        province = make_story(
            s, "Lừa đảo khắp tỉnh", sources=[src], max_scores=SCAM, province_codes=["44"]
        )
        nowhere = make_story(s, "Lừa đảo không rõ nơi", sources=[src], max_scores=SCAM)
        elsewhere = make_story(
            s, "Lừa đảo ở Hà Nội", sources=[src], max_scores=SCAM, province_codes=["01"]
        )
        result = triage_stories(
            s, [ward.id, province.id, nowhere.id, elsewhere.id], settings=settings
        )
        assert len(result.created) == 4
        assert [c.unit_id for c in _cases(s, ward)] == [units["dh"]]
        assert [c.unit_id for c in _cases(s, province)] == [units["qt"]]
        assert [c.unit_id for c in _cases(s, nowhere)] == [units["qt"]]  # the root unit
        assert [c.unit_id for c in _cases(s, elsewhere)] == [units["qt"]]
        ward_case = _cases(s, ward)[0]
        assert ward_case.priority_parts["locality"]["value"] == 1.0
        assert _cases(s, province)[0].priority_parts["locality"]["value"] == 0.6
        assert _cases(s, nowhere)[0].priority_parts["locality"]["value"] == 0.2
        events = s.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == ward_case.id)).all()
        assert events == ["opened"]
        assert s.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "case.opened", AuditEvent.object_id == str(ward_case.id)
            )
        )


def test_priority_shows_its_parts_and_follows_the_weights(
    db: Database, units: dict[str, int], settings: Settings
) -> None:
    with db.transaction() as s:
        src = make_source(s)
        story = make_story(
            s,
            "Tin sai về cắt điện",
            sources=[src],
            max_scores={"misinfo": 0.8},
            reach=10_000,
            velocity=20.0,
            province_codes=["44"],
        )
        make_claim_match(s, story, "Cắt điện toàn tỉnh 5 ngày", verdict="false", score=0.9)
        triage_stories(s, [story.id], settings=settings)
        case = _cases(s, story)[0]
        parts = case.priority_parts
        assert set(parts) == {"detector", "claims", "reach", "velocity", "locality"}
        assert parts["detector"]["value"] == pytest.approx(0.8)
        assert parts["claims"]["value"] == pytest.approx(0.9)
        assert parts["reach"]["value"] == pytest.approx(1.0)
        assert parts["velocity"]["value"] == pytest.approx(1.0)
        assert case.priority == pytest.approx(sum(p["points"] for p in parts.values()), abs=1e-3)
        assert case.category == "misinformation"
        assert case.severity == 3
        # Only detectors count: the priority is the detector score.
        only = load_settings(
            env="test",
            data_dir=settings.data_dir,
            priority_weight_claims=0,
            priority_weight_reach=0,
            priority_weight_velocity=0,
            priority_weight_locality=0,
        )
        other = make_story(
            s, "Tin sai khác", sources=[src], max_scores={"misinfo": 0.8}, province_codes=["44"]
        )
        triage_stories(s, [other.id], settings=only)
        assert _cases(s, other)[0].priority == pytest.approx(0.8)


def test_severity_sets_the_deadline_per_category(
    db: Database, units: dict[str, int], settings: Settings
) -> None:
    custom = load_settings(
        env="test", data_dir=settings.data_dir, case_deadline_hours={"scam": (30, 20, 10)}
    )
    with db.transaction() as s:
        src = make_source(s)
        story = make_story(
            s, "Lừa đảo", sources=[src], max_scores={"scam": 0.6}, reach=0, velocity=0
        )
        now = utcnow()
        triage_stories(s, [story.id], settings=custom, now=now)
        case = _cases(s, story)[0]
        assert case.severity == 1
        assert case.due_at == now + timedelta(hours=30)
        toxic = make_story(
            s, "Chửi bới", sources=[src], max_scores={"toxic": 0.6}, reach=0, velocity=0
        )
        triage_stories(s, [toxic.id], settings=custom, now=now)
        # No row for "toxic": the "default" row (48 h) would be missing too → built-in 48 h.
        assert _cases(s, toxic)[0].due_at == now + timedelta(hours=48)


def test_harmless_story_makes_no_case_and_triage_is_idempotent(
    db: Database, units: dict[str, int], settings: Settings
) -> None:
    with db.transaction() as s:
        src = make_source(s)
        benign = make_story(s, "Lễ hội hoa", sources=[src], max_scores={"scam": 0.05})
        harmful = make_story(s, "Việc nhẹ lương cao", sources=[src], max_scores=SCAM)
        first = triage_stories(s, [benign.id, harmful.id], settings=settings)
        assert first.skipped == 1 and len(first.created) == 1
        harmful.reach = 50_000
        again = triage_stories(s, [harmful.id], settings=settings)
        assert again.created == [] and again.updated == first.created
        cases = _cases(s, harmful)
        assert len(cases) == 1
        assert cases[0].priority_parts["reach"]["value"] == pytest.approx(1.0)


def test_overdue_cases_escalate_to_the_parent_lead_once(
    db: Database, units: dict[str, int], settings: Settings
) -> None:
    with db.transaction() as s:
        src = make_source(s)
        story = make_story(
            s, "Giả danh điện lực", sources=[src], max_scores=SCAM, ward_codes=["19123"]
        )
        root = make_story(s, "Lừa đảo chung", sources=[src], max_scores=SCAM)
        past = utcnow() - timedelta(days=10)
        triage_stories(s, [story.id, root.id], settings=settings, now=past)
        escalated = escalate_overdue(s)
        assert len(escalated) == 2
        case = _cases(s, story)[0]
        lead_qt = s.scalar(select(User).where(User.username == "lead_qt"))
        assert case.overdue and case.status == CaseStatus.ESCALATED.value
        assert case.assignee_id == lead_qt.id  # type: ignore[union-attr]
        root_case = _cases(s, root)[0]
        assert root_case.overdue and root_case.status == CaseStatus.OPEN.value
        assert escalate_overdue(s) == []
        kinds = s.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all()
        assert kinds == ["opened", "escalate"]


def test_triage_is_the_last_pipeline_stage(
    db: Database, units: dict[str, int], settings: Settings
) -> None:
    stages = default_stages()
    assert stages[-1].name == "triage"
    with db.transaction() as s:
        src = make_source(s)
        story = make_story(s, "Lừa đảo", sources=[src], max_scores=SCAM, ward_codes=["19123"])
        items = list(s.scalars(select(Story).where(Story.id == story.id)))
        assert items
        from soitin.db.models import Item

        TriageStage()(s, list(s.scalars(select(Item).where(Item.story_id == story.id))))
        assert [c.unit_id for c in _cases(s, story)] == [units["dh"]]


def test_scheduled_escalation_runs_in_its_own_transaction(
    db: Database, units: dict[str, int], settings: Settings
) -> None:
    from soitin.review.cases import escalate_overdue as scheduled_escalation

    with db.transaction() as s:
        src = make_source(s)
        story = make_story(
            s, "Giả danh điện lực", sources=[src], max_scores=SCAM, ward_codes=["19123"]
        )
        triage_stories(s, [story.id], settings=settings, now=utcnow() - timedelta(days=5))
    assert len(scheduled_escalation(db)) == 1
    assert scheduled_escalation(db) == []
    with db.session() as s:
        case = _cases(s, story)[0]
        assert case.overdue and case.status == CaseStatus.ESCALATED.value


def test_a_weak_detector_score_does_not_name_the_category(
    db: Database, units: dict[str, int], settings: Settings
) -> None:
    """An official advisory that partly matches a claim is a misinformation lead, not a scam
    because the scam detector gave it 0.41 without flagging it."""
    with db.transaction() as s:
        src = make_source(s)
        advisory = make_story(
            s,
            "Trung tâm Kiểm soát bệnh tật khuyến cáo phòng chống sốt xuất huyết",
            sources=[src],
            max_scores={"scam": 0.41, "toxicity": 0.02},
            province_codes=["44"],
        )
        make_claim_match(s, advisory, "Lá đu đủ chữa khỏi sốt xuất huyết", score=0.57)
        weak = make_story(
            s, "Thông báo lịch tiêm chủng", sources=[src], max_scores={"scam": 0.41},
            province_codes=["44"],
        )  # fmt: skip
        strong = make_story(
            s, "Nhận quà tri ân, bấm link", sources=[src], max_scores={"scam": 0.62},
            province_codes=["44"],
        )  # fmt: skip
        low = settings.model_copy(update={"triage_min_score": 0.4})
        triage_stories(s, [advisory.id, strong.id], settings=settings)
        triage_stories(s, [weak.id], settings=low)  # opened by the lower bar: a scam lead
        assert _cases(s, advisory)[0].category == "misinformation"
        assert _cases(s, strong)[0].category == "scam"
        assert _cases(s, weak)[0].category == "scam"
