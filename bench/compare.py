"""Benchmark: the full pipeline of this checkout against another revision, run side by side.

This VM's speed changes by the hour, often by 20 % or more between two runs a minute apart, so
runs one after the other compare the hours as much as the code. Here both versions run at
the same time, each pinned to a core of its own, and swap cores every round: whatever slows
the machine slows both. Each round prints the ratio (this checkout / the reference) of
posts/s of CPU through `bench/pipeline.py`'s full pipeline (parse → store → every stage);
the last line gives the median ratio.

Usage:
    .venv/bin/python bench/compare.py REV [--rounds 6] [--posts 10000] [--db sqlite]
REV is any git revision; it is checked out in a temporary worktree, removed afterwards, and
must be recent enough to have `bench/pipeline.py`'s `make_posts`, `jsonl`, `database` and
`run_ours`. With one core the two versions alternate instead (the figure says so).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def emit(**figure: Any) -> None:
    """One JSON line."""
    print(json.dumps(figure, ensure_ascii=False), flush=True)


def run_one(tree: Path, db: str, posts: int) -> None:
    """In a child process: the pipeline of `tree` over `posts` posts; prints posts/s."""
    sys.path.insert(0, str(tree / "bench"))  # its src comes first already (PYTHONPATH)
    import pipeline as bench  # the tree's own bench/pipeline.py
    import soitin
    from soitin.runtime import settle_after_start

    if not Path(soitin.__file__).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"soitin was imported from {soitin.__file__}, not from {tree}")

    lines = bench.jsonl(bench.make_posts(posts))
    warm = max(1, len(lines) // 20)
    with bench.database(db, bench.PG_URL) as database:
        bench.run_ours(database, lines[:warm])  # models loaded, caches warm
        settle_after_start()
        wall, cpu = bench.run_ours(database, lines[warm:])
    n = len(lines) - warm
    emit(cpu_posts_s=round(n / cpu, 1), wall_posts_s=round(n / wall, 1))


def _child(tree: Path, db: str, posts: int, core: int | None) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(tree / "src"), "OMP_NUM_THREADS": "1"}
    command = [sys.executable, str(Path(__file__).resolve()), "--one", str(tree)]
    command += ["--db", db, "--posts", str(posts)]
    if core is not None:
        command = ["taskset", "-c", str(core), *command]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)  # noqa: S603


def _result(proc: subprocess.Popen[str]) -> dict[str, float]:
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"a benchmark run failed (exit code {proc.returncode})")
    line = [x for x in out.splitlines() if x.startswith("{")][-1]
    return json.loads(line)  # type: ignore[no-any-return]


def compare(rev: str, rounds: int, posts: int, db: str) -> None:
    """Run both versions `rounds` times side by side and print the ratios."""
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    side_by_side = len(cores) >= 2
    with tempfile.TemporaryDirectory(prefix="soitin-compare-") as tmp:
        reference = Path(tmp) / "reference"
        subprocess.run(  # noqa: S603
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(reference), rev],  # noqa: S607
            check=True,
        )
        try:
            ratios = []
            for k in range(rounds):
                if side_by_side:
                    a, b = (cores[0], cores[1]) if k % 2 == 0 else (cores[1], cores[0])
                    ref, cur = _child(reference, db, posts, a), _child(ROOT, db, posts, b)
                    ref_out, cur_out = _result(ref), _result(cur)
                else:
                    ref_out = _result(_child(reference, db, posts, None))
                    cur_out = _result(_child(ROOT, db, posts, None))
                ratio = cur_out["cpu_posts_s"] / ref_out["cpu_posts_s"]
                ratios.append(ratio)
                emit(
                    figure="pipeline_compare_round",
                    round=k + 1,
                    db=db,
                    reference=rev,
                    reference_cpu_posts_s=ref_out["cpu_posts_s"],
                    current_cpu_posts_s=cur_out["cpu_posts_s"],
                    ratio=round(ratio, 3),
                )
            emit(
                figure="pipeline_ratio_vs_reference",
                db=db,
                reference=rev,
                posts=posts,
                rounds=rounds,
                side_by_side=side_by_side,
                median_ratio=round(statistics.median(ratios), 3),
                min_ratio=round(min(ratios), 3),
                max_ratio=round(max(ratios), 3),
            )
        finally:
            subprocess.run(  # noqa: S603
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(reference)],  # noqa: S607
                check=False,
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rev", nargs="?", help="the reference git revision")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        run_one(args.one, args.db, args.posts)
        return 0
    if not args.rev:
        parser.error("give the reference revision, e.g. HEAD~3")
    compare(args.rev, args.rounds, args.posts, args.db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
