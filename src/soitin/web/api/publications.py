"""`/api/v1/publications`: the team's own publications, reach snapshots and insights import."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy.orm import Session

from soitin.db.models import Case, Publication, User
from soitin.errors import NotFoundError
from soitin.respond import publications
from soitin.respond.access import (
    require_manage_publications,
    require_view_unit,
    visible_unit_ids,
)
from soitin.respond.insights import MAX_FILE_BYTES, PLATFORMS, import_insights
from soitin.review.accounts import get_unit
from soitin.web.api.auth import ApiUser, api_csrf
from soitin.web.deps import SessionDep, SettingsDep

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["publications"], dependencies=[Depends(api_csrf)])


class PublicationIn(BaseModel):
    """A publication of the team (unit by code)."""

    unit: str = Field(max_length=64)
    channel: str = Field(max_length=64, examples=["facebook"])
    title: str = Field(default="", max_length=1000)
    url: str | None = Field(default=None, max_length=2048)
    topic: str | None = Field(default=None, max_length=255)
    published_at: AwareDatetime | None = None
    case_ids: list[int] = Field(default_factory=list, max_length=100)
    external_id: str | None = Field(default=None, max_length=255)


class SnapshotIn(BaseModel):
    """Reach figures at one moment (default: now)."""

    views: int = Field(default=0, ge=0)
    reactions: int = Field(default=0, ge=0)
    comments: int = Field(default=0, ge=0)
    shares: int = Field(default=0, ge=0)
    at: AwareDatetime | None = None


def _visible_publication(session: Session, user: User, publication_id: int) -> Publication:
    found = session.get(Publication, publication_id)
    if found is None:
        raise NotFoundError("No such publication.")
    require_view_unit(session, user, found.unit_id)
    return found


@router.get("/publications", summary="Publications of your units")
def list_publications(
    session: SessionDep,
    user: ApiUser,
    unit: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    """Newest first, each with its latest reach."""
    units = visible_unit_ids(session, user)
    if unit:
        chosen = get_unit(session, unit)
        require_view_unit(session, user, chosen.id)
        units = frozenset({chosen.id})
    items = publications.list_publications(session, units, limit=limit, offset=offset)
    latest = publications.latest_snapshots(session, [p.id for p in items])
    return [publications.publication_to_dict(p, latest.get(p.id)) for p in items]


@router.post("/publications", status_code=201, summary="Add a publication")
def add_publication(body: PublicationIn, session: SessionDep, user: ApiUser) -> dict[str, Any]:
    """Add one of the team's posts or articles."""
    target = get_unit(session, body.unit)
    require_manage_publications(session, user, target.id)
    visible = visible_unit_ids(session, user)
    for case_id in body.case_ids:
        case = session.get(Case, case_id)
        if case is None or case.unit_id not in visible:
            raise NotFoundError(f"No case {case_id}.")
    created = publications.create_publication(
        session,
        publications.PublicationInput(
            unit_id=target.id,
            channel=body.channel,
            title=body.title,
            url=body.url,
            topic=body.topic,
            published_at=body.published_at,
            case_ids=body.case_ids,
            external_id=body.external_id,
        ),
        actor=user,
    )
    session.commit()
    return publications.publication_to_dict(created)


@router.get("/publications/{publication_id}", summary="A publication and its reach over time")
def get_publication(publication_id: int, session: SessionDep, user: ApiUser) -> dict[str, Any]:
    """The publication with every snapshot, oldest first."""
    found = _visible_publication(session, user, publication_id)
    snaps = publications.snapshots_of(session, found.id)
    out = publications.publication_to_dict(found, snaps[-1] if snaps else None)
    out["snapshots"] = [
        {
            "at": s.at.isoformat(),
            "views": s.views,
            "reactions": s.reactions,
            "comments": s.comments,
            "shares": s.shares,
            "source": s.source,
        }
        for s in snaps
    ]
    return out


@router.post(
    "/publications/{publication_id}/snapshots", status_code=201, summary="Add reach figures"
)
def add_snapshot(
    publication_id: int, body: SnapshotIn, session: SessionDep, user: ApiUser
) -> dict[str, Any]:
    """Record views, reactions, comments and shares at a moment (same moment: replaced)."""
    found = _visible_publication(session, user, publication_id)
    require_manage_publications(session, user, found.unit_id)
    snap = publications.add_snapshot(
        session,
        found,
        publications.SnapshotInput(body.views, body.reactions, body.comments, body.shares, body.at),
        source="api",
        actor=user,
    )
    session.commit()
    return {"stored": snap is not None, "publication_id": found.id}


@router.post("/publications/import", summary="Import a platform insights export")
async def import_export(
    session: SessionDep,
    settings: SettingsDep,
    user: ApiUser,
    file: Annotated[UploadFile, File(description="CSV, or the ZIP YouTube Studio exports.")],
    unit: Annotated[str, Form(max_length=64)],
    platform: Annotated[str, Form(pattern="^(" + "|".join(PLATFORMS) + ")$")],
    at: Annotated[AwareDatetime | None, Form()] = None,
) -> dict[str, Any]:
    """Facebook page insights, YouTube Studio or TikTok analytics → publications + snapshots."""
    target = get_unit(session, unit)
    require_manage_publications(session, user, target.id)
    data = await file.read(MAX_FILE_BYTES + 1)
    result = import_insights(
        session, data, platform=platform, unit_id=target.id, actor=user, at=at, tz=settings.tz
    )
    session.commit()
    return result.as_dict()
