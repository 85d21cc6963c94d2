"""Fitting `LinearTextModel`s: out-of-fold calibration and macro-F1 offsets, then a final fit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from soitin.detect.cues import cue_matrix
from soitin.detect.features import FeatureSpec, featurise
from soitin.detect.linear import (
    LinearTextModel,
    dequantise_idf,
    quantise_idf,
    tfidf_normalise,
)
from soitin.detect.metrics import classification_report
from soitin.detect.normalise import normaliser_name, prepare_many

__all__ = ["LinearConfig", "fit_linear", "oof_decisions"]

F32 = npt.NDArray[np.float32]
Progress = Callable[[str], None]


@dataclass(frozen=True)
class LinearConfig:
    """Hyper-parameters of one linear model (picked by cross-validation on train)."""

    c: float = 4.0
    min_df: int = 2
    spec: FeatureSpec = field(default_factory=FeatureSpec)
    cues: tuple[str, ...] = ()
    cue_scale: float = 1.0
    class_weight: str | None = "balanced"
    folds: int = 4
    keep: int = 120_000
    tune_offsets: bool = True
    solver: str = "auto"  # "auto": liblinear for two classes, lbfgs multinomial; "ovr"
    seed: int = 20250701
    #: Above 0 (two labels only): NB-weighted features (Wang & Manning 2012) with this
    #: smoothing; each n-gram is scaled by its log-count ratio between the labels before the
    #: fit, and the ratio is folded into the stored weights (scoring is unchanged).
    nb_alpha: float = 0.0


def _idf(counts: sparse.csr_matrix, min_df: int) -> F32:
    """Smoothed idf, quantised as stored; 0 for n-grams in fewer than `min_df` texts."""
    df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
    n = counts.shape[0]
    idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
    idf = dequantise_idf(quantise_idf(idf))
    idf[df < min_df] = 0.0
    return idf


def _design(
    counts: sparse.csr_matrix,
    idf: F32,
    cues: F32 | None,
    cue_scale: float,
    split: int | None = None,
) -> sparse.csr_matrix:
    x = tfidf_normalise(counts, idf, split)
    if cues is not None and cues.shape[1]:
        x = sparse.hstack([x, sparse.csr_matrix(cues * cue_scale)], format="csr")
    return x.tocsr()


def _fit_lr(x: sparse.csr_matrix, y: npt.NDArray[np.int64], cfg: LinearConfig) -> _Linear:
    """Logistic regression on the columns actually used (the solver's cost scales with them)."""
    from sklearn.linear_model import LogisticRegression  # training only: scoring never loads it

    used = np.unique(x.indices)
    compact = x[:, used]
    binary = len(np.unique(y)) == 2
    if cfg.solver == "ovr" and not binary:
        from sklearn.multiclass import OneVsRestClassifier

        ovr = OneVsRestClassifier(
            LogisticRegression(C=cfg.c, class_weight=cfg.class_weight, solver="liblinear")
        )
        ovr.fit(compact, y)
        coef = np.vstack([e.coef_ for e in ovr.estimators_])
        intercept = np.concatenate([e.intercept_ for e in ovr.estimators_])
    else:
        lr = LogisticRegression(
            C=cfg.c,
            class_weight=cfg.class_weight,
            max_iter=300,
            solver="liblinear" if binary else "lbfgs",
            tol=1e-4,
        )
        lr.fit(compact, y)
        coef, intercept = lr.coef_, lr.intercept_
    full = np.zeros((coef.shape[0], x.shape[1]), np.float32)
    full[:, used] = coef
    return _Linear(full, intercept.astype(np.float32))


class _Linear:
    """Weights of a fitted linear model over the full column space."""

    def __init__(self, coef: F32, intercept: F32) -> None:
        self.coef_ = coef
        self.intercept_ = intercept

    def decision_function(self, x: sparse.csr_matrix) -> F32:
        return np.asarray(x @ self.coef_.T + self.intercept_, dtype=np.float32)


def _scores(lr: _Linear, x: sparse.csr_matrix) -> F32:
    d = lr.decision_function(x)
    return np.asarray(d.reshape(len(d), -1), dtype=np.float32)


def nb_ratio(counts: sparse.csr_matrix, y: npt.NDArray[np.int64], alpha: float) -> F32:
    """Log-count ratio of each n-gram between label 1 and label 0 (presence counts, smoothed
    by `alpha`): how much more often it is seen in texts of label 1."""
    present = counts.copy()
    present.data = np.ones_like(present.data)
    p = alpha + np.asarray(present[y == 1].sum(axis=0), np.float64).ravel()
    q = alpha + np.asarray(present[y == 0].sum(axis=0), np.float64).ravel()
    ratio: F32 = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
    return ratio


def _fit(
    counts: sparse.csr_matrix,
    idf: F32,
    cues: F32 | None,
    y: npt.NDArray[np.int64],
    cfg: LinearConfig,
) -> _Linear:
    """Fit on the design of `counts`; with `cfg.nb_alpha`, on NB-weighted n-grams, the ratio
    then folded into the weights so that they apply to the plain design."""
    x = _design(counts, idf, cues, cfg.cue_scale, cfg.spec.split)
    if cfg.nb_alpha <= 0:
        return _fit_lr(x, y, cfg)
    if len(np.unique(y)) != 2:
        raise ValueError("NB-weighted features need two labels")
    scale = np.ones(x.shape[1], np.float32)
    scale[: counts.shape[1]] = nb_ratio(counts, y, cfg.nb_alpha)
    lr = _fit_lr((x @ sparse.diags(scale)).tocsr(), y, cfg)
    return _Linear(lr.coef_ * scale, lr.intercept_)


def oof_decisions(
    counts: sparse.csr_matrix,
    cues: F32 | None,
    y: npt.NDArray[np.int64],
    cfg: LinearConfig,
    progress: Progress | None = None,
) -> F32:
    """Out-of-fold decision scores (n, k) with stratified folds."""
    k = 1 if len(np.unique(y)) == 2 else int(y.max()) + 1
    out = np.zeros((counts.shape[0], k), np.float32)
    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(n_splits=cfg.folds, shuffle=True, random_state=cfg.seed % (2**31))
    for i, (tr, va) in enumerate(folds.split(np.zeros(len(y)), y)):
        idf = _idf(counts[tr], cfg.min_df)
        c_tr = cues[tr] if cues is not None else None
        c_va = cues[va] if cues is not None else None
        lr = _fit(counts[tr], idf, c_tr, y[tr], cfg)
        out[va] = _scores(lr, _design(counts[va], idf, c_va, cfg.cue_scale, cfg.spec.split))
        if progress:
            progress(f"fold {i + 1}/{cfg.folds}")
    return out


def _calibrator(scores: F32, y: npt.NDArray[np.int64]) -> tuple[F32, F32]:
    from sklearn.linear_model import LogisticRegression

    cal = LogisticRegression(C=100.0, max_iter=1000)
    cal.fit(scores, y)
    if scores.shape[1] == 1:
        return cal.coef_.T.astype(np.float32), cal.intercept_.astype(np.float32)
    return cal.coef_.T.astype(np.float32), cal.intercept_.astype(np.float32)


def _tune_offsets(logp: F32, y: npt.NDArray[np.int64]) -> F32:
    """Per-class additive offsets on log-probabilities maximising macro-F1 (coordinate search)."""
    k = logp.shape[1]
    offsets = np.zeros(k, np.float32)
    grid = np.linspace(-3.0, 3.0, 61, dtype=np.float32)

    def score(off: F32) -> float:
        pred = (logp + off).argmax(axis=1)
        return _macro_f1(y, pred, k)

    best = score(offsets)
    for _ in range(2):
        for j in range(1, k):
            for g in grid:
                trial = offsets.copy()
                trial[j] = g
                s = score(trial)
                if s > best + 1e-9:
                    best, offsets = s, trial
    return offsets


def _macro_f1(y: npt.NDArray[np.int64], pred: npt.NDArray[np.int64], k: int) -> float:
    f1s = []
    for c in range(k):
        tp = float(np.sum((pred == c) & (y == c)))
        fp = float(np.sum((pred == c) & (y != c)))
        fn = float(np.sum((pred != c) & (y == c)))
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s))


