"""Admin screen of the sources: feeds, file exports and push clients with their health; add a
feed, switch a source on or off, change its polling interval, issue and revoke push tokens.

The same service helpers serve the JSON API (`soitin.web.api.sources`). An admin manages the
sources of their unit and the units below it; a source of no unit belongs to the whole
installation and is managed by the admins of a top unit.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from soitin.db.models import Source, SourceKind, Unit, User
from soitin.errors import InvalidInputError, NotFoundError, SoitinError
from soitin.ingest import sources as service
from soitin.ingest.sources import SourceHealth
from soitin.review.policies import Action, authorize
from soitin.web.api.auth import Scope, ScopeDep
from soitin.web.csrf import verify_csrf
from soitin.web.deps import CurrentUser, SessionDep
from soitin.web.errors import status_of
from soitin.web.i18n import error_text
from soitin.web.pages.admin import FORM_ERRORS, audit_change, plain_changes
from soitin.web.templating import render, request_language

router = APIRouter(include_in_schema=False)
CSRF = [Depends(verify_csrf)]

#: What an admin may add here; a unit's tip box is made by soitin on its first tip.
ADDABLE_KINDS = (SourceKind.FEED.value, SourceKind.FILE.value, SourceKind.API.value)


def covers_all(scope: Scope) -> bool:
    """Whether the scope holds a top unit (its admins manage the sources of no unit)."""
    return any(
        node.parent_id is None and uid in scope.units for uid, node in scope.tree.nodes.items()
    )


def _in_scope(unit_id: int | None, scope: Scope, whole: bool) -> bool:
    """A unit's source in the scope, or a source of no unit for a top unit's admins."""
    return unit_id in scope.units if unit_id is not None else whole


def _ids_in_scope(session: Session, scope: Scope, *where: ColumnElement[bool]) -> list[int]:
    """Ids of the sources the scope's admins manage (and that meet `where`): one small query
    on `sources`, so the item counts of other units' sources are never computed."""
    whole = covers_all(scope)
    rows = session.execute(select(Source.id, Source.unit_id).where(*where))
    return [source_id for source_id, unit_id in rows if _in_scope(unit_id, scope, whole)]


def sources_in_scope(session: Session, scope: Scope) -> list[SourceHealth]:
    """The sources the scope's admins manage, with their health."""
    return service.list_sources(session, ids=_ids_in_scope(session, scope))


def failing_in_scope(session: Session, scope: Scope) -> int:
    """How many switched-on sources the scope's admins manage failed their last poll."""
    return len(
        _ids_in_scope(session, scope, Source.enabled.is_(True), Source.consecutive_failures > 0)
    )


def load_source(session: Session, user: User, scope: Scope, source_id: int) -> Source:
    """A source the admin may manage; others are not found."""
    authorize(user, Action.SOURCE_MANAGE)
    source = session.get(Source, source_id)
    if source is None or not _in_scope(source.unit_id, scope, covers_all(scope)):
        raise NotFoundError("Not found.")
    return source


def _allowlist(request: Request) -> str:
    """The app's `SOITIN_FETCH_ALLOWLIST` (networks a feed may be on though not public)."""
    return str(request.app.state.settings.fetch_allowlist)


def create_source_in(
    request: Request,
    session: Session,
    actor: User,
    scope: Scope,
    *,
    kind: str,
    name: str,
    url: str | None,
    unit_id: int | None,
    poll_interval_s: int,
    public: bool,
    via: str | None = None,
) -> Source:
    """Add a source of a unit in the scope (or of none, for a top unit's admins).

    The admin declares the source public: a news outlet, an organisation or a public page,
    never a private person (the items of a source are grouped by it, so a person's account
    as a source would be a profile of that person).
    """
    authorize(actor, Action.SOURCE_MANAGE)
    if kind not in ADDABLE_KINDS:
        raise InvalidInputError(
            key="source.unknown_kind", value=kind, known=", ".join(ADDABLE_KINDS)
        )
    if not public:
        raise InvalidInputError(key="source.not_public")
    unit_code = None
    if unit_id is not None or not covers_all(scope):
        unit = session.get(Unit, unit_id) if unit_id is not None else None
        if unit is None or unit.id not in scope.units:
            raise NotFoundError("Not found.")
        unit_code = unit.code
    source = service.add_source(
        session,
        kind=kind,
        name=name,
        url=(url or None) if kind == SourceKind.FEED.value else None,
        unit_code=unit_code,
        poll_interval_s=poll_interval_s,
        is_outlet=True,
        allowlist=_allowlist(request),
    )
    audit_change(
        request, session, "source.created", actor, source, via,
        kind=source.kind, name=source.name, url=source.url, unit_id=source.unit_id,
    )  # fmt: skip
    session.commit()
    return source


def save_source(
    request: Request,
    session: Session,
    actor: User,
    source: Source,
    *,
    name: str | None = None,
    url: str | None = None,
    enabled: bool | None = None,
    poll_interval_s: int | None = None,
    via: str | None = None,
) -> None:
    """Change a source; audited when something changed."""
    changes = service.update_source(
        session,
        source,
        name=name,
        url=url,
        enabled=enabled,
        poll_interval_s=poll_interval_s,
        allowlist=_allowlist(request),
    )
    if changes:
        audit_change(
            request, session, "source.updated", actor, source, via, changes=plain_changes(changes)
        )
    session.commit()


