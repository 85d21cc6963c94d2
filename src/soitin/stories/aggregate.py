"""Keep each story's figures up to date as items join: counts, reach, places, timeline.

Story rows that already exist are locked (`SELECT ... FOR UPDATE`, in id order) before they
are changed, so two workers adding to one story never lose an update; timeline and source
rows are upserts that add to what is there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, case, func, select
from sqlalchemy.orm import Session

from soitin.db.bulk import insert_rows, update_rows
from soitin.db.models import Category, Item, Story, StorySource, StoryTimelineBucket
from soitin.db.types import utcnow
from soitin.text.fold import fold_item_text

__all__ = [
    "REPRESENTATIVE_CHARS",
    "StoryFigures",
    "hour_of",
    "item_time",
    "merge_max_scores",
    "refresh_max_scores",
    "update_stories",
]

#: The representative text kept on a story (the full item stays in `items`).
REPRESENTATIVE_CHARS = 4_000


def item_time(item: Item) -> datetime:
    """When an item was seen: its publication time, never later than when we fetched it."""
    fetched = item.fetched_at or utcnow()
    published = item.published_at
    return published if published is not None and published <= fetched else fetched


def hour_of(at: datetime) -> datetime:
    """The start of the UTC hour `at` falls in."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def merge_max_scores(current: dict[str, Any], scores: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Per detector, the highest numeric score seen."""
    out = dict(current)
    for item_scores in scores:
        for name, value in (item_scores or {}).items():
            if isinstance(value, dict):  # a detector's stored result: its calibrated score
                value = value.get("score")
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            old = out.get(name)
            if not isinstance(old, int | float) or value > old:
                out[name] = float(value)
    return out


def story_category(current: str | None, item_categories: Iterable[str | None]) -> str | None:
    """A story's harm category from its items' (set by the detect stage), in item order.

    The first harm category an item brings stays; spam names the story only until an item
    brings a harm category (as for an item, where spam counts only when nothing harmful is
    flagged). Reports and the dashboard count stories by it; triage decides a case's category
    on its own (`soitin.review.triage.priority_for`).
    """
    spam = Category.SPAM.value
    out = current
    for category in item_categories:
        if category is not None and (out is None or (out == spam and category != spam)):
            out = category
    return out


_FIGURES = (
    "id",
    "first_seen",
    "last_seen",
    "item_count",
    "reach",
    "province_codes",
    "ward_codes",
    "max_scores",
    "category",
)


@dataclass
class StoryFigures:
    """The figures of one story as the stage leaves them (what it writes back)."""

    id: int
    first_seen: datetime
    last_seen: datetime
    item_count: int = 0
    reach: int = 0
    province_codes: list[str] = field(default_factory=list)
    ward_codes: list[str] = field(default_factory=list)
    max_scores: dict[str, Any] = field(default_factory=dict)
    category: str | None = None
    source_count: int = 0
    velocity: float = 0.0
    velocity_earlier: float = 0.0
    representative_item_id: int | None = None
    representative_text: str = ""
    search_text: str = ""
    is_new: bool = False


def _lock_stories(session: Session, ids: Iterable[int]) -> dict[int, StoryFigures]:
    """Current figures of existing stories, rows locked (in id order) until commit."""
    id_list = sorted(set(ids))
    out: dict[int, StoryFigures] = {}
    table = cast(Table, Story.__table__)
    cols = [table.c[name] for name in _FIGURES]
    for start in range(0, len(id_list), 5_000):
        chunk = id_list[start : start + 5_000]
        rows = session.execute(
            select(*cols)
            .where(table.c.id.in_(chunk))
            .order_by(table.c.id)
            # FOR NO KEY UPDATE on PostgreSQL: another worker's items may still point at
            # these stories (their foreign-key checks take KEY SHARE) without waiting
            .with_for_update(key_share=True)
        ).all()
        for row in rows:
            values = dict(zip(_FIGURES, row, strict=True))
            out[values["id"]] = StoryFigures(**values)
    return out


