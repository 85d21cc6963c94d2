"""Ingest fixtures: test settings (127.0.0.1 allowlisted), sources, a local feed server."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from soitin.db.engine import Database
from soitin.db.models import Source
from soitin.ingest.sources import add_source
from soitin.settings import get_settings

TEST_KEY = "test-pseudonym-key-0123456789"


@pytest.fixture(autouse=True)
def ingest_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Settings for every ingest test: a data dir in tmp, a fixed key, 127.0.0.1 allowed."""
    monkeypatch.setenv("SOITIN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SOITIN_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.setenv("SOITIN_FETCH_ALLOWLIST", "127.0.0.1/32")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def make_source(db: Database) -> Callable[..., Source]:
    """`make_source("name", kind="file")` adds a source and commits it (inside the test)."""

    def make(name: str = "Nguồn thử", kind: str = "file", **kwargs: object) -> Source:
        with db.transaction() as session:
            return add_source(session, kind=kind, name=name, **kwargs)  # type: ignore[arg-type]

    return make


@dataclass
class Route:
    """One canned answer of the feed server."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    etag: str | None = None
    #: False: no Content-Length, the body ends when the connection closes.
    length: bool = True


@dataclass
class FeedServer:
    """A real HTTP server on 127.0.0.1 with canned routes; it records every request."""

    base: str
    routes: dict[str, Route]
    requests: list[tuple[str, dict[str, str]]]
    posted: list[bytes]

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """Serve `routes` (path → Route) on a free port of 127.0.0.1."""
    routes: dict[str, Route] = {}
    requests: list[tuple[str, dict[str, str]]] = []
    posted: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            route = routes.get(self.path)
            if route is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if route.delay:
                time.sleep(route.delay)
            if route.etag and self.headers.get("If-None-Match") == route.etag:
                self.send_response(304)
                self.send_header("ETag", route.etag)
                self.end_headers()
                return
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.length:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            try:
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            length = int(self.headers.get("Content-Length") or 0)
            posted.append(self.rfile.read(length))
            self.do_GET()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield FeedServer(f"http://127.0.0.1:{server.server_address[1]}", routes, requests, posted)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
