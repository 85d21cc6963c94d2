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

from soitin.detect.detectors import LinearDetector
from soitin.detect.e5tuned import E5Tuned
from soitin.detect.normalise import clip
from soitin.detect.protocol import BENIGN_LABELS, DetectionResult

__all__ = ["BlendedDetector"]


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
        tuned = self.tuned.proba(texts)
        if self.answers:  # fine classes summed per answered label
            summed = np.zeros_like(ngram)
            for j, lab in enumerate(self.tuned.labels):
                summed[:, self.labels.index(self.answers[lab])] += tuned[:, j]
            tuned = summed
        proba = (1.0 - self.blend) * ngram + self.blend * tuned
        benign = next((i for i, lab in enumerate(self.labels) if lab in BENIGN_LABELS), 0)
        out = []
        for result, row in zip(first, proba.tolist(), strict=True):
            if self.threshold is not None and len(self.labels) == 2:
                label = self.labels[1] if row[1] >= self.threshold else self.labels[0]
            elif self.offsets is not None:
                logp = np.log(np.clip(np.asarray(row, dtype=np.float32), 1e-9, 1.0))
                label = self.labels[int(np.argmax(logp + self.offsets))]
            else:
                label = self.labels[int(np.argmax(row))]
            keep = label == result.label  # the n-gram explanation speaks for this label
            out.append(
                replace(
                    result,
                    version=self.version,
                    label=label,
                    score=float(1.0 - row[benign]),
                    probabilities=dict(zip(self.labels, row, strict=True)),
                    explanation=result.explanation if keep else (),
                    highlights=result.highlights if keep else (),
                )
            )
        return out
