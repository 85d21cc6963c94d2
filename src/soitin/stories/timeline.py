"""What the story page shows besides the story row: its timeline and its sources."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from soitin.db.models import Source, StorySource, StoryTimelineBucket

__all__ = ["SourceShare", "TimelinePoint", "story_sources", "story_timeline"]


@dataclass(frozen=True)
class TimelinePoint:
    """Items and reach of a story in one hour or one day (start is timezone-aware)."""

    start: datetime
    items: int
    reach: int


@dataclass(frozen=True)
class SourceShare:
    """A source that carried a story."""

    source_id: int
    name: str
    items: int
    first_seen: datetime


def story_timeline(
    session: Session,
    story_id: int,
    granularity: Literal["hour", "day"] = "hour",
    tz: ZoneInfo | None = None,
) -> list[TimelinePoint]:
    """Items per hour (UTC hours) or per day (days in `tz`, default UTC), oldest first."""
    rows = session.execute(
        select(
            StoryTimelineBucket.bucket_start, StoryTimelineBucket.items, StoryTimelineBucket.reach
        )
        .where(StoryTimelineBucket.story_id == story_id)
        .order_by(StoryTimelineBucket.bucket_start)
    ).all()
    if granularity == "hour":
        return [TimelinePoint(start, items, reach) for start, items, reach in rows]
    zone = tz or ZoneInfo("UTC")
    days: dict[datetime, list[int]] = defaultdict(lambda: [0, 0])
    for start, items, reach in rows:
        local = start.astimezone(zone)
        day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        days[day][0] += items
        days[day][1] += reach
    return [
        TimelinePoint(day.astimezone(UTC) if tz is None else day, n, r)
        for day, (n, r) in sorted(days.items())
    ]


def story_sources(session: Session, story_id: int) -> list[SourceShare]:
    """The sources of a story, the one with most items first."""
    rows = session.execute(
        select(StorySource.source_id, Source.name, StorySource.items, StorySource.first_seen)
        .join(Source, Source.id == StorySource.source_id)
        .where(StorySource.story_id == story_id)
        .order_by(StorySource.items.desc(), StorySource.first_seen)
    ).all()
    return [SourceShare(sid, name, items, first) for sid, name, items, first in rows]
