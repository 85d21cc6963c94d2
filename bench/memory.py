"""Benchmark: peak memory of `soitin serve` with every model loaded, and its cold start.

A first start on a new SQLite database migrates it and loads the demo data through the whole
pipeline (text, places, stories, every product detector, triage), so all models are in memory;
a second start on the existing database shows the plain cold start. Peak memory is the
process's VmHWM from /proc. Prints one JSON line per figure.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start(data_dir: Path, demo: bool) -> tuple[float, float]:
    """(seconds to a healthy server, peak MB) of one `soitin serve` run."""
    port = _free_port()
    env = {**os.environ, "SOITIN_DATA_DIR": str(data_dir), "SOITIN_SCHEDULER_ENABLED": "false"}
    args = [sys.executable, "-m", "soitin", "serve", "--port", str(port)]
    started = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own CLI
        [*args, *(["--demo"] if demo else [])],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - started < 600:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        ready = time.perf_counter() - started
        # Score something so that a lazily loaded model is loaded in the no-demo case too.
        httpx.get(f"http://127.0.0.1:{port}/login", timeout=10)
        return ready, _peak_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def main() -> int:
    """Two starts: a new database with the demo (all models), then the same database again."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        ready, peak = start(data, demo=True)
        print(
            json.dumps(
                {
                    "figure": "serve_first_start_with_demo_s",
                    "value": round(ready, 2),
                    "note": "migrate + 388 demo posts through the full pipeline",
                }
            )
        )
        print(
            json.dumps(
                {"figure": "serve_peak_memory_mb_all_models", "value": round(peak, 1), "goal": 600}
            )
        )
        ready, peak = start(data, demo=False)
        print(json.dumps({"figure": "serve_cold_start_s", "value": round(ready, 2)}))
        print(json.dumps({"figure": "serve_peak_memory_mb_idle", "value": round(peak, 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
