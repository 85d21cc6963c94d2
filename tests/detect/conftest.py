"""Fixtures for detector tests: small models trained on slices of the shared data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from soitin.settings import shared_data_dir

IN_CI = os.environ.get("CI", "").lower() == "true"


def require_shared_data() -> None:
    """Skip outside CI when the shared data folder is absent (fail in CI)."""
    if shared_data_dir().is_dir():
        return
    if IN_CI:
        pytest.fail(f"CI=true but the shared data folder {shared_data_dir()} is missing")
    pytest.skip(f"shared data folder {shared_data_dir()} not present")


@pytest.fixture(scope="session")
def small_models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A models folder with every product model and `vihos` trained on small slices."""
    require_shared_data()
    from soitin.detect.trainer import train_model

    folder = tmp_path_factory.mktemp("models")
    for name in ("toxicity", "scam", "misinformation", "spam", "vihos"):
        train_model(name, out_dir=folder, write_card=False, limit=300)
    yield folder
