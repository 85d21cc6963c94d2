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


# measured on the committed models (245 rows): FP 0.039 / 0.063 / 0.033, recall 0.96 / 0.96 / 0.65
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
