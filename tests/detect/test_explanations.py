"""Which results explain themselves: every flagged one, and no others unless asked.

Scam evidence (phones, accounts, links, amounts) is found for likely scams either way: it is
what the text holds, not why it scored.
"""

from __future__ import annotations

import csv
from pathlib import Path

from soitin.detect.catalog import PRODUCT
from soitin.detect.registry import load_detector

HARD = Path(__file__).parents[1] / "data" / "detect_hard_negatives.csv"


def _texts() -> list[str]:
    with HARD.open(encoding="utf-8", newline="") as fh:
        return [row["text"] for row in csv.DictReader(fh)]


def test_every_flagged_result_is_explained_and_others_are_not(small_models: Path) -> None:
    texts = _texts()
    for name in PRODUCT:
        results = load_detector(name, small_models).score(texts)
        flagged = [r for r in results if r.flagged]
        assert flagged, name  # the file holds harmful sentences for every detector
        for r in results:
            why = [h for h in r.highlights if h.source != "evidence"]
            if r.flagged:
                assert r.explanation or why, (name, r)
                assert all(weight > 0 for _, weight in r.explanation)
            else:
                assert not r.explanation and not why, (name, r)


def test_explanations_can_be_switched_off_or_widened(small_models: Path) -> None:
    texts = _texts()
    detector = load_detector("scam", small_models)
    detector.explain = False
    off = detector.score(texts)
    assert any(r.flagged for r in off)
    assert not any(r.explanation for r in off)
    assert all(h.source == "evidence" for r in off for h in r.highlights)
    detector.explain = True
    detector.explain_min = 0.0  # every text, flagged or not
    results = detector.score(texts)
    assert any(r.explanation for r in results if not r.flagged)
