"""`/api/v1/users`, `/api/v1/units`, `/api/v1/audit`, `/api/v1/tokens`, `/api/v1/me`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from soitin.db.models import Unit, User, UserToken
from soitin.errors import NotFoundError
from soitin.review import accounts, audit, tokens
from soitin.review.audit import AuditFilters, AuditPage
from soitin.review.policies import Action, allowed_actions, authorize
from soitin.web.api.auth import ApiScopeDep, ApiUser, Scope, api_csrf
from soitin.web.deps import SessionDep, SettingsDep, audit_read, client_ip
from soitin.web.pages.admin import (
    create_unit_under,
    create_user_in,
    load_unit,
    load_unit_for_user,
    load_user,
    new_password_for,
    save_unit,
    save_user,
    users_in_scope,
)
from soitin.web.pages.audit_log import include_system

router = APIRouter(dependencies=[Depends(api_csrf)])
RoleName = Literal["admin", "lead", "reviewer", "viewer"]


class UserOut(BaseModel):
    """A staff account (never a password or its hash)."""

    id: int
    username: str
    display_name: str
    role: str
    unit_id: int
    is_active: bool
    last_login_at: datetime | None

    @classmethod
    def of(cls, user: User) -> UserOut:
        """From the model."""
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            unit_id=user.unit_id,
            is_active=user.is_active,
            last_login_at=user.last_login_at,
        )


class UserCreated(UserOut):
    """A new user with its generated password (shown once)."""

    password: str


class UserIn(BaseModel):
    """A new user."""

    username: str = Field(min_length=1, max_length=64)
    role: RoleName
    unit_id: int
    display_name: str = Field(default="", max_length=255)


class UserPatch(BaseModel):
    """Changes to a user; absent fields stay."""

    display_name: str | None = Field(default=None, max_length=255)
    role: RoleName | None = None
    unit_id: int | None = None
    is_active: bool | None = None


class PasswordOut(BaseModel):
    """A new password (shown once)."""

    password: str


class UnitOut(BaseModel):
    """A unit of the tree."""

    id: int
    code: str
    name: str
    parent_id: int | None
    place_codes: list[str]
    depth: int


class UnitIn(BaseModel):
    """A new unit under one of yours."""

    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=255)
    parent_id: int
    place_codes: list[str] = []


class UnitPatch(BaseModel):
    """Changes to a unit."""

    name: str | None = Field(default=None, max_length=255)
    place_codes: list[str] | None = None


class TokenOut(BaseModel):
    """A personal token (its text only once, at creation)."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    token: str | None = None

    @classmethod
    def of(cls, row: UserToken, token: str | None = None) -> TokenOut:
        """From the model."""
        return cls(
            id=row.id,
            name=row.name,
            prefix=row.prefix,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
            token=token,
        )


class TokenIn(BaseModel):
    """A new token."""

    name: str = Field(min_length=1, max_length=255)


class MeOut(UserOut):
    """The caller, with what they may do and which units they see."""

    actions: list[str]
    unit_ids: list[int]


def _units(scope: Scope) -> list[UnitOut]:
    return [
        UnitOut(
            id=n.id,
            code=n.code,
            name=n.name,
            parent_id=n.parent_id,
            place_codes=list(n.place_codes),
            depth=d,
        )
        for n, d in scope.tree.ordered(scope.units)
    ]


@router.get("/me", response_model=MeOut, tags=["account"])
def me(user: ApiUser, scope: ApiScopeDep) -> MeOut:
    """Who you are, what you may do, which units you see."""
    return MeOut(
        **UserOut.of(user).model_dump(),
        actions=sorted(a.value for a in allowed_actions(user)),
        unit_ids=sorted(scope.units),
    )


@router.get("/users", response_model=list[UserOut], tags=["admin"])
def list_users(session: SessionDep, user: ApiUser, scope: ApiScopeDep) -> list[UserOut]:
    """Users of your units (admins)."""
    authorize(user, Action.USER_MANAGE)
    return [UserOut.of(u) for u in users_in_scope(session, scope)]


@router.post("/users", response_model=UserCreated, status_code=201, tags=["admin"])
def create_user(
    request: Request, session: SessionDep, user: ApiUser, scope: ApiScopeDep, body: UserIn
) -> UserCreated:
    """Create a user in one of your units; the generated password is answered once."""
    authorize(user, Action.USER_MANAGE)
    unit = load_unit_for_user(session, user, scope, body.unit_id)
    created, secret = create_user_in(
        request,
        session,
        user,
        unit,
        username=body.username,
        role=body.role,
        display_name=body.display_name,
        via="api",
    )
    return UserCreated(**UserOut.of(created).model_dump(), password=secret)


@router.patch("/users/{user_id}", response_model=UserOut, tags=["admin"])
def patch_user(
    request: Request,
    session: SessionDep,
    user: ApiUser,
    scope: ApiScopeDep,
    user_id: int,
    body: UserPatch,
) -> UserOut:
    """Change a user's name, role, unit or state."""
    target = load_user(session, user, scope, user_id)
    if body.unit_id is not None:
        load_unit_for_user(session, user, scope, body.unit_id)
    save_user(
        request,
        session,
        user,
        target,
        display_name=body.display_name,
        role=body.role,
        unit_id=body.unit_id,
        is_active=body.is_active,
        via="api",
    )
    return UserOut.of(target)


