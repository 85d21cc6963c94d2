"""Match stories against the claim library and keep the results.

Inside ingest (`on_new_stories`, called by the stories stage) each new story's representative
is matched lexically (cheap: a folded-token prefilter, then the full lexical scorer on the
few stories that share enough with some claim). Semantic matching needs an e5 embedding of
each representative (tens of milliseconds), so new stories are queued instead and
`match_queued_stories` (run by the worker, or `soitin claims match-stories`) embeds them in
batches and replaces their matches with the hybrid result. Claims are embedded once and the
vectors kept in `claim_embeddings`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine, Table, delete, insert, select
from sqlalchemy.orm import Session

from soitin.db.bulk import insert_rows
from soitin.db.engine import Database
from soitin.db.models import Claim, ClaimEmbedding, Story, StoryClaimMatch, StoryClaimQueue
from soitin.db.types import utcnow
from soitin.settings import Settings
from soitin.stories.claims import library_version
from soitin.stories.embed import Embedder, get_embedder, text_hash
from soitin.stories.matching import ClaimEntry, ClaimMatch, ClaimMatcher, embed_claims
from soitin.text.fold import fold_diacritics

__all__ = [
    "RematchResult",
    "claim_vectors",
    "library_matcher",
    "match_queued_stories",
    "match_stories",
    "on_new_stories",
    "rematch_recent_stories",
    "stories_matching",
]

#: Queued stories not matched semantically within this time are dropped from the queue.
QUEUE_MAX_AGE = timedelta(days=2)
#: A story is scored fully only if its folded tokens cover this much of some claim.
PREFILTER_COVERAGE = 0.2

_CACHE: dict[tuple[str, bool], tuple[tuple[int, int, str], ClaimMatcher]] = {}
_CACHE_LOCK = threading.Lock()


def _cache_key(session: Session, semantic: bool) -> tuple[str, bool]:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    return f"{id(engine)}|{engine.url}|{engine.dialect.default_schema_name}", semantic


def claim_vectors(
    session: Session, claims: Sequence[Claim], embedder: Embedder
) -> npt.NDArray[np.float32]:
    """Stored vectors of `claims` (computed and stored for new or edited ones)."""
    out, fresh = _claim_vectors(session, claims, embedder)
    _store_claim_vectors(session, fresh, embedder.name)
    return out


#: A claim vector computed but not stored yet: (claim id, text hash, little-endian f32 bytes).
FreshVector = tuple[int, str, bytes]


def _claim_vectors(
    session: Session, claims: Sequence[Claim], embedder: Embedder
) -> tuple[npt.NDArray[np.float32], list[FreshVector]]:
    """The vectors of `claims`, and those that had to be computed (nothing is written)."""
    ids = [c.id for c in claims]
    stored = {
        e.claim_id: e
        for e in session.scalars(select(ClaimEmbedding).where(ClaimEmbedding.claim_id.in_(ids)))
    }
    width = 2 * embedder.dim
    out = np.zeros((len(claims), width), dtype=np.float32)
    stale: list[int] = []
    for i, claim in enumerate(claims):
        row = stored.get(claim.id)
        key = text_hash(claim.text)
        if row is not None and row.model == embedder.name and row.text_hash == key:
            vec = np.frombuffer(row.vector, dtype="<f4")
            if vec.shape == (width,):
                out[i] = vec
                continue
        stale.append(i)
    fresh: list[FreshVector] = []
    if stale:
        computed = embed_claims(embedder, [claims[i].text for i in stale])
        for row_index, i in enumerate(stale):
            out[i] = computed[row_index]
            blob = computed[row_index].astype("<f4").tobytes()
            fresh.append((claims[i].id, text_hash(claims[i].text), blob))
    return out, fresh


def _store_claim_vectors(session: Session, fresh: Sequence[FreshVector], model: str) -> None:
    """Insert or replace the stored vectors of `fresh` (claims deleted meanwhile are skipped)."""
    if not fresh:
        return
    ids = [claim_id for claim_id, _, _ in fresh]
    alive = set(session.scalars(select(Claim.id).where(Claim.id.in_(ids))))
    stored = {
        e.claim_id: e
        for e in session.scalars(select(ClaimEmbedding).where(ClaimEmbedding.claim_id.in_(ids)))
    }
    for claim_id, key, blob in fresh:
        if claim_id not in alive:
            continue
        row = stored.get(claim_id)
        if row is None:
            session.add(ClaimEmbedding(claim_id=claim_id, model=model, text_hash=key, vector=blob))
        else:
            row.model, row.text_hash, row.vector = model, key, blob
            row.created_at = utcnow()
    session.flush()


def library_matcher(session: Session, settings: Settings, semantic: bool) -> ClaimMatcher:
    """A matcher over the whole library, cached per process until the library changes."""
    matcher, fresh = _library_matcher(session, settings, semantic)
    if matcher.embedder is not None:
        _store_claim_vectors(session, fresh, matcher.embedder.name)
    return matcher


def _library_matcher(
    session: Session, settings: Settings, semantic: bool
) -> tuple[ClaimMatcher, list[FreshVector]]:
    """`library_matcher` without writing: also the claim vectors still to be stored."""
    embedder = get_embedder() if semantic and settings.semantic_matching else None
    key = _cache_key(session, embedder is not None)
    version = library_version(session)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0] == version:
            hit[1].threshold = settings.claim_match_threshold
            return hit[1], []
    claims = list(session.scalars(select(Claim).order_by(Claim.id)))
    entries = [ClaimEntry(c.id, c.text, c.verdict) for c in claims]
    vectors, fresh = (
        _claim_vectors(session, claims, embedder) if embedder and claims else (None, [])
    )
    matcher = ClaimMatcher(
        entries,
        embedder=embedder,
        claim_vectors=vectors,
        threshold=settings.claim_match_threshold,
    )
    with _CACHE_LOCK:
        _CACHE[key] = (version, matcher)
    return matcher, fresh


def _save_matches(
    session: Session,
    story_ids: Sequence[int],
    results: Sequence[Sequence[ClaimMatch]],
    method: str,
    claim_ids: Sequence[int] | None = None,
) -> int:
    """Replace the stories' stored matches by `results` (only those to `claim_ids`, if given)."""
    stale = delete(StoryClaimMatch).where(StoryClaimMatch.story_id.in_(list(story_ids)))
    if claim_ids is not None:
        stale = stale.where(StoryClaimMatch.claim_id.in_(list(claim_ids)))
    session.execute(stale.execution_options(synchronize_session=False))
    now = utcnow()
    rows = [
        StoryClaimMatch(
            story_id=sid,
            claim_id=int(m.claim_id),
            score=m.score,
            lexical=m.lexical,
            semantic=m.semantic,
            passage=m.passage,
            method=method,
            matched_at=now,
        )
        for sid, matches in zip(story_ids, results, strict=True)
        for m in matches
    ]
    session.add_all(rows)
    return len(rows)


