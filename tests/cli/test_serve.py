"""`soitin serve` (what `make run` starts): migrates, prints URL and login, serves pages."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_prints_login_and_answers_health(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "SOITIN_DATA_DIR": str(tmp_path), "SOITIN_DATABASE_URL": ""}
    env.pop("SOITIN_DATABASE_URL")
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "soitin", "serve", "--demo", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp_path,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        health = httpx.get(f"{base}/health", timeout=30)
        assert health.status_code == 200 and health.json()["database"] == "sqlite"
        login_page = httpx.get(f"{base}/login", timeout=30)
        assert login_page.status_code == 200 and "Đăng nhập" in login_page.text
        output = log.read_text(encoding="utf-8")
        assert f"http://127.0.0.1:{port}/" in output
        password = re.search(r"admin\s+mật khẩu / password: (\S+)", output)
        assert password, output
        # The printed password works.
        with httpx.Client(base_url=base, timeout=30) as client:
            page = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token
            signed = client.post(
                "/login",
                data={
                    "username": "admin",
                    "password": password.group(1),
                    "csrf_token": token.group(1),
                },
            )
            assert signed.status_code == 303
            assert "Tổng quan" in client.get("/").text
        import sqlite3

        with sqlite3.connect(tmp_path / "soitin.db") as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
            assert conn.execute("SELECT count(*) FROM items").fetchone()[0] >= 300
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
