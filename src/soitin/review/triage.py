"""Triage: a story becomes a case in the queue of the unit(s) whose area it concerns.

Priority combines five parts, each in [0, 1]: detector scores, claim matches, reach,
velocity and locality; the weights are settings and every part is kept in
`Case.priority_parts` so the reviewer sees why a case ranks where it does. The severity
(1..3) follows from the priority and sets the deadline (settings per category/severity).
Overdue cases are marked and escalated to the parent unit's lead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soitin.db.models import (
    Case,
    CaseEvent,
    CaseStatus,
    Category,
    Claim,
    Item,
    Role,
    Story,
    StoryClaimMatch,
    User,
    Verdict,
)
from soitin.db.types import utcnow
from soitin.review import audit
from soitin.review.policies import UnitTree, load_unit_tree
from soitin.settings import Settings, get_settings

__all__ = [
    "ACTIVE_STATUSES",
    "PriorityParts",
    "TriageResult",
    "TriageStage",
    "category_of_detector",
    "claim_matches",
    "compute_priority",
    "deadline_for",
    "detector_scores",
    "escalate_overdue",
    "new_case",
    "route_story",
    "severity_for",
    "triage_stories",
]

#: Cases still waiting for a decision.
ACTIVE_STATUSES = (CaseStatus.OPEN.value, CaseStatus.ASSIGNED.value, CaseStatus.ESCALATED.value)

#: How much a matched claim counts, by its verdict.
VERDICT_WEIGHT = {
    Verdict.FALSE.value: 1.0,
    Verdict.MISLEADING.value: 0.8,
    Verdict.UNPROVEN.value: 0.4,
    Verdict.TRUE.value: 0.0,
}

#: Locality part: the story names a ward of the unit, only its province, or no place of it.
LOCALITY_WARD, LOCALITY_PROVINCE, LOCALITY_NONE = 1.0, 0.6, 0.2

_DEFAULT_DEADLINES = (48.0, 24.0, 8.0)


def category_of_detector(name: str) -> str | None:
    """The harm category a detector's name stands for (None for unknown detectors)."""
    low = name.lower()
    for needle, category in (
        ("scam", Category.SCAM),
        ("fraud", Category.SCAM),
        ("toxic", Category.TOXIC),
        ("hate", Category.TOXIC),
        ("spam", Category.SPAM),
        ("misinfo", Category.MISINFORMATION),
        ("fake", Category.MISINFORMATION),
        ("claim", Category.MISINFORMATION),
    ):
        if needle in low:
            return category.value
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dict):
        for key in ("score", "probability", "p", "value"):
            if key in value:
                return _number(value[key])
    return None


def detector_scores(scores: dict[str, Any] | None) -> dict[str, float]:
    """Detector name → score in [0, 1], from the tolerant shapes detectors store."""
    out: dict[str, float] = {}
    for name, value in (scores or {}).items():
        number = _number(value)
        if number is not None and not math.isnan(number):
            out[str(name)] = max(0.0, min(1.0, number))
    return out


@dataclass
class PriorityParts:
    """The priority of one case and how it came about."""

    priority: float
    parts: dict[str, dict[str, Any]]
    category: str | None


def compute_priority(
    story: Story,
    claim_matches: Sequence[tuple[float, str, int]],
    locality: float,
    settings: Settings,
) -> PriorityParts:
    """Weighted mean of the five parts; `claim_matches` holds (score, verdict, claim id)."""
    scores = detector_scores(story.max_scores)
    best_name, best = max(scores.items(), key=lambda kv: kv[1], default=("", 0.0))
    claim_value, claim_id = 0.0, None
    for score, verdict, cid in claim_matches:
        value = max(0.0, min(1.0, score)) * VERDICT_WEIGHT.get(verdict, 0.0)
        if value > claim_value:
            claim_value, claim_id = value, cid
    reach = min(1.0, math.log1p(max(story.reach, 0)) / math.log1p(settings.priority_reach_scale))
    velocity = min(1.0, max(story.velocity, 0.0) / settings.priority_velocity_scale)
    values = {
        "detector": (best, settings.priority_weight_detector, best_name),
        "claims": (claim_value, settings.priority_weight_claims, claim_id),
        "reach": (reach, settings.priority_weight_reach, story.reach),
        "velocity": (velocity, settings.priority_weight_velocity, round(story.velocity, 2)),
        "locality": (locality, settings.priority_weight_locality, None),
    }
    total_weight = sum(w for _, w, _ in values.values()) or 1.0
    parts: dict[str, dict[str, Any]] = {}
    priority = 0.0
    for name, (value, weight, detail) in values.items():
        points = value * weight / total_weight
        priority += points
        parts[name] = {
            "value": round(value, 4),
            "weight": round(weight / total_weight, 4),
            "points": round(points, 4),
            "detail": detail,
        }
    # A matched claim says misinformation; else the best detector names it only when it alone
    # would open a case (a 0.41 scam score under an official advisory is no scam). Not the
    # story's `category` (its items' flags, for the statistics): a flag below
    # `triage_min_score` neither opens a case nor names one.
    category: str | None = None
    if claim_value > 0:
        category = Category.MISINFORMATION.value
    if category is None and best_name and best >= settings.triage_min_score:
        category = category_of_detector(best_name)
    return PriorityParts(round(priority, 4), parts, category)