def fit_linear(
    name: str,
    version: str,
    texts: Sequence[str],
    labels: Sequence[str],
    label_order: Sequence[str],
    cfg: LinearConfig,
    progress: Progress | None = None,
    weights: Sequence[float] | None = None,
    answers: dict[str, str] | None = None,
) -> tuple[LinearTextModel, dict[str, Any]]:
    """Train one model; returns it with its out-of-fold report on the training data.

    `answers` (class in `label_order` → label the model answers) trains on fine classes and
    answers coarser labels: the calibrated probabilities of the classes are summed per label,
    and the offsets are tuned on those labels.
    """
    index = {lab: i for i, lab in enumerate(label_order)}
    y = np.asarray([index[str(lab)] for lab in labels], dtype=np.int64)
    out_labels = list(label_order)
    groups: tuple[int, ...] = ()
    if answers:
        out_labels = list(dict.fromkeys(answers[lab] for lab in label_order))
        groups = tuple(out_labels.index(answers[lab]) for lab in label_order)
    prepared = prepare_many(list(texts), cfg.spec.prep)
    counts = featurise(prepared, cfg.spec)
    cues = cue_matrix(texts, cfg.cues) if cfg.cues else None
    if progress:
        progress("features")
    oof = oof_decisions(counts, cues, y, cfg, progress)
    cal_w, cal_b = _calibrator(oof, y)
    model = LinearTextModel(
        name=name,
        version=version,
        labels=out_labels,
        spec=cfg.spec,
        normaliser=normaliser_name(cfg.spec.prep),
        idf=np.zeros(cfg.spec.n_features, np.float32),
        coef=np.zeros((cfg.spec.n_features, oof.shape[1]), np.float32),
        intercept=np.zeros(oof.shape[1], np.float32),
        cues=cfg.cues,
        cal_w=cal_w,
        cal_b=cal_b,
        offsets=np.zeros(len(out_labels), np.float32),
        groups=groups,
    )
    proba = model.proba_from_decision(oof)
    y_out = np.asarray([groups[i] for i in y], dtype=np.int64) if groups else y
    if cfg.tune_offsets:
        model.offsets = _tune_offsets(np.log(np.clip(proba, 1e-9, 1)), y_out)
    oof_pred = model.predict_from_proba(proba)
    report = classification_report(
        [out_labels[i] for i in y_out],
        oof_pred,
        proba[:, 1].tolist() if len(out_labels) == 2 else None,
    )
    idf = _idf(counts, cfg.min_df)
    lr = _fit(counts, idf, cues, y, cfg)
    coef = lr.coef_.T.astype(np.float32)
    n = cfg.spec.n_features
    model.idf = idf
    model.coef = coef[:n]
    model.intercept = lr.intercept_.astype(np.float32)
    if cfg.cues:
        model.cue_coef = coef[n:] * cfg.cue_scale
    model.prune(cfg.keep)
    if progress:
        progress("final fit")
    _ = weights
    return model.quantised(), {"oof": report, "oof_proba": proba}
