"""Texts that only *talk about* harm (warnings, reports, denials) are not flagged."""

from __future__ import annotations

import csv
from collections import Counter

from soitin.detect.trainer import AUGMENT_FILE, HARD_NEGATIVES_FILE, hard_negative_report


def _rows(path: object) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:  # type: ignore[call-overload]
        return list(csv.DictReader(fh))


def test_eval_set_shape_and_separation() -> None:
    rows = _rows(HARD_NEGATIVES_FILE)
    assert len(rows) >= 150
    counts = Counter((r["detector"], r["label"]) for r in rows)
    for det in ("toxicity", "scam", "misinformation"):
        assert counts[(det, "0")] >= 40 and counts[(det, "1")] >= 10
    # the augmentation set we train on never repeats an evaluation sentence
    train = {r["text"] for r in _rows(AUGMENT_FILE)}
    assert not train & {r["text"] for r in rows}


# measured on the committed models (269 rows): FP 0.042 / 0.063 / 0.033, recall 0.96 / 0.96 / 0.65
RECALL_FLOOR = {"toxicity": 0.8, "scam": 0.7, "misinformation": 0.5}


def test_committed_detectors_keep_false_positives_low() -> None:
    report = hard_negative_report()
    for det, floor in RECALL_FLOOR.items():
        assert report[det]["false_positive_rate"] <= 0.1, report
        assert report[det]["recall"] >= floor, report


def test_benchmark_models_without_our_frames_flag_more() -> None:
    """The same texts scored by models trained without our warnings/denials/background."""
    before = hard_negative_report(
        use={"toxicity": "vihsd", "scam": "smishing", "misinformation": "reintel"}
    )
    after = hard_negative_report()
    assert sum(v["false_positives"] for v in after.values()) < sum(
        v["false_positives"] for v in before.values()
    )


def test_short_reminders_are_not_misinformation_and_rumours_ending_so_still_are() -> None:
    """Held-out sentences of the evaluation set (not in the augmentation set): reminders that
    claim nothing, and a rumour that ends with the same "be careful" call."""
    from soitin.detect.registry import get_detector

    detector = get_detector("misinformation")
    reminders = [
        "nhớ cẩn thận nhé mọi người",
        "Trời mưa đường trơn, mọi người chạy xe cẩn thận.",
        "Cả xóm nhớ đóng cửa cẩn thận khi đi vắng nhé.",
    ]
    rumour = (
        "Trứng gà giả làm từ nhựa đang được bán tràn lan ở các chợ, đập ra không có lòng đỏ "
        "thật, mọi người cẩn thận."
    )
    held_out = {r["text"] for r in _rows(HARD_NEGATIVES_FILE)}
    assert {*reminders, rumour} <= held_out
    results = detector.score([*reminders, rumour])
    assert [r.flagged for r in results] == [False, False, False, True], results


def test_flood_and_harvest_news_is_not_toxic_and_insults_with_the_same_words_still_are() -> None:
    """Held-out sentences of the evaluation set: "lũ" is a flood as well as a pack, "bông
    điên điển" a flower; the insults use the same words."""
    from soitin.detect.registry import get_detector

    detector = get_detector("toxicity")
    news = [
        "Nước lũ rút, người dân bắt tay vào dọn dẹp nhà cửa, trường học.",
        "Nước lũ đầu nguồn đổ về, người dân An Giang bắt đầu mùa đánh bắt cá linh.",
        "Mùa nước nổi, bà con hái bông điên điển bán cho thương lái.",
        "Bông điên điển xào tôm là món ăn dân dã mùa nước nổi.",
    ]
    insults = [
        "Lũ chó này chỉ biết phá hoại, đánh chết hết cho rồi.",
        "Lũ tụi bây toàn đồ điên, biến hết khỏi đây.",
    ]
    held_out = {r["text"] for r in _rows(HARD_NEGATIVES_FILE)}
    assert {*news, *insults} <= held_out
    results = detector.score([*news, *insults])
    assert [r.flagged for r in results] == [False] * 4 + [True] * 2, results
