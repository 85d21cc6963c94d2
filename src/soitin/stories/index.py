"""A compact in-process copy of the LSH band index, kept in step with the database.

The database is the truth: on PostgreSQL, `story_band_keys` holds every band key with a
unique constraint, so concurrent workers can never create two stories for one near-duplicate;
on SQLite, a batch reads this copy under the database's write lock (see `assign.py`). This
module only makes lookups cheap: each process keeps band key → signature
id in sorted NumPy arrays (12 bytes a key) and, before each batch, reads the signatures
added since its last look (`story_signatures.id > last`, plus ids that were still missing
then, in case a transaction committed late). A stale or incomplete copy costs speed, never
correctness: the insert of a new story's keys finds any owner the copy missed (PostgreSQL),
and the copy read under the write lock misses nothing committed (SQLite).
"""

from __future__ import annotations

import heapq
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine, Row, func, select
from sqlalchemy.orm import Session

from soitin.db.models import StorySignature
from soitin.stories.minhash import NUM_PERM, band_keys

__all__ = ["MAX_CANDIDATES", "BandIndex", "forget_indexes", "index_for", "sync_index"]

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]

#: Candidates compared with each new text, at most (see `BandIndex.lookup`).
MAX_CANDIDATES = 48
#: Ids missing below the newest seen id are looked for again for this long.
GAP_TTL_SECONDS = 600.0
MAX_GAPS = 10_000
_SYNC_CHUNK = 20_000


class BandIndex:
    """Band key → signature ids, as a few sorted runs (merged like a binary counter).

    Adding a batch sorts only the batch; runs of similar size are merged, so adding n keys
    costs O(n log n) in all and a lookup searches O(log n) runs.
    """

    def __init__(self) -> None:
        self._runs: list[tuple[I64, I32]] = []

    def __len__(self) -> int:
        return sum(len(k) for k, _i in self._runs)

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays."""
        return int(sum(k.nbytes + i.nbytes for k, i in self._runs))

    def add(self, keys: I64, signature_ids: I32) -> None:
        """Add keys (any shape) owned by the matching signature ids."""
        flat_keys = np.ascontiguousarray(keys, dtype=np.int64).ravel()
        flat_ids = np.ascontiguousarray(signature_ids, dtype=np.int32).ravel()
        if not len(flat_keys):
            return
        order = np.argsort(flat_keys, kind="stable")
        self._runs.append((flat_keys[order], flat_ids[order]))
        while len(self._runs) >= 2 and len(self._runs[-1][0]) * 2 >= len(self._runs[-2][0]):
            (k2, i2), (k1, i1) = self._runs.pop(), self._runs.pop()
            merged_keys = np.concatenate([k1, k2])
            merged_ids = np.concatenate([i1, i2])
            order = np.argsort(merged_keys, kind="stable")
            self._runs.append((merged_keys[order], merged_ids[order]))

    def compact(self) -> None:
        """Merge every run into one."""
        if len(self._runs) > 1:
            keys = np.concatenate([k for k, _i in self._runs])
            ids = np.concatenate([i for _k, i in self._runs])
            order = np.argsort(keys, kind="stable")
            self._runs = [(keys[order], ids[order])]

    def lookup(self, keys: I64, limit: int = MAX_CANDIDATES) -> list[set[int]]:
        """For each row of `keys` (n, bands): the signature ids sharing at least one key, at
        most `limit` of them, those sharing the most keys first (the likeliest near-copies).

        A key held by many signatures (a template spun into thousands of wordings gives
        such keys) counts only its `limit` newest: comparing each post with every variant
        of a campaign made assignment slow down with every post.
        """
        keys = np.asarray(keys, dtype=np.int64)
        n = keys.shape[0]
        shared: list[dict[int, int]] = [{} for _ in range(n)]
        if not n:
            return []
        flat = keys.ravel()
        width = keys.shape[1] if keys.ndim == 2 else 1
        # Sorted probes walk each run in order: far fewer cache misses than random probes.
        order = np.argsort(flat, kind="stable")
        probes = flat[order]
        for run_keys, run_ids in self._runs:
            left = np.searchsorted(run_keys, probes, side="left")
            right = np.searchsorted(run_keys, probes, side="right")
            for j in np.flatnonzero(right > left).tolist():
                start, end = int(left[j]), int(right[j])
                counts = shared[int(order[j]) // width]
                for sid in run_ids[max(start, end - limit) : end].tolist():
                    counts[sid] = counts.get(sid, 0) + 1
        return [
            set(c) if len(c) <= limit else set(heapq.nlargest(limit, c, key=c.__getitem__))
            for c in shared
        ]


@dataclass
class _SyncedIndex:
    index: BandIndex = field(default_factory=BandIndex)
    last_id: int = 0
    gaps: dict[int, float] = field(default_factory=dict)
    gaps_checked: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


_REGISTRY: weakref.WeakKeyDictionary[Engine, dict[str, _SyncedIndex]] = weakref.WeakKeyDictionary()
_REGISTRY_LOCK = threading.Lock()


def index_for(session: Session) -> _SyncedIndex:
    """The process's index for the database `session` is bound to."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    # One engine may serve several PostgreSQL schemas (tests): key by the search path too.
    scope = str(engine.url) + "|" + str(engine.dialect.default_schema_name or "")
    with _REGISTRY_LOCK:
        per_engine = _REGISTRY.setdefault(engine, {})
        return per_engine.setdefault(scope, _SyncedIndex())


