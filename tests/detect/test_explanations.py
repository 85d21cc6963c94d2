"""Which results explain themselves: every flagged one, and no others unless asked.

Scam evidence (phones, accounts, links, amounts) is found for likely scams either way: it is
what the text holds, not why it scored.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from soitin.detect.catalog import PRODUCT
from soitin.detect.normalise import prepare
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


def test_explanations_name_whole_words_and_phrases_of_the_text() -> None:
    # An n-gram's share of the score is spread over the words it covers, so a reviewer reads
    # "trúng thưởng" and sees it marked, never a lone "x", a "?" or half a word.
    scam = "Chúc mừng bạn trúng thưởng xe SH, gọi 0912345678 hoặc vào https://bit.ly/abc"
    texts = [*_texts(), scam]
    seen = 0
    for name in PRODUCT:
        detector = load_detector(name)
        detector.explain_min = 0.0  # every text explained
        for text, r in zip(texts, detector.score(texts), strict=True):
            words = set(re.findall(r"\w+", prepare(text, detector.model.spec.prep)))
            for feature, _ in r.explanation:
                if feature.startswith("["):  # a cue, or "[url]"
                    continue
                assert re.fullmatch(r"\w+( \w+)*", feature), (name, feature)
                assert set(feature.split()) <= words, (name, feature, text)
                seen += 1
            for h in r.highlights:
                if h.source == "ngram":  # marks whole words of the original text
                    assert text[h.start : h.end] == h.text
                    assert h.start == 0 or not text[h.start - 1].isalnum(), (name, h, text)
                    assert h.end == len(text) or not text[h.end].isalnum(), (name, h, text)
    assert seen > 100
    result = load_detector("scam").score([scam])[0]
    assert "trúng thưởng" in result.explanation[0][0]
    assert "[url]" in [feature for feature, _ in result.explanation]


def test_a_batch_is_explained_as_each_text_alone() -> None:
    # The texts of a batch are explained in one numpy pass over one joined string: no word
    # or share of one text may leak into its neighbour's, whatever the characters around.
    texts = [
        *_texts(),
        "",
        "😡😡 thằng ngu 𝐭𝐫𝐮́𝐧𝐠 thưởng 0912345678",  # emoji and mathematical letters
        "Trúng thưởng xe SH gọi ngay 0912345678 chuyển khoản phí 500k nhận quà",
        "Chúc mừng bạn trúng thưởng xe SH, gọi 0912345678 hoặc vào https://bit.ly/abc",
    ]
    for name in PRODUCT:
        detector = load_detector(name)
        detector.explain_min = 0.0  # explain every text, so every text is in the pass
        together = detector.score(texts)
        compared = 0
        for text, batch in zip(texts, together, strict=True):
            (alone,) = detector.score([text])
            assert batch.label == alone.label, (name, text)
            assert [f for f, _ in batch.explanation] == [f for f, _ in alone.explanation], (
                name,
                text,
            )
            for (_, w1), (_, w2) in zip(batch.explanation, alone.explanation, strict=True):
                assert abs(w1 - w2) <= 2e-4, (name, text)
            assert [(h.start, h.end) for h in batch.highlights] == [
                (h.start, h.end) for h in alone.highlights
            ], (name, text)
            compared += bool(alone.explanation)
        # (scam withdraws the explanation of a text with no way to reach the sender)
        assert compared >= len(texts) // 2, name
