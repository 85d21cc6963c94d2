"""The toxicity detector judges the language of a text, never whether it is about, or
criticises, officials, the state or a party: we build no score for political opinion.

`tests/data/criticism_of_authorities.csv` holds our own sentences (never trained on): plain
criticism of local governments, officials, police and policies (label 0), and insults aimed
at officials (label 1), which are toxic language whoever they target.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from soitin.detect.normalise import AUTHORITY_TERMS, PREP_NEUTRAL, prepare
from soitin.detect.registry import load_detector, product_suite

CRITICISM = Path(__file__).parents[1] / "data" / "criticism_of_authorities.csv"


def _rows() -> list[dict[str, str]]:
    with CRITICISM.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_criticism_is_not_toxic_and_insults_still_are() -> None:
    rows = _rows()
    detector = load_detector("toxicity")
    results = detector.score([r["text"] for r in rows])
    criticism = [res for r, res in zip(rows, results, strict=True) if r["label"] == "0"]
    insults = [res for r, res in zip(rows, results, strict=True) if r["label"] == "1"]
    assert len(criticism) >= 30 and len(insults) >= 5
    # measured with the shipped model: 1 of 30 (a complaint about a flooded road, hate 0.56);
    # before authorities were taken out of its input: 2 of 30, and "cán bộ" alone was hate
    assert sum(r.flagged for r in criticism) <= 1
    assert all(r.flagged for r in insults)


@pytest.mark.parametrize("term", ["cán bộ", "Lãnh đạo", "ĐẢNG", "quan chức", "tham nhũng"])
def test_a_name_of_an_authority_weighs_nothing(term: str) -> None:
    """A text scores as it would without the authority's name (the model never sees it)."""
    detector = load_detector("toxicity")
    pairs = [
        (term, ""),
        (f"{term} làm việc quá tệ, dân chờ cả tháng", "làm việc quá tệ, dân chờ cả tháng"),
        (f"lũ {term} chó má", "lũ chó má"),
    ]
    with_term = detector.score([a for a, _ in pairs])
    without = detector.score([b for _, b in pairs])
    for a, b in zip(with_term, without, strict=True):
        assert a.label == b.label
        assert a.probabilities == pytest.approx(b.probabilities, abs=1e-6)
    assert with_term[0].label == "clean" and with_term[2].flagged


def test_authority_terms_are_taken_out_as_whole_words_only() -> None:
    assert prepare("Cán bộ xã đang họp, can bo thon vang mat", PREP_NEUTRAL) == (
        "xã đang họp, thon vang mat"
    )
    assert prepare("quan trọng là chế độ ăn", PREP_NEUTRAL) == "quan trọng là ăn"
    assert prepare("đảng viên, Đảng và dang dở", PREP_NEUTRAL) == ", và dang dở"
    assert all(prepare(term, PREP_NEUTRAL) == "" for term in AUTHORITY_TERMS)


def test_the_suite_scores_as_each_detector_alone() -> None:
    """The suite counts n-grams once and recounts only the texts that name an authority."""
    texts = [r["text"] for r in _rows()] + ["hôm nay trời đẹp", "", "Công an cảnh báo lừa đảo"]
    together = product_suite().score(texts)
    for name, results in together.items():
        alone = load_detector(name).score(texts)
        for a, b in zip(results, alone, strict=True):
            assert (a.label, a.explanation) == (b.label, b.explanation), name
            assert a.score == pytest.approx(b.score, abs=1e-6), name
