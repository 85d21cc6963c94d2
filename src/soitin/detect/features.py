"""Hashed word and character n-gram features, computed with vectorised numpy.

Every n-gram is hashed with a position-independent polynomial hash over Unicode code
points (mod 2**64, then mixed and folded into `n_features` buckets), so the feature
space needs no stored vocabulary, is identical across processes and platforms, and one
featurisation of a batch can be shared by all detectors that use the same `FeatureSpec`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from soitin.detect.evidence import fold

__all__ = [
    "FeatureSpec",
    "NGram",
    "featurise",
    "featurise_like",
    "ngram_arrays",
    "ngram_arrays_many",
    "ngrams_of",
]

_MUL = np.uint64(0x100000001B3)
_MIX1 = np.uint64(0xFF51AFD7ED558CCD)
_MIX2 = np.uint64(0xC4CEB9FE1A85EC53)
_SHIFT = np.uint64(33)
_SEP = 0  # code point between documents in a batch


@dataclass(frozen=True)
class FeatureSpec:
    """Which n-grams are hashed, into how many buckets."""

    n_bits: int = 20
    char_min: int = 1
    char_max: int = 5
    word_max: int = 2
    fold_words: int = 0  # 1: also word n-grams of the diacritic-free text
    blocks: int = 0  # 1: chars in the lower half of the buckets, words in the upper half
    prep: int = 0  # text preparation mode (soitin.detect.normalise.PREP_*)

    def __post_init__(self) -> None:
        if not 0 <= self.word_max <= 2:
            raise ValueError(f"word n-grams go up to 2 words, not {self.word_max}")
        if not 1 <= self.char_min or self.char_max < self.char_min - 1:
            raise ValueError(f"char n-grams {self.char_min}-{self.char_max} make no range")

    @property
    def split(self) -> int | None:
        """First word bucket when char and word n-grams are normalised as two blocks."""
        return self.n_features // 2 if self.blocks else None

    @property
    def n_features(self) -> int:
        return 1 << self.n_bits

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureSpec:
        return cls(**{k: int(v) for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class NGram:
    """One n-gram of a prepared text: its bucket and where it sits in that text."""

    column: int
    start: int
    end: int
    kind: str  # "char" or "word"


def _mix(h: npt.NDArray[np.uint64], salt: int, mask: int) -> npt.NDArray[np.int64]:
    with np.errstate(over="ignore"):
        h = h + np.uint64(salt) * _MIX2
        h ^= h >> _SHIFT
        h *= _MIX1
        h ^= h >> _SHIFT
    return (h & np.uint64(mask)).astype(np.int64)


_INV = np.uint64(pow(int(_MUL), -1, 1 << 64))


def _prefix(cps: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """Powers of the multiplier and prefix sums of code points times inverse powers.

    The polynomial hash of cps[a:b] is then pw[b - 1] * (q[b] - q[a]) (mod 2**64), the
    same value wherever the substring sits.
    """
    size = cps.shape[0] + 1
    with np.errstate(over="ignore"):
        pw = np.cumprod(np.full(size, _MUL, dtype=np.uint64)).astype(np.uint64, copy=False)
        pw = np.concatenate((np.ones(1, np.uint64), pw[:-1]))
        inv = np.cumprod(np.full(size, _INV, dtype=np.uint64))
        inv = np.concatenate((np.ones(1, np.uint64), inv[:-1]))
        q = np.concatenate((np.zeros(1, np.uint64), np.cumsum(cps * inv[:-1], dtype=np.uint64)))
    return pw, q


def _span_hash(
    pw: npt.NDArray[np.uint64],
    q: npt.NDArray[np.uint64],
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
) -> npt.NDArray[np.uint64]:
    with np.errstate(over="ignore"):
        out: npt.NDArray[np.uint64] = pw[b - 1] * (q[b] - q[a])
    return out


def _collect(
    texts: list[str], spec: FeatureSpec, with_positions: bool, word_salt: int = 101
) -> tuple[list[npt.NDArray[np.int64]], list[npt.NDArray[np.int64]], list[Any]]:
    """Rows and columns of every n-gram (and, for explanations, their positions)."""
    mask = (spec.n_features >> 1) - 1 if spec.blocks else spec.n_features - 1
    word_bit = spec.n_features >> 1 if spec.blocks else 0
    rows: list[npt.NDArray[np.int64]] = []
    cols: list[npt.NDArray[np.int64]] = []
    extra: list[Any] = []
    padded = [" " + t + " " for t in texts]
    joined = "\x00".join(padded)
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    total = cps.shape[0]
    lengths = np.fromiter((len(p) + 1 for p in padded), dtype=np.int64, count=len(padded))
    doc_of = np.repeat(np.arange(len(padded), dtype=np.int64), lengths)[:total]
    offset = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    pw, q = _prefix(cps)
    is_sep = np.concatenate(([0], np.cumsum(cps == _SEP)))
    for n in range(spec.char_min, spec.char_max + 1):
        if total < n:
            continue
        starts = np.arange(total - n + 1)
        ok = (is_sep[starts + n] - is_sep[starts]) == 0
        if n <= 2:  # a lone space, or the two pad spaces of an empty text, is no feature
            ok &= (cps[: total - n + 1] != 32) | (cps[n - 1 : total] != 32)
        starts = starts[ok]
        docs = doc_of[starts]
        rows.append(docs)
        cols.append(_mix(_span_hash(pw, q, starts, starts + n), n, mask))
        if with_positions:
            # -1: the leading pad space is not part of the prepared text
            local = starts - offset[docs] - 1
            extra.append(("char", local, local + n))
    if spec.word_max >= 1 and total:
        blank = (cps == 32) | (cps == _SEP)
        prev_blank = np.concatenate(([True], blank[:-1]))
        next_blank = np.concatenate((blank[1:], [True]))
        w_start = np.flatnonzero(~blank & prev_blank)
        w_end = np.flatnonzero(~blank & next_blank) + 1
        w_doc = doc_of[w_start]
        rows.append(w_doc)
        cols.append(_mix(_span_hash(pw, q, w_start, w_end), word_salt, mask) | word_bit)
        if with_positions:
            local = w_start - offset[w_doc] - 1
            extra.append(("word", local, local + (w_end - w_start)))
        if spec.word_max >= 2 and w_start.shape[0] > 1:
            same = w_doc[1:] == w_doc[:-1]
            b_start = w_start[:-1][same]
            b_end = w_end[1:][same]
            b_doc = w_doc[:-1][same]
            rows.append(b_doc)
            cols.append(_mix(_span_hash(pw, q, b_start, b_end), word_salt + 1, mask) | word_bit)
            if with_positions:
                local = b_start - offset[b_doc] - 1
                extra.append(("word", local, local + (b_end - b_start)))
    return rows, cols, extra


#: Texts per numpy pass: small enough to stay in the CPU cache, big enough to amortise.
CHUNK = 512


def featurise(texts: list[str], spec: FeatureSpec) -> sparse.csr_matrix:
    """Raw n-gram counts of prepared texts, one row per text (float32 CSR)."""
    if len(texts) > CHUNK:
        parts = [_featurise(texts[i : i + CHUNK], spec) for i in range(0, len(texts), CHUNK)]
        return sparse.vstack(parts, format="csr")
    return _featurise(texts, spec)


def featurise_like(
    texts: list[str], base_texts: list[str], base_counts: sparse.csr_matrix, spec: FeatureSpec
) -> sparse.csr_matrix:
    """`featurise(texts, spec)` when `base_counts` are the counts of `base_texts` in the same
    n-gram space: only the texts that differ from their base are counted again (a derived
    preparation such as `PREP_NEUTRAL` changes few texts), and their rows are put in place
    with array arithmetic (sparse additions over the whole batch cost 30 µs a post)."""
    changed = np.asarray(
        [i for i, (a, b) in enumerate(zip(texts, base_texts, strict=True)) if a != b], np.int64
    )
    if not len(changed):
        return base_counts
    base = base_counts.tocsr()
    new = featurise([texts[i] for i in changed], spec)
    n = base.shape[0]
    base_lens = np.diff(base.indptr)
    lens = base_lens.copy()
    lens[changed] = np.diff(new.indptr)
    indptr = np.zeros(n + 1, base.indptr.dtype)  # scipy upcasts every use of mixed index types
    np.cumsum(lens, out=indptr[1:])
    kept_rows = np.ones(n, bool)
    kept_rows[changed] = False
    rows_b = np.repeat(np.arange(n), base_lens)
    keep = kept_rows[rows_b]
    rows_b = rows_b[keep]
    # an entry goes to its row's new start plus its offset within the row
    dest_b = indptr[rows_b] + (np.flatnonzero(keep) - base.indptr[rows_b])
    rows_n = np.repeat(np.arange(len(changed)), np.diff(new.indptr))
    dest_n = indptr[changed[rows_n]] + (np.arange(new.nnz) - new.indptr[rows_n])
    indices = np.empty(int(indptr[-1]), base.indices.dtype)
    data = np.empty(int(indptr[-1]), np.float32)
    indices[dest_b], data[dest_b] = base.indices[keep], base.data[keep]
    indices[dest_n], data[dest_n] = new.indices, new.data
    out = sparse.csr_matrix((data, indices, indptr), shape=base.shape)
    out.has_sorted_indices = True  # each row's entries kept in their order
    return out


def _featurise(texts: list[str], spec: FeatureSpec) -> sparse.csr_matrix:
    n_docs = len(texts)
    if n_docs == 0:
        return sparse.csr_matrix((0, spec.n_features), dtype=np.float32)
    rows, cols, _ = _collect(texts, spec, with_positions=False)
    if spec.fold_words:
        words_only = FeatureSpec(spec.n_bits, 1, 0, spec.word_max, blocks=spec.blocks)
        f_rows, f_cols, _ = _collect(
            [fold(t) for t in texts], words_only, with_positions=False, word_salt=201
        )
        rows += f_rows
        cols += f_cols
    # (text, bucket) keys; 32-bit when they fit, which sorts about twice as fast
    dtype: type[np.signedinteger[Any]] = (
        np.int32 if n_docs.bit_length() + spec.n_bits <= 31 else np.int64
    )
    key: npt.NDArray[np.signedinteger[Any]] = (
        np.concatenate(rows).astype(dtype) << spec.n_bits | np.concatenate(cols).astype(dtype)
        if rows
        else np.zeros(0, dtype)
    )
    if key.shape[0] == 0:
        return sparse.csr_matrix((n_docs, spec.n_features), dtype=np.float32)
    key.sort()
    first = np.concatenate(([True], key[1:] != key[:-1]))
    idx = np.flatnonzero(first)
    counts = np.diff(np.concatenate((idx, [key.shape[0]]))).astype(np.float32)
    uniq = key[idx]
    doc = uniq >> spec.n_bits
    indptr = np.concatenate(([0], np.cumsum(np.bincount(doc, minlength=n_docs))))
    return sparse.csr_matrix(
        (counts, (uniq & (spec.n_features - 1)).astype(np.int32), indptr),
        shape=(n_docs, spec.n_features),
    )


def _ngram_parts(text: str, spec: FeatureSpec) -> tuple[list[Any], list[Any]]:
    _, cols, extra = _collect([text], spec, with_positions=True)
    if spec.fold_words:
        words_only = FeatureSpec(spec.n_bits, 1, 0, spec.word_max, blocks=spec.blocks)
        folded = fold(text)
        if len(folded) == len(text):
            _, f_cols, f_extra = _collect([folded], words_only, True, word_salt=201)
            cols += f_cols
            extra += f_extra
    return cols, extra


def ngram_arrays(
    text: str, spec: FeatureSpec
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Buckets, starts and ends of every n-gram of one prepared text (numpy arrays)."""
    cols, extra = _ngram_parts(text, spec)
    if not cols:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    return (
        np.concatenate(cols),
        np.concatenate([e[1] for e in extra]),
        np.concatenate([e[2] for e in extra]),
    )


