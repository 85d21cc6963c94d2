"""Saved artefacts reload to identical predictions; they hold no pickle."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from soitin.detect.catalog import PRODUCT
from soitin.detect.linear import LinearTextModel
from soitin.detect.registry import load_detector
from soitin.detect.spans import SpanModel, fit_span_model
from soitin.detect.training import LinearConfig, fit_linear

TEXTS = [
    "Chúc mừng bạn trúng thưởng iPhone, nhấn bit.ly/qua để nhận",
    "Mai họp lớp lúc 9 giờ nhé",
    "đồ ngu như bò",
    "",
    "<b>HTML</b> &amp; 😀",
]


def test_linear_model_round_trip(tmp_path: Path) -> None:
    texts = ["lừa đảo chuyển tiền ngay", "chào buổi sáng cả nhà"] * 20
    labels = ["1", "0"] * 20
    model, _ = fit_linear("t", "v1", texts, labels, ["0", "1"], LinearConfig(folds=2))
    path = tmp_path / "t.npz"
    model.save(path)
    again = LinearTextModel.load(path)
    assert np.array_equal(model.predict_proba(TEXTS), again.predict_proba(TEXTS))
    assert again.version == "v1" and again.labels == ["0", "1"]
    with zipfile.ZipFile(path) as z:
        assert all(n.endswith(".npy") for n in z.namelist())


def test_span_model_round_trip(tmp_path: Path) -> None:
    rows = [("thằng ngu này", [6, 7, 8]), ("hôm nay đẹp trời", []), ("đồ ngu", [3, 4, 5])] * 12
    model, _ = fit_span_model("vihos", "v1", rows, folds=2)
    path = tmp_path / "vihos.npz"
    model.save(path)
    again = SpanModel.load(path)
    assert again.offsets(TEXTS) == model.offsets(TEXTS)
    assert again.threshold == model.threshold and again.version == "v1"


def test_detectors_from_one_folder_agree(small_models: Path) -> None:
    for name in PRODUCT:
        a = [r.to_dict() for r in load_detector(name, small_models).score(TEXTS)]
        b = [r.to_dict() for r in load_detector(name, small_models).score(TEXTS)]
        assert a == b


def test_in_memory_model_equals_saved_model(small_models: Path, tmp_path: Path) -> None:
    model = LinearTextModel.load(small_models / "spam.npz")
    model.save(tmp_path / "spam.npz")
    again = LinearTextModel.load(tmp_path / "spam.npz")
    assert np.array_equal(model.predict_proba(TEXTS), again.predict_proba(TEXTS))


def test_model_trained_on_finer_classes_answers_the_coarse_labels(tmp_path: Path) -> None:
    texts = [
        "mua ngay giảm giá sốc inbox shop",  # brand/shop promotion
        "hàng tuyệt vời năm sao đáng tiền mua lại lần nữa",  # fake praise
        "asdkj qwe zzz lorem",  # irrelevant text
        "vải hơi mỏng nhưng giao nhanh, đóng gói kỹ",  # a genuine review
        "màu giống ảnh, size hơi rộng so với bảng",  # a genuine review
    ] * 12
    fine = ["2", "1", "3", "0", "0"] * 12
    answers = {"0": "0", "1": "1", "2": "1", "3": "1"}
    model, report = fit_linear(
        "t", "v1", texts, fine, ["0", "1", "2", "3"], LinearConfig(folds=2), answers=answers
    )
    assert model.labels == ["0", "1"] and model.groups == (0, 1, 1, 1)
    assert model.coef.shape[1] == 4  # one weight vector per fine class
    proba = model.predict_proba(TEXTS + texts[:5])
    assert proba.shape == (len(TEXTS) + 5, 2) and np.allclose(proba.sum(axis=1), 1.0)
    assert model.predict(texts[:5]) == ["1", "1", "1", "0", "0"]
    assert set(report["oof"]["per_class"]) == {"0", "1"}
    path = tmp_path / "t.npz"
    model.save(path)
    again = LinearTextModel.load(path)
    assert again.groups == model.groups
    assert np.array_equal(model.predict_proba(TEXTS), again.predict_proba(TEXTS))
    why = again.explain(texts[0], texts[0], 1)
    assert why and all(c.weight > 0 for c in why)


def test_model_cards_describe_the_committed_artefacts() -> None:
    from soitin.detect.catalog import CATALOG
    from soitin.detect.trainer import DOCS_MODELS

    for name in CATALOG:
        card = (DOCS_MODELS / f"{name}.md").read_text(encoding="utf-8")
        version = load_detector(name).version.split("+")[0]
        assert f"`{version}`" in card.splitlines()[2], (name, version)


def test_a_slice_or_candidate_run_writes_its_card_beside_the_artefact(tmp_path: Path) -> None:
    from soitin.detect.trainer import DOCS_MODELS, train_model
    from tests.detect.conftest import require_shared_data

    require_shared_data()
    before = (DOCS_MODELS / "smishing.md").read_bytes()
    outcome = train_model("smishing", out_dir=tmp_path, limit=120)
    assert (DOCS_MODELS / "smishing.md").read_bytes() == before
    card = (tmp_path / "smishing.md").read_text(encoding="utf-8")
    assert f"`{outcome.version}`" in card
