"""MinHash signatures over character 5-grams and their LSH band keys, computed per batch.

Shingles are the 5-byte windows of the UTF-8 canonical text (canonical text is nearly all
ASCII, so these are character 5-grams), packed and mixed in NumPy for the whole batch at
once; rensa turns the token hashes into 128-slot R-MinHash signatures. The first
`BANDS * ROWS` slots are cut into bands whose hashes are the LSH keys stored in the
database. Changing any constant here changes every key: bump `SCHEME` then (and rebuild
with `soitin claims`-independent `rebuild_band_keys`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from rensa import RMinHash

__all__ = [
    "BANDS",
    "NUM_PERM",
    "ROWS",
    "SCHEME",
    "SHINGLE",
    "band_keys",
    "estimate_jaccard",
    "signatures",
]

SCHEME = 1
NUM_PERM = 128
BANDS = 24
ROWS = 3
SHINGLE = 5
_SEED = 20250701

U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]
_U64 = npt.NDArray[np.uint64]


def _mix(x: _U64) -> _U64:
    """splitmix64 finaliser, vectorised (wrap-around multiplication is intended)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def signatures(canonical_texts: Sequence[str]) -> U32:
    """An (n, NUM_PERM) uint32 matrix: the MinHash signature of each canonical text.

    A text shorter than one shingle is one token; an empty text gets an all-zero row
    (the caller never matches empty texts).
    """
    n = len(canonical_texts)
    if n == 0:
        return np.zeros((0, NUM_PERM), dtype=np.uint32)
    encoded = [t.encode("utf-8") for t in canonical_texts]
    lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=n)
    buf = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    total = len(buf)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    ends = starts + lengths

    if total >= SHINGLE:
        windows = np.zeros(total - SHINGLE + 1, dtype=np.uint64)
        for j in range(SHINGLE):
            windows = (windows << np.uint64(8)) | buf[j : total - SHINGLE + 1 + j].astype(np.uint64)
        count = total - SHINGLE + 1
        doc = np.repeat(np.arange(n, dtype=np.int64), lengths)[:count]
        # A window is kept when it ends inside the text it starts in.
        keep = np.arange(count, dtype=np.int64) + SHINGLE <= ends[doc]
        win_hash, win_doc = windows[keep], doc[keep]
    else:
        win_hash, win_doc = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)

    # Texts shorter than a shingle: the whole text is the one token.
    short = np.flatnonzero((lengths > 0) & (lengths < SHINGLE))
    if len(short):
        extra = np.array(
            [int.from_bytes(encoded[i], "little") | (1 << 62) for i in short], dtype=np.uint64
        )
        win_hash = np.concatenate([win_hash, extra])
        win_doc = np.concatenate([win_doc, short])
        order = np.argsort(win_doc, kind="stable")
        win_hash, win_doc = win_hash[order], win_doc[order]

    counts = np.bincount(win_doc, minlength=n)
    offsets = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(counts, out=offsets[1:])
    tokens = _mix(win_hash ^ np.uint64(_SEED))
    out = np.zeros((n, NUM_PERM), dtype=np.uint32)
    filled = np.flatnonzero(counts)
    if len(filled) == n:
        matrix = RMinHash.digest_matrix_from_flat_token_hashes(tokens, offsets, NUM_PERM, _SEED)
        out[:] = np.asarray(matrix.to_rows(), dtype=np.uint32)
    elif len(filled):
        sub_offsets = np.zeros(len(filled) + 1, dtype=np.uint64)
        np.cumsum(counts[filled], out=sub_offsets[1:])
        mask = counts[win_doc] > 0
        matrix = RMinHash.digest_matrix_from_flat_token_hashes(
            tokens[mask], sub_offsets, NUM_PERM, _SEED
        )
        out[filled] = np.asarray(matrix.to_rows(), dtype=np.uint32)
    return out


def band_keys(sigs: U32) -> I64:
    """An (n, BANDS) int64 matrix: one LSH key per band of each signature."""
    n = sigs.shape[0]
    bands = sigs[:, : BANDS * ROWS].reshape(n, BANDS, ROWS).astype(np.uint64)
    h = np.broadcast_to(
        _mix(np.arange(BANDS, dtype=np.uint64) + np.uint64(SCHEME << 32)), (n, BANDS)
    ).copy()
    for r in range(ROWS):
        h = _mix(h ^ bands[:, :, r])
    return h.view(np.int64)


def estimate_jaccard(sig: U32, others: U32) -> npt.NDArray[np.float64]:
    """Estimated Jaccard similarity of one signature against each row of `others`."""
    if others.ndim == 1:
        others = others[None, :]
    return np.asarray((others == sig[None, :]).mean(axis=1), dtype=np.float64)
