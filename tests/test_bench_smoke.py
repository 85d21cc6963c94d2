"""The web benchmark builds its units, users and cases through the product's own services, so
a new rule there (a unit's places must lie in its parent's area) can break it; `make bench`
then stops with an error. A tiny run keeps it honest."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_web_benchmark_runs_on_a_small_database() -> None:
    run = subprocess.run(
        [sys.executable, "bench/web.py", "--items", "2000", "--runs", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    figures = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    pages = {f.get("page") for f in figures}
    assert {"queue", "story", "baseline"} <= pages
    assert all(f["p95_ms"] > 0 for f in figures if "p95_ms" in f)
