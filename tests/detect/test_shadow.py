"""Shadow mode: a candidate version runs beside the active one and is compared."""

from __future__ import annotations

from pathlib import Path

import pytest

from soitin.detect.registry import load_detector
from soitin.detect.shadow import ShadowRunner, compare_detectors
from soitin.detect.trainer import train_model
from tests.detect.conftest import require_shared_data

TEXTS = [
    "Quý khách trúng thưởng 50 triệu, nộp phí 2 triệu vào STK 0123456789 để nhận",
    "Tài khoản ngân hàng của bạn bị khóa, xác minh tại vcb-verify.xyz",
    "Con về ăn cơm chưa, mẹ nấu canh chua rồi",
    "Lịch họp tổ dân phố chuyển sang tối thứ năm",
]


@pytest.fixture(scope="module")
def candidate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_shared_data()
    folder = tmp_path_factory.mktemp("candidate")
    train_model("scam", out_dir=folder, write_card=False, limit=200)
    return folder


def test_compare_reports_agreement_and_metrics(small_models: Path, candidate: Path) -> None:
    active = load_detector("scam", small_models)
    cand = load_detector("scam", candidate)
    assert active.version != cand.version
    report = compare_detectors(active, cand, TEXTS, ["1", "1", "0", "0"])
    assert report.n == 4
    assert report.active_version == active.version
    assert report.candidate_version == cand.version
    assert 0.0 <= report.agreement <= 1.0
    assert sum(v["active"] for v in report.per_label.values()) == 4
    assert set(report.vs_labels) == {"active", "candidate"}
    assert report.vs_labels["active"]["n"] == 4


def test_runner_returns_active_results_only(small_models: Path, candidate: Path) -> None:
    active = load_detector("scam", small_models)
    runner = ShadowRunner(active, load_detector("scam", candidate))
    out = runner.score(TEXTS)
    assert [r.version for r in out] == [active.version] * 4
    assert [r.to_dict() for r in out] == [r.to_dict() for r in active.score(TEXTS)]
    runner.observe_decisions(TEXTS[:2], ["1", "1"])
    report = runner.report()
    assert report.n == 6
    assert report.vs_labels["candidate"]["n"] == 2


def test_runner_refuses_two_different_detectors(small_models: Path) -> None:
    with pytest.raises(ValueError, match="one detector"):
        ShadowRunner(load_detector("scam", small_models), load_detector("spam", small_models))
