"""Offending character spans (trained on ViHOS): a token model gated by a comment model.

Each word or punctuation run is a token. A token's features are its own form (as written,
lower-cased, without diacritics), its character n-grams, its neighbours and, as one
bucketed feature, the comment-level probability that the comment holds any span (an
out-of-fold score at training time). Tokens above a tuned threshold become spans;
neighbouring spans are joined across the whitespace between them, as in ViHOS.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from soitin.detect.evidence import fold
from soitin.detect.hashing import hash_strings
from soitin.detect.linear import LinearTextModel, write_npz
from soitin.detect.metrics import span_f1
from soitin.detect.normalise import MAX_CHARS
from soitin.detect.training import LinearConfig, Progress, fit_linear

__all__ = ["SpanModel", "fit_span_model", "tokens_of", "offsets_to_spans"]

_TOKEN = re.compile(r"\w+|[^\w\s]+")
_N_BITS = 20
_N_FEATURES = 1 << _N_BITS
F32 = npt.NDArray[np.float32]


def _safe(text: str) -> str:
    """The first MAX_CHARS characters, lone surrogates as '?' (offsets unchanged)."""
    return text[:MAX_CHARS].encode("utf-8", "replace").decode("utf-8")


def tokens_of(text: str) -> list[tuple[int, int, str]]:
    """(start, end, token) for every word or punctuation run of `text`."""
    return [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(_safe(text))]


@lru_cache(maxsize=65536)
def _char_features(folded: str) -> tuple[str, ...]:
    """Character trigrams of one folded token, padded with < and >."""
    padded = f"<{folded}>"
    return tuple("c=" + padded[j : j + 3] for j in range(max(len(padded) - 2, 1)))


def _own_features(raw: str, bucket: str) -> list[str]:
    """The features a token has by itself: its forms, shape, the comment's bucket and its
    character trigrams."""
    w = raw.lower()
    f = fold(w)
    return [
        "w=" + w,
        "f=" + f,
        bucket,
        bucket + "|f=" + f,
        "shape="
        + ("U" if raw.isupper() else "T" if raw[:1].isupper() else "l")
        + ("p" if not raw[:1].isalnum() else ""),
        *_char_features(f),
    ]


def _context_features(low: list[str], edged: list[str], i: int) -> list[str]:
    """The features token `i` has from its neighbours: `low` are the lower-cased tokens,
    `edged` the folded ones between two "<s>" and two "</s>"."""
    k, f = i + 2, edged[i + 2]
    return [
        "f-2=" + edged[k - 2],
        "f-1=" + edged[k - 1],
        "f1=" + edged[k + 1],
        "f2=" + edged[k + 2],
        "b-=" + edged[k - 1] + "_" + f,
        "b+=" + f + "_" + edged[k + 1],
        "w-=" + (low[i - 1] if i else "<s>") + "_" + low[i],
    ]


def _edged(tokens: list[tuple[int, int, str]]) -> tuple[list[str], list[str]]:
    low = [t[2].lower() for t in tokens]
    return low, ["<s>", "<s>", *(fold(w) for w in low), "</s>", "</s>"]


def _bucket(comment_p: float) -> str:
    return f"cp={min(int(comment_p * 10), 9)}"


@lru_cache(maxsize=16384)  # a few MB at most: the memory goal counts every model's caches
def _own_columns(raw: str, bucket: str) -> npt.NDArray[np.int32]:
    """Hashed columns (sorted, distinct) of `_own_features`."""
    columns: npt.NDArray[np.int32] = hash_strings([_own_features(raw, bucket)], _N_FEATURES).indices
    return columns


def _token_features(tokens: list[tuple[int, int, str]], comment_p: float) -> list[list[str]]:
    low, edged = _edged(tokens)
    bucket = _bucket(comment_p)
    return [
        _own_features(raw, bucket) + _context_features(low, edged, i)
        for i, (_, _, raw) in enumerate(tokens)
    ]


def offsets_to_spans(offsets: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted character offsets to [start, end) runs."""
    spans: list[tuple[int, int]] = []
    for o in sorted(set(offsets)):
        if spans and spans[-1][1] == o:
            spans[-1] = (spans[-1][0], o + 1)
        else:
            spans.append((o, o + 1))
    return spans


