"""Build sources, stories, items and cases directly with the models (no detectors needed)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from soitin.db.models import (
    Case,
    CaseStatus,
    Claim,
    Item,
    Source,
    Story,
    StoryClaimMatch,
    StorySource,
    StoryTimelineBucket,
)
from soitin.db.types import utcnow
from soitin.text.fold import fold_for_search

_counter = {"n": 0}


def make_source(session: Session, name: str = "Báo Tin Nhanh", kind: str = "feed") -> Source:
    """A source."""
    source = Source(kind=kind, name=name, url="https://tin.example/rss")
    session.add(source)
    session.flush()
    return source


def make_story(
    session: Session,
    text: str,
    *,
    sources: Sequence[Source],
    items: int = 3,
    province_codes: Sequence[str] = (),
    ward_codes: Sequence[str] = (),
    max_scores: dict[str, Any] | None = None,
    item_scores: dict[str, Any] | None = None,
    category: str | None = None,
    reach: int = 120,
    velocity: float = 2.0,
    start: datetime | None = None,
) -> Story:
    """A story of `items` near-duplicate items spread over the sources, one hour apart."""
    start = start or utcnow() - timedelta(hours=items)
    story = Story(
        first_seen=start,
        last_seen=start + timedelta(hours=max(items - 1, 0)),
        item_count=items,
        source_count=len(sources),
        reach=reach,
        velocity=velocity,
        representative_text=text,
        province_codes=list(province_codes),
        ward_codes=list(ward_codes),
        max_scores=max_scores or {},
        category=category,
    )
    session.add(story)
    session.flush()
    first: Item | None = None
    for i in range(items):
        _counter["n"] += 1
        source = sources[i % len(sources)]
        body = text if i == 0 else f"{text} (chia sẻ lại {i})"
        item = Item(
            source_id=source.id,
            external_id=f"ext-{_counter['n']}",
            content_hash=f"h{_counter['n']:062d}",
            url=f"https://tin.example/bai/{_counter['n']}",
            text=body,
            text_folded=fold_for_search(body),
            platform="facebook",
            published_at=start + timedelta(hours=i),
            likes=10 * (i + 1),
            comments=i,
            shares=2 * i,
            province_codes=list(province_codes),
            ward_codes=list(ward_codes),
            scores=(item_scores or {}) if i == 0 else {},
            story_id=story.id,
        )
        session.add(item)
        session.flush()
        first = first or item
        session.add(
            StoryTimelineBucket(
                story_id=story.id,
                bucket_start=(start + timedelta(hours=i)).replace(
                    minute=0, second=0, microsecond=0
                ),
                items=1,
                reach=item.reach,
            )
        )
    for source in sources:
        session.add(StorySource(story_id=story.id, source_id=source.id, items=1, first_seen=start))
    assert first is not None
    story.representative_item_id = first.id
    session.flush()
    return story


def make_case(
    session: Session,
    story: Story,
    unit_id: int,
    *,
    priority: float = 0.5,
    status: str = CaseStatus.OPEN.value,
    category: str | None = "scam",
    severity: int = 2,
    due_in: timedelta | None = timedelta(hours=24),
    assignee_id: int | None = None,
) -> Case:
    """A case straight into a unit's queue."""
    now = utcnow()
    case = Case(
        story_id=story.id,
        unit_id=unit_id,
        status=status,
        category=category,
        severity=severity,
        priority=priority,
        priority_parts={
            "detector": {"value": priority, "weight": 1.0, "points": priority, "detail": "scam"}
        },
        opened_at=now,
        due_at=None if due_in is None else now + due_in,
        assignee_id=assignee_id,
    )
    session.add(case)
    session.flush()
    return case


def make_claim_match(
    session: Session, story: Story, text: str, verdict: str = "false", score: float = 0.9
) -> Claim:
    """A fact-checked claim that the story matches."""
    claim = Claim(
        text=text,
        text_folded=fold_for_search(text),
        verdict=verdict,
        url="https://kiemchung.example/1",
        publisher="Tổ kiểm chứng",
    )
    session.add(claim)
    session.flush()
    session.add(
        StoryClaimMatch(
            story_id=story.id, claim_id=claim.id, score=score, lexical=score, passage=text[:60]
        )
    )
    session.flush()
    return claim
