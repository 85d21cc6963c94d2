"""Hashed n-gram features and text preparation."""

from __future__ import annotations

import numpy as np
import pytest

from soitin.detect.features import FeatureSpec, featurise, ngrams_of
from soitin.detect.normalise import MAX_CHARS, prepare


def test_same_text_same_row_whatever_the_batch() -> None:
    spec = FeatureSpec(n_bits=18)
    alone = featurise(["lừa đảo chuyển khoản"], spec)
    batch = featurise(["xin chào", "lừa đảo chuyển khoản", ""], spec)
    assert (alone[0] != batch[1]).nnz == 0
    assert batch[2].nnz == 0
    assert batch.shape == (3, 1 << 18)
    assert featurise(["", ""], spec).nnz == 0


def test_counts_reflect_repeated_words() -> None:
    spec = FeatureSpec(n_bits=18, char_min=1, char_max=1, word_max=1)
    row = featurise(["ab ab ab"], spec)
    # unigrams: 'a' x3, 'b' x3, word 'ab' x3 -> 3 distinct buckets (barring collisions), 9 total
    assert row.sum() == 9
    assert row.nnz <= 3


def test_ngrams_point_at_their_text() -> None:
    spec = FeatureSpec(n_bits=18, char_min=2, char_max=3, word_max=2)
    text = "việc nhẹ lương cao"
    grams = ngrams_of(text, spec)
    words = {text[g.start : g.end] for g in grams if g.kind == "word"}
    assert {"việc", "nhẹ", "lương cao", "việc nhẹ"} <= words
    counts = featurise([text], spec)
    assert set(np.unique([g.column for g in grams])) == set(counts.indices.tolist())


def test_prepare_bounds_and_cleans() -> None:
    assert prepare("") == ""
    assert len(prepare("a" * 2_000_000)) <= MAX_CHARS + 1
    out = prepare("Xem  ngay https://bit.ly/abc\x00\u200b NHÉ")
    assert "urltoken" in out and "\x00" not in out and "  " not in out
    assert out == out.lower()


def test_url_host_preparation_keeps_the_host_labels() -> None:
    from soitin.detect.normalise import PREP_MATCHING, PREP_URL_HOST, normaliser_name, prepare

    text = "Nhận quà tại https://bit.ly/abc123 hoặc www.VinaPhone.com.vn/km"
    assert "urltoken bit ly" in prepare(text, PREP_URL_HOST)
    assert "urltoken vinaphone com vn" in prepare(text, PREP_URL_HOST)
    assert "bit" not in prepare(text, PREP_MATCHING).split()
    assert normaliser_name(PREP_URL_HOST) != normaliser_name(PREP_MATCHING)


def test_style_cues_tell_keyboard_mashing_from_a_review() -> None:
    from soitin.detect.cues import STYLE_CUES, cue_matrix

    review, mashing = cue_matrix(
        ["Giao hàng nhanh, đóng gói cẩn thận", "hsbsdbxbs qhpxncbdvs okkkkkk 😀😀😀"], STYLE_CUES
    )
    col = {name: i for i, name in enumerate(STYLE_CUES)}
    assert mashing[col["vowelless_ratio"]] > review[col["vowelless_ratio"]]
    assert mashing[col["repeat_ratio"]] > review[col["repeat_ratio"]]
    assert mashing[col["emoji_ratio"]] > review[col["emoji_ratio"]] == 0.0
    assert review[col["diacritic_ratio"]] > mashing[col["diacritic_ratio"]]


def test_upper_ratio_counts_upper_case_letters_only() -> None:
    # Accented lower-case letters (à, ế, ữ) are not capitals; Đ and Ữ are.
    from soitin.detect.cues import cue_matrix

    lower, upper, mixed = cue_matrix(["àếữđ", "ÀẾỮĐ", "Đà Nẵng"], ["upper_ratio"])[:, 0]
    assert lower == 0.0
    assert upper == 1.0
    assert mixed == pytest.approx(2 / 7)


def test_a_feature_space_it_cannot_build_is_refused() -> None:
    # Word n-grams stop at 2: asking for 3 must not silently train on 1-2.
    with pytest.raises(ValueError, match="up to 2 words"):
        FeatureSpec(word_max=3)
    with pytest.raises(ValueError, match="no range"):
        FeatureSpec(char_min=4, char_max=2)
    assert FeatureSpec(char_min=1, char_max=0).char_max == 0  # words only
