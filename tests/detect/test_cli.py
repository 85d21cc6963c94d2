"""`soitin train`, `soitin evaluate`, `soitin detect`, `soitin shadow` through the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from soitin.cli import app
from soitin.detect.catalog import PRODUCT
from soitin.detect.trainer import HARD_NEGATIVES_FILE

runner = CliRunner()


@pytest.fixture
def models_env(small_models: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOITIN_MODELS_DIR", str(small_models))
    return small_models


def test_detect_prints_every_detector(models_env: Path) -> None:
    text = "Chúc mừng bạn trúng thưởng xe SH, gọi 0912345678 và chuyển phí 500k vào STK 123456789"
    result = runner.invoke(app, ["detect", text, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data["detectors"]) == set(PRODUCT)
    scam = data["detectors"]["scam"]
    assert scam["model"] == "scam" and scam["version"]
    assert scam["score"] > 0.5
    assert "0912345678" in scam["evidence"]["phones"]
    assert scam["explanation"]


def test_evaluate_binary_product_detector(models_env: Path, tmp_path: Path) -> None:
    path = tmp_path / "eval.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["content", "y"])
        w.writerow(["Tài khoản của bạn bị khóa, xác minh tại vcb-xacminh.xyz ngay", "1"])
        w.writerow(["Trúng thưởng iPhone, nộp phí 300k để nhận quà, gọi 0987654321", "1"])
        w.writerow(["Mai họp lớp lúc 9 giờ sáng nhé cả nhà", "0"])
        w.writerow(["Cảm ơn bạn đã mua hàng, chúc một ngày vui", "0"])
    result = runner.invoke(
        app,
        [
            "evaluate",
            "scam",
            str(path),
            "--text-column",
            "content",
            "--label-column",
            "y",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"model", "n", "accuracy", "macro_f1", "per_class", "roc_auc"} <= set(data)
    assert data["n"] == 4 and set(data["per_class"]) <= {"0", "1"}
    assert 0 <= data["macro_f1"] <= 1


def test_evaluate_filters_rows(models_env: Path) -> None:
    result = runner.invoke(
        app,
        [
            "evaluate",
            "misinformation",
            str(HARD_NEGATIVES_FILE),
            "--text-column",
            "text",
            "--label-column",
            "label",
            "--only",
            "detector=misinformation",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["n"] == 84 and "false_positive_rate" in data  # 61 + 23 of 245 rows


def test_evaluate_spans(models_env: Path, tmp_path: Path) -> None:
    path = tmp_path / "spans.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["", "content", "index_spans"])
        w.writerow(["0", "thằng ngu", "[6, 7, 8]"])
        w.writerow(["1", "trời đẹp", "[]"])
    result = runner.invoke(
        app,
        [
            "evaluate",
            "vihos",
            str(path),
            "--spans-column",
            "index_spans",
            "--text-column",
            "content",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["n"] == 2 and 0.0 <= data["span_f1"] <= 1.0


def test_errors_are_one_line(models_env: Path, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\nx,1\n", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "scam", str(path), "--text-column", "nope", "--json"])
    assert result.exit_code == 1
    assert "nope" in result.output
    result = runner.invoke(app, ["train", "no-such-model"])
    assert result.exit_code == 1


def test_train_writes_artefact_and_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.detect.conftest import require_shared_data

    require_shared_data()
    monkeypatch.setenv("SOITIN_DETECT_TRAIN_LIMIT", "300")
    result = runner.invoke(app, ["train", "smishing", "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    assert lines[0]["model"] == "smishing" and lines[0]["dev"]["roc_auc"] > 0.8
    assert lines[-1]["artefacts"]["smishing"] == (tmp_path / "smishing.npz").stat().st_size


def test_shadow_compares_versions(models_env: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label"])
        w.writerow(["Trúng thưởng, chuyển phí 200k vào tài khoản 123456789", "1"])
        w.writerow(["Hẹn gặp lại vào thứ hai", "0"])
    result = runner.invoke(
        app,
        [
            "shadow",
            "scam",
            "--candidate",
            str(models_env),
            "--file",
            str(path),
            "--label-column",
            "label",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["agreement"] == 1.0 and data["n"] == 2
    assert data["active_version"] == data["candidate_version"]