def severity_for(priority: float, settings: Settings) -> int:
    """1 (low), 2 or 3 (high) from the priority and the thresholds setting."""
    low, high = settings.severity_thresholds
    return 3 if priority >= high else 2 if priority >= low else 1


def deadline_for(category: str | None, severity: int, settings: Settings) -> timedelta:
    """How long a unit has to decide a case of this category and severity."""
    table = settings.case_deadline_hours
    hours = table.get(category or "default") or table.get("default") or _DEFAULT_DEADLINES
    index = max(1, min(3, severity)) - 1
    return timedelta(hours=float(hours[index]))


def route_story(story: Story, tree: UnitTree) -> dict[int, float]:
    """Unit id → locality part for the units that own the story.

    The most specific units whose places the story names win (a commune unit before its
    province office, which sees the commune's cases anyway); a story naming no place of any
    unit goes to the root unit.
    """
    wards, provinces = set(story.ward_codes or ()), set(story.province_codes or ())
    hits: dict[int, float] = {}
    for node in tree.nodes.values():
        codes = set(node.place_codes)
        if codes & wards:
            hits[node.id] = LOCALITY_WARD
        elif codes & provinces:
            hits[node.id] = LOCALITY_PROVINCE
    above: set[int] = set()
    for uid in hits:
        above.update(tree.ancestors(uid)[1:])
    targets = {uid: loc for uid, loc in hits.items() if uid not in above}
    if not targets and tree.nodes:
        roots = tree.roots()
        root = min(roots) if roots else min(tree.nodes)
        targets = {root: LOCALITY_NONE}
    return targets


@dataclass
class TriageResult:
    """What one triage run did."""

    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    skipped: int = 0


def claim_matches(
    session: Session, story_ids: list[int]
) -> dict[int, list[tuple[float, str, int]]]:
    """Story id → its claim matches as (score, verdict, claim id), for `compute_priority`."""
    out: dict[int, list[tuple[float, str, int]]] = {}
    rows = session.execute(
        select(StoryClaimMatch.story_id, StoryClaimMatch.score, Claim.verdict, Claim.id)
        .join(Claim, Claim.id == StoryClaimMatch.claim_id)
        .where(StoryClaimMatch.story_id.in_(story_ids))
    ).all()
    for story_id, score, verdict, claim_id in rows:
        out.setdefault(story_id, []).append((float(score), verdict, claim_id))
    return out


def _worth_a_case(parts: PriorityParts, settings: Settings) -> bool:
    detector = float(parts.parts["detector"]["value"])
    claims = float(parts.parts["claims"]["value"])
    return detector >= settings.triage_min_score or claims >= VERDICT_WEIGHT["misleading"] * 0.5


def new_case(
    story_id: int, unit_id: int, parts: PriorityParts, settings: Settings, now: datetime
) -> Case:
    """An open case (not added yet) with the severity and deadline its priority gives."""
    severity = severity_for(parts.priority, settings)
    return Case(
        story_id=story_id,
        unit_id=unit_id,
        status=CaseStatus.OPEN.value,
        category=parts.category,
        severity=severity,
        priority=parts.priority,
        priority_parts=parts.parts,
        opened_at=now,
        due_at=now + deadline_for(parts.category, severity, settings),
    )


