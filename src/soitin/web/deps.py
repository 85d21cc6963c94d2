"""Typed dependencies for handlers: the database session, the signed-in user, settings."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from soitin.db.engine import Database
from soitin.db.models import User
from soitin.errors import SoitinError
from soitin.settings import Settings

SESSION_USER_KEY = "uid"
#: The session's password stamp: a session ends when its user's password changes.
SESSION_STAMP_KEY = "pw"


def password_stamp(user: User) -> str:
    """A short digest of the user's password hash (salted, so it reveals nothing): kept in the
    session at sign-in, it no longer matches once the password is changed or reset."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def start_session(request: Request, user: User) -> None:
    """Sign `user` in on this browser (a fresh session)."""
    request.session.clear()
    request.session[SESSION_USER_KEY] = user.id
    request.session[SESSION_STAMP_KEY] = password_stamp(user)


class NotAuthenticatedError(SoitinError):
    """No signed-in user; pages redirect to the login page, the API answers 401."""


def get_settings_dep(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    """The app's database."""
    database: Database = request.app.state.database
    return database


_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(
    request: Request, database: Annotated[Database, Depends(get_database)]
) -> Iterator[Session]:
    """A session for one request; handlers that change state commit explicitly.

    Unsafe methods get a writer session (on SQLite it takes the write lock when it begins,
    instead of failing half-way); reads get a read-only one, so pages never queue behind
    the pipeline's writes. The few writes a read makes go through `side_writes`.
    """
    write = request.method not in _READ_METHODS
    with database.session(write=write, read_only=not write) as session:
        request.state.db_session = session
        request.state.db_writer = write or not database.isolates_writers
        yield session


@contextmanager
def side_writes(request: Request) -> Iterator[Session]:
    """A session for the small writes of a read request (an audit line, a token's last use).

    In a writer request that is the request's own session; in a read-only one on SQLite a
    short transaction of its own. Either way the writes are committed on leaving.
    """
    if request.state.db_writer:
        session: Session = request.state.db_session
        yield session
        session.commit()
        return
    database: Database = request.app.state.database
    with database.transaction() as own:
        yield own


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DatabaseDep = Annotated[Database, Depends(get_database)]
SessionDep = Annotated[Session, Depends(get_session)]


def get_optional_user(request: Request, session: SessionDep) -> User | None:
    """The signed-in user, or None."""
    uid = request.session.get(SESSION_USER_KEY)
    if not isinstance(uid, int):
        return None
    user = session.get(User, uid)
    stamp = request.session.get(SESSION_STAMP_KEY)
    if (
        user is None
        or not user.is_active
        or not isinstance(stamp, str)
        or not hmac.compare_digest(stamp, password_stamp(user))
    ):
        # signed out, disabled, or the password changed since this session signed in
        request.session.clear()
        return None
    request.state.user = user
    return user


def get_current_user(user: Annotated[User | None, Depends(get_optional_user)]) -> User:
    """The signed-in user; raises `NotAuthenticatedError` when nobody is."""
    if user is None:
        raise NotAuthenticatedError("Sign in first.")
    return user


OptionalUser = Annotated[User | None, Depends(get_optional_user)]
CurrentUser = Annotated[User, Depends(get_current_user)]


def client_ip(request: Request) -> str | None:
    """The peer address (for the audit log)."""
    return request.client.host if request.client else None


def audit_representative_shown(
    request: Request, actor: User, item_id: int | None, case_id: int, **detail: Any
) -> None:
    """Audit that a case's page or API answer showed its representative item's text."""
    if item_id is not None:
        audit_read(
            request,
            "item.text_viewed",
            actor,
            object_type="item",
            object_id=item_id,
            case_id=case_id,
            representative=True,
            **detail,
        )


def audit_read(request: Request, action: str, actor: User, **detail: Any) -> None:
    """Audit what a request showed or exported (raw text, a queue page, the log itself).

    Written through `side_writes`, so a read-only request records it in a short write of
    its own; `object_type`/`object_id` and any other detail go to `audit.record`.
    """
    from soitin.review import audit

    with side_writes(request) as writer:
        audit.record(writer, action, actor=actor, ip=client_ip(request), **detail)