@router.post("/users/{user_id}/password", response_model=PasswordOut, tags=["admin"])
def post_password(
    request: Request, session: SessionDep, user: ApiUser, scope: ApiScopeDep, user_id: int
) -> PasswordOut:
    """Give a user a new random password (answered once)."""
    target = load_user(session, user, scope, user_id)
    secret = new_password_for(request, session, user, target, via="api")
    return PasswordOut(password=secret)


@router.get("/units", response_model=list[UnitOut], tags=["admin"])
def list_units(user: ApiUser, scope: ApiScopeDep) -> list[UnitOut]:
    """Your unit and the units below it, in tree order."""
    authorize(user, Action.CASE_VIEW)
    return _units(scope)


@router.post("/units", response_model=UnitOut, status_code=201, tags=["admin"])
def create_unit(
    request: Request, session: SessionDep, user: ApiUser, scope: ApiScopeDep, body: UnitIn
) -> UnitOut:
    """Create a unit under one of yours (admins)."""
    parent = load_unit(session, user, scope, body.parent_id)
    unit = create_unit_under(
        request,
        session,
        user,
        parent,
        code=body.code,
        name=body.name,
        place_codes=accounts.parse_place_codes(",".join(body.place_codes)),
        via="api",
    )
    return _unit_out(unit, scope)


def _unit_out(unit: Unit, scope: Scope) -> UnitOut:
    parent_depth = len(scope.tree.ancestors(unit.parent_id)) if unit.parent_id else 0
    return UnitOut(
        id=unit.id,
        code=unit.code,
        name=unit.name,
        parent_id=unit.parent_id,
        place_codes=list(unit.place_codes),
        depth=parent_depth,
    )


@router.patch("/units/{unit_id}", response_model=UnitOut, tags=["admin"])
def patch_unit(
    request: Request,
    session: SessionDep,
    user: ApiUser,
    scope: ApiScopeDep,
    unit_id: int,
    body: UnitPatch,
) -> UnitOut:
    """Rename a unit or change its place codes (admins)."""
    unit = load_unit(session, user, scope, unit_id)
    save_unit(request, session, user, unit, name=body.name, place_codes=body.place_codes, via="api")
    return _unit_out(unit, scope)


@router.get("/audit", response_model=AuditPage, tags=["admin"])
def get_audit(
    session: SessionDep,
    user: ApiUser,
    scope: ApiScopeDep,
    settings: SettingsDep,
    filters: Annotated[AuditFilters, Query()],
) -> AuditPage:
    """The audit log, newest first (admins)."""
    authorize(user, Action.AUDIT_VIEW)
    return audit.list_events(
        session,
        filters,
        scope=scope.units,
        include_system=include_system(scope, user.unit_id),
        tz=settings.tz,
    )


@router.get("/audit.csv", tags=["admin"], response_class=StreamingResponse)
def get_audit_csv(
    request: Request,
    session: SessionDep,
    user: ApiUser,
    scope: ApiScopeDep,
    settings: SettingsDep,
    filters: Annotated[AuditFilters, Query()],
) -> Response:
    """The audit log as CSV, formulas neutralised (admins)."""
    authorize(user, Action.AUDIT_VIEW)
    audit_read(request, "audit.exported", user, via="api", filters=filters.cleaned().query_string())
    session.commit()  # a new snapshot: the export lists its own entry
    lines = list(
        audit.export_csv(
            session,
            filters,
            scope=scope.units,
            include_system=include_system(scope, user.unit_id),
            tz=settings.tz,
        )
    )
    return StreamingResponse(
        iter(lines),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )


@router.get("/tokens", response_model=list[TokenOut], tags=["account"])
def get_tokens(session: SessionDep, user: ApiUser) -> list[TokenOut]:
    """Your personal API tokens."""
    authorize(user, Action.TOKEN_OWN)
    return [TokenOut.of(t) for t in tokens.list_tokens(session, user)]


@router.post("/tokens", response_model=TokenOut, status_code=201, tags=["account"])
def post_token(request: Request, session: SessionDep, user: ApiUser, body: TokenIn) -> TokenOut:
    """Create a personal token; `token` is answered this once only."""
    authorize(user, Action.TOKEN_OWN)
    row, secret = tokens.create_token(session, user, body.name)
    audit.record(
        session,
        "token.created",
        actor=user,
        object_type="token",
        object_id=row.id,
        ip=client_ip(request),
        name=row.name,
        via="api",
    )
    session.commit()
    return TokenOut.of(row, secret)


@router.delete("/tokens/{token_id}", response_model=TokenOut, tags=["account"])
def delete_token(request: Request, session: SessionDep, user: ApiUser, token_id: int) -> TokenOut:
    """Revoke one of your tokens."""
    authorize(user, Action.TOKEN_OWN)
    row = tokens.revoke_token(session, user, token_id)
    audit.record(
        session,
        "token.revoked",
        actor=user,
        object_type="token",
        object_id=row.id,
        ip=client_ip(request),
        via="api",
    )
    session.commit()
    return TokenOut.of(row)


__all__ = ["router", "NotFoundError"]
