"""Store incoming items exactly once and hand the new ones to the pipeline.

Every item is keyed by (source, external id). When the producer has no id, the key is a hash
of the content, the pseudonymised author and the published time, so the same post imported
twice meets itself. `INSERT ... ON CONFLICT DO NOTHING` makes retries, re-polls, re-imports
and concurrent writers harmless; the caller owns the transaction, so a batch is all or nothing.

On SQLite, items are stored with their folded text (`soitin.text.fold.fold_item_text`), so
the FTS5 triggers index each item once: stored with empty folded text and folded by the
pipeline's UPDATE, it cost about 35 µs more of SQLite's work per item. On PostgreSQL the
normalise stage folds it: the pipeline's UPDATE changes an indexed column (`story_id`), so it
writes new GIN entries anyway, and folded text at insert would have them built twice (about
60 µs more of the server's CPU per item).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import TIMESTAMP, Integer, Table, Text, bindparam, cast, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from soitin.db.models import Item, Source
from soitin.db.types import utcnow
from soitin.ingest.incoming import IncomingItem
from soitin.ingest.privacy import pseudonymise_author
from soitin.pipeline import process_items
from soitin.settings import get_settings
from soitin.text.fold import fold_item_text

__all__ = [
    "IncomingItem",
    "StoreResult",
    "content_hash",
    "ids_for_keys",
    "item_key",
    "store_items",
]

ITEMS: Table = Item.__table__  # type: ignore[assignment]
#: Rows per INSERT / SELECT round trip (well under SQLite's bound-parameter limit).
CHUNK = 500


@dataclass(frozen=True)
class StoreResult:
    """What `store_items` did: counts, the ids of new items, and each row's key."""

    received: int
    inserted: int
    duplicates: int
    new_ids: list[int] = field(default_factory=list)
    #: The external id each input row was stored under, in input order.
    keys: list[str] = field(default_factory=list)