def match_stories(
    session: Session, stories: Sequence[HasRepresentative], settings: Settings, *, semantic: bool
) -> int:
    """Match `stories` now and replace their stored matches; returns how many were stored."""
    if not stories:
        return 0
    matcher = library_matcher(session, settings, semantic)
    if not matcher.claims:
        return 0
    results = matcher.match_many([st.representative_text for st in stories])
    method = "hybrid" if matcher.semantic else "lexical"
    count = _save_matches(session, [st.id for st in stories], results, method)
    session.flush()
    return count


class HasRepresentative(Protocol):
    """A story as matching needs it."""

    id: int
    representative_text: str


def on_new_stories(
    session: Session, stories: Sequence[HasRepresentative], settings: Settings
) -> None:
    """Called by the stories stage: lexical matching now, semantic matching queued."""
    if not stories:
        return
    if settings.claim_match_on_ingest:
        matcher = library_matcher(session, settings, semantic=False)
        if matcher.claims:
            keep = [
                st
                for st in stories
                if matcher.potential(fold_diacritics(st.representative_text)) >= PREFILTER_COVERAGE
            ]
            if keep:
                results = matcher.match_many([st.representative_text for st in keep])
                _save_matches(session, [st.id for st in keep], results, "lexical")
    if settings.semantic_matching and get_embedder() is not None:
        now = utcnow()
        # Core, no objects: thousands of queue rows per batch
        insert_rows(
            session,
            cast(Table, StoryClaimQueue.__table__),
            [{"story_id": st.id, "queued_at": now} for st in stories],
        )
    session.flush()


def match_queued_stories(
    database: Database,
    settings: Settings,
    limit: int = 200,
    *,
    max_age: timedelta = QUEUE_MAX_AGE,
) -> int:
    """Hybrid-match up to `limit` queued stories; returns how many were done.

    Stories with more items go first (a story that spreads matters more than a single post),
    then the oldest. Entries older than `max_age` are dropped unmatched (they keep their
    lexical matches), so the queue stays bounded when posts arrive faster than embeddings.

    Embedding takes seconds to a minute (the model's first load, new claims, 200 stories),
    so it happens outside any write transaction: the queue, the stories and the library are
    read, the matches computed, then one short transaction drops the expired entries and,
    for the entries still queued, replaces the matches and removes them from the queue. On
    SQLite a write transaction holds the whole database's write lock, and sign-ins and
    decisions waited behind it (up to the 30 s busy timeout, then failed). If the library
    changed meanwhile nothing is stored; the entries stay queued for the next run. Several
    workers may compute the same entries; the one whose delete removes an entry stores it.
    """
    cutoff = utcnow() - max_age
    with database.session(read_only=True) as session:
        version = library_version(session)
        queued = session.execute(
            select(StoryClaimQueue.story_id, Story.representative_text)
            .join(Story, Story.id == StoryClaimQueue.story_id)
            .where(StoryClaimQueue.queued_at >= cutoff)
            .order_by(Story.item_count.desc(), StoryClaimQueue.queued_at)
            .limit(limit)
        ).all()
        matcher, fresh = (
            _library_matcher(session, settings, semantic=True) if queued else (None, [])
        )
    ids = [int(story_id) for story_id, _ in queued]
    results = matcher.match_many([text for _, text in queued]) if matcher and matcher.claims else []
    with database.transaction() as session:
        session.execute(
            delete(StoryClaimQueue)
            .where(StoryClaimQueue.queued_at < cutoff)
            .execution_options(synchronize_session=False)
        )
        if not ids or library_version(session) != version:
            return 0
        if matcher is not None and matcher.embedder is not None:
            _store_claim_vectors(session, fresh, matcher.embedder.name)
        taken = set(
            session.scalars(
                delete(StoryClaimQueue)
                .where(StoryClaimQueue.story_id.in_(ids))
                .returning(StoryClaimQueue.story_id)
                .execution_options(synchronize_session=False)
            )
        )
        if matcher is not None and results:
            done = [(sid, found) for sid, found in zip(ids, results, strict=True) if sid in taken]
            method = "hybrid" if matcher.semantic else "lexical"
            _save_matches(session, [sid for sid, _ in done], [f for _, f in done], method)
        session.flush()
    return len(taken)


