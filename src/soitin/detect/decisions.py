"""Reviewers' decisions (confirmed / dismissed cases) as labelled training texts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from soitin.db.engine import Database
from soitin.db.models import Case, CaseStatus, Category, Item, Story
from soitin.detect.catalog import CATALOG

__all__ = ["CATEGORY_TO_DETECTOR", "DecisionRow", "decision_rows", "rows_for_model"]

#: Case category -> product detector it teaches.
CATEGORY_TO_DETECTOR = {
    Category.MISINFORMATION.value: "misinformation",
    Category.SCAM.value: "scam",
    Category.TOXIC.value: "toxicity",
    Category.SPAM.value: "spam",
}

DecisionRow = tuple[str, str, str]  # (detector, text, "0" | "1")

#: At most this many items of one story are used, so one viral story cannot dominate.
PER_STORY = 20


def decision_rows(database: Database, limit: int = 50_000) -> list[DecisionRow]:
    """(detector, text, label) for items of stories whose case was confirmed or dismissed.

    Confirmed -> 1 for the case's category; dismissed -> 0 for it. A case without a
    category falls back to its story's category; texts are deduplicated per detector
    (the latest decision wins when reviewers disagreed).
    """
    decided = (CaseStatus.CONFIRMED.value, CaseStatus.DISMISSED.value)
    latest: dict[tuple[str, str], str] = {}
    with database.session() as session:
        stmt = (
            select(Case.status, Case.category, Story.category, Story.id)
            .join(Story, Story.id == Case.story_id)
            .where(Case.status.in_(decided))
            .order_by(Case.id)
            .limit(limit)
        )
        for status, category, story_category, story_id in session.execute(stmt):
            detector = CATEGORY_TO_DETECTOR.get(category or story_category or "")
            if detector is None:
                continue
            label = "1" if status == CaseStatus.CONFIRMED.value else "0"
            texts = session.scalars(
                select(Item.text)
                .where(Item.story_id == story_id, Item.text.is_not(None))
                .order_by(Item.id)
                .limit(PER_STORY)
            ).all()
            for text in texts:
                if text and text.strip():
                    latest[(detector, text)] = label
    return [(det, text, label) for (det, text), label in latest.items()]


def rows_for_model(name: str, rows: Sequence[DecisionRow]) -> list[tuple[str, str]]:
    """Decision rows of one product model, with its own label names (0 -> benign)."""
    spec = CATALOG[name]
    harmful = spec.labels[1]
    return [
        (text, harmful if lab == "1" else spec.labels[0]) for det, text, lab in rows if det == name
    ]


def summary(rows: Sequence[DecisionRow]) -> dict[str, Any]:
    """Counts per detector and label."""
    out: dict[str, dict[str, int]] = {}
    for det, _, lab in rows:
        out.setdefault(det, {"0": 0, "1": 0})[lab] += 1
    return out
