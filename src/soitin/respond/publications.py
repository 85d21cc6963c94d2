"""The team's own publications (posts, articles) and their reach over time.

A publication belongs to a unit, has a channel (facebook, youtube, tiktok, website, ...), a
title, a link, a topic, a publication time and the cases it answers. Its reach is a series of
snapshots (views, reactions, comments, shares at a moment), entered by form, by the API or
imported from the platforms' insights exports (`soitin.respond.insights`).

The functions work in the caller's session and flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from soitin.db.models import Case, Publication, PublicationSnapshot, User
from soitin.db.types import utcnow
from soitin.errors import InvalidInputError, NotFoundError
from soitin.respond.ledger import FUTURE_TOLERANCE, check_url
from soitin.review import audit

__all__ = [
    "PublicationInput",
    "SnapshotInput",
    "add_snapshot",
    "create_publication",
    "find_publication",
    "get_publication",
    "latest_snapshots",
    "list_publications",
    "publication_to_dict",
    "publications_of_case",
    "snapshots_of",
]

SNAPSHOT_SOURCES = ("form", "api", "import")


@dataclass
class PublicationInput:
    """What a person enters for one publication."""

    unit_id: int
    channel: str
    title: str = ""
    url: str | None = None
    topic: str | None = None
    published_at: datetime | None = None
    case_ids: Sequence[int] = ()
    external_id: str | None = None


@dataclass
class SnapshotInput:
    """Reach figures of one publication at one moment."""

    views: int = 0
    reactions: int = 0
    comments: int = 0
    shares: int = 0
    at: datetime | None = None


def _channel(value: str) -> str:
    channel = (value or "").strip().lower()
    if not channel or len(channel) > 64:
        raise InvalidInputError(key="pub.needs_channel")
    return channel


def _when(value: datetime | None, name: str) -> datetime:
    if value is None:
        return utcnow()
    if value.tzinfo is None:
        raise InvalidInputError(key="input.needs_tz", field=name)
    if value > utcnow() + FUTURE_TOLERANCE:
        raise InvalidInputError(key="input.future", field=name)
    return value


def create_publication(
    session: Session, data: PublicationInput, *, actor: User | None
) -> Publication:
    """Add one of the team's publications."""
    title = (data.title or "").strip()
    if len(title) > 1000:
        raise InvalidInputError(key="input.too_long", field="title", limit=1000)
    topic = (data.topic or "").strip() or None
    if topic is not None and len(topic) > 255:
        raise InvalidInputError(key="input.too_long", field="topic", limit=255)
    external_id = (data.external_id or "").strip() or None
    if external_id is not None and len(external_id) > 255:
        raise InvalidInputError(key="input.too_long", field="external id", limit=255)
    url = check_url(data.url)
    if not title and not url:
        raise InvalidInputError(key="pub.title_or_link")
    case_ids = sorted({int(c) for c in data.case_ids})
    if case_ids:
        found = set(session.scalars(select(Case.id).where(Case.id.in_(case_ids))))
        unknown = [c for c in case_ids if c not in found]
        if unknown:
            raise NotFoundError(key="case.no_case", case_id=unknown[0])
    publication = Publication(
        unit_id=data.unit_id,
        channel=_channel(data.channel),
        url=url,
        title=title,
        topic=topic,
        published_at=_when(data.published_at, "publication time"),
        created_by_id=actor.id if actor else None,
        case_ids=[str(c) for c in case_ids],
        external_id=external_id,
    )
    session.add(publication)
    session.flush()
    audit.record(
        session,
        "publication.created",
        actor=actor,
        object_type="publication",
        object_id=publication.id,
        unit_id=publication.unit_id,
    )
    return publication


def get_publication(session: Session, publication_id: int) -> Publication:
    """The publication with this id."""
    publication = session.get(Publication, publication_id)
    if publication is None:
        raise NotFoundError(key="pub.no_publication", publication_id=publication_id)
    return publication


def find_publication(
    session: Session,
    *,
    channel: str,
    external_id: str | None = None,
    url: str | None = None,
    unit_ids: Iterable[int] | None = None,
) -> Publication | None:
    """The publication with this platform id (or else this link) on `channel`."""
    base = select(Publication).where(Publication.channel == _channel(channel))
    if unit_ids is not None:
        base = base.where(Publication.unit_id.in_(list(unit_ids)))
    if external_id:
        found = session.scalar(base.where(Publication.external_id == external_id).limit(1))
        if found is not None:
            return found
    if url:
        return session.scalar(base.where(Publication.url == url).limit(1))
    return None


