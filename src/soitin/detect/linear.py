"""A calibrated linear model over hashed n-grams, stored as a small `.npz` (no pickle).

Transform: counts -> log1p(count) * idf (0 for n-grams seen in fewer than `min_df`
training texts; idf stored quantised to 1/16) -> L2-normalised rows, plus a few named
dense "cue" features. Decision: one weight vector per class (one in total for two
classes); weak n-gram weights are pruned (the idf vocabulary is kept, so row norms are
exactly those seen in training). Probabilities: a small
multinomial calibrator fitted on out-of-fold decision scores. Prediction: argmax of the
calibrated log-probabilities plus per-class offsets tuned for macro-F1 out of fold.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from soitin.detect.cues import cue_matrix
from soitin.detect.features import FeatureSpec, featurise, ngram_arrays_many
from soitin.detect.normalise import URL_TOKEN, normaliser_name, prepare_many
from soitin.errors import ConfigError

__all__ = [
    "FORMAT",
    "Contribution",
    "LinearTextModel",
    "LogCounts",
    "NGramArrays",
    "log_counts",
    "tfidf_normalise",
    "write_npz",
]

FORMAT = "soitin-linear-1"
F32 = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Contribution:
    """One n-gram (or cue) that moved the score, with its share of the decision."""

    feature: str
    weight: float
    spans: tuple[tuple[int, int], ...] = ()


def _word_contributions_many(
    prepared: Sequence[str],
    rows: sparse.csr_matrix,
    contrib: npt.NDArray[np.float64],
    ngrams: Sequence[NGramArrays],
    n_bits: int,
    top: int,
) -> list[list[Contribution]]:
    """For each prepared text, the `top` words or phrases by their share of `contrib`.

    `rows` holds one row per text (its n-gram columns) and `contrib` one value per stored
    entry of `rows`; `ngrams` gives each text's n-gram occurrences, ordered by bucket
    (`ngram_arrays_many`). A column's contribution
    is split evenly over its occurrences, an occurrence's share evenly over its characters,
    and a word gets the shares of its characters. All texts are done in one numpy pass: text
    `i` sits at `off[i]` of one joined string, two separator characters after the previous.
    """
    m = len(prepared)
    if m == 0:
        return []
    lengths = np.fromiter((len(p) + 2 for p in prepared), np.int64, count=m)
    off = np.concatenate(([0], np.cumsum(lengths)))
    total = int(off[-1])
    joined = "\x00\x00".join(prepared) + "\x00\x00"
    ws, we = _word_bounds(joined)
    out: list[list[Contribution]] = [[] for _ in range(m)]
    occ_doc = np.repeat(np.arange(m, dtype=np.int64), [len(g[0]) for g in ngrams])
    if not len(ws) or not rows.nnz or not len(occ_doc):
        return out
    # each occurrence's entry of `rows`, found by (text, column) keys
    nnz_doc = np.repeat(np.arange(m, dtype=np.int64), np.diff(rows.indptr))
    keys = nnz_doc << n_bits | rows.indices.astype(np.int64)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    occ_keys = occ_doc << n_bits | np.concatenate([g[0] for g in ngrams]).astype(np.int64)
    starts = np.concatenate([g[1] for g in ngrams])
    ends = np.concatenate([g[2] for g in ngrams])
    # the distinct keys (in order: `ngram_arrays_many` orders each text's n-grams by bucket)
    new = np.concatenate(([True], occ_keys[1:] != occ_keys[:-1]))
    group = np.cumsum(new) - 1
    distinct = occ_keys[new]
    if np.array_equal(distinct, keys):  # as when the counts came from the same n-grams
        at = np.arange(len(keys))
    else:  # the counts have more (folded words), or fewer (a row given by a caller)
        at = np.minimum(np.searchsorted(keys, distinct), len(keys) - 1)
    known = (keys[at] == distinct)[group]
    group = group[known]
    entry = order[at[group]]
    per_entry = np.bincount(group).astype(np.float64)[group]  # occurrences of each n-gram
    where = off[occ_doc[known]]
    s = where + np.maximum(starts[known], 0)  # -1: the pad space before the text
    e = where + ends[known]  # at most len + 1: the pad space after it
    density = contrib[entry] / per_entry / np.maximum(e - s, 1)
    per_char = np.cumsum(
        np.bincount(s, weights=density, minlength=total + 1)
        - np.bincount(e, weights=density, minlength=total + 1)
    )
    upto = np.concatenate(([0.0], np.cumsum(per_char[:total])))
    score = upto[we] - upto[ws]
    w_doc = np.searchsorted(off, ws, side="right") - 1
    # per text, twice as many words as phrases asked for (neighbours merge into one phrase)
    ranked = np.lexsort((-score, w_doc))
    first = np.searchsorted(w_doc[ranked], w_doc[ranked])  # w_doc is sorted: ranks by text
    keep = ranked[(np.arange(len(ranked)) - first < top * 2) & (score[ranked] > _TINY)]
    chosen = np.sort(keep).tolist()
    w_start, w_end = ws.tolist(), we.tolist()
    values = score.tolist()
    docs = w_doc.tolist()
    # per text, its phrases as [start, end, weight] in the joined string
    phrases: list[list[list[Any]]] = [[] for _ in range(m)]
    last = -2
    for i in chosen:  # neighbours in the text, with only spaces between, form one phrase
        start, end = w_start[i], w_end[i]
        found = phrases[docs[i]]
        if (
            found
            and last == i - 1  # the previous word of this text was chosen
            and joined[w_end[last] : start].isspace()
            and URL_TOKEN != joined[start:end]
            and URL_TOKEN != joined[w_start[last] : w_end[last]]
        ):
            found[-1][1] = end
            found[-1][2] += values[i]
        else:
            found.append([start, end, values[i]])
        last = i
    for doc, found in enumerate(phrases):
        base = int(off[doc])
        found.sort(key=lambda p: -p[2])
        out[doc] = [
            Contribution(
                "[url]" if (feature := joined[start:end]) == URL_TOKEN else feature,
                round(weight, 4),
                ((start - base, end - base),),
            )
            for start, end, weight in found[:top]
        ]
    return out


@cache
def _word_table() -> npt.NDArray[np.bool_]:
    """For each code point of the Basic Multilingual Plane, whether `\\w` matches it."""
    return np.fromiter((chr(c).isalnum() or c == 95 for c in range(65536)), bool, count=65536)


def _word_bounds(text: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Starts and ends of the runs of word characters in `text` (what `\\w+` finds)."""
    cps = np.frombuffer(text.encode("utf-32-le"), np.uint32)
    high = cps >= 65536
    is_word = _word_table()[np.where(high, 0, cps)]
    for j in np.flatnonzero(high).tolist():  # emoji and rarer scripts, one by one
        is_word[j] = text[j].isalnum()
    edges = np.diff(np.concatenate(([False], is_word, [False])).astype(np.int8))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