def sync_index(session: Session) -> BandIndex:
    """Bring the process's index up to date with the database and return it."""
    synced = index_for(session)
    with synced.lock:
        newest = session.execute(select(func.max(StorySignature.id))).scalar() or 0
        if newest < synced.last_id:
            # The database went back (a restore, or a rolled-back test): start again.
            synced.index, synced.last_id, synced.gaps = BandIndex(), 0, {}
        now = time.monotonic()
        synced.gaps = {g: t for g, t in synced.gaps.items() if now - t < GAP_TTL_SECONDS}
        # Gaps (ids not visible yet, or rolled back) are looked at again once a second.
        check_gaps = bool(synced.gaps) and now - synced.gaps_checked >= 1.0
        if newest > synced.last_id or check_gaps:
            _read_new(session, synced, newest, now, check_gaps)
        return synced.index


def _read_new(
    session: Session, synced: _SyncedIndex, newest: int, now: float, check_gaps: bool
) -> None:
    seen: set[int] = set()
    gap_ids = sorted(synced.gaps) if check_gaps else []
    if check_gaps:
        synced.gaps_checked = now
    start = synced.last_id
    while True:
        query = (
            select(StorySignature.id, StorySignature.signature)
            .where(StorySignature.id > start, StorySignature.id <= newest)
            .order_by(StorySignature.id)
            .limit(_SYNC_CHUNK)
        )
        rows = session.execute(query).all()
        _add_rows(synced.index, rows)
        seen.update(r[0] for r in rows)
        if len(rows) < _SYNC_CHUNK:
            break
        start = rows[-1][0]
    for i in range(0, len(gap_ids), 1000):
        chunk = gap_ids[i : i + 1000]
        rows = session.execute(
            select(StorySignature.id, StorySignature.signature).where(StorySignature.id.in_(chunk))
        ).all()
        _add_rows(synced.index, rows)
        for r in rows:
            synced.gaps.pop(r[0], None)
    if newest > synced.last_id:
        span = newest - synced.last_id
        if span - len(seen) and span - len(seen) <= MAX_GAPS:
            missing = set(range(synced.last_id + 1, newest + 1)) - seen
            synced.gaps.update(dict.fromkeys(missing, now))
        synced.last_id = newest
    if len(synced.gaps) > MAX_GAPS:
        synced.gaps = dict(sorted(synced.gaps.items())[-MAX_GAPS:])


def _add_rows(index: BandIndex, result: Sequence[Row[int, bytes]]) -> None:
    rows = [(int(r[0]), bytes(r[1])) for r in result]
    if not rows:
        return
    sig_ids = np.fromiter((r[0] for r in rows), dtype=np.int32, count=len(rows))
    sigs = np.frombuffer(b"".join(r[1] for r in rows), dtype="<u4").reshape(len(rows), NUM_PERM)
    keys = band_keys(sigs.astype(np.uint32))
    index.add(keys, np.repeat(sig_ids, keys.shape[1]))


def forget_indexes() -> None:
    """Drop every in-process index (they are rebuilt from the database on next use)."""
    with _REGISTRY_LOCK:
        _REGISTRY.clear()