def add_snapshot(
    session: Session,
    publication: Publication,
    data: SnapshotInput,
    *,
    source: str = "form",
    actor: User | None = None,
) -> PublicationSnapshot | None:
    """Record reach figures; the same moment is updated, not repeated.

    Returns None (and stores nothing) when the figures equal the latest snapshot's, so that
    importing the same export twice adds nothing.
    """
    if source not in SNAPSHOT_SOURCES:
        raise InvalidInputError(key="pub.unknown_source", value=source)
    figures = {
        "views": data.views,
        "reactions": data.reactions,
        "comments": data.comments,
        "shares": data.shares,
    }
    for name, value in figures.items():
        if not isinstance(value, int) or value < 0 or value > 10**12:
            raise InvalidInputError(key="input.whole_number", field=name)
    at = _when(data.at, "snapshot time")
    same_moment = session.scalar(
        select(PublicationSnapshot).where(
            PublicationSnapshot.publication_id == publication.id, PublicationSnapshot.at == at
        )
    )
    if same_moment is not None:
        for name, value in figures.items():
            setattr(same_moment, name, value)
        same_moment.source = source
        session.flush()
        return same_moment
    latest = latest_snapshots(session, [publication.id]).get(publication.id)
    if latest is not None and all(getattr(latest, k) == v for k, v in figures.items()):
        return None
    snapshot = PublicationSnapshot(publication_id=publication.id, at=at, source=source, **figures)
    session.add(snapshot)
    session.flush()
    if actor is not None:
        audit.record(
            session,
            "publication.reach",
            actor=actor,
            object_type="publication",
            object_id=publication.id,
            source=source,
        )
    return snapshot


def latest_snapshots(
    session: Session, publication_ids: Sequence[int]
) -> dict[int, PublicationSnapshot]:
    """The newest snapshot of each publication (publications without one are absent)."""
    if not publication_ids:
        return {}
    newest = (
        select(PublicationSnapshot.publication_id, func.max(PublicationSnapshot.at).label("at"))
        .where(PublicationSnapshot.publication_id.in_(list(publication_ids)))
        .group_by(PublicationSnapshot.publication_id)
        .subquery()
    )
    rows = session.scalars(
        select(PublicationSnapshot).join(
            newest,
            (PublicationSnapshot.publication_id == newest.c.publication_id)
            & (PublicationSnapshot.at == newest.c.at),
        )
    )
    return {s.publication_id: s for s in rows}


def snapshots_of(session: Session, publication_id: int) -> list[PublicationSnapshot]:
    """Every snapshot of a publication, oldest first."""
    return list(
        session.scalars(
            select(PublicationSnapshot)
            .where(PublicationSnapshot.publication_id == publication_id)
            .order_by(PublicationSnapshot.at)
        )
    )


def list_publications(
    session: Session, unit_ids: Iterable[int], *, limit: int = 100, offset: int = 0
) -> list[Publication]:
    """Publications of these units, newest first."""
    return list(
        session.scalars(
            select(Publication)
            .where(Publication.unit_id.in_(list(unit_ids)))
            .order_by(Publication.published_at.desc(), Publication.id.desc())
            .limit(max(1, min(limit, 500)))
            .offset(max(0, offset))
        )
    )


def publications_of_case(
    session: Session, case_id: int, unit_ids: Iterable[int], *, limit: int = 50
) -> list[Publication]:
    """Publications of these units that name `case_id` among their cases, newest first."""
    # `case_ids` is a JSON list of strings: its text holds `"12"` on both databases.
    candidates = session.scalars(
        select(Publication)
        .where(
            Publication.unit_id.in_(sorted(unit_ids)),
            cast(Publication.case_ids, String).like(f'%"{int(case_id)}"%'),
        )
        .order_by(Publication.published_at.desc(), Publication.id.desc())
        .limit(limit)
    )
    return [p for p in candidates if str(case_id) in p.case_ids]


def publication_to_dict(
    publication: Publication, latest: PublicationSnapshot | None = None
) -> dict[str, Any]:
    """The JSON form of a publication with its latest reach."""
    return {
        "id": publication.id,
        "unit_id": publication.unit_id,
        "channel": publication.channel,
        "url": publication.url,
        "title": publication.title,
        "topic": publication.topic,
        "published_at": publication.published_at.isoformat(),
        "case_ids": [int(c) for c in publication.case_ids],
        "external_id": publication.external_id,
        "reach": None
        if latest is None
        else {
            "at": latest.at.isoformat(),
            "views": latest.views,
            "reactions": latest.reactions,
            "comments": latest.comments,
            "shares": latest.shares,
        },
    }