def issue_source_token(
    request: Request,
    session: Session,
    actor: User,
    source: Source,
    *,
    label: str,
    via: str | None = None,
) -> str:
    """A new push token for an API source; the raw token is answered once, never stored."""
    if source.kind != SourceKind.API.value:
        raise InvalidInputError(key="source.token_api_only")
    raw = service.issue_token(session, source, name=label)
    audit_change(request, session, "source.token_issued", actor, source, via, label=label[:255])
    session.commit()
    return raw


def revoke_source_tokens(
    request: Request, session: Session, actor: User, source: Source, via: str | None = None
) -> int:
    """Revoke every active push token of the source; returns how many."""
    count = service.revoke_tokens(session, source)
    if count:
        audit_change(request, session, "source.tokens_revoked", actor, source, via, count=count)
    session.commit()
    return count


# --- pages ---------------------------------------------------------------------------


def _page(
    request: Request,
    session: Session,
    scope: Scope,
    *,
    status_code: int = 200,
    **extra: object,
) -> Response:
    context: dict[str, object] = {
        "sources": sources_in_scope(session, scope),
        "units": scope.tree.ordered(scope.units),
        "tree": scope.tree,
        "whole": covers_all(scope),
        "kinds": ADDABLE_KINDS,
        "form": {},
        "row": {},
        "error": None,
        "secret": None,
        "done": request.query_params.get("done"),
    }
    context.update(extra)
    return render(request, "admin/sources.html", context, status_code=status_code)


def _failed(
    request: Request, session: Session, scope: Scope, exc: SoitinError, **shown: object
) -> Response:
    """The page again after a refused change (rolled back), the error beside the form or row
    `shown` names (`form=…` or `row=…`, which also keep what was typed)."""
    session.rollback()
    error = error_text(exc, request_language(request))
    return _page(request, session, scope, status_code=status_of(exc), error=error, **shown)


def _minutes(value: str, field: str = "interval") -> int:
    try:
        minutes = int(value.strip())
    except ValueError:
        raise InvalidInputError(key="request.invalid_number", field=field, value=value) from None
    return minutes * 60


@router.get("/admin/sources")
def sources_page(
    request: Request, session: SessionDep, user: CurrentUser, scope: ScopeDep
) -> Response:
    """The sources with their health, and the form to add one."""
    authorize(user, Action.SOURCE_MANAGE)
    return _page(request, session, scope)


@router.post("/admin/sources", dependencies=CSRF)
def create_source(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    scope: ScopeDep,
    kind: Annotated[str, Form(max_length=16)],
    name: Annotated[str, Form(max_length=255)],
    unit_id: Annotated[str, Form(max_length=20)] = "",
    url: Annotated[str, Form(max_length=2000)] = "",
    interval: Annotated[str, Form(max_length=10)] = "15",
    public: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Add a source (admins)."""
    authorize(user, Action.SOURCE_MANAGE)
    form = {
        "kind": kind,
        "name": name,
        "unit_id": unit_id,
        "url": url,
        "interval": interval,
        "public": public == "1",
    }
    try:
        unit = int(unit_id) if unit_id.strip() else None
    except ValueError:
        raise NotFoundError("Not found.") from None
    try:
        create_source_in(
            request,
            session,
            user,
            scope,
            kind=kind,
            name=name,
            url=url,
            unit_id=unit,
            poll_interval_s=_minutes(interval),
            public=public == "1",
        )
    except FORM_ERRORS as exc:
        return _failed(request, session, scope, exc, form=form)
    return RedirectResponse("/admin/sources?done=created", status_code=303)


@router.post("/admin/sources/{source_id}", dependencies=CSRF)
def update_source(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    scope: ScopeDep,
    source_id: int,
    name: Annotated[str, Form(max_length=255)] = "",
    url: Annotated[str, Form(max_length=2000)] = "",
    interval: Annotated[str, Form(max_length=10)] = "",
    enabled: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Save a source's name, URL, polling interval and state."""
    source = load_source(session, user, scope, source_id)
    try:
        save_source(
            request,
            session,
            user,
            source,
            name=name or None,
            url=url or None,
            enabled=enabled == "1",
            poll_interval_s=_minutes(interval) if interval.strip() else None,
        )
    except FORM_ERRORS as exc:
        row = {"id": source_id, "name": name, "url": url, "interval": interval}
        return _failed(request, session, scope, exc, row=row)
    return RedirectResponse("/admin/sources?done=saved", status_code=303)


@router.post("/admin/sources/{source_id}/tokens", dependencies=CSRF)
def new_token(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    scope: ScopeDep,
    source_id: int,
    label: Annotated[str, Form(max_length=255)] = "",
) -> Response:
    """Issue a push token for an API source; shown once."""
    source = load_source(session, user, scope, source_id)
    try:
        raw = issue_source_token(request, session, user, source, label=label)
    except FORM_ERRORS as exc:
        return _failed(request, session, scope, exc, row={"id": source_id})
    return _page(request, session, scope, secret=raw, secret_for=source.name)


@router.post("/admin/sources/{source_id}/tokens/revoke", dependencies=CSRF)
def revoke_tokens(
    request: Request, session: SessionDep, user: CurrentUser, scope: ScopeDep, source_id: int
) -> Response:
    """Revoke every push token of the source."""
    source = load_source(session, user, scope, source_id)
    revoke_source_tokens(request, session, user, source)
    return RedirectResponse("/admin/sources?done=revoked", status_code=303)
