"""The product detectors on the demo posts: texts we wrote and labelled ourselves (news of the
province, official warnings and denials, scams, rumours, insults, spam)."""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources

from soitin.detect.registry import product_suite

#: detector → (its demo category, least recall on it); measured 0.86 / 0.80 / 0.52
RECALL_FLOOR = {
    "scam": ("scam", 0.75),
    "toxicity": ("toxic", 0.75),
    "misinformation": ("misinformation", 0.4),
}


def test_benign_demo_posts_are_rarely_flagged_and_harms_are_found() -> None:
    lines = resources.files("soitin.demo").joinpath("data", "posts.jsonl").read_text("utf-8")
    rows = [json.loads(line) for line in lines.splitlines() if line.strip()]
    texts = [f"{r['title']}\n{r['text']}" if r.get("title") else r["text"] for r in rows]
    results = product_suite().score(texts)
    total = Counter(r["category"] for r in rows)
    assert total["benign"] >= 150
    for name, per_text in results.items():
        flagged = Counter(
            r["category"] for r, res in zip(rows, per_text, strict=True) if res.flagged
        )
        # at most 5 % of benign posts (the scam detector flagged 26 of 176 news and official
        # posts before its reach rule, the misinformation detector 12)
        assert flagged["benign"] / total["benign"] <= 0.05, (name, flagged)
        if name in RECALL_FLOOR:
            category, floor = RECALL_FLOOR[name]
            assert flagged[category] / total[category] >= floor, (name, flagged)
