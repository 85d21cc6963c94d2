"""The pipeline stage "detect": score every new item with the product detectors.

Each item's `scores` gets, per detector, the result's JSON form (model name and version,
label, calibrated score, explanation, highlighted spans, scam evidence); the item's
`category` becomes the harm category of its strongest flagging detector. In the pipeline this
stage runs before the stories stage, which folds the scores into the stories' `max_scores`;
items that already have a story (scored again) fold theirs here.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from soitin.db.bulk import write_columns
from soitin.db.models import Item
from soitin.detect.protocol import DetectionResult
from soitin.detect.registry import DetectorSuite, product_suite, shadow_models_dir, shadow_suite
from soitin.detect.shadow_store import record_shadow

#: Detector name → harm category (the `Category` values).
CATEGORY_OF = {
    "toxicity": "toxic",
    "scam": "scam",
    "misinformation": "misinformation",
    "spam": "spam",
}


@lru_cache(maxsize=1)
def shared_suite() -> DetectorSuite:
    """The product detectors, loaded once per process."""
    return product_suite()


@lru_cache(maxsize=2)
def shared_shadow_suite(folder: str) -> DetectorSuite:
    """The candidate detectors of a shadow folder, loaded once per process."""
    return shadow_suite(Path(folder))


def stored_form(result: DetectionResult) -> dict[str, Any]:
    """What goes into `Item.scores[detector]`: the model and version, label, score and
    probabilities; the explanation, highlights, evidence and frames only when there are any.

    Most results explain nothing (only flagged texts are explained), and every item stores one
    result per detector: empty lists and the detector's name in each of them were two fifths
    of a stored item. Readers take a missing list as empty.
    """
    return result.to_dict(compact=True)


class DetectStage:
    """Scores a batch with every product detector, in one call per batch."""

    name = "detect"

    def __init__(
        self, suite: DetectorSuite | None = None, shadow: DetectorSuite | None = None
    ) -> None:
        self._suite = suite
        self._shadow = shadow

    def __call__(self, session: Session, items: Sequence[Item]) -> None:
        """Score `items`, store the results, update their stories; never commits."""
        if not items:
            return
        suite = self._suite or shared_suite()
        if not suite.detectors:
            return
        texts = [item.text or item.title or "" for item in items]
        results = suite.score(texts)
        rows = []
        for i, item in enumerate(items):
            scores = dict(item.scores or {})
            best: tuple[float, str] | None = None
            for name, per_item in results.items():
                result = per_item[i]
                scores[name] = stored_form(result)
                if result.flagged and name in CATEGORY_OF:
                    # Spam only names the category when no harm detector flags the item.
                    rank = result.score + (0.0 if name == "spam" else 1.0)
                    if best is None or rank > best[0]:
                        best = (rank, CATEGORY_OF[name])
            category = best[1] if best else item.category
            rows.append({"scores": scores, "category": category})
        write_columns(session, items, rows)  # one UPDATE for the batch (soitin.db.bulk)
        shadow = self._shadow
        if shadow is None and (folder := shadow_models_dir()) is not None:
            shadow = shared_shadow_suite(str(folder))
        if shadow is not None and shadow.detectors:
            record_shadow(session, items, texts, results, shadow)

        from soitin.stories.aggregate import refresh_max_scores

        refresh_max_scores(session, items)
