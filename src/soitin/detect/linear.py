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
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from soitin.detect.cues import cue_matrix
from soitin.detect.features import FeatureSpec, featurise, ngram_arrays
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


_WORD = re.compile(r"\w+")  # words without the punctuation around them


def _word_contributions(
    prepared: str,
    cols: npt.NDArray[Any],
    contrib: npt.NDArray[Any],
    a_cols: npt.NDArray[np.int64],
    a_starts: npt.NDArray[np.int64],
    a_ends: npt.NDArray[np.int64],
    top: int,
) -> list[Contribution]:
    """The `top` words or phrases of `prepared` by their share of `contrib` (per column).

    A column's contribution is split evenly over its occurrences, an occurrence's share evenly
    over its characters, and a word gets the shares of its characters.
    """
    words = [(m.start(), m.end()) for m in _WORD.finditer(prepared)]
    if not words or not len(cols) or not len(a_cols):
        return []
    ws = np.asarray([w[0] for w in words], np.int64)
    we = np.asarray([w[1] for w in words], np.int64)
    order = np.argsort(cols, kind="stable")
    sorted_cols = np.asarray(cols, dtype=a_cols.dtype)[order]  # one dtype: a fast search
    at = np.minimum(np.searchsorted(sorted_cols, a_cols), len(sorted_cols) - 1)
    known = sorted_cols[at] == a_cols
    col_of = order[at[known]]  # each occurrence's place in `cols`
    n = len(prepared)
    s = np.maximum(a_starts[known], 0)  # -1: the pad space before the text
    e = a_ends[known]  # at most n + 1: the pad space after it
    per_col = np.bincount(col_of, minlength=len(cols)).astype(np.float64)
    # each occurrence's share, spread evenly over its characters; a word gets its characters'
    density = np.asarray(contrib, np.float64)[col_of] / per_col[col_of] / np.maximum(e - s, 1)
    per_char = np.cumsum(
        np.bincount(s, weights=density, minlength=n + 2)
        - np.bincount(e, weights=density, minlength=n + 2)
    )
    upto = np.concatenate(([0.0], np.cumsum(per_char[:n])))
    score = upto[we] - upto[ws]
    # twice as many words as phrases asked for: neighbours merge into one phrase
    values = score.tolist()
    chosen = sorted(i for i in np.argsort(-score)[: top * 2].tolist() if values[i] > 0)
    out: list[Contribution] = []
    for i in chosen:  # neighbours in the text, with only spaces between, form one phrase
        if (
            out
            and out[-1].spans[-1][1] == words[i - 1][1]  # the previous word was chosen
            and prepared[words[i - 1][1] : words[i][0]].isspace()
            and URL_TOKEN not in (prepared[slice(*words[i - 1])], prepared[slice(*words[i])])
        ):
            last = out.pop()
            span = (last.spans[0][0], words[i][1])
            out.append(Contribution(prepared[span[0] : span[1]], last.weight + values[i], (span,)))
        else:
            out.append(Contribution(prepared[words[i][0] : words[i][1]], values[i], (words[i],)))
    out.sort(key=lambda c: -c.weight)
    return [
        Contribution(
            "[url]" if c.feature == URL_TOKEN else c.feature, round(float(c.weight), 4), c.spans
        )
        for c in out[:top]
    ]


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

    def _towards(self, weights: F32, label_index: int) -> F32:
        """Per row of `weights` (one column per class), how much it pushes to the label."""
        if weights.shape[1] == 1:
            return weights[:, 0] * (1.0 if label_index == 1 else -1.0)
        if self.groups:
            out: F32 = weights[:, self._members(label_index)].mean(axis=1) - weights.mean(axis=1)
            return out
        direct: F32 = weights[:, label_index] - weights.mean(axis=1)
        return direct

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
        self,
        raw_text: str,
        prepared: str,
        label_index: int,
        top: int = 6,
        *,
        ngrams: NGramArrays | None = None,
        row: tuple[npt.NDArray[Any], npt.NDArray[Any]] | None = None,
        cue_row: F32 | None = None,
    ) -> list[Contribution]:
        """The words and phrases (spans in `prepared`) that pushed towards `label_index`.

        Each n-gram's share of the decision is spread over the words it covers, by
        characters, so a reader sees "trúng thưởng" rather than the character n-grams "g t"
        or "ú"; neighbouring words that both pushed towards the label form one phrase.

        A caller that scored a batch may pass what it already has: the text's n-gram arrays
        (`ngram_arrays(prepared, spec)`, shared by the models of one feature space), its row
        of raw counts (columns, counts) and its cue values.
        """
        a_cols, a_starts, a_ends = (
            ngrams if ngrams is not None else ngram_arrays(prepared, self.spec)
        )
        if row is None:
            uniq, cnt = np.unique(a_cols, return_counts=True)
        else:
            uniq, cnt = row
        if self.spec.split is None:
            cols = np.asarray(uniq)
            values = np.log1p(np.asarray(cnt, dtype=np.float32)) * self.idf[cols]
            norm = float(np.sqrt(np.dot(values, values)))
            data = values / norm if norm else values
        else:
            counts = sparse.csr_matrix(
                (np.asarray(cnt, np.float32), np.asarray(uniq, np.int32), [0, len(uniq)]),
                shape=(1, self.spec.n_features),
            )
            x = self.transform(counts)
            cols, data = x.indices, x.data
        contrib = data * self._towards(self.coef[cols], label_index)
        out = _word_contributions(prepared, cols, contrib, a_cols, a_starts, a_ends, top)
        if self.cues:
            cue_values = cue_row if cue_row is not None else cue_matrix([raw_text], self.cues)[0]
            if self.cue_coef.shape[1] == 1:
                cw = self.cue_coef[:, 0]
            elif self.groups:
                cw = self.cue_coef[:, self._members(label_index)].mean(axis=1)
            else:
                cw = self.cue_coef[:, label_index]
            sign = -1.0 if self.cue_coef.shape[1] == 1 and label_index == 0 else 1.0
            for name, v, c in zip(self.cues, cue_values, cw, strict=True):
                if v and c * v * sign > 0.05:
                    out.append(Contribution(f"[{name}]", round(float(c * v * sign), 4)))
        return sorted(out, key=lambda c: -c.weight)[:top]

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


#: Buckets, starts and ends of the n-grams of one prepared text (`ngram_arrays`).
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
