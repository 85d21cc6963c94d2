"""Tips: staff and collaborators send a link and/or text with a note.

A tip becomes an item of the `tip` source of the sender's unit (created on first use), so it
flows through the same pipeline as every other item and is stored exactly once: the same link
or text sent twice is one item. Who sent it and their note go to the audit log, which
records every tip, also repeated ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from soitin.db.models import AuditEvent, Item, Unit, User
from soitin.errors import InvalidInputError, NotFoundError
from soitin.ingest.incoming import IncomingItem, describe_validation_error
from soitin.ingest.sources import tip_source_for_unit
from soitin.ingest.store import ids_for_keys, store_items
from soitin.messages import ERROR_MESSAGES
from soitin.review import audit

__all__ = [
    "MAX_NOTE_CHARS",
    "TIP_FIELDS",
    "TipIn",
    "TipResult",
    "TipView",
    "platform_of",
    "recent_tips",
    "submit_tip",
]

MAX_NOTE_CHARS = 2000
_PLATFORMS = {
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "fb.watch": "facebook",
    "tiktok.com": "tiktok",
    "youtube.com": "youtube",
    "youtu.be": "youtube",
    "zalo.me": "zalo",
    "t.me": "telegram",
    "x.com": "x",
    "twitter.com": "x",
    "instagram.com": "instagram",
    "threads.net": "threads",
}


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class TipIn(BaseModel):
    """What a tip form or `POST /api/v1/tips` sends."""

    model_config = ConfigDict(extra="forbid")

    url: Annotated[str | None, BeforeValidator(_blank_to_none)] = None
    text: Annotated[str | None, BeforeValidator(_blank_to_none)] = None
    note: Annotated[str | None, BeforeValidator(_blank_to_none)] = None

    @model_validator(mode="after")
    def _link_or_text(self) -> TipIn:
        if not (self.url or self.text):
            # the error type is a message key: the tip page says it in the page's language
            raise PydanticCustomError("tip.link_or_text", ERROR_MESSAGES["tip.link_or_text"]["en"])
        if self.note and len(self.note) > MAX_NOTE_CHARS:
            raise PydanticCustomError(
                "tip.note_too_long",
                ERROR_MESSAGES["tip.note_too_long"]["en"],
                {"limit": f"{MAX_NOTE_CHARS:,}"},
            )
        return self


#: The names a tip may use (an unknown one is answered with these, not an item's fields).
TIP_FIELDS: tuple[str, ...] = tuple(TipIn.model_fields)


@dataclass(frozen=True)
class TipResult:
    """The tip's item, whether it was new, and its source."""

    item_id: int
    created: bool
    source_id: int


def platform_of(url: str | None) -> str:
    """`facebook`, `tiktok`, `youtube`, `zalo`, ... from a link's host; else `web`."""
    try:
        host = (urlsplit(url).hostname or "") if url else ""
    except ValueError:  # "http://[::1": no host to read
        host = ""
    host = host.lower().removeprefix("www.").removeprefix("m.")
    for domain, name in _PLATFORMS.items():
        if host == domain or host.endswith("." + domain):
            return name
    return "web"


def submit_tip(
    session: Session, user: User, tip: TipIn, *, ip: str | None = None, key: str | None = None
) -> TipResult:
    """Store the tip as an item of the sender's unit's tip source and audit it; no commit."""
    unit = session.get(Unit, user.unit_id)
    if unit is None:
        raise NotFoundError("The sender's unit does not exist.")
    try:
        row = IncomingItem(url=tip.url, text=tip.text)
    except ValidationError as exc:
        reasons = "; ".join(describe_validation_error(exc))
        if any(error["loc"] == ("url",) for error in exc.errors()):
            raise InvalidInputError(
                reasons, key="tip.bad_link", value=(tip.url or "")[:80]
            ) from None
        raise InvalidInputError(reasons) from None
    # The platform is read from the link once it is known to be one.
    row = row.model_copy(update={"platform": platform_of(row.url)})
    source = tip_source_for_unit(session, unit)
    stored = store_items(session, source, [row], key=key)
    item_id = ids_for_keys(session, source.id, stored.keys)[stored.keys[0]]
    created = bool(stored.new_ids)
    audit.record(
        session,
        "tip.submitted",
        actor=user,
        object_type="item",
        object_id=item_id,
        ip=ip,
        note=tip.note or "",
        source_id=source.id,
        created=created,
    )
    return TipResult(item_id=item_id, created=created, source_id=source.id)


@dataclass(frozen=True)
class TipView:
    """One tip as the tips page lists it."""

    item_id: int
    url: str | None
    text: str | None
    note: str
    at: datetime


def recent_tips(session: Session, user: User, limit: int = 20) -> list[TipView]:
    """The latest tips the user sent (newest first)."""
    query = (
        select(AuditEvent, Item)
        .join(Item, AuditEvent.object_id == cast(Item.id, String))
        .where(AuditEvent.action == "tip.submitted", AuditEvent.actor_id == user.id)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return [
        TipView(
            item_id=item.id,
            url=item.url,
            text=item.text,
            note=str(event.detail.get("note", "")),
            at=event.at,
        )
        for event, item in session.execute(query).all()
    ]
