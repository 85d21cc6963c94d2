"""The one detector protocol and the result every detector returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

__all__ = ["Detector", "DetectionResult", "Highlight"]


@dataclass(frozen=True)
class Highlight:
    """A character span of the *original* text that drove the score."""

    start: int
    end: int
    text: str
    weight: float
    source: str  # "span-model" (trained on ViHOS), "ngram" or "evidence"

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "weight": self.weight,
            "source": self.source,
        }


@dataclass(frozen=True)
class DetectionResult:
    """One detector's verdict on one text; stored with the model name and version."""

    detector: str
    model: str
    version: str
    label: str
    score: float  # calibrated probability that the text is harmful for this detector
    probabilities: dict[str, float]
    explanation: tuple[tuple[str, float], ...] = ()  # (n-gram or cue, contribution)
    highlights: tuple[Highlight, ...] = ()
    evidence: dict[str, list[str]] = field(default_factory=dict)
    frames: tuple[str, ...] = ()  # warning / denial / reporting phrases found

    @property
    def flagged(self) -> bool:
        """True when the predicted label is a harmful one."""
        return self.label not in BENIGN_LABELS

    def to_dict(self, *, compact: bool = False) -> dict[str, Any]:
        """JSON-ready form. `compact` is the form stored in `Item.scores[detector]`: without
        the detector's name (the key says it) and without the lists and evidence that are
        empty (most results explain nothing: only flagged texts are explained)."""
        out: dict[str, Any] = {} if compact else {"detector": self.detector}
        out["model"] = self.model
        out["version"] = self.version
        out["label"] = self.label
        out["score"] = round(self.score, 4)
        out["probabilities"] = {k: round(v, 4) for k, v in self.probabilities.items()}
        if self.explanation or not compact:
            out["explanation"] = [{"feature": f, "weight": w} for f, w in self.explanation]
        if self.highlights or not compact:
            out["highlights"] = [h.to_dict() for h in self.highlights]
        if self.evidence or not compact:
            out["evidence"] = self.evidence
        if self.frames or not compact:
            out["frames"] = list(self.frames)
        return out


#: Labels that mean "nothing harmful here", across detectors and benchmark models.
BENIGN_LABELS = frozenset({"clean", "legit", "reliable", "ham", "0"})


@runtime_checkable
class Detector(Protocol):
    """What every detector offers; it knows nothing of the web or the database."""

    name: str
    version: str
    labels: tuple[str, ...]

    def score(self, batch: Sequence[str]) -> list[DetectionResult]:
        """One result per text, in order; never raises on odd input."""
        ...