def update_stories(
    session: Session,
    items: Sequence[Item],
    new_story_ids: Iterable[int],
    recent_hours: int,
    earlier_hours: int,
    *,
    new_if_empty: bool = False,
) -> list[StoryFigures]:
    """Add `items` (already given their `story_id`) to their stories' figures.

    `new_if_empty`: a story that has counted no item yet is treated as new too (its
    assignment was committed in an earlier transaction: see `StoryFiguresStage`).
    """
    by_story: dict[int, list[Item]] = defaultdict(list)
    for it in items:
        if it.story_id is not None:
            by_story[it.story_id].append(it)
    if not by_story:
        return []
    new_ids = set(new_story_ids) & set(by_story)
    stories = _lock_stories(session, set(by_story) - new_ids)
    if new_if_empty:
        new_ids |= {sid for sid, fig in stories.items() if fig.item_count == 0}
    times = {id(it): item_time(it) for it in items}
    for sid in new_ids:
        first = min(times[id(it)] for it in by_story[sid])
        stories[sid] = StoryFigures(sid, first, first, is_new=True)

    timeline: dict[tuple[int, datetime], list[int]] = defaultdict(lambda: [0, 0])
    sources: dict[tuple[int, int], list[Any]] = {}
    for sid, members in by_story.items():
        for it in members:
            cell = timeline[(sid, hour_of(times[id(it)]))]
            cell[0] += 1
            cell[1] += it.reach
            entry = sources.setdefault((sid, it.source_id), [0, times[id(it)]])
            entry[0] += 1
            entry[1] = min(entry[1], times[id(it)])
    # rows summed by (story, hour) and (story, source): unique by the conflict keys
    insert_rows(
        session,
        cast(Table, StoryTimelineBucket.__table__),
        [
            {"story_id": s, "bucket_start": b, "items": n, "reach": r}
            for (s, b), (n, r) in sorted(timeline.items())
        ],
        upsert=(
            ["story_id", "bucket_start"],
            {
                "items": lambda c, ex: c["items"] + ex["items"],
                "reach": lambda c, ex: c["reach"] + ex["reach"],
            },
        ),
    )
    insert_rows(
        session,
        cast(Table, StorySource.__table__),
        [
            {"story_id": s, "source_id": src, "items": n, "first_seen": first}
            for (s, src), (n, first) in sorted(sources.items())
        ],
        upsert=(
            ["story_id", "source_id"],
            {
                "items": lambda c, ex: c["items"] + ex["items"],
                "first_seen": lambda c, ex: case(
                    (ex["first_seen"] < c["first_seen"], ex["first_seen"]), else_=c["first_seen"]
                ),
            },
        ),
    )
    source_counts: dict[int, int] = defaultdict(int)
    for s, _src in sources:
        if s in new_ids:
            source_counts[s] += 1
    existing = sorted(set(by_story) - new_ids)
    if existing:
        source_counts.update(
            (int(sid), int(n))
            for sid, n in session.execute(
                select(StorySource.story_id, func.count())
                .where(StorySource.story_id.in_(existing))
                .group_by(StorySource.story_id)
            ).all()
        )

    for sid, members in by_story.items():
        story = stories.get(sid)
        if story is None:  # deleted meanwhile (retention): the items keep their id only
            continue
        member_times = [times[id(it)] for it in members]
        first, last = min(member_times), max(member_times)
        if story.is_new:
            story.first_seen, story.last_seen = first, last
            rep = min(members, key=lambda it: (times[id(it)], it.id))
            story.representative_item_id = rep.id
            story.representative_text = _display_text(rep)[:REPRESENTATIVE_CHARS]
            folded = rep.text_folded or fold_item_text(rep.title, rep.text)
            story.search_text = folded[:REPRESENTATIVE_CHARS]
        else:
            story.first_seen = min(story.first_seen, first)
            story.last_seen = max(story.last_seen, last)
        story.item_count += len(members)
        story.reach += sum(it.reach for it in members)
        story.source_count = source_counts.get(sid, 0)
        story.province_codes = sorted(
            set(story.province_codes or []).union(*(it.province_codes or [] for it in members))
        )
        story.ward_codes = sorted(
            set(story.ward_codes or []).union(*(it.ward_codes or [] for it in members))
        )
        story.max_scores = merge_max_scores(story.max_scores or {}, (it.scores for it in members))
        story.category = story_category(story.category, (it.category for it in members))
    touched = [stories[s] for s in by_story if s in stories]
    _update_velocity(session, touched, timeline, recent_hours, earlier_hours)
    _write_back(session, touched)
    return touched


