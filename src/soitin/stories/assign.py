"""Assign each new item to a story: exact copies by canonical-text key, near-copies by LSH.

Per batch: canonical texts → MinHash signatures and band keys (NumPy + rensa) → candidates
from the process's band index (`index.py`) → one query for the candidates' signatures →
each item joins the most similar story at or above the threshold, or starts a new one.

Race-free across processes. PostgreSQL: the keys of every new variant (a new story's first
item, or an item that differs enough from the story's known variants) are inserted into
`story_band_keys` (unique) with ON CONFLICT DO NOTHING, sorted. An insert that meets another
transaction's uncommitted key waits for it; keys that turn out to be owned by another
signature are read back, and a story created in this batch whose keys collide with a similar
enough signature is merged into that story before anything else refers to it.

SQLite has one writer at a time: the batch takes the database's write lock before it reads
the index (`_hold_write_lock`), so the signatures it compares with are every signature
committed, and nobody can add one until it commits. The band keys table is not needed
there and stays empty (writing it was a quarter of the stage).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import Table, case, delete, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from soitin.db.bulk import insert_alike, insert_returning_ids, write_columns
from soitin.db.models import Item, Story, StoryBandKey, StorySignature
from soitin.db.types import utcnow
from soitin.stories.boilerplate import (
    body_similarity,
    boilerplate_of_sources,
    folded_of,
    folded_rows,
)
from soitin.stories.canonical import canonical_from_folded, canonical_text, exact_key
from soitin.stories.index import sync_index
from soitin.stories.minhash import U32, band_keys, signatures

__all__ = ["VARIANT_SIMILARITY", "Assignment", "assign_stories", "item_canonical_text"]

#: An item this far from every known variant of its story is kept as a new variant, so the
#: story is found by later copies of it too.
VARIANT_SIMILARITY = 0.8
_CHUNK = 5_000


@dataclass
class Assignment:
    """What a batch did: the story of each item, and the stories it created."""

    story_of_item: dict[int, int] = field(default_factory=dict)
    new_story_ids: list[int] = field(default_factory=list)
    touched_story_ids: list[int] = field(default_factory=list)
    merged: int = 0


@dataclass
class _Variant:
    sig: U32
    keys: list[int]
    story: int  # a story id (> 0) or a placeholder for a new story (< 0)
    item_index: int


def item_canonical_text(item: Item) -> str:
    """The canonical text of an item (its folded text when the normalise stage set it)."""
    if item.text_folded:
        canon = canonical_from_folded(item.text_folded)
        if item.title and not item.text:
            return canon
        if canon:
            return canon
    return canonical_text("\n".join(t for t in (item.title, item.text) if t))


def assign_stories(session: Session, items: Sequence[Item], threshold: float) -> Assignment:
    """Give every item without a story one; returns the assignment (the caller commits)."""
    todo = [it for it in items if it.story_id is None]
    result = Assignment()
    if not todo:
        return result
    if any(it.id is None for it in todo):
        session.flush()
    canon = [item_canonical_text(it) for it in todo]
    sigs = signatures(canon)
    keys = band_keys(sigs)
    exact = [exact_key(c) if c else 0 for c in canon]

    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        _hold_write_lock(session)
    index = sync_index(session)
    candidate_ids = index.lookup(keys)
    known = _load_signatures(session, set().union(*candidate_ids))
    # a source's footer must not make its different posts one story (`boilerplate.py`)
    folded = [folded_of(it.title, it.text, it.text_folded) for it in todo]
    boilerplate = boilerplate_of_sources(session, todo, folded)
    stored_folded = _stored_texts(
        session,
        {
            known[s][2]
            for i, it in enumerate(todo)
            if it.source_id in boilerplate
            for s in candidate_ids[i]
            if s in known
        },
    )

    variants: list[_Variant] = []
    local_keys: dict[int, int] = {}  # key → variant index, for copies inside the batch
    story_of: list[int] = [0] * len(todo)
    next_placeholder = -1
    for i, text in enumerate(canon):
        if not text:
            story_of[i] = next_placeholder  # nothing to compare: a story of its own
            next_placeholder -= 1
            continue
        row_keys = [exact[i], *keys[i].tolist()]
        sig = sigs[i]
        best_story, best_sim = 0, -1.0
        local = {local_keys[k] for k in row_keys if k in local_keys}
        if exact[i] in local_keys:
            best_story, best_sim = variants[local_keys[exact[i]]].story, 1.0
        else:
            # (story, signature) per candidate, as tuples: this loop runs for every item,
            # against up to 48 candidates
            in_batch = [variants[v] for v in local]
            stored = [known[s] for s in candidate_ids[i] if s in known]
            cands = [(v.story, v.sig) for v in in_batch] + [(k[0], k[1]) for k in stored]
            if cands:
                sims = (np.stack([c[1] for c in cands]) == sig[None, :]).mean(axis=1)
                j = int(np.argmax(sims))
                best_story, best_sim = cands[j][0], float(sims[j])
                lines = boilerplate.get(todo[i].source_id)
                if lines is not None and best_sim >= threshold:
                    texts: list[str | None] = [folded[v.item_index] for v in in_batch]
                    texts += [stored_folded.get(k[2] or 0) for k in stored]
                    best_story, best_sim = _unvetoed(
                        [c[0] for c in cands], texts, sims, folded[i], lines, threshold
                    )
        if best_sim >= threshold:
            story_of[i] = best_story
        else:
            story_of[i] = best_story = next_placeholder
            next_placeholder -= 1
        if best_sim < VARIANT_SIMILARITY:
            v = len(variants)
            variants.append(_Variant(sig, row_keys, best_story, i))
            for k in row_keys:
                local_keys.setdefault(k, v)

    # New stories get ids; their placeholders are replaced everywhere.
    placeholders = sorted({s for s in story_of if s < 0}, reverse=True)
    real: dict[int, int] = {}
    if placeholders:
        now = utcnow()
        story_table = cast(Table, Story.__table__)
        new_ids = insert_alike(
            session, story_table, {"first_seen": now, "last_seen": now}, len(placeholders)
        )
        real = dict(zip(placeholders, new_ids, strict=True))
    story_of = [real.get(s, s) for s in story_of]
    for variant in variants:
        variant.story = real.get(variant.story, variant.story)

    merges = _store_variants(
        session, todo, variants, real, threshold, keys=not sqlite, boilerplate=boilerplate
    )
    if merges:
        story_of = [merges.get(s, s) for s in story_of]
        result.merged = len(merges)
        gone = list(merges)
        session.execute(
            update(StorySignature)
            .where(StorySignature.story_id.in_(gone))
            .values(story_id=case(merges, value=StorySignature.story_id))
            .execution_options(synchronize_session=False)
        )
        session.execute(
            delete(Story).where(Story.id.in_(gone)).execution_options(synchronize_session=False)
        )

    write_columns(session, todo, [{"story_id": sid} for sid in story_of])
    for it, sid in zip(todo, story_of, strict=True):
        result.story_of_item[it.id] = sid
    created = set(real.values()) - set(merges)
    result.new_story_ids = sorted(created)
    result.touched_story_ids = sorted(set(story_of))
    return result


def _hold_write_lock(session: Session) -> None:
    """SQLite: take the database's write lock now, if this transaction does not hold it yet.

    A write statement takes it (an UPDATE that matches no row too); a transaction that began
    by reading and whose snapshot is stale gets "database is locked" instead of reading an
    index that misses another writer's new stories.
    """
    session.execute(_SQLITE_WRITE_LOCK)


_SQLITE_WRITE_LOCK = sql_text("UPDATE story_signatures SET id = id WHERE 0")


def _unvetoed(
    stories: Sequence[int],
    texts: Sequence[str | None],
    sims: npt.NDArray[np.float64],
    folded: str,
    boilerplate: frozenset[str],
    threshold: float,
) -> tuple[int, float]:
    """The story and similarity of the most similar candidate at or above `threshold` that
    is still alike without the `boilerplate` lines (a candidate whose text is unknown is
    taken as it is), or (0, -1) when every such match is vetoed (the item then starts a
    story of its own)."""
    for j in np.argsort(-sims, kind="stable").tolist():
        sim = float(sims[j])
        theirs = texts[j]
        if sim < threshold or theirs is None:
            return stories[j], sim
        body = body_similarity(folded, theirs, boilerplate)
        if body is None or body >= threshold:
            return stories[j], sim
    return 0, -1.0


def _load_signatures(session: Session, ids: set[int]) -> dict[int, tuple[int, U32, int | None]]:
    """Signature id → (story id, signature, item id) for the candidates."""
    out: dict[int, tuple[int, U32, int | None]] = {}
    id_list = sorted(ids)
    for start in range(0, len(id_list), _CHUNK):
        chunk = id_list[start : start + _CHUNK]
        rows = session.execute(
            select(
                StorySignature.id,
                StorySignature.story_id,
                StorySignature.signature,
                StorySignature.item_id,
            ).where(StorySignature.id.in_(chunk))
        ).all()
        for sig_id, story_id, blob, item_id in rows:
            out[sig_id] = (story_id, np.frombuffer(blob, dtype="<u4").astype(np.uint32), item_id)
    return out


def _stored_texts(session: Session, item_ids: set[int | None]) -> dict[int, str]:
    """Item id → folded text, for the stored variants boilerplate may veto."""
    id_list = sorted(i for i in item_ids if i is not None)
    out: dict[int, str] = {}
    for start in range(0, len(id_list), _CHUNK):
        chunk = id_list[start : start + _CHUNK]
        rows = session.execute(folded_rows(Item.id.in_(chunk))).all()
        out.update((row[0], folded_of(row[1], row[2], row[3])) for row in rows)
    return out


def _insert_keys(session: Session, rows: list[tuple[int, int]]) -> set[int]:
    """PostgreSQL: insert (band key, signature id) rows, skipping taken keys; returns the keys
    skipped.

    The rows go as two arrays (`unnest`), not as one bound parameter pair each, in chunks,
    inserted sorted by key so concurrent inserts lock keys in one order. Row-by-row
    parameters cost about twice as much. Only the skipped keys come back (the keys given
    minus those the insert returned, in the same statement): a few, against some 16,000
    inserted per batch; a row back for each inserted key cost a fifth of the stage.
    """
    skipped: set[int] = set()
    for start in range(0, len(rows), _KEY_CHUNK):
        chunk = rows[start : start + _KEY_CHUNK]
        params: dict[str, object] = {"keys": [k for k, _ in chunk], "sigs": [s for _, s in chunk]}
        skipped.update(session.execute(_PG_INSERT_KEYS, params).scalars().all())
    return skipped


_KEY_CHUNK = 50_000
_PG_INSERT_KEYS = sql_text(
    "WITH given AS ("
    "SELECT k, s FROM unnest(CAST(:keys AS BIGINT[]), CAST(:sigs AS INTEGER[])) AS t(k, s)), "
    "inserted AS ("
    "INSERT INTO story_band_keys (band_key, signature_id) SELECT k, s FROM given "
    "ORDER BY k ON CONFLICT (band_key) DO NOTHING RETURNING band_key) "
    "SELECT k FROM given EXCEPT SELECT band_key FROM inserted"
)


def _store_variants(
    session: Session,
    items: Sequence[Item],
    variants: list[_Variant],
    new_ids: dict[int, int],
    threshold: float,
    *,
    keys: bool = True,
    boilerplate: dict[int, frozenset[str]] | None = None,
) -> dict[int, int]:
    """Store signatures and (with `keys`) band keys; return merges {new story id: existing
    story id}, where a source's `boilerplate` does not veto them (as in `_unvetoed`)."""
    if not variants:
        return {}
    sig_rows = [
        {
            "story_id": v.story,
            "item_id": items[v.item_index].id,
            "signature": v.sig.astype("<u4").tobytes(),
        }
        for v in variants
    ]
    sig_table = cast(Table, StorySignature.__table__)
    ids = insert_returning_ids(session, sig_table, sig_rows)
    if not keys:
        return {}
    owner: dict[int, int] = {}  # key → variant index
    for vi, v in enumerate(variants):
        for k in v.keys:
            owner.setdefault(k, vi)
    # in key order (one lock order for every process); numpy sorts the batch's ~16,000 keys in
    # well under a millisecond, where sorting (key, index) tuples took about 20 ms
    key_array = np.fromiter(owner, np.int64, len(owner))
    sig_ids = np.asarray(ids, np.int64)[np.fromiter(owner.values(), np.int64, len(owner))]
    order = np.argsort(key_array)
    key_rows = list(zip(key_array[order].tolist(), sig_ids[order].tolist(), strict=True))
    taken = _insert_keys(session, key_rows)
    conflicted = [k for k in owner if k in taken]
    if not conflicted:
        return {}

    # Someone else owns these keys: read the owners and merge our new stories into them.
    new_story_ids = set(new_ids.values())
    rows: list[tuple[int, int | None, int, bytes]] = []
    for start in range(0, len(conflicted), _CHUNK):
        chunk = conflicted[start : start + _CHUNK]
        rows += [
            tuple(r)  # type: ignore[misc]
            for r in session.execute(
                select(
                    StoryBandKey.band_key,
                    StorySignature.item_id,
                    StorySignature.story_id,
                    StorySignature.signature,
                )
                .join(StorySignature, StorySignature.id == StoryBandKey.signature_id)
                .where(StoryBandKey.band_key.in_(chunk))
            ).all()
        ]
    best: dict[int, tuple[float, int]] = {}  # our new story → (similarity, their story)
    checks: list[tuple[_Variant, int | None, int, float]] = []  # boilerplate may veto these
    for key, their_item, their_story, blob in rows:
        v = variants[owner[key]]
        if v.story not in new_story_ids or their_story == v.story:
            continue
        their_sig = np.frombuffer(blob, dtype="<u4")
        sim = 1.0 if key == v.keys[0] else float((their_sig == v.sig).mean())
        if sim < threshold:
            continue
        if key != v.keys[0] and boilerplate and items[v.item_index].source_id in boilerplate:
            checks.append((v, their_item, their_story, sim))
        elif sim > best.get(v.story, (-1.0, 0))[0]:
            best[v.story] = (sim, their_story)
    if checks and boilerplate:
        texts = _stored_texts(session, {their_item for _v, their_item, _s, _sim in checks})
        for v, their_item, their_story, sim in checks:
            ours, theirs = items[v.item_index], texts.get(their_item or 0)
            if theirs is not None and sim > best.get(v.story, (-1.0, 0))[0]:
                body = body_similarity(
                    folded_of(ours.title, ours.text, ours.text_folded),
                    theirs,
                    boilerplate[ours.source_id],
                )
                if body is not None and body < threshold:
                    continue
            if sim > best.get(v.story, (-1.0, 0))[0]:
                best[v.story] = (sim, their_story)
    return {ours: theirs for ours, (_sim, theirs) in best.items()}
