"""What `soitin serve` and `soitin worker` do to the process after start-up."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from soitin.detect.stage import shared_suite
from soitin.runtime import YOUNG_THRESHOLD, settle_after_start


@pytest.fixture()
def restored_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_gc")
def test_start_up_objects_are_frozen_and_models_loaded() -> None:
    settle_after_start()
    assert gc.get_freeze_count() > 10_000  # modules, settings, models
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    assert shared_suite.cache_info().currsize == 1  # detectors loaded before the first batch
    # cyclic garbage made afterwards is still collected
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1
