"""Process settings for the long-running commands (`soitin serve`, `soitin worker`)."""

from __future__ import annotations

import gc

__all__ = ["YOUNG_THRESHOLD", "settle_after_start"]

#: Allocations between two collections of the youngest generation (Python's default: 700).
YOUNG_THRESHOLD = 50_000


def settle_after_start(load_models: bool = True) -> None:
    """Load the detectors, then keep the garbage collector off what start-up left alive.

    `load_models=False` for a web process whose pipeline runs on the workers (broker mode):
    it never scores, so it does not hold the models.

    A pipeline batch allocates hundreds of thousands of short-lived dicts and lists (scores,
    explanations, rows). With the default thresholds the collector runs every 700
    allocations, and each older-generation pass walks every long-lived object again: the
    modules, settings and models loaded at start-up. `gc.freeze()` moves those out of its
    sight, and a larger young generation makes passes rarer; cyclic garbage is still
    collected. Measured on the pipeline: about 7 % more posts per second (docs/benchmarks.md).
    """
    if load_models:
        from soitin.detect.stage import shared_suite

        shared_suite()  # models loaded now, not in the first batch
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
