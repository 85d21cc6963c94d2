"""Retention: raw item text and media links are deleted past a configurable age.

What goes: an item's text, title, folded text and link, and every piece of its text kept
elsewhere: the words and spans of its detector results (explanations, highlights, evidence),
and, once every item of a story is past the age, the story's representative and search text.
What stays: the item row (source, times, engagement, places, labels and scores, content hash,
story), stories, cases, decisions, responses and every aggregate statistic, so the figures of
past periods do not change when the raw text goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from soitin.db import Database
from soitin.db.models import Item, Story
from soitin.db.types import utcnow
from soitin.settings import get_settings

#: What a purged item keeps of each stored detector result: nothing quoted from its text.
KEPT_RESULT_KEYS = ("model", "version", "label", "score", "probabilities", "frames")
_CHUNK = 1_000


def purge_expired(
    database: Database, *, days: int | None = None, now: datetime | None = None
) -> int:
    """Blank the raw text of items older than `days` (see the module notes); returns count.

    `days` defaults to the `retention_days` setting; 0 keeps everything.
    """
    days = get_settings().retention_days if days is None else days
    if days <= 0:
        return 0
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    with database.transaction() as session:
        ids = list(
            session.scalars(
                select(Item.id).where(Item.fetched_at < cutoff, Item.raw_purged_at.is_(None))
            )
        )
        for start in range(0, len(ids), _CHUNK):
            _purge(session, ids[start : start + _CHUNK], now)
        if ids:
            # a story keeps its text while one of its items does
            session.execute(
                update(Story)
                .where(
                    Story.representative_text != "",
                    ~exists().where(Item.story_id == Story.id, Item.raw_purged_at.is_(None)),
                )
                .values(representative_text="", search_text="")
                .execution_options(synchronize_session=False)
            )
        return len(ids)


def _purge(session: Session, ids: Sequence[int], now: datetime) -> None:
    rows = session.execute(select(Item.id, Item.scores).where(Item.id.in_(ids))).all()
    session.execute(
        update(Item),
        [
            {
                "id": item_id,
                "text": None,
                "title": None,
                "url": None,
                "text_folded": "",
                "scores": _without_text(scores or {}),
                "raw_purged_at": now,
            }
            for item_id, scores in rows
        ],
    )


def _without_text(scores: dict[str, Any]) -> dict[str, Any]:
    """Stored detector results without the words, spans and evidence taken from the text."""
    return {
        name: {k: v for k, v in result.items() if k in KEPT_RESULT_KEYS}
        if isinstance(result, dict)
        else result
        for name, result in scores.items()
    }
