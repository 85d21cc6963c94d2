"""Admin screens: users (create, role, unit, disable, new password) and the unit tree."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from soitin.db.models import Role, Source, Unit, User
from soitin.errors import ConflictError, InvalidInputError, NotFoundError, SoitinError
from soitin.review import accounts, audit
from soitin.review.policies import Action, authorize
from soitin.web.api.auth import Scope, ScopeDep
from soitin.web.csrf import verify_csrf
from soitin.web.deps import CurrentUser, SessionDep, client_ip
from soitin.web.errors import status_of
from soitin.web.i18n import error_text
from soitin.web.templating import render, request_language

router = APIRouter(include_in_schema=False)
CSRF = [Depends(verify_csrf)]
# What a form handler shows beside the form, the input kept; others go to the error page.
FORM_ERRORS = (InvalidInputError, ConflictError)


def _shown(request: Request, exc: SoitinError) -> str:
    return error_text(exc, request_language(request))


def users_in_scope(session: Session, scope: Scope) -> list[User]:
    """Users of the scope's units, with their unit."""
    return list(
        session.scalars(
            select(User)
            .where(User.unit_id.in_(sorted(scope.units)))
            .options(joinedload(User.unit))
            .order_by(User.username)
        )
    )


def load_user(session: Session, user: User, scope: Scope, user_id: int) -> User:
    """A user the admin may manage."""
    target = session.get(User, user_id)
    if target is None:
        raise NotFoundError("Not found.")
    authorize(user, Action.USER_MANAGE, target, scope.units)
    return target


def load_unit(session: Session, user: User, scope: Scope, unit_id: int) -> Unit:
    """A unit the admin may manage."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFoundError("Not found.")
    authorize(user, Action.UNIT_MANAGE, unit, scope.units)
    return unit


# --- changes, shared with the JSON API: service call, audit entry, commit -----------------


def plain_changes(changes: Mapping[str, object]) -> dict[str, object]:
    """Changes as JSON values: a (before, after) pair as {"from", "to"} (was its Python repr,
    "('reviewer', 'lead')"), anything else as it is ("is_active": false, not "False")."""
    return {
        key: {"from": value[0], "to": value[1]}
        if isinstance(value, tuple) and len(value) == 2
        else value
        for key, value in changes.items()
    }


_OBJECT_TYPES: dict[type, str] = {User: "user", Unit: "unit", Source: "source"}


def audit_change(
    request: Request,
    session: Session,
    action: str,
    actor: User,
    target: User | Unit | Source,
    via: str | None,
    **detail: object,
) -> None:
    """An admin's change of a user, unit or source in the audit log (`via`: "api" or none)."""
    audit.record(
        session,
        action,
        actor=actor,
        object_type=_OBJECT_TYPES[type(target)],
        object_id=target.id,
        ip=client_ip(request),
        **detail,
        **({"via": via} if via else {}),
    )


def create_user_in(
    request: Request,
    session: Session,
    actor: User,
    unit: Unit,
    *,
    username: str,
    role: str,
    display_name: str,
    via: str | None = None,
) -> tuple[User, str]:
    """Create a user in `unit` with a generated password; returns it (shown once)."""
    secret = accounts.generate_password()
    created = accounts.add_user(
        session,
        username,
        role=role,
        unit_code=unit.code,
        password=secret,
        display_name=display_name,
    )
    audit_change(
        request, session, "user.created", actor, created, via, role=created.role, unit_id=unit.id
    )
    session.commit()
    return created, secret


def save_user(
    request: Request,
    session: Session,
    actor: User,
    target: User,
    *,
    display_name: str | None,
    role: str | None,
    unit_id: int | None,
    is_active: bool | None,
    via: str | None = None,
) -> None:
    """Change a user's name, role, unit or state; audited when something changed."""
    changes = accounts.update_user(
        session,
        target,
        display_name=display_name,
        role=role,
        unit_id=unit_id,
        is_active=is_active,
        actor=actor,
    )
    if changes:
        audit_change(
            request,
            session,
            "user.updated",
            actor,
            target,
            via,
            changes=plain_changes(changes),
        )
    session.commit()


