"""Decisions as training labels: what reviewers confirmed or dismissed as not harmful.

The detectors' retraining reads these (`soitin review labels` writes them as JSON lines).
The latest decision on a story wins; dismissals for other reasons (duplicate, out of area)
say nothing about harm and are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soitin.db.models import Case, CaseEvent, Item, Story

__all__ = ["DecidedLabel", "NOT_HARMFUL", "decided_labels"]

NOT_HARMFUL = "not_harmful"


@dataclass(frozen=True)
class DecidedLabel:
    """One story's label: a confirmed category, or "not_harmful"."""

    story_id: int
    item_id: int | None
    text: str
    label: str
    decided_at: datetime
    case_id: int

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        data = asdict(self)
        data["decided_at"] = self.decided_at.isoformat()
        return data


def decided_labels(session: Session, *, since: datetime | None = None) -> Iterator[DecidedLabel]:
    """The latest confirm/dismiss(not harmful) decision per story, oldest story first."""
    stmt = (
        select(CaseEvent, Case.story_id, Story.representative_item_id, Story.representative_text)
        .join(Case, Case.id == CaseEvent.case_id)
        .join(Story, Story.id == Case.story_id)
        .where(CaseEvent.kind.in_(("confirm", "dismiss", "reopen")))
        .order_by(CaseEvent.at, CaseEvent.id)
    )
    latest: dict[int, tuple[CaseEvent, int | None, str] | None] = {}
    for event, story_id, item_id, text in session.execute(stmt):
        if event.kind == "reopen":
            latest[story_id] = None
            continue
        latest[story_id] = (event, item_id, text)
    wanted = {sid: v for sid, v in latest.items() if v is not None}
    item_ids = [v[1] for v in wanted.values() if v[1] is not None]
    texts: dict[int, str] = {}
    for start in range(0, len(item_ids), 500):
        chunk = item_ids[start : start + 500]
        texts.update(
            {
                i: t
                for i, t in session.execute(select(Item.id, Item.text).where(Item.id.in_(chunk)))
                if t
            }
        )
    for story_id in sorted(wanted):
        value = wanted[story_id]
        assert value is not None  # noqa: S101 - filtered above
        event, item_id, rep_text = value
        if since is not None and event.at < since:
            continue
        if event.kind == "confirm":
            label = str(event.data.get("category"))
        elif event.data.get("reason") == NOT_HARMFUL:
            label = NOT_HARMFUL
        else:
            continue
        yield DecidedLabel(
            story_id=story_id,
            item_id=item_id,
            text=texts.get(item_id, rep_text) if item_id is not None else rep_text,
            label=label,
            decided_at=event.at,
            case_id=event.case_id,
        )
