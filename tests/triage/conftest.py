"""Alert fixtures: test settings, a real webhook receiver and a real SMTP server on 127.0.0.1,
and small builders for units, rules, stories and items."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import socket
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import insert

from soitin.db.engine import Database, make_engine
from soitin.db.migrate import upgrade
from soitin.db.models import AlertRule, Item, Source, Story
from soitin.review import accounts
from soitin.settings import Settings, get_settings, load_settings
from tests.web.conftest import app_client, signed_in, units

__all__ = ["app_client", "signed_in", "units"]

WEBHOOK_SECRET = "khoa-ky-webhook-thu-nghiem-0123"
SMTP_USER = "canhbao"
SMTP_PASSWORD = "mat-khau-smtp-thu"
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- a webhook receiver --------------------------------------------------------------------


@dataclass
class Received:
    """One request the receiver got, and whether its signature checked out."""

    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool


@dataclass
class Receiver:
    """A real HTTP server that checks the HMAC signature itself (with hashlib/hmac only)."""

    base: str
    secret: bytes
    #: Status codes to answer, in order; after the list runs out: 200.
    script: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def url(self, path: str = "/hook") -> str:
        return self.base + path


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on a free port of 127.0.0.1."""
    port = free_port()
    state = Receiver(f"http://127.0.0.1:{port}", WEBHOOK_SECRET.encode())
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            stamp = self.headers.get("x-soitin-timestamp", "")
            expected = (
                "sha256="
                + hmac.new(state.secret, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
            )
            ok = hmac.compare_digest(expected, self.headers.get("x-soitin-signature", ""))
            with lock:
                state.received.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, ok)
                )
                status = state.script.pop(0) if state.script else 200
            self.send_response(status if ok else 401)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


# --- an SMTP server ------------------------------------------------------------------------


@dataclass
class Mailbox:
    """What the SMTP server received."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that checks logins."""
    box = Mailbox("127.0.0.1", free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            raw = envelope.original_content or envelope.content
            box.messages.append(message_from_bytes(raw, policy=policy.default))  # type: ignore[arg-type]
            box.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            return "250 OK"

    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (SMTP_USER, SMTP_PASSWORD):
            box.logins.append(SMTP_USER)
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    controller = Controller(
        Handler(),
        hostname=box.host,
        port=box.port,
        authenticator=authenticate,
        auth_require_tls=False,  # AUTH offered without TLS (a test server on 127.0.0.1)
    )
    controller.start()
    yield box
    controller.stop()


# --- settings and data ---------------------------------------------------------------------


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings for alert tests: signed webhooks, 127.0.0.1 allowed, SMTP on localhost."""
    values = {
        "SOITIN_DATA_DIR": str(tmp_path / "var"),
        "SOITIN_ENV": "test",
        "SOITIN_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "SOITIN_FETCH_ALLOWLIST": "127.0.0.1/32",
        "SOITIN_SMTP_HOST": "127.0.0.1",
        "SOITIN_SMTP_TLS": "none",
        "SOITIN_SMTP_USER": SMTP_USER,
        "SOITIN_SMTP_PASSWORD": SMTP_PASSWORD,
        "SOITIN_SMTP_FROM": "canh-bao@soitin.test",
        "SOITIN_PUBLIC_URL": "https://soitin.test",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield load_settings()
    get_settings.cache_clear()


@dataclass
class World:
    """Builders over one test database."""

    db: Database
    unit_id: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    sources: dict[str, int] = field(default_factory=dict)

    def source(self, name: str = "Báo Quảng Trị điện tử") -> int:
        if name not in self.sources:
            with self.db.transaction() as s:
                row = Source(kind="feed", name=name)
                s.add(row)
                s.flush()
                self.sources[name] = row.id
        return self.sources[name]

    def story(
        self, at: datetime = T0, provinces: Sequence[str] = ("44",), category: str | None = None
    ) -> int:
        with self.db.transaction() as s:
            row = Story(
                first_seen=at, last_seen=at, province_codes=list(provinces), category=category
            )
            s.add(row)
            s.flush()
            return row.id

    def rows(
        self,
        count: int,
        start: datetime,
        minutes: float,
        *,
        story: int | None = None,
        provinces: Sequence[str] = ("44",),
        wards: Sequence[str] = (),
        category: str | None = None,
        source: str = "Báo Quảng Trị điện tử",
    ) -> list[dict[str, Any]]:
        """`count` item rows spread evenly over `minutes` from `start` (fetched 30 s later)."""
        source_id = self.source(source)
        rows = []
        for i in range(count):
            at = start + timedelta(minutes=minutes * i / max(1, count))
            n = next(self._ids)
            rows.append(
                {
                    "source_id": source_id,
                    "external_id": f"t-{n}",
                    "content_hash": hashlib.sha256(f"t-{n}".encode()).hexdigest(),
                    "text": f"bài {n}",
                    "published_at": at,
                    "fetched_at": at + timedelta(seconds=30),
                    "province_codes": list(provinces),
                    "ward_codes": list(wards),
                    "category": category,
                    "story_id": story,
                    "scores": {},
                }
            )
        return rows

    def insert(self, rows: Sequence[dict[str, Any]]) -> None:
        """Store item rows in one statement."""
        if rows:
            with self.db.transaction() as s:
                s.execute(insert(Item), list(rows))

    def items(self, count: int, start: datetime, minutes: float, **kwargs: Any) -> None:
        """Store `count` items spread over `minutes` from `start` (see `rows`)."""
        self.insert(self.rows(count, start, minutes, **kwargs))

    def rule(self, name: str = "Mọi cảnh báo", *, unit_id: int | None = None, **values: Any) -> int:
        with self.db.transaction() as s:
            row = AlertRule(
                unit_id=unit_id or self.unit_id,
                name=name,
                channels=values.pop("channels", {"in_app": True}),
                **values,
            )
            s.add(row)
            s.flush()
            return row.id


@pytest.fixture
def world(db: Database) -> World:
    """A province unit (code `qtr`) with a lead and a reviewer, and the builders."""
    with db.transaction() as s:
        unit = accounts.add_unit(s, "qtr", "Tỉnh Quảng Trị", place_codes=["44"])
        for role in ("lead", "reviewer"):
            accounts.add_user(
                s, f"{role}_qtr", role=role, unit_code="qtr", password="", password_hash="x"
            )
        unit_id = unit.id
    return World(db, unit_id)


@pytest.fixture
def file_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """A migrated SQLite file (an engine, not one connection) that the CLI opens through
    the settings; one unit with a lead. Committed for real: the file is thrown away."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SOITIN_DATABASE_URL", url)
    monkeypatch.setenv("SOITIN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SOITIN_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("SOITIN_FETCH_ALLOWLIST", "127.0.0.1")
    monkeypatch.setenv("SOITIN_SPIKE_BASELINE_WINDOWS", "8")
    engine = make_engine(url)
    upgrade(engine)
    database = Database(engine)
    with database.transaction() as s:
        accounts.add_unit(s, "qtr", "Tỉnh Quảng Trị", place_codes=["44"])
        accounts.add_user(
            s, "lead_qtr", role="lead", unit_code="qtr", password="", password_hash="x"
        )
    get_settings.cache_clear()
    yield database
    get_settings.cache_clear()
    engine.dispose()
