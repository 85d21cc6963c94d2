"""The pipeline stage "stories": assign items to stories, update figures, queue claim matching."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from soitin.db.models import Item
from soitin.settings import Settings, get_settings
from soitin.stories.aggregate import update_stories
from soitin.stories.assign import Assignment, assign_stories
from soitin.stories.claim_service import on_new_stories

__all__ = ["StoryAssignStage", "StoryFiguresStage", "StoryStage"]


class StoryStage:
    """Near-duplicate clustering of new items into stories, inside the ingest transaction."""

    name = "stories"

    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings
        self.last: Assignment | None = None

    @property
    def settings(self) -> Settings:
        """The settings in force (read when first needed)."""
        if self._settings is None:
            self._settings = get_settings()
        return self._settings

    def __call__(self, session: Session, items: Sequence[Item]) -> None:
        """Assign `items` to stories; never commits."""
        cfg = self.settings
        result = assign_stories(session, items, cfg.story_similarity_threshold)
        assigned = [it for it in items if it.id in result.story_of_item]
        self._count(session, assigned, result.new_story_ids)
        self.last = result

    def _count(
        self,
        session: Session,
        items: Sequence[Item],
        new_story_ids: Sequence[int],
        new_if_empty: bool = False,
    ) -> None:
        """Add `items` to their stories' figures; queue claim matching for new stories."""
        cfg = self.settings
        stories = update_stories(
            session,
            items,
            new_story_ids,
            cfg.story_velocity_recent_hours,
            cfg.story_velocity_earlier_hours,
            new_if_empty=new_if_empty,
        )
        on_new_stories(session, [st for st in stories if st.is_new], cfg)


class StoryAssignStage(StoryStage):
    """The first half of `StoryStage` for workers: assignment only (band keys, new stories).

    A worker commits right after it, so the unique band keys it inserted, which another worker
    adding the same key must wait for, are held only until that commit.
    """

    name = "stories.assign"

    def __call__(self, session: Session, items: Sequence[Item]) -> None:
        """Give `items` their stories; never commits."""
        self.last = assign_stories(session, items, self.settings.story_similarity_threshold)


class StoryFiguresStage(StoryStage):
    """The second half for workers: every unprocessed item with a story counts in its figures.

    Runs in the transaction that marks the items processed, so an item is counted exactly once
    even when its assignment was committed by a run that then died.
    """

    name = "stories.figures"

    def __call__(self, session: Session, items: Sequence[Item]) -> None:
        """Update the figures of the items' stories; never commits."""
        todo = [it for it in items if it.story_id is not None and it.processed_at is None]
        self._count(session, todo, (), new_if_empty=True)
