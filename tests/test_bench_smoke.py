"""The benchmarks build their data through the product's own services, so a new rule there
(a unit's places must lie in its parent's area) can break them; `make bench` then stops with an
error. Tiny runs keep them honest, and check that the figures they print hold together."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _figures(script: str, *args: str) -> list[dict[str, Any]]:
    """The JSON lines `bench/<script>` prints, after checking it ran without an error."""
    run = subprocess.run(
        [sys.executable, f"bench/{script}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]


def test_the_web_benchmark_runs_on_a_small_database() -> None:
    figures = _figures("web.py", "--items", "2000", "--runs", "2")
    pages = {f.get("page") for f in figures}
    assert {"queue", "story", "baseline"} <= pages
    assert all(f["p95_ms"] > 0 for f in figures if "p95_ms" in f)


def test_the_pipeline_benchmark_reports_where_each_pipeline_spends_its_time() -> None:
    printed = _figures(
        "pipeline.py", "--posts", "300", "--naive-posts", "20", "--no-postgres", "--no-workers"
    )
    figures = {f["figure"]: f for f in printed}
    assert figures["pipeline_posts_per_s_sqlite"]["value"] > 0
    split = figures["pipeline_stage_us_per_post_sqlite"]
    assert {"places", "detect", "stories", "triage", "rest"} <= set(split)
    naive = figures["naive_posts_per_s_sqlite"]
    if "skipped" in naive:  # the `bench` extra (underthesea, datasketch) is not installed
        assert "naive_step_us_per_post_sqlite" not in figures
        return
    steps = {k: v for k, v in figures["naive_step_us_per_post_sqlite"].items() if k != "figure"}
    assert set(steps) == {"normalise", "segment", "minhash", "detect", "places", "store"}
    per_post_us = 1e6 / naive["value"]
    # the steps are the whole loop: together they take nearly all of a post's time
    assert 0.8 * per_post_us <= sum(steps.values()) <= per_post_us
