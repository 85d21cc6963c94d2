"""Opt-in API fuzzing with schemathesis, only against 127.0.0.1: every operation of the OpenAPI
schema, signed in as the admin with a personal token, checking that nothing answers 5xx.

    .venv/bin/pip install -e '.[fuzz]'
    .venv/bin/python bench/fuzz_api.py [--max-examples 25]

Starts `soitin serve --demo` on a new SQLite database in a temporary folder, creates a token
through the API, runs `st run` and prints one JSON line with the summary.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

from _server import demo_server


def main() -> int:
    """Run schemathesis against a fresh local server."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--keep-log", type=Path, default=None, help="copy the server log here")
    args = parser.parse_args()
    st = shutil.which("st") or str(Path(sys.executable).with_name("st"))
    with demo_server() as server:
        base, env, log = server.base, server.env, server.log
        password = re.search(r"admin\s+mật khẩu / password: (\S+)", log.read_text("utf-8"))
        assert password
        with httpx.Client(base_url=base, timeout=30) as client:
            page = client.get("/login")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert csrf
            client.post(
                "/login",
                data={
                    "username": "admin",
                    "password": password.group(1),
                    "csrf_token": csrf.group(1),
                },
            )
            # Signing in starts a new session, with a new CSRF token.
            fresh = re.search(
                r'name="csrf-token" content="([^"]+)"', client.get("/account/password").text
            )
            assert fresh
            made = client.post(
                "/api/v1/tokens",
                json={"name": "fuzz"},
                headers={"X-CSRF-Token": fresh.group(1)},
            )
            token = made.json()["token"]
        report = server.folder / "report.ndjson"
        run = subprocess.run(  # noqa: S603 - the schemathesis CLI, on loopback
            [
                st,
                "run",
                f"{base}/api/v1/openapi.json",
                "-H",
                f"Authorization: Bearer {token}",
                "--checks",
                "not_a_server_error",
                "--max-examples",
                str(args.max_examples),
                "--report",
                "ndjson",
                "--report-ndjson-path",
                str(report),
            ],
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
        tail = run.stdout.strip().splitlines()[-15:]
        failures = [
            line.strip()
            for line in run.stdout.splitlines()
            if line.strip().startswith(("_", "- Server error", "[500]", "Server error"))
            or " /api/" in line
        ]
        summary = {
            "figure": "schemathesis",
            "exit_code": run.returncode,
            "max_examples": args.max_examples,
            "server_errors_in_log": log.read_text("utf-8").count("500 Internal Server Error"),
            "summary": tail,
            "failures": failures[:60],
        }
        print(json.dumps(summary, ensure_ascii=False))
        if args.keep_log:
            shutil.copy(log, args.keep_log)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
