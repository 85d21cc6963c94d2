"""The pipeline stage "normalise": fill `items.text_folded` (the searchable folded text)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from soitin.db.bulk import write_columns
from soitin.db.models import Item
from soitin.text.fold import fold_item_text

__all__ = ["TextStage"]


class TextStage:
    """Folded title and text of every new item, for search, stories and claim matching.

    On SQLite, items stored by `soitin.ingest.store.store_items` arrive folded already (see
    there why); this stage folds the others.
    """

    name = "normalise"

    def __call__(self, session: Session, items: Sequence[Item]) -> None:
        """Set `text_folded` where it is empty; items whose text was purged keep what they have."""
        todo = [
            it
            for it in items
            if not it.text_folded and (it.text is not None or it.title is not None)
        ]
        write_columns(
            session, todo, [{"text_folded": fold_item_text(it.title, it.text)} for it in todo]
        )