def _canonical(value: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def content_hash(title: str | None, text: str | None, url: str | None) -> str:
    """SHA-256 (hex) of the whitespace-collapsed NFC title, text and URL."""
    joined = "\x1f".join(_canonical(part) for part in (title, text, url))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def item_key(row: IncomingItem, digest: str, author_hash: str | None) -> str:
    """The row's external id, or `h:` + a hash of content, author hash and published time."""
    if row.external_id:
        return row.external_id
    when = row.published_at.isoformat() if row.published_at else ""
    basis = "\x1f".join((digest, author_hash or "", when))
    return "h:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()


#: Columns each row supplies; every other column gets its model default (same for the batch).
ROW_COLUMNS = (
    "external_id",
    "content_hash",
    "url",
    "title",
    "text",
    "author_hash",
    "platform",
    "language",
    "published_at",
    "likes",
    "comments",
    "shares",
    "views",
)


def _batch_constants(source_id: int, fetched_at: datetime) -> dict[str, Any]:
    """Values shared by every row of a batch: the source, the fetch time, model defaults."""
    constants: dict[str, Any] = {"source_id": source_id, "fetched_at": fetched_at}
    for column in ITEMS.columns:
        if column.key in constants or column.key in ROW_COLUMNS or column.primary_key:
            continue
        default = column.default
        if default is None or not default.is_scalar and not default.is_callable:
            continue
        arg: Any = default.arg  # type: ignore[attr-defined]
        constants[column.key] = arg(None) if default.is_callable else arg
    return constants


def _insert_sqlite(
    session: Session, rows: list[dict[str, Any]], constants: dict[str, Any]
) -> list[int]:
    statement = (
        sqlite.insert(ITEMS)
        .on_conflict_do_nothing(index_elements=["source_id", "external_id"])
        .returning(ITEMS.c.id)
    )
    # Folding is most of a row's cost: rows stored already (a re-poll, a re-import) skip it.
    known = ids_for_keys(session, constants["source_id"], [row["external_id"] for row in rows])
    params = [
        {**constants, **row, "text_folded": fold_item_text(row["title"], row["text"])}
        for row in rows
        if row["external_id"] not in known
    ]
    if not params:
        return []
    return list(session.execute(statement, params).scalars())


_PG_TYPES: dict[str, Any] = {
    "published_at": TIMESTAMP(timezone=True),
    "likes": Integer(),
    "comments": Integer(),
    "shares": Integer(),
    "views": Integer(),
}


def _insert_postgresql(
    session: Session, rows: list[dict[str, Any]], constants: dict[str, Any]
) -> list[int]:
    # One array per column through unnest(): a short statement whatever the batch size
    # (psycopg spends most of its time splitting huge multi-row VALUES statements).
    arrays = [
        cast(
            bindparam(f"a_{name}", type_=postgresql.ARRAY(_PG_TYPES.get(name, Text()))),
            postgresql.ARRAY(_PG_TYPES.get(name, Text())),
        )
        for name in ROW_COLUMNS
    ]
    unnested = func.unnest(*arrays).table_valued(*ROW_COLUMNS).render_derived()
    fixed = list(constants)
    selected = select(
        *[bindparam(f"c_{name}", type_=ITEMS.c[name].type) for name in fixed],
        *[unnested.c[name] for name in ROW_COLUMNS],
    )
    statement = (
        postgresql.insert(ITEMS)
        .from_select([*fixed, *ROW_COLUMNS], selected)
        .on_conflict_do_nothing(index_elements=["source_id", "external_id"])
        .returning(ITEMS.c.id)
    )
    params: dict[str, Any] = {f"c_{name}": value for name, value in constants.items()}
    for name in ROW_COLUMNS:
        params[f"a_{name}"] = [row[name] for row in rows]
    return list(session.execute(statement, params).scalars())


def store_items(
    session: Session,
    source: Source,
    rows: Sequence[IncomingItem],
    *,
    key: str | None = None,
    fetched_at: datetime | None = None,
) -> StoreResult:
    """Insert the rows not stored yet for `source`, run the pipeline on them; never commits.

    Authors are replaced by `pseudonymise_author(author, key)` (`key` defaults to the
    `pseudonym_key` setting). Rows repeated within `rows` count as duplicates of the first.
    """
    pseudonym_key = key if key is not None else get_settings().pseudonym_key
    now = fetched_at or utcnow()
    keys: list[str] = []
    pending: dict[str, dict[str, Any]] = {}
    for row in rows:
        digest = content_hash(row.title, row.text, row.url)
        author_hash = pseudonymise_author(row.author, pseudonym_key) if row.author else None
        external_id = item_key(row, digest, author_hash)
        keys.append(external_id)
        if external_id in pending:
            continue
        pending[external_id] = {
            "external_id": external_id,
            "content_hash": digest,
            "url": row.url,
            "title": row.title,
            "text": row.text,
            "author_hash": author_hash,
            "platform": row.platform,
            "language": row.language,
            "published_at": row.published_at,
            "likes": row.likes,
            "comments": row.comments,
            "shares": row.shares,
            "views": row.views,
        }

    dialect = session.get_bind().dialect.name
    if dialect not in {"sqlite", "postgresql"}:
        raise NotImplementedError(f"unsupported database dialect {dialect!r}")
    insert = _insert_postgresql if dialect == "postgresql" else _insert_sqlite
    constants = _batch_constants(source.id, now)
    values = list(pending.values())
    new_ids: list[int] = []
    for start in range(0, len(values), CHUNK):
        chunk = values[start : start + CHUNK]
        inserted = insert(session, chunk, constants)
        if inserted:
            items = list(session.scalars(select(Item).where(Item.id.in_(inserted))))
            items.sort(key=lambda item: item.id)
            process_items(session, items)
            new_ids.extend(item.id for item in items)
    return StoreResult(
        received=len(keys),
        inserted=len(new_ids),
        duplicates=len(keys) - len(new_ids),
        new_ids=new_ids,
        keys=keys,
    )


def ids_for_keys(session: Session, source_id: int, keys: Sequence[str]) -> dict[str, int]:
    """The item id stored under each of `keys` for `source_id` (missing keys are left out)."""
    found: dict[str, int] = {}
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), CHUNK):
        chunk = unique[start : start + CHUNK]
        query = select(Item.external_id, Item.id).where(
            Item.source_id == source_id, Item.external_id.in_(chunk)
        )
        found.update(session.execute(query).all())
    return found
