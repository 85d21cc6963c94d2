"""Who is calling the API (session cookie or personal token), and which units they see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from soitin.db.models import User
from soitin.db.types import utcnow
from soitin.review.policies import UnitTree, load_unit_tree
from soitin.review.tokens import find_token, mark_used
from soitin.web.csrf import verify_csrf
from soitin.web.deps import (
    CurrentUser,
    NotAuthenticatedError,
    SessionDep,
    get_optional_user,
    side_writes,
)

__all__ = ["ApiUser", "Scope", "ScopeDep", "ApiScopeDep", "api_csrf", "get_api_user"]

_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
#: A token's last use is recorded at most this often (a write per call would be waste).
TOUCH_EVERY = timedelta(minutes=1)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def get_api_user(request: Request, session: SessionDep) -> User:
    """The caller: a personal token (`Authorization: Bearer stn_...`) or the session."""
    token = _bearer(request)
    if token is not None:
        row = find_token(session, token)
        if row is None:
            raise NotAuthenticatedError("Invalid or revoked token.")
        now = utcnow()
        last = row.last_used_at
        if last is None or last < now - TOUCH_EVERY:
            with side_writes(request) as writer:
                mark_used(writer, row.id, now)
        request.state.user = row.user
        return row.user
    user = get_optional_user(request, session)
    if user is None:
        raise NotAuthenticatedError("Sign in or send a personal API token.")
    return user


async def api_csrf(request: Request) -> None:
    """Unsafe API calls on a session cookie need the CSRF header; token calls do not."""
    if request.method in _SAFE or _bearer(request) is not None:
        return
    await verify_csrf(request)


ApiUser = Annotated[User, Depends(get_api_user)]


@dataclass(frozen=True)
class Scope:
    """The unit tree and the units the user sees (their unit and below)."""

    tree: UnitTree
    units: frozenset[int]


def _scope(session: Session, user: User) -> Scope:
    tree = load_unit_tree(session)
    return Scope(tree, tree.scope(user))


def get_scope(session: SessionDep, user: CurrentUser) -> Scope:
    """Scope of the signed-in user (pages)."""
    return _scope(session, user)


def get_api_scope(session: SessionDep, user: ApiUser) -> Scope:
    """Scope of the API caller."""
    return _scope(session, user)


ScopeDep = Annotated[Scope, Depends(get_scope)]
ApiScopeDep = Annotated[Scope, Depends(get_api_scope)]
