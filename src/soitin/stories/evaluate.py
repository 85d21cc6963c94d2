"""Evaluation of claim matching on a labelled set: precision@1 and recall.

precision@1: of the posts the matcher gives a claim (best score at or above the threshold),
the share whose best claim is the labelled one. recall: of the posts labelled with a claim,
the share whose best claim is that claim.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from soitin.errors import InvalidInputError
from soitin.stories.matching import ClaimMatcher

__all__ = ["evaluate_files", "evaluate_pairs", "match_posts"]

_BATCH = 64


def match_posts(
    matcher: ClaimMatcher, posts: Sequence[tuple[str, str]]
) -> list[tuple[str, str | int | None, float]]:
    """(post id, best claim id or None, best score) for each post, in order."""
    out: list[tuple[str, str | int | None, float]] = []
    for start in range(0, len(posts), _BATCH):
        chunk = posts[start : start + _BATCH]
        for (post_id, _text), scored in zip(
            chunk, matcher.score_many([t for _p, t in chunk]), strict=True
        ):
            best = scored[0] if scored else None
            if best is not None and best.score >= matcher.threshold:
                out.append((post_id, best.claim_id, best.score))
            else:
                out.append((post_id, None, best.score if best else 0.0))
    return out


def evaluate_pairs(
    predicted: Sequence[str | int | None], gold: Sequence[str | None]
) -> dict[str, float | int]:
    """Precision@1 and recall of predicted best claims against gold labels."""
    made = [(p, g) for p, g in zip(predicted, gold, strict=True) if p is not None]
    correct = sum(1 for p, g in made if g is not None and str(p) == str(g))
    positives = sum(1 for g in gold if g)
    return {
        "precision_at_1": correct / len(made) if made else 1.0,
        "recall": correct / positives if positives else 1.0,
        "posts": len(gold),
        "positives": positives,
        "predicted": len(made),
        "correct": correct,
    }


def evaluate_files(matcher: ClaimMatcher, posts_csv: bytes, split: str = "all") -> dict[str, Any]:
    """Evaluate on a posts CSV with columns post_id, text, claim_id (empty: none), [split]."""
    reader = csv.DictReader(io.StringIO(posts_csv.decode("utf-8-sig", errors="replace")))
    if not reader.fieldnames or not {"post_id", "text", "claim_id"} <= set(reader.fieldnames):
        raise InvalidInputError("The posts CSV needs the columns post_id, text and claim_id.")
    if split not in {"all", "dev", "test"}:
        raise InvalidInputError("The split is all, dev or test.")
    rows = [r for r in reader if split == "all" or r.get("split", "") == split]
    results = match_posts(matcher, [(r["post_id"], r["text"] or "") for r in rows])
    report: dict[str, Any] = dict(
        evaluate_pairs([c for _p, c, _s in results], [r["claim_id"] or None for r in rows])
    )
    report.update(split=split, threshold=matcher.threshold, semantic=matcher.semantic)
    return report