#: Word shares below this are rounding left by the running sums, not a contribution.
_TINY = 1e-9


@dataclass
class LinearTextModel:
    """Everything needed to score texts; built by `soitin.detect.training`."""

    name: str
    version: str
    labels: list[str]
    spec: FeatureSpec
    idf: F32  # (n_features,), 0 outside the training vocabulary
    coef: F32  # (n_features, k) with k = 1 for two labels, else len(labels)
    intercept: F32  # (k,)
    cues: tuple[str, ...] = ()
    cue_coef: F32 = field(default_factory=lambda: np.zeros((0, 1), np.float32))
    cal_w: F32 = field(default_factory=lambda: np.eye(1, dtype=np.float32))
    cal_b: F32 = field(default_factory=lambda: np.zeros(1, np.float32))
    offsets: F32 = field(default_factory=lambda: np.zeros(1, np.float32))
    normaliser: str = field(default_factory=normaliser_name)
    meta: dict[str, Any] = field(default_factory=dict)
    #: Trained on finer classes than it answers: for each class of the weights and the
    #: calibrator, the index of the label it counts towards (empty: one class per label).
    groups: tuple[int, ...] = ()
    _fused_cache: tuple[F32, F32] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    # -- scoring ---------------------------------------------------------------------

    def transform(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        """Raw counts to the model's weighted, L2-normalised rows."""
        return tfidf_normalise(counts, self.idf, self.spec.split)

    def decision(
        self,
        counts: sparse.csr_matrix,
        raw_texts: Sequence[str],
        *,
        logged: LogCounts | None = None,
        cue_values: F32 | None = None,
    ) -> F32:
        """Decision scores (n, k) from raw counts and the raw texts (for cues).

        `logged` (from `log_counts(counts)`) and `cue_values` (from `cue_matrix`) may be
        passed in when several models score the same batch, so they are computed once.
        """
        if self.spec.split is None:
            # Without blocks, x @ coef == (log1p(c) @ (idf * coef)) / ||log1p(c) * idf||:
            # no weighted copy of the counts per model.
            log1p, squared = logged if logged is not None else log_counts(counts)
            weighted, idf_sq = self._fused()
            norms = np.sqrt(np.asarray(squared @ idf_sq, dtype=np.float32))
            norms[norms == 0] = 1.0
            scores = np.asarray(log1p @ weighted, dtype=np.float32) / norms[:, None]
        else:
            scores = np.asarray(self.transform(counts) @ self.coef, dtype=np.float32)
        scores += self.intercept
        if self.cues:
            values = cue_values if cue_values is not None else cue_matrix(raw_texts, self.cues)
            scores += values @ self.cue_coef
        return scores.astype(np.float32)

    def _fused(self) -> tuple[F32, F32]:
        """idf * coef and idf², computed on first use."""
        if self._fused_cache is None:
            weighted = (self.idf[:, None] * self.coef).astype(np.float32)
            self._fused_cache = (weighted, (self.idf * self.idf).astype(np.float32))
        return self._fused_cache

    def proba_from_decision(self, scores: F32) -> F32:
        """Calibrated probabilities (n, len(labels))."""
        z = scores @ self.cal_w + self.cal_b
        if z.shape[1] == 1:
            p1 = 1.0 / (1.0 + np.exp(-np.clip(z[:, 0], -50, 50)))
            return np.stack([1.0 - p1, p1], axis=1).astype(np.float32)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        out: F32 = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
        if self.groups:  # finer classes summed into the labels
            member = np.zeros((len(self.groups), len(self.labels)), np.float32)
            member[np.arange(len(self.groups)), list(self.groups)] = 1.0
            out = (out @ member).astype(np.float32)
        return out

    def _members(self, label_index: int) -> list[int]:
        """The classes (columns of the weights) that count towards a label."""
        return [j for j, g in enumerate(self.groups) if g == label_index]

    def predict_from_proba(self, proba: F32) -> list[str]:
        """Labels from calibrated probabilities and the tuned per-class offsets."""
        logp = np.log(np.clip(proba, 1e-9, 1.0)) + self.offsets
        return [self.labels[i] for i in logp.argmax(axis=1)]

    def predict_proba(self, texts: Sequence[str]) -> F32:
        """Calibrated probabilities for raw texts."""
        prepared = prepare_many(list(texts), self.spec.prep)
        return self.proba_from_decision(self.decision(featurise(prepared, self.spec), texts))

    def predict(self, texts: Sequence[str]) -> list[str]:
        """Predicted labels (strings) for raw texts."""
        return self.predict_from_proba(self.predict_proba(texts))

    def explain(
        self, raw_text: str, prepared: str, label_index: int, top: int = 6
    ) -> list[Contribution]:
        """The words and phrases (spans in `prepared`) that pushed towards `label_index`.

        Each n-gram's share of the decision is spread over the words it covers, by
        characters, so a reader sees "trúng thưởng" rather than the character n-grams "g t"
        or "ú"; neighbouring words that both pushed towards the label form one phrase.
        `explain_many` does a batch at once.
        """
        return self.explain_many(
            [raw_text],
            [prepared],
            [label_index],
            featurise([prepared], self.spec),
            ngram_arrays_many([prepared], self.spec),
            top=top,
        )[0]

    def explain_many(
        self,
        raw_texts: Sequence[str],
        prepared: Sequence[str],
        label_indices: Sequence[int],
        counts: sparse.csr_matrix,
        ngrams: Sequence[NGramArrays],
        cue_values: F32 | None = None,
        top: int = 6,
    ) -> list[list[Contribution]]:
        """`explain` for several texts in one vectorised pass: `counts` has their rows of raw
        counts, `ngrams` their n-gram arrays, `cue_values` (optional) their cue rows."""
        if not raw_texts:
            return []
        x = tfidf_normalise(counts, self.idf, self.spec.split)
        per_row = np.diff(x.indptr)
        # how much each class's weights push towards each label, then towards each entry's
        towards = np.stack([self._towards_vector(j) for j in range(len(self.labels))])
        target = np.repeat(np.asarray(label_indices, np.int64), per_row)
        contrib = x.data.astype(np.float64) * np.einsum(
            "ij,ij->i", self.coef[x.indices], towards[target]
        )
        out = _word_contributions_many(prepared, x, contrib, ngrams, self.spec.n_bits, top)
        if not self.cues:
            return out
        if cue_values is None:
            cue_values = cue_matrix(raw_texts, self.cues)
        cue_push = towards @ self.cue_coef.T  # (labels, cues)
        for found, values, label in zip(out, cue_values, label_indices, strict=True):
            for name, v, c in zip(
                self.cues, values.tolist(), cue_push[label].tolist(), strict=True
            ):
                if v and c * v > 0.05:
                    found.append(Contribution(f"[{name}]", round(c * v, 4)))
            found.sort(key=lambda c: -c.weight)
            del found[top:]
        return out

    def _towards_vector(self, label_index: int) -> F32:
        """Per class (column of the weights), how much it pushes towards the label: a
        weight row @ this vector is that class's weight (the mean of its member classes)
        less the mean over all classes; with one column, the weight, or minus it for 0."""
        k = self.coef.shape[1]
        if k == 1:
            return np.array([1.0 if label_index == 1 else -1.0], np.float32)
        vec = np.full(k, -1.0 / k, np.float32)
        members = self._members(label_index) if self.groups else [label_index]
        vec[members] += 1.0 / len(members)
        return vec

    # -- storage ---------------------------------------------------------------------

    def prune(self, keep: int) -> None:
        """Keep only the `keep` n-gram weights of largest magnitude (artefact size)."""
        strength = np.abs(self.coef).max(axis=1)
        if np.count_nonzero(strength) <= keep:
            return
        cut = np.partition(strength, -keep)[-keep]
        drop = strength < cut
        self.coef[drop] = 0.0

    def to_arrays(self, prefix: str = "") -> dict[str, npt.NDArray[Any]]:
        """The model as named numpy arrays (for `np.savez_compressed`)."""
        strength = np.abs(self.coef).max(axis=1)
        live = np.flatnonzero(strength > 0).astype(np.int32)
        vocab = np.flatnonzero(self.idf > 0).astype(np.int32)
        header = {
            "format": FORMAT,
            "name": self.name,
            "version": self.version,
            "labels": self.labels,
            "spec": self.spec.to_dict(),
            "cues": list(self.cues),
            "normaliser": self.normaliser,
            "meta": self.meta,
            "groups": list(self.groups),
        }
        arrays: dict[str, npt.NDArray[Any]] = {
            "header": np.frombuffer(json.dumps(header, ensure_ascii=False).encode(), np.uint8),
            "live": np.diff(live, prepend=0).astype(np.int32),
            "vocab": np.diff(vocab, prepend=0).astype(np.int32),
            "idf_q": quantise_idf(self.idf[vocab]),
            "coef": self.coef[live].astype(np.float16),
            "intercept": self.intercept.astype(np.float32),
            "cue_coef": self.cue_coef.astype(np.float32),
            "cal_w": self.cal_w.astype(np.float32),
            "cal_b": self.cal_b.astype(np.float32),
            "offsets": self.offsets.astype(np.float32),
        }
        return {prefix + k: v for k, v in arrays.items()}

    def save(self, path: Path) -> int:
        """Write the artefact; returns its size in bytes."""
        return write_npz(path, self.to_arrays())

    @classmethod
    def from_arrays(cls, z: Any, prefix: str = "", source: str = "model") -> LinearTextModel:
        """Rebuild from the arrays of `to_arrays` (checks format and normaliser)."""
        header = json.loads(bytes(z[prefix + "header"]).decode())
        if header.get("format") != FORMAT:
            raise ConfigError(f"{source}: not a {FORMAT} artefact")
        spec = FeatureSpec.from_dict(header["spec"])
        live = np.cumsum(z[prefix + "live"].astype(np.int64))
        stored = z[prefix + "coef"]
        coef = np.zeros((spec.n_features, stored.shape[1]), np.float32)
        coef[live] = stored.astype(np.float32)
        vocab = np.cumsum(z[prefix + "vocab"].astype(np.int64))
        idf = np.zeros(spec.n_features, np.float32)
        idf[vocab] = dequantise_idf(z[prefix + "idf_q"])
        model = cls(
            name=header["name"],
            version=header["version"],
            labels=[str(x) for x in header["labels"]],
            spec=spec,
            idf=idf,
            coef=coef,
            intercept=z[prefix + "intercept"],
            cues=tuple(header["cues"]),
            cue_coef=z[prefix + "cue_coef"],
            cal_w=z[prefix + "cal_w"],
            cal_b=z[prefix + "cal_b"],
            offsets=z[prefix + "offsets"],
            normaliser=header["normaliser"],
            meta=header.get("meta", {}),
            groups=tuple(int(g) for g in header.get("groups", ())),
        )
        if model.normaliser != normaliser_name(spec.prep):
            raise ConfigError(
                f"{source} was trained with normaliser {model.normaliser!r} but "
                f"{normaliser_name(spec.prep)!r} is in force; run `soitin train` again"
            )
        return model

    @classmethod
    def load(cls, path: Path) -> LinearTextModel:
        """Read an artefact written by `save` (no pickle is ever loaded)."""
        with np.load(path, allow_pickle=False) as z:
            return cls.from_arrays(z, source=path.name)

    def quantised(self) -> LinearTextModel:
        """This model with its weights rounded exactly as `save` stores them."""
        coef = self.coef.astype(np.float16).astype(np.float32)
        return LinearTextModel(
            self.name,
            self.version,
            self.labels,
            self.spec,
            self.idf,
            coef,
            self.intercept,
            self.cues,
            self.cue_coef,
            self.cal_w,
            self.cal_b,
            self.offsets,
            self.normaliser,
            self.meta,
            self.groups,
        )


def quantise_idf(idf: F32) -> npt.NDArray[np.uint8]:
    """idf (>= 1) to steps of 1/16 above 1, as bytes."""
    return np.clip(np.round((idf - 1.0) * 16.0), 0, 255).astype(np.uint8)


def dequantise_idf(q: npt.NDArray[np.uint8]) -> F32:
    return (1.0 + q.astype(np.float32) / 16.0).astype(np.float32)


#: Buckets, starts and ends of the n-grams of one prepared text (`ngram_arrays_many`).
NGramArrays = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]

