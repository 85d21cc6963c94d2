"""Classification and span metrics (labels compared as strings)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

__all__ = ["classification_report", "span_f1"]


def classification_report(
    gold: Sequence[str], pred: Sequence[str], positive_scores: Sequence[float] | None = None
) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class P/R/F1/support and (binary) ROC-AUC."""
    gold = [str(g) for g in gold]
    pred = [str(p) for p in pred]
    labels = sorted(set(gold) | set(pred), key=lambda s: (len(s), s))
    per_class: dict[str, dict[str, float | int]] = {}
    f1s = []
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p != lab)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        support = tp + fn
        per_class[lab] = {
            "precision": round(prec, 4),
            "recall": round(rec, 4),
            "f1": round(f1, 4),
            "support": support,
        }
        if support:
            f1s.append(f1)
    n = len(gold)
    report: dict[str, Any] = {
        "n": n,
        "accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / n, 4)
        if n
        else 0.0,
        "macro_f1": round(float(np.mean(f1s)), 4) if f1s else 0.0,
        "per_class": per_class,
    }
    gold_labels = sorted(set(gold))
    if positive_scores is not None and len(gold_labels) == 2:
        positive = "1" if "1" in gold_labels else gold_labels[1]
        y = [1 if g == positive else 0 for g in gold]
        from sklearn.metrics import roc_auc_score  # not loaded for scoring

        report["roc_auc"] = round(float(roc_auc_score(y, list(positive_scores))), 4)
    return report


def _f1(pred: set[int], gold: set[int]) -> float:
    if not gold and not pred:
        return 1.0
    if not gold or not pred:
        return 0.0
    tp = len(pred & gold)
    if tp == 0:
        return 0.0
    p = tp / len(pred)
    r = tp / len(gold)
    return 2 * p * r / (p + r)


def span_f1(gold: Iterable[Iterable[int]], pred: Iterable[Iterable[int]]) -> float:
    """Per-comment character-offset F1 averaged over comments (SemEval-2021 Task 5)."""
    scores = [_f1(set(p), set(g)) for g, p in zip(gold, pred, strict=True)]
    return float(np.mean(scores)) if scores else 0.0
