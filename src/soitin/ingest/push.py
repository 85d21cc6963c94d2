"""The push API's service: validate a JSON payload of items and store it as one batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from soitin.db.models import Source
from soitin.db.types import utcnow
from soitin.errors import InvalidInputError
from soitin.ingest.incoming import IncomingItem, RowError, describe_validation_error
from soitin.ingest.sources import record_success
from soitin.ingest.store import ids_for_keys, store_items

__all__ = [
    "MAX_BATCH_ITEMS",
    "MAX_BODY_BYTES",
    "BatchTooLargeError",
    "PushResult",
    "PushValidationError",
    "parse_push_payload",
    "push_items",
]

#: Most items one request may carry.
MAX_BATCH_ITEMS = 1000
#: Largest request body accepted (bytes).
MAX_BODY_BYTES = 10 * 1024 * 1024


class BatchTooLargeError(InvalidInputError):
    """The request carries more items or bytes than allowed."""


class PushValidationError(InvalidInputError):
    """One or more items are invalid; nothing was stored. `errors` says which and why."""

    def __init__(self, message: str, errors: Sequence[RowError]) -> None:
        super().__init__(message)
        self.errors = list(errors)


@dataclass(frozen=True)
class PushResult:
    """Per request: counts, and per item its index, key, stored id and whether it is new."""

    received: int
    created: int
    duplicates: int
    items: list[dict[str, Any]] = field(default_factory=list)


def parse_push_payload(payload: Any) -> list[IncomingItem]:
    """Items from `{"items": [...]}`, a bare list, or a single item object.

    Raises `BatchTooLargeError` over `MAX_BATCH_ITEMS` and `PushValidationError` listing every
    invalid item (index is 0-based) so the client can fix them all at once.
    """
    if isinstance(payload, dict) and "items" in payload:
        extra = sorted(set(payload) - {"items"})
        if extra:
            raise PushValidationError(
                f'A batch is {{"items": [...]}} only; unexpected keys: {", ".join(extra)}.', []
            )
        raw = payload["items"]
        if not isinstance(raw, list):
            raise PushValidationError('"items" must be a list of item objects.', [])
    elif isinstance(payload, dict):
        raw = [payload]
    elif isinstance(payload, list):
        raw = payload
    else:
        raise PushValidationError(
            'The body must be an item object, a list of them, or {"items": [...]}.', []
        )
    if not raw:
        raise PushValidationError("The batch is empty.", [])
    if len(raw) > MAX_BATCH_ITEMS:
        raise BatchTooLargeError(
            f"The batch has {len(raw):,} items; at most {MAX_BATCH_ITEMS:,} are accepted per "
            "request. Split it into smaller batches."
        )
    items: list[IncomingItem] = []
    errors: list[RowError] = []
    for index, value in enumerate(raw):
        if not isinstance(value, dict):
            errors.append(RowError(index, f"an item object is expected, not {_kind(value)}"))
            continue
        try:
            items.append(IncomingItem.model_validate(value))
        except ValidationError as exc:
            errors.append(RowError(index, "; ".join(describe_validation_error(exc))))
    if errors:
        first = errors[0]
        raise PushValidationError(
            f"{len(errors)} of {len(raw)} items are invalid and nothing was stored; "
            f"item {first.line}: {first.reason}.",
            errors,
        )
    return items


def _kind(value: Any) -> str:
    return {str: "a string", int: "a number", float: "a number", bool: "true/false"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


def push_items(
    session: Session, source: Source, items: Sequence[IncomingItem], *, key: str | None = None
) -> PushResult:
    """Store `items` for `source` (idempotent on external id); the caller commits.

    `key` is the pseudonymisation key (default: the `pseudonym_key` setting).
    """
    stored = store_items(session, source, items, key=key)
    ids = ids_for_keys(session, source.id, stored.keys)
    new = set(stored.new_ids)
    seen: set[str] = set()
    out = []
    for index, key in enumerate(stored.keys):
        item_id = ids.get(key)
        created = item_id in new and key not in seen
        seen.add(key)
        out.append({"index": index, "external_id": key, "id": item_id, "created": created})
    record_success(source, utcnow())
    return PushResult(
        received=stored.received,
        created=stored.inserted,
        duplicates=stored.duplicates,
        items=out,
    )
