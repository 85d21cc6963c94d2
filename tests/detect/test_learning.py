"""Each named model, trained on a small slice of its train split, learns (dev slice)."""

from __future__ import annotations

from pathlib import Path

import pytest

from soitin.detect.catalog import BENCHMARKS
from soitin.detect.datasets import data_file
from soitin.detect.trainer import train_model
from tests.detect.conftest import require_shared_data

# Chance levels: macro-F1 of a constant or random guess is <= 0.5 (binary), <= 0.34 (3
# classes), <= 0.25 (4 classes); ROC-AUC 0.5.
FLOORS = {
    "vihsd": ("macro_f1", 0.45),
    "victsd-toxicity": ("roc_auc", 0.7),
    "vispam": ("roc_auc", 0.7),  # learns its 4 spam types from 60 rows each here
    "vispam-type": ("macro_f1", 0.40),
    "reintel": ("roc_auc", 0.75),
    "smishing": ("roc_auc", 0.9),
    "vihos": ("span_f1", 0.55),
}


@pytest.mark.parametrize("name", [n for n in BENCHMARKS if n != "vihos"])
def test_benchmark_model_learns_from_a_small_slice(name: str, tmp_path: Path) -> None:
    require_shared_data()
    outcome = train_model(name, out_dir=tmp_path, write_card=False, limit=240)
    metric, floor = FLOORS[name]
    assert outcome.dev[metric] >= floor, outcome.dev
    assert outcome.path.is_file() and outcome.size_bytes > 0


def test_span_model_learns(small_models: Path) -> None:
    from soitin.detect.trainer import evaluate_spans_file

    # `small_models` holds a vihos model trained on the first 300 comments of train
    report = evaluate_spans_file(data_file("vihos", "dev"), "content", "index_spans", small_models)
    assert report["span_f1"] >= FLOORS["vihos"][1], report  # "no span" everywhere scores ~0.52


def test_product_models_learn(small_models: Path) -> None:
    from soitin.detect.trainer import evaluate_file

    report = evaluate_file(
        "scam", data_file("vi_smishing_ie403", "dev"), "content", "label", folder=small_models
    )
    assert report["roc_auc"] >= 0.9
    assert report["model"] == "scam" and report["n"] == 241