def triage_stories(
    session: Session,
    story_ids: Iterable[int],
    *,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> TriageResult:
    """Open or refresh the cases of these stories (in the caller's transaction; no commit).

    New cases get a priority, severity and deadline; open cases of a story that grew get
    their priority refreshed (a higher severity can only bring the deadline forward).
    Decided cases are left alone.
    """
    settings = settings or get_settings()
    now = now or utcnow()
    ids = sorted({int(i) for i in story_ids if i is not None})
    result = TriageResult()
    if not ids:
        return result
    tree = load_unit_tree(session)
    if not tree.nodes:
        return result
    matches: dict[int, list[tuple[float, str, int]]] = {}
    existing: dict[tuple[int, int], Case] = {}
    stories: list[Story] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        stories.extend(session.scalars(select(Story).where(Story.id.in_(chunk))))
        matches.update(claim_matches(session, chunk))
        for case in session.scalars(select(Case).where(Case.story_id.in_(chunk))):
            existing[(case.story_id, case.unit_id)] = case
    for story in stories:
        targets = route_story(story, tree)
        for unit_id, locality in targets.items():
            parts = compute_priority(story, matches.get(story.id, []), locality, settings)
            found = existing.get((story.id, unit_id))
            if found is None:
                if not _worth_a_case(parts, settings):
                    result.skipped += 1
                    continue
                case = new_case(story.id, unit_id, parts, settings, now)
                severity = case.severity
                session.add(case)
                session.flush()
                session.add(
                    CaseEvent(
                        case_id=case.id,
                        kind="opened",
                        at=now,
                        data={"priority": parts.priority, "severity": severity},
                    )
                )
                audit.record(
                    session,
                    "case.opened",
                    object_type="case",
                    object_id=case.id,
                    story_id=story.id,
                    unit_id=unit_id,
                    priority=parts.priority,
                )
                existing[(story.id, unit_id)] = case
                result.created.append(case.id)
            elif found.status in ACTIVE_STATUSES:
                case = found
                severity = severity_for(parts.priority, settings)
                case.priority = parts.priority
                case.priority_parts = parts.parts
                if case.category is None:
                    case.category = parts.category
                if severity > case.severity:
                    case.severity = severity
                    sooner = case.opened_at + deadline_for(case.category, severity, settings)
                    if case.due_at is None or sooner < case.due_at:
                        case.due_at = sooner
                result.updated.append(case.id)
    session.flush()
    return result


def _parent_lead(session: Session, unit_id: int) -> User | None:
    return session.scalar(
        select(User)
        .where(User.unit_id == unit_id, User.role == Role.LEAD.value, User.is_active.is_(True))
        .order_by(User.id)
        .limit(1)
    )


def escalate_overdue(session: Session, *, now: datetime | None = None) -> list[int]:
    """Mark overdue open cases and escalate them to the parent unit's lead (no commit).

    Each case escalates once (the `overdue` mark); a case of the root unit is only marked.
    """
    now = now or utcnow()
    cases = list(
        session.scalars(
            select(Case).where(
                Case.status.in_(ACTIVE_STATUSES),
                Case.overdue.is_(False),
                Case.due_at.is_not(None),
                Case.due_at < now,
            )
        )
    )
    if not cases:
        return []
    tree = load_unit_tree(session)
    leads: dict[int, User | None] = {}
    for case in cases:
        case.overdue = True
        node = tree.nodes.get(case.unit_id)
        parent = node.parent_id if node else None
        data: dict[str, Any] = {
            "auto": True,
            "due_at": case.due_at.isoformat() if case.due_at else None,
        }
        if parent is not None:
            if parent not in leads:
                leads[parent] = _parent_lead(session, parent)
            lead = leads[parent]
            case.status = CaseStatus.ESCALATED.value
            if lead is not None:
                case.assignee_id = lead.id
            data.update(to_unit_id=parent, assignee_id=lead.id if lead else None)
            kind = "escalate"
        else:
            kind = "overdue"
        session.add(CaseEvent(case_id=case.id, kind=kind, at=now, data=data))
        audit.record(session, f"case.{kind}", object_type="case", object_id=case.id, **data)
    session.flush()
    return [c.id for c in cases]


class TriageStage:
    """Pipeline stage (after detect): triage the stories of a batch, escalate overdue cases."""

    name = "triage"

    def __call__(self, session: Session, items: Sequence[Item]) -> None:
        triage_stories(session, {i.story_id for i in items if i.story_id is not None})
        escalate_overdue(session)
