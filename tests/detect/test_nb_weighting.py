"""NB-weighted n-grams (`LinearConfig.nb_alpha`): the log-count ratio, folded into the stored
weights, scores exactly as the fit on the scaled features; the model still learns and explains."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest
from scipy import sparse

from soitin.detect.detectors import LinearDetector
from soitin.detect.features import FeatureSpec, featurise
from soitin.detect.normalise import prepare_many
from soitin.detect.training import LinearConfig, _design, _fit, _fit_lr, _idf, fit_linear, nb_ratio

SCAMS = [
    "Chúc mừng quý khách trúng thưởng xe SH, truy cập bit.ly/nhanqua để nhận",
    "Tài khoản của bạn bị khóa, đăng nhập vcb-xacthuc.cc để mở lại ngay",
    "Việc nhẹ lương cao, làm nhiệm vụ tại nhà 500k/ngày, nhắn zalo 0912345678",
    "Bạn được hoàn tiền thuế, điền thông tin thẻ tại hoantien-thue.com",
]
LEGIT = [
    "Mẹ ơi tối nay con về muộn, mẹ cứ ăn cơm trước nhé",
    "Lịch học tuần sau chuyển sang phòng B2, các em chú ý",
    "Điện lực thông báo cắt điện khu vực phường 3 từ 8h đến 11h thứ bảy",
    "Cảm ơn anh đã ghé cửa hàng, hẹn gặp lại anh lần sau",
]


def _corpus(n: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        scam = rng.random() < 0.3
        texts.append(f"{rng.choice(SCAMS if scam else LEGIT)} {rng.choice(LEGIT)} {i % 13}")
        labels.append("1" if scam else "0")
    return texts, labels


def test_the_ratio_favours_the_ngrams_of_label_1() -> None:
    counts = sparse.csr_matrix(np.array([[2, 0, 1], [1, 0, 1], [0, 3, 1], [0, 1, 1]], np.float32))
    y = np.array([1, 1, 0, 0])
    r = nb_ratio(counts, y, alpha=1.0)
    # presence: column 0 in both 1s, column 1 in both 0s, column 2 everywhere
    p, q = np.array([3.0, 1.0, 3.0]), np.array([1.0, 3.0, 3.0])
    assert np.allclose(r, np.log((p / p.sum()) / (q / q.sum())))
    assert r[0] > 0 > r[1] and abs(r[2]) < 1e-6


def test_folded_weights_score_as_the_fit_on_scaled_features() -> None:
    texts, labels = _corpus(200, 1)
    y = np.array([int(v) for v in labels])
    spec = FeatureSpec(n_bits=16)
    counts = featurise(prepare_many(texts, spec.prep), spec)
    cfg = LinearConfig(c=4.0, spec=spec, nb_alpha=1.0)
    idf = _idf(counts, cfg.min_df)
    folded = _fit(counts, idf, None, y, cfg)
    x = _design(counts, idf, None, cfg.cue_scale)
    scale = nb_ratio(counts, y, 1.0)
    scaled = _fit_lr((x @ sparse.diags(scale)).tocsr(), y, cfg)
    want = scaled.decision_function((x @ sparse.diags(scale)).tocsr())
    assert np.allclose(folded.decision_function(x), want, atol=1e-4)
    plain = _fit(counts, idf, None, y, dataclasses.replace(cfg, nb_alpha=0.0))
    assert not np.allclose(plain.coef_, folded.coef_)  # the weighting changes the model


def test_a_weighted_model_learns_and_explains() -> None:
    texts, labels = _corpus(240, 2)
    cfg = LinearConfig(c=4.0, spec=FeatureSpec(n_bits=16), nb_alpha=1.0)
    model, report = fit_linear("nb", "t", texts, labels, ["0", "1"], cfg)
    assert report["oof"]["macro_f1"] > 0.9
    det = LinearDetector("nb", model)
    scam, legit = det.score([SCAMS[0], LEGIT[1]])
    assert scam.label == "1" and legit.label == "0"
    assert scam.explanation and scam.explanation[0][1] > 0


def test_nb_weighting_needs_two_labels() -> None:
    texts, labels = _corpus(60, 3)
    labels = [lab if i % 3 else "2" for i, lab in enumerate(labels)]
    cfg = LinearConfig(c=4.0, spec=FeatureSpec(n_bits=16), nb_alpha=1.0, folds=2)
    with pytest.raises(ValueError, match="two labels"):
        fit_linear("nb", "t", texts, labels, ["0", "1", "2"], cfg)
