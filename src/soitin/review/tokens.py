"""Personal API tokens: a user's scripts call `/api/v1` with `Authorization: Bearer ...`.

Only a SHA-256 hash is stored (the token is 256 random bits, so a slow hash adds nothing);
the token itself is shown once. Tokens act with their owner's role and scope, and stop
working when revoked or when the owner is disabled.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from soitin.db.models import User, UserToken
from soitin.db.types import utcnow
from soitin.errors import InvalidInputError, NotFoundError

__all__ = [
    "TOKEN_PREFIX",
    "create_token",
    "find_token",
    "list_tokens",
    "mark_used",
    "revoke_token",
    "user_for_token",
]

TOKEN_PREFIX = "stn_"  # noqa: S105 - the public prefix of tokens
MAX_TOKENS = 20


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, user: User, name: str) -> tuple[UserToken, str]:
    """A new token for `user`; returns the row and the token text (shown once)."""
    name = name.strip()[:255]
    if not name:
        raise InvalidInputError(key="token.needs_name")
    active = [t for t in list_tokens(session, user) if t.revoked_at is None]
    if len(active) >= MAX_TOKENS:
        raise InvalidInputError(key="token.too_many", limit=MAX_TOKENS)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = UserToken(user_id=user.id, name=name, prefix=secret[:10], token_hash=_hash(secret))
    session.add(row)
    session.flush()
    return row, secret


def list_tokens(session: Session, user: User) -> list[UserToken]:
    """The user's tokens, newest first."""
    return list(
        session.scalars(
            select(UserToken).where(UserToken.user_id == user.id).order_by(UserToken.id.desc())
        )
    )


def revoke_token(session: Session, user: User, token_id: int) -> UserToken:
    """Revoke one of the user's own tokens."""
    row = session.get(UserToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFoundError(key="token.not_found")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    session.flush()
    return row


def find_token(session: Session, token: str) -> UserToken | None:
    """The valid, unrevoked token row of an active user, or None (nothing is changed)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.scalar(
        select(UserToken)
        .where(UserToken.token_hash == _hash(token))
        .options(joinedload(UserToken.user))
    )
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    return row


def mark_used(session: Session, token_id: int, at: datetime | None = None) -> None:
    """Record a token's last use."""
    session.execute(
        update(UserToken).where(UserToken.id == token_id).values(last_used_at=at or utcnow())
    )


def user_for_token(session: Session, token: str) -> User | None:
    """The active owner of a valid, unrevoked token (its last use recorded), or None."""
    row = find_token(session, token)
    if row is None:
        return None
    row.last_used_at = utcnow()
    return row.user
