"""Retention: raw item text and media links are deleted past a configurable age.

What stays: the item row (source, times, engagement, places, scores, content hash, story),
stories, cases, decisions, responses and every aggregate statistic, so reports of past periods
do not change when the raw text goes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update

from soitin.db import Database
from soitin.db.models import Item
from soitin.db.types import utcnow
from soitin.settings import get_settings


def purge_expired(
    database: Database, *, days: int | None = None, now: datetime | None = None
) -> int:
    """Blank the raw text, title, folded text and URL of items older than `days`; returns count.

    `days` defaults to the `retention_days` setting; 0 keeps everything.
    """
    days = get_settings().retention_days if days is None else days
    if days <= 0:
        return 0
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    with database.transaction() as session:
        result = session.execute(
            update(Item)
            .where(Item.fetched_at < cutoff, Item.raw_purged_at.is_(None))
            .values(text=None, title=None, url=None, text_folded="", raw_purged_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)