def new_password_for(
    request: Request, session: Session, actor: User, target: User, via: str | None = None
) -> str:
    """Give `target` a new random password; returns it (shown once)."""
    secret = accounts.reset_password(session, target)
    audit_change(request, session, "user.password_reset", actor, target, via)
    session.commit()
    return secret


def create_unit_under(
    request: Request,
    session: Session,
    actor: User,
    parent: Unit,
    *,
    code: str,
    name: str,
    place_codes: list[str],
    via: str | None = None,
) -> Unit:
    """Create a unit under `parent`."""
    unit = accounts.add_unit(session, code, name, parent_code=parent.code, place_codes=place_codes)
    audit_change(
        request,
        session,
        "unit.created",
        actor,
        unit,
        via,
        parent_id=parent.id,
        place_codes=unit.place_codes,
    )
    session.commit()
    return unit


def save_unit(
    request: Request,
    session: Session,
    actor: User,
    unit: Unit,
    *,
    name: str | None,
    place_codes: list[str] | None,
    via: str | None = None,
) -> None:
    """Rename a unit or change its place codes; audited when something changed."""
    changes = accounts.update_unit(session, unit, name=name, place_codes=place_codes, actor=actor)
    if changes:
        audit_change(
            request,
            session,
            "unit.updated",
            actor,
            unit,
            via,
            changes=plain_changes(changes),
        )
    session.commit()


# --- pages ---------------------------------------------------------------------------


def _users_page(
    request: Request, session: Session, scope: Scope, status_code: int = 200, **extra: object
) -> Response:
    return render(
        request,
        "admin/users.html",
        {
            "users": users_in_scope(session, scope),
            "units": scope.tree.ordered(scope.units),
            "roles": [r.value for r in Role],
            "form": {},
            "error": None,
            **extra,
        },
        status_code=status_code,
    )


@router.get("/admin/users")
def users_page(
    request: Request, session: SessionDep, user: CurrentUser, scope: ScopeDep
) -> Response:
    """All users of the admin's units."""
    authorize(user, Action.USER_MANAGE)
    return _users_page(request, session, scope)


@router.post("/admin/users", dependencies=CSRF)
def create_user(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    scope: ScopeDep,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=16)],
    unit_id: Annotated[int, Form()],
    display_name: Annotated[str, Form(max_length=255)] = "",
) -> Response:
    """Create a user with a generated password (shown once)."""
    authorize(user, Action.USER_MANAGE)
    unit = load_unit_for_user(session, user, scope, unit_id)
    try:
        created, secret = create_user_in(
            request, session, user, unit, username=username, role=role, display_name=display_name
        )
    except FORM_ERRORS as exc:
        session.rollback()
        form = {
            "username": username,
            "role": role,
            "unit_id": unit_id,
            "display_name": display_name,
        }
        return _users_page(
            request,
            session,
            scope,
            status_of(exc),
            form=form,
            error=_shown(request, exc),
            open_form=True,
        )
    return _users_page(request, session, scope, created=created, secret=secret)


def load_unit_for_user(session: Session, user: User, scope: Scope, unit_id: int) -> Unit:
    """A unit inside the admin's scope to put a user in."""
    unit = session.get(Unit, unit_id)
    if unit is None or unit.id not in scope.units:
        raise NotFoundError("Not found.")
    return unit


@router.get("/admin/users/{user_id}")
def user_page(
    request: Request, session: SessionDep, user: CurrentUser, scope: ScopeDep, user_id: int
) -> Response:
    """One user: edit role, unit, name, state; give a new password."""
    target = load_user(session, user, scope, user_id)
    return _user_page(request, scope, target, done=request.query_params.get("done"))