@dataclass(frozen=True)
class RematchResult:
    """What matching the recent stories again after a library change did."""

    scanned: int  # recently seen stories looked at
    candidate_ids: tuple[int, ...]  # stories matched again (to be triaged again)
    matched_ids: tuple[int, ...]  # of those, the ones that now match a changed claim


def stories_matching(session: Session, claim_ids: Iterable[int]) -> list[int]:
    """The stories that match any of `claim_ids` now."""
    ids = sorted({int(c) for c in claim_ids})
    if not ids:
        return []
    found = session.scalars(
        select(StoryClaimMatch.story_id).where(StoryClaimMatch.claim_id.in_(ids))
    )
    return sorted(set(found))


def rematch_recent_stories(
    session: Session,
    settings: Settings,
    claim_ids: Iterable[int],
    *,
    also: Iterable[int] = (),
    now: datetime | None = None,
) -> RematchResult:
    """Match the recently seen stories again after claims were added or changed.

    Only new stories meet the library on ingest, but a claim a fact-checker adds today is
    about a rumour that is already spreading. The stories seen in the last
    `claim_rematch_days` (the most recent `claim_rematch_stories` of them) that share enough
    words with one of `claim_ids` (the ingest prefilter), plus `also` (stories that matched a
    changed claim before), are matched lexically against the changed claims, weighted as in
    the whole library (their matches to other claims stay), and are queued for semantic
    matching of the whole library when that is on. The caller triages `candidate_ids` again
    and commits.
    """
    wanted = sorted({int(c) for c in claim_ids})
    claims = (
        list(session.scalars(select(Claim).where(Claim.id.in_(wanted)).order_by(Claim.id)))
        if wanted
        else []
    )
    todo = {int(s) for s in also}
    scanned = 0
    if claims and settings.claim_rematch_days > 0:
        changed = ClaimMatcher([ClaimEntry(c.id, c.text, c.verdict) for c in claims])
        since = (now or utcnow()) - timedelta(days=settings.claim_rematch_days)
        # `search_text` is the representative already folded (teencode expanded as well);
        # stories written before it existed fall back to folding here.
        rows = session.execute(
            select(Story.id, Story.search_text, Story.representative_text)
            .where(Story.last_seen >= since)
            .order_by(Story.last_seen.desc())
            .limit(settings.claim_rematch_stories)
        )
        for story_id, folded, text in rows:
            scanned += 1
            if changed.potential(folded or fold_diacritics(text or "")) >= PREFILTER_COVERAGE:
                todo.add(int(story_id))
    ids = sorted(todo)
    matched: set[int] = set()
    semantic_later = settings.semantic_matching and get_embedder() is not None
    matcher = library_matcher(session, settings, semantic=False)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        stories = list(session.scalars(select(Story).where(Story.id.in_(chunk))))
        # Only the changed claims are scored (weighted as in the whole library); the
        # stories' matches to other claims stay as they are.
        scored = matcher.score_many([st.representative_text for st in stories], only=wanted)
        good = [[m for m in found if m.score >= matcher.threshold] for found in scored]
        _save_matches(session, [st.id for st in stories], good, "lexical", claim_ids=wanted)
        matched.update(st.id for st, found in zip(stories, good, strict=True) if found)
        if semantic_later:
            _queue_for_semantic(session, chunk)
    session.flush()
    return RematchResult(scanned, tuple(ids), tuple(sorted(matched)))


def _queue_for_semantic(session: Session, story_ids: Sequence[int]) -> None:
    """Queue stories for semantic matching (those not queued already)."""
    queued = set(
        session.scalars(
            select(StoryClaimQueue.story_id).where(StoryClaimQueue.story_id.in_(story_ids))
        )
    )
    now = utcnow()
    fresh = [{"story_id": sid, "queued_at": now} for sid in story_ids if sid not in queued]
    if fresh:
        session.execute(insert(StoryClaimQueue), fresh)