def _token_labels(tokens: list[tuple[int, int, str]], offsets: set[int]) -> list[int]:
    return [1 if any(o in offsets for o in range(s, e)) else 0 for s, e, _ in tokens]


def _offsets_from_tokens(
    text: str, tokens: list[tuple[int, int, str]], flags: Sequence[bool]
) -> list[int]:
    out: list[int] = []
    last_end = -1
    for (s, e, _), on in zip(tokens, flags, strict=True):
        if not on:
            last_end = -1
            continue
        if last_end >= 0 and text[last_end:s].isspace():
            out.extend(range(last_end, s))
        out.extend(range(s, e))
        last_end = e
    return out


@dataclass
class SpanModel:
    """Comment gate + token classifier; `offsets(text)` gives offending character offsets."""

    name: str
    version: str
    comment: LinearTextModel
    coef: F32  # (2**20,)
    intercept: float
    threshold: float
    meta: dict[str, Any]

    def token_proba(self, texts: Sequence[str], comment_p: Sequence[float]) -> list[F32]:
        """Each token's probability of being offending, from the features of
        `_token_features`: the token's own (memoised per token and comment bucket, see
        `_own_columns`) and its neighbours' (hashed for the whole batch at once)."""
        toks = [tokens_of(t) for t in texts]
        own: list[npt.NDArray[np.int32]] = []
        context: list[list[str]] = []
        for tk, p in zip(toks, comment_p, strict=True):
            bucket = _bucket(p)
            low, edged = _edged(tk)
            for i, (_, _, raw) in enumerate(tk):
                own.append(_own_columns(raw, bucket))
                context.append(_context_features(low, edged, i))
        if not own:
            return [np.zeros(0, np.float32) for _ in texts]
        ctx = hash_strings(context, _N_FEATURES)
        n = len(own)
        rows = np.concatenate(
            (
                np.repeat(np.arange(n), np.fromiter(map(len, own), np.int64, count=n)),
                np.repeat(np.arange(n), np.diff(ctx.indptr)),
            )
        )
        cols = np.concatenate((*own, ctx.indices.astype(np.int32)))
        # one entry per (token, column), columns in order: as `hash_strings` gives the features
        # of `_token_features` (summed, sorted), so the sums below add in the same order
        x = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, ctx.shape[1]))
        x.sum_duplicates()
        x.data = np.ones_like(x.data)
        z = x @ self.coef + self.intercept
        p = (1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))).astype(np.float32)
        out, i = [], 0
        for tk in toks:
            out.append(p[i : i + len(tk)])
            i += len(tk)
        return out

    def comment_proba(self, texts: Sequence[str]) -> F32:
        return self.comment.predict_proba(texts)[:, 1]

    def offsets(
        self, texts: Sequence[str], comment_p: Sequence[float] | None = None
    ) -> list[list[int]]:
        """Offending character offsets of each text."""
        cp = list(self.comment_proba(texts)) if comment_p is None else list(comment_p)
        out = []
        for text, probs in zip(texts, self.token_proba(texts, cp), strict=True):
            flags = [bool(v >= self.threshold) for v in probs]
            out.append(_offsets_from_tokens(_safe(text), tokens_of(text), flags))
        return out

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Offending [start, end) character spans of one text."""
        return offsets_to_spans(self.offsets([text])[0])

    def save(self, path: Path) -> int:
        live = np.flatnonzero(self.coef).astype(np.int32)
        arrays = self.comment.to_arrays("comment_")
        arrays.update(
            {
                "token_live": np.diff(live, prepend=0).astype(np.int32),
                "token_coef": self.coef[live].astype(np.float16),
                "token_scalars": np.asarray([self.intercept, self.threshold], np.float32),
                "span_header": np.frombuffer((self.name + "\n" + self.version).encode(), np.uint8),
            }
        )
        return write_npz(path, arrays)

    @classmethod
    def load(cls, path: Path) -> SpanModel:
        with np.load(path, allow_pickle=False) as z:
            comment = LinearTextModel.from_arrays(z, "comment_", source=path.name)
            live = np.cumsum(z["token_live"].astype(np.int64))
            coef = np.zeros(1 << _N_BITS, np.float32)
            coef[live] = z["token_coef"].astype(np.float32)
            intercept, threshold = (float(v) for v in z["token_scalars"])
            name, version = bytes(z["span_header"]).decode().split("\n")
        return cls(name, version, comment, coef, intercept, threshold, dict(comment.meta))


def _fit_tokens(feats: list[list[str]], y: npt.NDArray[np.int64], c: float) -> tuple[F32, float]:
    from sklearn.linear_model import LogisticRegression

    x = hash_strings(feats, _N_FEATURES)
    x.data = np.ones_like(x.data)
    lr = LogisticRegression(C=c, solver="liblinear", max_iter=200)
    lr.fit(x, y)
    return lr.coef_[0].astype(np.float32), float(lr.intercept_[0])


def fit_span_model(
    name: str,
    version: str,
    rows: Sequence[tuple[str, Sequence[int]]],
    c: float = 0.5,
    folds: int = 4,
    progress: Progress | None = None,
    seed: int = 20250701,
) -> tuple[SpanModel, dict[str, Any]]:
    """Train the comment gate and the token model; threshold tuned out of fold."""
    texts = [t for t, _ in rows]
    has = ["1" if offs else "0" for _, offs in rows]
    comment, rep = fit_linear(
        name + "-comment",
        version,
        texts,
        has,
        ["0", "1"],
        LinearConfig(c=4.0, folds=folds),
        progress,
    )
    # out-of-fold comment probabilities, so the token model does not trust a memorised gate
    cp = rep["oof_proba"][:, 1]
    from sklearn.model_selection import KFold

    kf = KFold(n_splits=folds, shuffle=True, random_state=seed % (2**31))
    if progress:
        progress("comment gate")
    toks = [tokens_of(t) for t in texts]
    per_doc = [_token_features(tk, float(p)) for tk, p in zip(toks, cp, strict=True)]
    labels = [_token_labels(tk, set(offs)) for tk, (_, offs) in zip(toks, rows, strict=True)]
    # out-of-fold token probabilities to pick the threshold
    oof: list[F32] = [np.zeros(len(tk), np.float32) for tk in toks]
    for tr, va in kf.split(texts):
        f_tr = [f for i in tr for f in per_doc[i]]
        y_tr = np.asarray([v for i in tr for v in labels[i]], np.int64)
        coef, b = _fit_tokens(f_tr, y_tr, c)
        for i in va:
            if per_doc[i]:
                x = hash_strings(per_doc[i], _N_FEATURES)
                x.data = np.ones_like(x.data)
                oof[i] = (1.0 / (1.0 + np.exp(-(x @ coef + b)))).astype(np.float32)
    if progress:
        progress("token folds")
    best_t, best_f = 0.5, -1.0
    gold = [offs for _, offs in rows]
    for t in np.arange(0.2, 0.71, 0.025):
        pred = [
            _offsets_from_tokens(text, tk, [bool(v >= t) for v in p])
            for text, tk, p in zip(texts, toks, oof, strict=True)
        ]
        f = span_f1(gold, pred)
        if f > best_f:
            best_t, best_f = float(t), f
    coef, b = _fit_tokens(
        [f for d in per_doc for f in d], np.asarray([v for d in labels for v in d], np.int64), c
    )
    coef = coef.astype(np.float16).astype(np.float32)
    # stored as float32: keep the in-memory model identical to the saved one
    b, best_t = float(np.float32(b)), float(np.float32(best_t))
    model = SpanModel(name, version, comment, coef, b, best_t, {})
    return model, {"oof_span_f1": round(best_f, 4), "threshold": best_t, "comment_oof": rep["oof"]}


def span_matrix_size(model: SpanModel) -> int:
    """Number of stored token weights (for model cards)."""
    return int(np.count_nonzero(model.coef)) + int(sparse.csr_matrix(model.comment.coef).nnz)