def _user_page(
    request: Request,
    scope: Scope,
    target: User,
    *,
    secret: str | None = None,
    done: str | None = None,
    error: str | None = None,
    form: dict[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    shown = {
        "display_name": target.display_name,
        "role": target.role,
        "unit_id": target.unit_id,
        "active": target.is_active,
        **(form or {}),
    }
    return render(
        request,
        "admin/user.html",
        {
            "target": target,
            "units": scope.tree.ordered(scope.units),
            "roles": [r.value for r in Role],
            "secret": secret,
            "done": done,
            "error": error,
            "form": shown,
        },
        status_code=status_code,
    )


@router.post("/admin/users/{user_id}", dependencies=CSRF)
def update_user(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    scope: ScopeDep,
    user_id: int,
    role: Annotated[str, Form(max_length=16)],
    unit_id: Annotated[int, Form()],
    display_name: Annotated[str, Form(max_length=255)] = "",
    active: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Save a user's role, unit, name and state."""
    target = load_user(session, user, scope, user_id)
    load_unit_for_user(session, user, scope, unit_id)
    try:
        save_user(
            request,
            session,
            user,
            target,
            display_name=display_name or None,
            role=role,
            unit_id=unit_id,
            is_active=active == "1",
        )
    except FORM_ERRORS as exc:
        session.rollback()
        form = {
            "display_name": display_name,
            "role": role,
            "unit_id": unit_id,
            "active": active == "1",
        }
        return _user_page(
            request,
            scope,
            target,
            error=_shown(request, exc),
            form=form,
            status_code=status_of(exc),
        )
    return RedirectResponse(f"/admin/users/{user_id}?done=saved", status_code=303)


@router.post("/admin/users/{user_id}/password", dependencies=CSRF)
def reset_password(
    request: Request, session: SessionDep, user: CurrentUser, scope: ScopeDep, user_id: int
) -> Response:
    """Give the user a new random password, shown once."""
    target = load_user(session, user, scope, user_id)
    secret = new_password_for(request, session, user, target)
    return _user_page(request, scope, target, secret=secret)


@router.get("/admin/units")
def units_page(request: Request, user: CurrentUser, scope: ScopeDep) -> Response:
    """The unit tree with the place codes each unit covers."""
    authorize(user, Action.UNIT_MANAGE)
    return _units_page(request, scope, done=request.query_params.get("done"))


def _units_page(
    request: Request,
    scope: Scope,
    *,
    done: str | None = None,
    error: str | None = None,
    form: dict[str, object] | None = None,
    row: dict[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    """The unit tree; `form` refills the new-unit form, `row` one unit's row, beside `error`."""
    return render(
        request,
        "admin/units.html",
        {
            "units": scope.tree.ordered(scope.units),
            "done": done,
            "error": error,
            "form": form or {},
            "row": row or {},
        },
        status_code=status_code,
    )


@router.post("/admin/units", dependencies=CSRF)
def create_unit(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    scope: ScopeDep,
    code: Annotated[str, Form(max_length=64)],
    name: Annotated[str, Form(max_length=255)],
    parent_id: Annotated[int, Form()],
    places: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Create a unit under one of the admin's units."""
    parent = load_unit(session, user, scope, parent_id)
    try:
        create_unit_under(
            request,
            session,
            user,
            parent,
            code=code,
            name=name,
            place_codes=accounts.parse_place_codes(places),
        )
    except FORM_ERRORS as exc:
        session.rollback()
        form = {"code": code, "name": name, "parent_id": parent_id, "places": places}
        return _units_page(
            request, scope, error=_shown(request, exc), form=form, status_code=status_of(exc)
        )
    return RedirectResponse("/admin/units?done=created", status_code=303)


@router.post("/admin/units/{unit_id}", dependencies=CSRF)
def update_unit(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    scope: ScopeDep,
    unit_id: int,
    name: Annotated[str, Form(max_length=255)],
    places: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Rename a unit or change its place codes."""
    unit = load_unit(session, user, scope, unit_id)
    try:
        save_unit(
            request, session, user, unit, name=name, place_codes=accounts.parse_place_codes(places)
        )
    except FORM_ERRORS as exc:
        session.rollback()
        row = {"id": unit_id, "name": name, "places": places}
        return _units_page(
            request, scope, error=_shown(request, exc), row=row, status_code=status_of(exc)
        )
    return RedirectResponse("/admin/units?done=saved", status_code=303)
