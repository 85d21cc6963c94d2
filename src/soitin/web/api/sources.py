"""`/api/v1/sources`: the sources an admin manages, with their health (as the sources page)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from soitin.db.models import Source
from soitin.ingest import sources as service
from soitin.ingest.sources import SourceHealth
from soitin.review.policies import Action, authorize
from soitin.web.api.auth import ApiScopeDep, ApiUser, api_csrf
from soitin.web.deps import SessionDep
from soitin.web.pages.sources import (
    create_source_in,
    issue_source_token,
    load_source,
    revoke_source_tokens,
    save_source,
    sources_in_scope,
)

router = APIRouter(dependencies=[Depends(api_csrf)], tags=["sources"])


class SourceOut(BaseModel):
    """A source with its health (never a token)."""

    id: int
    kind: str
    name: str
    url: str | None
    unit_id: int | None
    enabled: bool
    poll_interval_s: int
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    consecutive_failures: int
    last_error: str | None
    items_total: int
    items_per_day: float
    active_tokens: int

    @classmethod
    def of(cls, health: SourceHealth) -> SourceOut:
        """From the health figures."""
        return cls.model_validate(health, from_attributes=True)


class SourceIn(BaseModel):
    """A new source. `public` declares it a news outlet, an organisation or a public page,
    not a private person; it is required to be true."""

    kind: Literal["feed", "file", "api"]
    name: str = Field(min_length=1, max_length=255)
    url: str | None = Field(default=None, max_length=2000)
    unit_id: int | None = None
    poll_interval_s: int = Field(default=900, ge=60, le=7 * 86400)
    public: bool


class SourcePatch(BaseModel):
    """Changes to a source; absent fields stay."""

    name: str | None = Field(default=None, max_length=255)
    url: str | None = Field(default=None, max_length=2000)
    enabled: bool | None = None
    poll_interval_s: int | None = Field(default=None, ge=60, le=7 * 86400)


class TokenIn(BaseModel):
    """A label for a new push token (who uses it)."""

    label: str = Field(default="", max_length=255)


class PushTokenOut(BaseModel):
    """A new push token, answered once; only its hash is stored."""

    token: str


class RevokedOut(BaseModel):
    """How many push tokens were revoked."""

    revoked: int


def _out(session: SessionDep, source: Source) -> SourceOut:
    (health,) = service.list_sources(session, ids=[source.id])
    return SourceOut.of(health)


@router.get("/sources", response_model=list[SourceOut], summary="Sources and their health")
def list_sources(session: SessionDep, user: ApiUser, scope: ApiScopeDep) -> list[SourceOut]:
    """The sources of your units (and, for a top unit's admins, those of no unit)."""
    authorize(user, Action.SOURCE_MANAGE)
    return [SourceOut.of(s) for s in sources_in_scope(session, scope)]


@router.post("/sources", response_model=SourceOut, status_code=201, summary="Add a source")
def create_source(
    request: Request, session: SessionDep, user: ApiUser, scope: ApiScopeDep, body: SourceIn
) -> SourceOut:
    """Add a feed, file or push source (admins)."""
    source = create_source_in(
        request,
        session,
        user,
        scope,
        kind=body.kind,
        name=body.name,
        url=body.url,
        unit_id=body.unit_id,
        poll_interval_s=body.poll_interval_s,
        public=body.public,
        via="api",
    )
    return _out(session, source)


@router.patch("/sources/{source_id}", response_model=SourceOut, summary="Change a source")
def patch_source(
    request: Request,
    session: SessionDep,
    user: ApiUser,
    scope: ApiScopeDep,
    source_id: int,
    body: SourcePatch,
) -> SourceOut:
    """Rename, switch on or off, change a feed's URL or polling interval."""
    source = load_source(session, user, scope, source_id)
    save_source(
        request,
        session,
        user,
        source,
        name=body.name,
        url=body.url,
        enabled=body.enabled,
        poll_interval_s=body.poll_interval_s,
        via="api",
    )
    return _out(session, source)


@router.post(
    "/sources/{source_id}/tokens",
    response_model=PushTokenOut,
    status_code=201,
    summary="Issue a push token",
)
def post_token(
    request: Request,
    session: SessionDep,
    user: ApiUser,
    scope: ApiScopeDep,
    source_id: int,
    body: TokenIn,
) -> PushTokenOut:
    """A new push token for an api source (answered once)."""
    source = load_source(session, user, scope, source_id)
    return PushTokenOut(
        token=issue_source_token(request, session, user, source, label=body.label, via="api")
    )


@router.post(
    "/sources/{source_id}/tokens/revoke", response_model=RevokedOut, summary="Revoke push tokens"
)
def post_revoke(
    request: Request, session: SessionDep, user: ApiUser, scope: ApiScopeDep, source_id: int
) -> RevokedOut:
    """Revoke every push token of the source."""
    source = load_source(session, user, scope, source_id)
    return RevokedOut(revoked=revoke_source_tokens(request, session, user, source, via="api"))
