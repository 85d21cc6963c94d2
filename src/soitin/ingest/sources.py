"""Sources (feeds, file exports, push clients, tip boxes): create, list with health, tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soitin.db.models import ApiToken, Item, Source, SourceKind, Unit
from soitin.db.types import utcnow
from soitin.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError

__all__ = [
    "InvalidTokenError",
    "SourceHealth",
    "add_source",
    "authenticate_token",
    "get_source",
    "hash_token",
    "is_due",
    "issue_token",
    "list_sources",
    "next_due_at",
    "record_failure",
    "record_success",
    "revoke_tokens",
    "tip_source_for_unit",
]

TOKEN_PREFIX = "stn_"  # noqa: S105 - a prefix, not a secret
#: Longest interval a failing feed backs off to.
MAX_BACKOFF = timedelta(hours=24)
MIN_POLL_INTERVAL_S = 60


class InvalidTokenError(PermissionDeniedError):
    """The bearer token is unknown, revoked, or its source is disabled."""


@dataclass(frozen=True)
class SourceHealth:
    """A source with its health figures, as `soitin source list` and the web app show it."""

    id: int
    kind: str
    name: str
    url: str | None
    enabled: bool
    poll_interval_s: int
    unit_code: str | None
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    consecutive_failures: int
    last_error: str | None
    items_total: int
    items_per_day: float
    active_tokens: int


def add_source(
    session: Session,
    *,
    kind: str,
    name: str,
    url: str | None = None,
    unit_code: str | None = None,
    poll_interval_s: int = 900,
    enabled: bool = True,
    is_outlet: bool = False,
    config: dict[str, Any] | None = None,
) -> Source:
    """Create a source; a feed needs an http(s) URL; names are unique."""
    try:
        kind = SourceKind(kind).value
    except ValueError:
        known = ", ".join(k.value for k in SourceKind)
        raise InvalidInputError(f"Unknown source kind {kind!r}; use one of: {known}.") from None
    name = " ".join(name.split())
    if not name or len(name) > 255:
        raise InvalidInputError("A source name must be 1 to 255 characters.")
    if kind == SourceKind.FEED.value:
        parts = urlsplit(url or "")
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise InvalidInputError("A feed source needs an http:// or https:// URL.")
    if poll_interval_s < MIN_POLL_INTERVAL_S:
        raise InvalidInputError(f"The polling interval must be at least {MIN_POLL_INTERVAL_S} s.")
    unit_id = None
    if unit_code is not None:
        unit = session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise NotFoundError(f"There is no unit with the code {unit_code!r}.")
        unit_id = unit.id
    if session.scalar(select(Source.id).where(Source.name == name)) is not None:
        raise ConflictError(f"A source named {name!r} already exists.")
    source = Source(
        kind=kind,
        name=name,
        url=url,
        unit_id=unit_id,
        poll_interval_s=poll_interval_s,
        enabled=enabled,
        is_outlet=is_outlet,
        config=config or {},
    )
    session.add(source)
    session.flush()
    return source


def get_source(session: Session, name_or_id: str | int) -> Source:
    """The source with this name (or numeric id); `NotFoundError` otherwise."""
    source = session.scalar(select(Source).where(Source.name == str(name_or_id)))
    if source is None and str(name_or_id).isdigit():
        source = session.get(Source, int(name_or_id))
    if source is None:
        raise NotFoundError(f"There is no source named {name_or_id!r}.")
    return source


def list_sources(session: Session, *, now: datetime | None = None) -> list[SourceHealth]:
    """Every source with its health, ordered by kind and name.

    Items per day is the average over the last 7 days (or since the source was added).
    """
    now = now or utcnow()
    week_ago = now - timedelta(days=7)
    totals = dict(
        session.execute(select(Item.source_id, func.count()).group_by(Item.source_id)).all()
    )
    recent = dict(
        session.execute(
            select(Item.source_id, func.count())
            .where(Item.fetched_at >= week_ago)
            .group_by(Item.source_id)
        ).all()
    )
    tokens = dict(
        session.execute(
            select(ApiToken.source_id, func.count())
            .where(ApiToken.revoked_at.is_(None))
            .group_by(ApiToken.source_id)
        ).all()
    )
    units = dict(session.execute(select(Unit.id, Unit.code)).all())
    out = []
    for source in session.scalars(select(Source).order_by(Source.kind, Source.name)):
        age_days = (now - source.created_at).total_seconds() / 86400
        days = min(7.0, max(1.0, age_days))
        out.append(
            SourceHealth(
                id=source.id,
                kind=source.kind,
                name=source.name,
                url=source.url,
                enabled=source.enabled,
                poll_interval_s=source.poll_interval_s,
                unit_code=units.get(source.unit_id) if source.unit_id else None,
                last_attempt_at=source.last_attempt_at,
                last_success_at=source.last_success_at,
                consecutive_failures=source.consecutive_failures,
                last_error=source.last_error,
                items_total=totals.get(source.id, 0),
                items_per_day=round(recent.get(source.id, 0) / days, 1),
                active_tokens=tokens.get(source.id, 0),
            )
        )
    return out


def next_due_at(source: Source) -> datetime | None:
    """When a feed should next be polled (None: now). Failures back off, doubling, up to 24 h."""
    if source.last_attempt_at is None:
        return None
    interval = timedelta(seconds=source.poll_interval_s)
    if source.consecutive_failures:
        backed_off = interval * 2 ** min(source.consecutive_failures, 10)
        interval = max(interval, min(backed_off, MAX_BACKOFF))
    return source.last_attempt_at + interval


def is_due(source: Source, now: datetime) -> bool:
    """True when the feed is enabled and its next poll time has come."""
    due = next_due_at(source)
    return source.enabled and (due is None or due <= now)


def record_success(source: Source, now: datetime, *, warning: str | None = None) -> None:
    """Mark a successful poll or import (with an optional one-sentence warning)."""
    source.last_attempt_at = now
    source.last_success_at = now
    source.consecutive_failures = 0
    source.last_error = _one_sentence(warning) if warning else None


def record_failure(source: Source, now: datetime, error: str) -> None:
    """Mark a failed poll: count it and keep the reason (one sentence)."""
    source.last_attempt_at = now
    source.consecutive_failures += 1
    source.last_error = _one_sentence(error)


def _one_sentence(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 500 else line[:497] + "..."


def hash_token(raw: str) -> str:
    """SHA-256 (hex) of a token: tokens are 256-bit random, so a fast hash is enough."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue_token(session: Session, source: Source, *, name: str = "") -> str:
    """A new push token for `source`; the raw token is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(source_id=source.id, name=name[:255], token_hash=hash_token(raw)))
    session.flush()
    return raw


def revoke_tokens(
    session: Session, source: Source, *, token_id: int | None = None, now: datetime | None = None
) -> int:
    """Revoke the source's active tokens (or only `token_id`); returns how many."""
    query = (
        update(ApiToken)
        .where(ApiToken.source_id == source.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
    if token_id is not None:
        query = query.where(ApiToken.id == token_id)
    count = session.execute(query).rowcount  # type: ignore[attr-defined]
    session.flush()
    return int(count or 0)


def authenticate_token(session: Session, raw: str, *, now: datetime | None = None) -> Source:
    """The source a bearer token belongs to; `InvalidTokenError` if unknown or revoked."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        raise InvalidTokenError("The token is not a soitin source token.")
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(raw)))
    if token is None:
        raise InvalidTokenError("The token is not known.")
    if token.revoked_at is not None:
        raise InvalidTokenError("The token has been revoked.")
    source = session.get(Source, token.source_id)
    if source is None or not source.enabled:
        raise InvalidTokenError("The token's source is disabled.")
    token.last_used_at = now or utcnow()
    return source


def tip_source_for_unit(session: Session, unit: Unit) -> Source:
    """The `tip` source of `unit` (named `tip:<unit code>`), created on first use."""
    name = f"tip:{unit.code}"
    source = session.scalar(select(Source).where(Source.name == name))
    if source is not None:
        return source
    try:
        with session.begin_nested():
            source = Source(kind=SourceKind.TIP.value, name=name, unit_id=unit.id, config={})
            session.add(source)
    except IntegrityError:
        # Another request created it at the same moment; use theirs.
        source = session.scalar(select(Source).where(Source.name == name))
        if source is None:
            raise
    return source
