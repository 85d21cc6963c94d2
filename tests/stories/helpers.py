"""Shared helpers of the stories tests: sources and items built through the models."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from soitin.db.models import Item, Source
from soitin.pipeline import process_items
from soitin.settings import Settings
from soitin.stories.stage import StoryStage

_COUNTER = itertools.count(1)
T0 = datetime(2025, 7, 1, 8, 0, tzinfo=UTC)


def settings(**overrides: object) -> Settings:
    """Test settings: no semantic matching unless asked (it is slow), fixed secrets."""
    values: dict[str, object] = {
        "secret_key": "s" * 32,
        "pseudonym_key": "p" * 32,
        "semantic_matching": False,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def source(session: Session, name: str | None = None) -> Source:
    src = Source(kind="file", name=name or f"src-{next(_COUNTER)}")
    session.add(src)
    session.flush()
    return src


def item(
    src: Source,
    text: str,
    *,
    minutes: int = 0,
    likes: int = 0,
    shares: int = 0,
    provinces: list[str] | None = None,
) -> Item:
    n = next(_COUNTER)
    return Item(
        source_id=src.id,
        external_id=f"x-{n}",
        content_hash=f"h-{n}",
        text=text,
        published_at=T0 + timedelta(minutes=minutes),
        fetched_at=T0 + timedelta(minutes=minutes, seconds=5),
        likes=likes,
        shares=shares,
        province_codes=provinces or [],
    )


def ingest(session: Session, items: list[Item], cfg: Settings | None = None) -> StoryStage:
    """Store items and run the stories stage over them (as ingest does)."""
    session.add_all(items)
    session.flush()
    stage = StoryStage(cfg or settings())
    process_items(session, items, [stage])
    return stage