def _write_back(session: Session, stories: list[StoryFigures]) -> None:
    """One UPDATE for the figures (new stories: with their representative in the same
    statement, each row written once); ORM copies in the session are expired."""
    if not stories:
        return
    now = utcnow()
    table = cast(Table, Story.__table__)
    names = [
        "first_seen", "last_seen", "item_count", "reach", "source_count", "province_codes",
        "ward_codes", "max_scores", "category", "velocity", "velocity_earlier",
    ]  # fmt: skip
    representative = ["representative_item_id", "representative_text", "search_text"]
    for fresh in (False, True):
        group = [st for st in stories if st.is_new is fresh]
        if not group:
            continue
        columns = [*names, *representative] if fresh else names
        rows = [{"id": st.id, "updated_at": now} | {n: getattr(st, n) for n in columns}
                for st in group]  # fmt: skip
        update_rows(session, table, rows, [*columns, "updated_at"])
    ids = {st.id for st in stories}
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Story) and obj.id in ids:
            session.expire(obj)


def _display_text(item: Item) -> str:
    parts = [p for p in (item.title, item.text) if p]
    return "\n".join(parts)


def _update_velocity(
    session: Session,
    stories: list[StoryFigures],
    batch: dict[tuple[int, datetime], list[int]],
    recent_hours: int,
    earlier_hours: int,
) -> None:
    """velocity = items/hour over the recent window ending at last seen; earlier = before it.

    A story made by this batch has no other buckets than the batch's; the others are read.
    """
    if not stories:
        return
    span = recent_hours + earlier_hours
    buckets: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    existing = [st for st in stories if not st.is_new]
    if existing:
        cutoff = min(hour_of(st.last_seen) for st in existing) - timedelta(hours=span)
        rows = session.execute(
            select(
                StoryTimelineBucket.story_id,
                StoryTimelineBucket.bucket_start,
                StoryTimelineBucket.items,
            ).where(
                StoryTimelineBucket.story_id.in_([st.id for st in existing]),
                StoryTimelineBucket.bucket_start > cutoff,
            )
        ).all()
        for sid, start, n in rows:
            buckets[sid].append((start, n))
    new_ids = {st.id for st in stories if st.is_new}
    for (sid, start), (n, _reach) in batch.items():
        if sid in new_ids:
            buckets[sid].append((start, n))
    for st in stories:
        end = hour_of(st.last_seen)
        recent_from = end - timedelta(hours=recent_hours - 1)
        earlier_from = recent_from - timedelta(hours=earlier_hours)
        recent = earlier = 0
        for start, n in buckets.get(st.id, []):
            if recent_from <= start <= end:
                recent += n
            elif earlier_from <= start < recent_from:
                earlier += n
        st.velocity = recent / recent_hours
        st.velocity_earlier = earlier / earlier_hours


def refresh_max_scores(session: Session, items: Sequence[Item]) -> None:
    """Fold the detector scores of `items` into their stories' `max_scores` (and their
    categories into the stories' `category`).

    For the detect stage, which runs after stories: call it once scores are set.
    """
    by_story: dict[int, list[Item]] = defaultdict(list)
    for it in items:
        if it.story_id is not None and it.scores:
            by_story[it.story_id].append(it)
    if not by_story:
        return
    table = cast(Table, Story.__table__)
    changed = []
    for sid, story in _lock_stories(session, by_story).items():
        merged = merge_max_scores(story.max_scores or {}, (it.scores for it in by_story[sid]))
        category = story_category(story.category, (it.category for it in by_story[sid]))
        if merged != (story.max_scores or {}) or category != story.category:
            changed.append({"b_id": sid, "b_scores": merged, "b_category": category})
    if changed:
        session.execute(
            table.update()
            .where(table.c.id == bindparam("b_id"))
            .values(max_scores=bindparam("b_scores"), category=bindparam("b_category")),
            changed,
        )
        ids = {c["b_id"] for c in changed}
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Story) and obj.id in ids:
                session.expire(obj)
