"""Bounded load test, only against 127.0.0.1: signed-in reviewers browse, search and decide
while items are pushed in, for a fixed time. Prints one JSON line per figure.

    .venv/bin/python bench/load.py [--users 50] [--seconds 300] [--think 2.0] [--push-every 1.0]

It starts `soitin serve --demo` on a new SQLite database in a temporary folder (so the demo
reviewers exist), issues a push-API token with the CLI, then runs `--users` threads, each
signed in as one of the demo reviewers/leads, looping: queue page, a case page, a search, and
a comment on the case (a CSRF-protected form), pausing before each request for a random time
with mean `--think` seconds (exponential; people read before they click — 0 makes every
thread a closed loop, which measures saturation, not reviewers). One more thread pushes
batches of 20 items.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import httpx

from _server import demo_server

USERS = [
    "reviewer_qt1",
    "reviewer_qt2",
    "lead_qt",
    "reviewer_donghoi",
    "lead_donghoi",
    "reviewer_dongha",
    "reviewer_vinhlinh",
    "admin_qt",
]
SEARCHES = ["lu", "lừa đảo", "dien luc", "Quảng Trị", "vắc xin", "xả đập", "trúng thưởng"]
API_SOURCE = "API đối tác tổng hợp mạng xã hội (demo)"


class Stats:
    """Latencies per kind and errors, shared by the threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)

    def record(self, kind: str, seconds: float, ok: bool) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1


def _timed(
    stats: Stats, kind: str, call: Callable[..., httpx.Response], *args: Any, **kwargs: Any
) -> httpx.Response | None:
    start = time.perf_counter()
    try:
        response = call(*args, **kwargs)
    except httpx.HTTPError:
        stats.record(kind, time.perf_counter() - start, False)
        return None
    ok = response.status_code < 500 and response.status_code not in (401, 403)
    stats.record(kind, time.perf_counter() - start, ok)
    return response


def reviewer(
    base: str,
    username: str,
    password: str,
    stop: threading.Event,
    stats: Stats,
    seed: int,
    think: float,
) -> None:
    """One signed-in reviewer's loop."""
    rng = random.Random(seed)  # noqa: S311 - load pattern, not security

    def pause() -> bool:
        """Read the page for a while; False when the run is over."""
        return not stop.wait(rng.expovariate(1 / think) if think > 0 else 0)

    with httpx.Client(base_url=base, timeout=60) as client:
        stop.wait(rng.random() * max(think, 1.0) * 2)  # people do not all sign in at once
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        if token is None:
            stats.record("login", 0, False)
            return
        signed = _timed(
            stats,
            "login",
            client.post,
            "/login",
            data={"username": username, "password": password, "csrf_token": token.group(1)},
        )
        if signed is None or signed.status_code != 303:
            return
        while pause():
            queue = _timed(stats, "queue", client.get, "/queue")
            ids = re.findall(r'href="/cases/(\d+)"', queue.text) if queue is not None else []
            if ids and pause():
                case_id = rng.choice(ids)
                case = _timed(stats, "case", client.get, f"/cases/{case_id}")
                if case is not None and rng.random() < 0.3 and pause():
                    csrf = re.search(r'name="csrf_token" value="([^"]+)"', case.text)
                    if csrf:
                        _timed(
                            stats,
                            "decide",
                            client.post,
                            f"/cases/{case_id}/comment",
                            data={"note": "Đang kiểm tra nguồn tin", "csrf_token": csrf.group(1)},
                        )
            if pause():
                q = rng.choice(SEARCHES)
                _timed(stats, "search", client.get, "/queue", params={"q": q})


def pusher(base: str, token: str, stop: threading.Event, stats: Stats, every: float) -> None:
    """Push batches of 20 items while the reviewers work."""
    n = 0
    with httpx.Client(
        base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        while not stop.is_set():
            items = [
                {
                    "external_id": f"load-{n}-{k}",
                    "text": f"Tin đồn số {n}-{k}: xả lũ hồ Rào Quán, người dân Đông Hà sơ tán"
                    f" gấp {'!' * (k % 3)}",
                }
                for k in range(20)
            ]
            n += 1
            _timed(stats, "push", client.post, "/api/v1/items", json={"items": items})
            stop.wait(every)


def main() -> int:
    """Run the load for --seconds and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--think", type=float, default=2.0, help="mean pause (s) per request")
    parser.add_argument("--push-every", type=float, default=1.0)
    args = parser.parse_args()
    with demo_server() as server:
        base, env, log, tmp = server.base, server.env, server.log, str(server.folder)
        text = log.read_text(encoding="utf-8")
        demo = re.search(r"share the password (\S+)", text)
        assert demo, text
        issued = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "soitin", "source", "token", API_SOURCE],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp,
        )
        token = issued.stdout.strip().splitlines()[-1].strip()
        stats, stop = Stats(), threading.Event()
        threads = [
            threading.Thread(
                target=reviewer,
                args=(base, USERS[i % len(USERS)], demo.group(1), stop, stats, i, args.think),
            )
            for i in range(args.users)
        ]
        threads.append(
            threading.Thread(target=pusher, args=(base, token, stop, stats, args.push_every))
        )
        started = time.perf_counter()
        for t in threads:
            t.start()
        stop.wait(args.seconds)
        stop.set()
        for t in threads:
            t.join(timeout=120)
        elapsed = time.perf_counter() - started
    total = sum(len(v) for v in stats.times.values())
    errors = sum(stats.errors.values())
    print(
        json.dumps(
            {
                "figure": "load_requests_per_s",
                "value": round(total / elapsed, 1),
                "users": args.users,
                "think_s": args.think,
                "seconds": round(elapsed),
            }
        )
    )
    everything = sorted(t for v in stats.times.values() for t in v)
    if everything:
        p95 = everything[int(0.95 * (len(everything) - 1))]
        print(json.dumps({"figure": "load_p95_ms", "value": round(p95 * 1000), "goal": 300}))
    print(json.dumps({"figure": "load_errors", "value": errors, "requests": total, "goal": 0}))
    for kind, times in sorted(stats.times.items()):
        times.sort()
        print(
            json.dumps(
                {
                    "figure": f"load_{kind}",
                    "requests": len(times),
                    "p50_ms": round(statistics.median(times) * 1000),
                    "p95_ms": round(times[int(0.95 * (len(times) - 1))] * 1000),
                    "errors": stats.errors.get(kind, 0),
                }
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