def ngram_arrays_many(
    texts: list[str], spec: FeatureSpec
) -> list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
    """`ngram_arrays` of several prepared texts, computed in one vectorised pass; each
    text's n-grams come ordered by bucket."""
    if spec.fold_words or not texts:
        out = []
        for text in texts:
            buckets, starts, ends = ngram_arrays(text, spec)
            by_bucket = np.argsort(buckets, kind="stable")
            out.append((buckets[by_bucket], starts[by_bucket], ends[by_bucket]))
        return out
    rows, cols, extra = _collect(texts, spec, with_positions=True)
    if not rows:
        empty = np.zeros(0, np.int64)
        return [(empty, empty, empty) for _ in texts]
    doc = np.concatenate(rows)
    # by text, then by bucket: a caller matching them to rows of counts searches in order
    order = np.argsort(doc << spec.n_bits | np.concatenate(cols), kind="stable")
    col = np.concatenate(cols)[order]
    start = np.concatenate([e[1] for e in extra])[order]
    end = np.concatenate([e[2] for e in extra])[order]
    bounds = np.searchsorted(doc[order], np.arange(len(texts) + 1))
    return [
        (col[a:b], start[a:b], end[a:b])
        for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
    ]


def ngrams_of(text: str, spec: FeatureSpec) -> list[NGram]:
    """Every n-gram of one prepared text with its bucket and character offsets."""
    cols, extra = _ngram_parts(text, spec)
    out: list[NGram] = []
    for col, (kind, starts, ends) in zip(cols, extra, strict=True):
        out.extend(
            NGram(int(c), max(int(s), 0), min(int(e), len(text)), kind)
            for c, s, e in zip(col, starts, ends, strict=True)
        )
    return out
