"""The chain every new item goes through, over batches, in-process or as broker tasks.

Ingest stores items exactly once, then calls `process_items` on the new ones. Each stage is a
small callable that enriches a batch of items inside the caller's transaction; the text,
places, stories and detect areas each contribute one stage (see `default_stages`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from soitin.db.models import Item
from soitin.db.types import utcnow


class Stage(Protocol):
    """One step of the pipeline over a batch of items (already in `session`)."""

    name: str

    def __call__(self, session: Session, items: Sequence[Item]) -> None:
        """Enrich `items` in place; may add rows; never commits."""


def default_stages() -> list[Stage]:
    """The stages in order: normalise → places → stories → detect → triage."""
    stages: list[Stage] = []
    # --- stages: one import + append each, in pipeline order ---
    from soitin.text.stage import TextStage

    stages.append(TextStage())
    from soitin.places.stage import PlaceStage

    stages.append(PlaceStage())
    from soitin.stories.stage import StoryStage

    stages.append(StoryStage())
    # (review) triage stays LAST: it reads stories, claim matches and detector scores.
    from soitin.review.triage import TriageStage

    stages.append(TriageStage())
    # --- end of stages ---
    return stages


def process_items(
    session: Session, items: Sequence[Item], stages: Sequence[Stage] | None = None
) -> None:
    """Run every stage over `items` and mark them processed (the caller commits)."""
    if not items:
        return
    for stage in default_stages() if stages is None else stages:
        stage(session, items)
    session.flush()
    now = utcnow()
    # One UPDATE for the batch; the objects get the value without being marked dirty.
    session.execute(
        update(Item)
        .where(Item.id.in_([item.id for item in items]))
        .values(processed_at=now)
        .execution_options(synchronize_session=False)
    )
    for item in items:
        set_committed_value(item, "processed_at", now)
