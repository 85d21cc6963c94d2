"""A benchmark model answering with two models: the n-gram model and the fine-tuned e5.

P = (1 - w) · P(n-gram) + w · P(e5); with two labels the answer is label 1 when P(1) reaches
the threshold, else the likeliest label. `w` and the threshold were chosen on held-out
training rows (`soitin.detect.finetune`). The explanation stays the n-gram model's: the
n-grams that pushed towards the answered label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from soitin.detect.detectors import LinearDetector
from soitin.detect.e5tuned import E5Tuned
from soitin.detect.normalise import clip
from soitin.detect.protocol import DetectionResult

__all__ = ["BlendedDetector", "coarse", "decide"]

F32 = npt.NDArray[np.float32]


def coarse(proba: F32, fine: Sequence[str], labels: Sequence[str], answers: dict[str, str]) -> F32:
    """Probabilities of the `fine` classes summed per answered label (as is, no `answers`)."""
    if not answers:
        return proba
    out = np.zeros((proba.shape[0], len(labels)), dtype=np.float32)
    for j, lab in enumerate(fine):
        out[:, list(labels).index(answers[lab])] += proba[:, j]
    return out


def decide(
    proba: F32, threshold: float | None, offsets: npt.ArrayLike | None
) -> npt.NDArray[np.int64]:
    """Label index per row: label 1 when P(1) reaches `threshold` (two labels), else the
    argmax of log P plus per-class `offsets`, else the argmax."""
    if threshold is not None and proba.shape[1] == 2:
        return (proba[:, 1] >= threshold).astype(np.int64)
    if offsets is not None:
        logp = np.log(np.clip(proba, 1e-9, 1.0))
        return np.asarray((logp + np.asarray(offsets, dtype=np.float32)).argmax(1), np.int64)
    return np.asarray(proba.argmax(1), np.int64)


class BlendedDetector:
    """`LinearDetector` + `E5Tuned`, blended; stored results name both versions."""

    def __init__(self, linear: LinearDetector, tuned: E5Tuned) -> None:
        self.answers: dict[str, str] = dict(tuned.meta.get("answers") or {})
        answered = {self.answers.get(lab, lab) for lab in tuned.labels}
        if answered != set(linear.labels):
            raise ValueError(f"{tuned.name}: e5 labels {tuned.labels} != {linear.labels}")
        self.linear = linear
        self.tuned = tuned
        self.name = linear.name
        self.labels = linear.labels
        self.version = f"{linear.version}+e5.{tuned.version}"
        self.blend = float(tuned.meta.get("blend", 0.5))
        threshold = tuned.meta.get("threshold")
        self.threshold = None if threshold is None else float(threshold)
        offsets = tuned.meta.get("offsets")
        self.offsets = None if offsets is None else np.asarray(offsets, dtype=np.float32)

    def score(self, batch: Sequence[str]) -> list[DetectionResult]:
        texts = [clip(t) for t in batch]
        first = self.linear.score(texts)
        if not texts:
            return first
        ngram = np.asarray(
            [[r.probabilities[lab] for lab in self.labels] for r in first], dtype=np.float32
        )
        tuned = coarse(self.tuned.proba(texts), self.tuned.labels, self.labels, self.answers)
        proba = (1.0 - self.blend) * ngram + self.blend * tuned
        chosen = decide(proba, self.threshold, self.offsets).tolist()
        harmful = self.linear.harmful_score(proba).tolist()
        out = []
        for result, row, index, score in zip(first, proba.tolist(), chosen, harmful, strict=True):
            label = self.labels[index]
            keep = label == result.label  # the n-gram explanation speaks for this label
            out.append(
                replace(
                    result,
                    version=self.version,
                    label=label,
                    score=float(score),
                    probabilities=dict(zip(self.labels, row, strict=True)),
                    explanation=result.explanation if keep else (),
                    highlights=result.highlights if keep else (),
                )
            )
        return out
