"""A throw-away `soitin serve --demo` on 127.0.0.1, for the load and fuzz scripts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True)
class DemoServer:
    """Where the server answers, its environment, folder and log."""

    base: str
    env: dict[str, str]
    folder: Path
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def demo_server() -> Iterator[DemoServer]:
    """Start the server on a new SQLite database (scheduler off), wait for health, stop it."""
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "SOITIN_DATA_DIR": tmp, "SOITIN_SCHEDULER_ENABLED": "false"}
        env.pop("SOITIN_DATABASE_URL", None)
        log = Path(tmp) / "serve.log"
        with log.open("w") as out:
            server = subprocess.Popen(  # noqa: S603 - our own CLI, on loopback
                [sys.executable, "-m", "soitin", "serve", "--demo", "--port", str(port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=tmp,
            )
        try:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            yield DemoServer(base, env, Path(tmp), log)
        finally:
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