#: log1p of raw counts and its square, shared by the models that score one batch.
LogCounts = tuple[sparse.csr_matrix, sparse.csr_matrix]


def log_counts(counts: sparse.csr_matrix) -> LogCounts:
    """log1p(counts) and its element-wise square (same sparsity), as float32 CSR."""
    log1p = counts.copy()
    log1p.data = np.log1p(log1p.data).astype(np.float32)
    squared = log1p.copy()
    squared.data = squared.data * squared.data
    return log1p, squared


def tfidf_normalise(
    counts: sparse.csr_matrix, idf: F32, split: int | None = None
) -> sparse.csr_matrix:
    """log1p(count) * idf, each row scaled to unit L2 norm (empty rows stay empty).

    With `split`, columns below and from `split` on (char and word n-grams) are two
    blocks, each scaled to unit norm, so the few word n-grams weigh as much as the many
    character n-grams.
    """
    x = counts.copy()
    x.data = (np.log1p(x.data) * idf[x.indices]).astype(np.float32)
    per_row = np.diff(x.indptr)
    rows = np.repeat(np.arange(x.shape[0]), per_row)
    groups = 2 if split else 1
    key = rows * groups + ((x.indices >= split).astype(np.int64) if split else 0)
    sq = np.bincount(key, weights=x.data * x.data, minlength=x.shape[0] * groups)
    norms = np.sqrt(sq).astype(np.float32)
    norms[norms == 0] = 1.0
    x.data /= norms[key]
    return x


def write_npz(path: Path, arrays: dict[str, npt.NDArray[Any]]) -> int:
    """Write compressed arrays atomically; returns the size in bytes."""
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]
    data = buf.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return len(data)
