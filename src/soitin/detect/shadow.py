"""Shadow mode: run a candidate model version beside the active one and compare."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from soitin.detect.metrics import classification_report
from soitin.detect.protocol import BENIGN_LABELS, DetectionResult, Detector

__all__ = ["ShadowReport", "ShadowRunner", "compare_detectors", "report_of"]


def _harm(label: str) -> str:
    return "0" if label in BENIGN_LABELS else "1"


@dataclass
class ShadowReport:
    """How a candidate differs from the active version on the same texts."""

    detector: str
    active_version: str
    candidate_version: str
    n: int = 0
    agreement: float = 0.0
    flag_rate_active: float = 0.0
    flag_rate_candidate: float = 0.0
    mean_abs_score_delta: float = 0.0
    per_label: dict[str, dict[str, int]] = field(default_factory=dict)
    vs_labels: dict[str, Any] = field(default_factory=dict)
    disagreements: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def report_of(
    active: Sequence[DetectionResult],
    candidate: Sequence[DetectionResult],
    labels: Sequence[str | None] | None,
    detector: str,
    active_version: str,
    candidate_version: str,
) -> ShadowReport:
    n = len(active)
    rep = ShadowReport(detector, active_version, candidate_version, n=n)
    if n == 0:
        return rep
    same = [a.label == c.label for a, c in zip(active, candidate, strict=True)]
    rep.agreement = round(sum(same) / n, 4)
    rep.flag_rate_active = round(sum(_harm(a.label) == "1" for a in active) / n, 4)
    rep.flag_rate_candidate = round(sum(_harm(c.label) == "1" for c in candidate) / n, 4)
    rep.mean_abs_score_delta = round(
        sum(abs(a.score - c.score) for a, c in zip(active, candidate, strict=True)) / n, 4
    )
    for lab in sorted({r.label for r in (*active, *candidate)}):
        na = sum(a.label == lab for a in active)
        nc = sum(c.label == lab for c in candidate)
        rep.per_label[lab] = {"active": na, "candidate": nc, "delta": nc - na}
    rep.disagreements = [
        {
            "index": i,
            "active": a.label,
            "candidate": c.label,
            "active_score": round(a.score, 4),
            "candidate_score": round(c.score, 4),
        }
        for i, (a, c, s) in enumerate(zip(active, candidate, same, strict=True))
        if not s
    ][:50]
    if labels is not None:
        idx = [i for i, g in enumerate(labels) if g is not None]
        if idx:
            gold = [str(labels[i]) for i in idx]
            for side, results in (("active", active), ("candidate", candidate)):
                pred = [
                    _harm(results[i].label) if set(gold) <= {"0", "1"} else results[i].label
                    for i in idx
                ]
                scores = [results[i].score for i in idx] if len(set(gold)) == 2 else None
                rep.vs_labels[side] = classification_report(gold, pred, scores)
    return rep


def compare_detectors(
    active: Detector,
    candidate: Detector,
    texts: Sequence[str],
    labels: Sequence[str | None] | None = None,
) -> ShadowReport:
    """Score `texts` with both versions; `labels` (0/1 or model labels, None = unknown)."""
    a = active.score(texts)
    c = candidate.score(texts)
    return report_of(a, c, labels, active.name, active.version, candidate.version)


class ShadowRunner:
    """Wraps the active detector: callers get the active results, the candidate only watches."""

    def __init__(self, active: Detector, candidate: Detector) -> None:
        if active.name != candidate.name:
            raise ValueError("shadow mode compares two versions of one detector")
        self.active = active
        self.candidate = candidate
        self.name = active.name
        self.version = active.version
        self.labels = active.labels
        self._active: list[DetectionResult] = []
        self._candidate: list[DetectionResult] = []
        self._gold: list[str | None] = []

    def score(self, batch: Sequence[str]) -> list[DetectionResult]:
        """Active results (what the pipeline stores); the candidate's are kept for the report."""
        out = self.active.score(batch)
        try:
            shadow = self.candidate.score(batch)
        except Exception:  # a broken candidate must never disturb the live path
            return out
        self._active += out
        self._candidate += shadow
        self._gold += [None] * len(out)
        return out

    def observe_decisions(self, texts: Sequence[str], labels: Sequence[str]) -> None:
        """Score reviewers' decided texts (0/1 labels) with both versions."""
        self._active += self.active.score(texts)
        self._candidate += self.candidate.score(texts)
        self._gold += list(labels)

    def report(self) -> ShadowReport:
        gold = self._gold if any(g is not None for g in self._gold) else None
        return report_of(
            self._active,
            self._candidate,
            gold,
            self.name,
            self.active.version,
            self.candidate.version,
        )
