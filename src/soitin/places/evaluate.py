"""Evaluation of the place tagger on a labelled CSV (ours: `tests/data/places_eval.csv`).

Scores are micro-averaged over sentences: every gold code the tagger returns is a true
positive, every extra code a false positive, every missing one a false negative; provinces
and wards are counted separately.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from soitin.places.tagger import PlaceTagger, get_tagger

__all__ = ["Counts", "EvalReport", "Example", "evaluate", "read_examples"]


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled sentence."""

    id: str
    text: str
    province_codes: frozenset[str]
    ward_codes: frozenset[str]
    split: str = "dev"
    category: str = ""


@dataclass(slots=True)
class Counts:
    """True positives, false positives and false negatives of one level."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: frozenset[str], found: set[str]) -> None:
        """Count one sentence."""
        self.tp += len(gold & found)
        self.fp += len(found - gold)
        self.fn += len(gold - found)

    @property
    def precision(self) -> float:
        """TP / (TP + FP); 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN); 1.0 when there was nothing to find."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """Figures rounded for printing."""
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass(slots=True)
class EvalReport:
    """Counts overall and per split; the sentences the tagger got wrong."""

    sentences: int = 0
    province: Counts = field(default_factory=Counts)
    ward: Counts = field(default_factory=Counts)
    by_split: dict[str, tuple[Counts, Counts]] = field(default_factory=dict)
    errors: list[dict[str, object]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready figures."""
        return {
            "sentences": self.sentences,
            "province": self.province.as_dict(),
            "ward": self.ward.as_dict(),
            "by_split": {
                name: {"province": p.as_dict(), "ward": w.as_dict()}
                for name, (p, w) in sorted(self.by_split.items())
            },
        }


def read_examples(path: Path) -> list[Example]:
    """Read the CSV: columns id, text, province_codes, ward_codes (codes space-separated),
    optional split and category."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Example(
                id=row["id"],
                text=row["text"],
                province_codes=frozenset((row.get("province_codes") or "").split()),
                ward_codes=frozenset((row.get("ward_codes") or "").split()),
                split=row.get("split") or "dev",
                category=row.get("category") or "",
            )
            for row in csv.DictReader(handle)
        ]


def evaluate(examples: Iterable[Example], tagger: PlaceTagger | None = None) -> EvalReport:
    """Tag every example and count agreement with its labels."""
    tagger = tagger or get_tagger()
    report = EvalReport()
    for ex in examples:
        tags = tagger.tag(ex.text)
        found_p, found_w = set(tags.province_codes), set(tags.ward_codes)
        report.sentences += 1
        report.province.add(ex.province_codes, found_p)
        report.ward.add(ex.ward_codes, found_w)
        split = report.by_split.setdefault(ex.split, (Counts(), Counts()))
        split[0].add(ex.province_codes, found_p)
        split[1].add(ex.ward_codes, found_w)
        if found_p != ex.province_codes or found_w != ex.ward_codes:
            report.errors.append(
                {
                    "id": ex.id,
                    "text": ex.text,
                    "gold": {
                        "province_codes": sorted(ex.province_codes),
                        "ward_codes": sorted(ex.ward_codes),
                    },
                    "found": {"province_codes": sorted(found_p), "ward_codes": sorted(found_w)},
                }
            )
    return report
