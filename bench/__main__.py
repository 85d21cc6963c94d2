"""`make bench`: run every benchmark, print one JSON line per figure, write bench/results.json.

Sizes are the issues' goal sizes where a run stays within minutes on two cores; pass
`--quick` for a smoke run with small sizes. Each figure line gets a "bench" field naming
its script.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent

#: script → (full-size arguments, quick arguments)
SUITE: dict[str, tuple[list[str], list[str]]] = {
    "text": ([], ["--posts", "2000", "--seconds", "0.5"]),
    "detect": ([], ["--posts", "2000"]),
    "e5": ([], ["--texts", "64"]),
    "ingest": ([], ["--rows", "5000"]),
    "pipeline": (
        [],
        ["--posts", "2000", "--naive-posts", "200", "--items", "2000", "--worker-rounds", "1"],
    ),
    "stories": ([], ["--first", "5000", "--total", "20000", "--probe", "500"]),
    "campaign": ([], ["--posts", "3000", "--step", "1000"]),
    "claims": ([], ["--stories", "5000", "--claims", "2", "--reference", "500"]),
    "alerts": (["--days", "2", "--seeds", "1", "2"], ["--days", "1", "--seeds", "1"]),
    "web": ([], ["--items", "20000", "--runs", "10"]),
    "report": ([], ["--items", "20000", "--repeat", "5"]),
    "reindex": ([], ["--items", "5000"]),
    "memory": ([], []),
}


def main() -> int:
    """Run the suite; a failing script is reported and the others still run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    parser.add_argument("--only", nargs="*", default=None, help="run only these scripts")
    args = parser.parse_args()
    results: list[dict[str, object]] = []
    failed = []
    for name, (full, quick) in SUITE.items():
        if args.only and name not in args.only:
            continue
        script = HERE / f"{name}.py"
        if not script.exists():
            continue
        started = time.monotonic()
        proc = subprocess.run(  # noqa: S603 - our own scripts
            [sys.executable, str(script), *(quick if args.quick else full)],
            capture_output=True,
            text=True,
            check=False,
        )
        for line in proc.stdout.splitlines():
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                figure = json.loads(line)
            except json.JSONDecodeError:
                continue
            figure.setdefault("bench", name)
            results.append(figure)
            print(json.dumps(figure, ensure_ascii=False), flush=True)
        seconds = round(time.monotonic() - started, 1)
        status = {
            "bench": name,
            "figure": "script_seconds",
            "value": seconds,
            "exit_code": proc.returncode,
        }
        results.append(status)
        print(json.dumps(status), flush=True)
        if proc.returncode != 0:
            failed.append(name)
            print(proc.stderr[-2000:], file=sys.stderr)
    (HERE / "results.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
