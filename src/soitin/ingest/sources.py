"""Sources (feeds, file exports, push clients, tip boxes): create, list with health, tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soitin.db.models import ApiToken, Item, Source, SourceKind, Unit
from soitin.db.types import utcnow
from soitin.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from soitin.ingest.fetch import FetchRefusedError, check_url

__all__ = [
    "InvalidTokenError",
    "SourceHealth",
    "add_source",
    "authenticate_token",
    "check_feed_url",
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
    "update_source",
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
    unit_id: int | None
    is_outlet: bool
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
    allowlist: str | Iterable[str] | None = None,
) -> Source:
    """Create a source; a feed needs a public http(s) URL (`check_feed_url`); names are
    unique."""
    try:
        kind = SourceKind(kind).value
    except ValueError:
        known = ", ".join(k.value for k in SourceKind)
        raise InvalidInputError(key="source.unknown_kind", value=kind, known=known) from None
    name = _checked_name(session, name)
    if kind == SourceKind.FEED.value:
        url = check_feed_url(url or "", allowlist)
    _check_interval(poll_interval_s)
    unit_id = None
    if unit_code is not None:
        unit = session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise NotFoundError(key="unit.no_code", code=unit_code)
        unit_id = unit.id
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


def update_source(
    session: Session,
    source: Source,
    *,
    name: str | None = None,
    url: str | None = None,
    enabled: bool | None = None,
    poll_interval_s: int | None = None,
    allowlist: str | Iterable[str] | None = None,
) -> dict[str, tuple[object, object]]:
    """Rename a source, switch it on or off, or change a feed's URL or polling interval.

    Returns the changes as {field: (before, after)} (empty: nothing changed). A feed given a
    new URL starts afresh: its cache validators and failure count are cleared and it is due
    at once. The tip box of a unit is made by soitin and only switched on or off.
    """
    changes: dict[str, tuple[object, object]] = {}
    is_tip = source.kind == SourceKind.TIP.value
    if name is not None and " ".join(name.split()) != source.name:
        if is_tip:
            raise InvalidInputError(key="source.tip_fixed")
        new_name = _checked_name(session, name)
        changes["name"] = (source.name, new_name)
        source.name = new_name
    if url is not None and url.strip() != (source.url or ""):
        if source.kind != SourceKind.FEED.value:
            raise InvalidInputError(key="source.url_feed_only")
        new_url = check_feed_url(url, allowlist)
        changes["url"] = (source.url, new_url)
        source.url = new_url
        source.etag = source.last_modified = source.last_error = None
        source.last_attempt_at = None
        source.consecutive_failures = 0
    if enabled is not None and enabled != source.enabled:
        changes["enabled"] = (source.enabled, enabled)
        source.enabled = enabled
    if poll_interval_s is not None and poll_interval_s != source.poll_interval_s:
        if is_tip:
            raise InvalidInputError(key="source.tip_fixed")
        _check_interval(poll_interval_s)
        changes["poll_interval_s"] = (source.poll_interval_s, poll_interval_s)
        source.poll_interval_s = poll_interval_s
    session.flush()
    return changes


def check_feed_url(url: str, allowlist: str | Iterable[str] | None = None) -> str:
    """`url` trimmed, when the safe client may fetch it (`soitin.ingest.fetch.check_url`: an
    http(s) address whose host is not `localhost` or a non-public IP literal, unless on
    `allowlist`); `InvalidInputError` otherwise. Host names are resolved, and their addresses
    checked, at each fetch; this answers early and clearly when a source is added or changed.
    """
    url = url.strip()
    try:
        check_url(url, allowlist)
    except FetchRefusedError as exc:
        if exc.host is not None:
            raise InvalidInputError(key="source.private_url", host=exc.host) from None
        raise InvalidInputError(key="source.feed_url") from None
    return url


def _checked_name(session: Session, name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 255:
        raise InvalidInputError(key="source.name_length")
    if session.scalar(select(Source.id).where(Source.name == name)) is not None:
        raise ConflictError(key="source.name_taken", name=name)
    return name


def _check_interval(seconds: int) -> None:
    if seconds < MIN_POLL_INTERVAL_S:
        raise InvalidInputError(key="source.interval", minimum=MIN_POLL_INTERVAL_S)


def get_source(session: Session, name_or_id: str | int) -> Source:
    """The source with this name (or numeric id); `NotFoundError` otherwise."""
    source = session.scalar(select(Source).where(Source.name == str(name_or_id)))
    if source is None and str(name_or_id).isdigit():
        source = session.get(Source, int(name_or_id))
    if source is None:
        raise NotFoundError(key="source.not_found", name=name_or_id)
    return source


def list_sources(
    session: Session, *, now: datetime | None = None, ids: Collection[int] | None = None
) -> list[SourceHealth]:
    """Every source (or only those of `ids`) with its health, ordered by kind and name.

    Items per day is the average over the last 7 days (or since the source was added).
    """
    now = now or utcnow()
    week_ago = now - timedelta(days=7)

    def per_source(query: Select[int, int], column: Any) -> dict[int, int]:
        if ids is not None:
            query = query.where(column.in_(list(ids)))
        return dict(session.execute(query.group_by(column)).all())

    totals = per_source(select(Item.source_id, func.count()), Item.source_id)
    recent = per_source(
        select(Item.source_id, func.count()).where(Item.fetched_at >= week_ago), Item.source_id
    )
    tokens = per_source(
        select(ApiToken.source_id, func.count()).where(ApiToken.revoked_at.is_(None)),
        ApiToken.source_id,
    )
    rows = select(Source).order_by(Source.kind, Source.name)
    if ids is not None:
        rows = rows.where(Source.id.in_(list(ids)))
    sources = list(session.scalars(rows))
    unit_ids = {s.unit_id for s in sources if s.unit_id is not None}
    units = dict(session.execute(select(Unit.id, Unit.code).where(Unit.id.in_(unit_ids))).all())
    out = []
    for source in sources:
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
                unit_id=source.unit_id,
                is_outlet=source.is_outlet,
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
