"""Ill-formed input over HTTP and the CLI: lone surrogates, impossible dates, broken URLs.

The standard: bad input gets a clear error (or a U+FFFD where text was ill-formed) and loses
nothing else — no 500, no truncated export, no import that stops at the first bad row.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from soitin.cli import app
from soitin.db.engine import Database, make_engine
from soitin.db.migrate import upgrade
from soitin.db.models import AuditEvent, Item, User
from soitin.ingest.sources import add_source, issue_token
from soitin.review import audit
from tests.web.conftest import csrf_of

LONE = "\\ud800"  # as written in JSON: a high surrogate escape with no partner
PAIR = "\\ud83d\\ude00"  # a valid pair: 😀


def _post_raw(client: TestClient, path: str, body: str, **headers: str) -> int:
    response = client.post(
        path, content=body.encode(), headers={"Content-Type": "application/json", **headers}
    )
    return response.status_code


@pytest.fixture
def admin(signed_in: Callable[[str], TestClient]) -> tuple[TestClient, dict[str, str]]:
    """admin_qt signed in, with its CSRF header."""
    client = signed_in("admin_qt")
    return client, {"X-CSRF-Token": csrf_of(client.get("/tips").text)}


def test_lone_surrogate_in_a_tip_is_stored_as_replacement_and_audit_still_reads(
    admin: tuple[TestClient, dict[str, str]], db: Database
) -> None:
    client, headers = admin
    body = f'{{"text": "tin báo {PAIR}", "note": "v{LONE}"}}'
    assert _post_raw(client, "/api/v1/tips", body, **headers) == 201
    with db.session() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "tip.submitted")
        ).one()
        item = session.scalars(select(Item).where(Item.text.like("tin báo%"))).one()
    assert event.detail["note"] == "v\ufffd"
    assert item.text == "tin báo 😀"  # a valid pair stays one character
    listed = client.get("/api/v1/audit")
    assert listed.status_code == 200
    assert any(r["detail"].get("note") == "v\ufffd" for r in listed.json()["rows"])


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/claims", f'{{"text": "tin {LONE}", "verdict": "false{LONE}"}}'),
        ("/api/v1/claims/match", f'{{"text": "khẩu trang {LONE}"}}'),
        ("/api/v1/tokens", f'{{"name": "kịch bản {LONE}"}}'),
        ("/api/v1/alert-rules", f'{{"name": "quy tắc {LONE}"}}'),
        ("/api/v1/tips", f'{{"url": "https://a.vn/{LONE}", "text": "x{LONE}"}}'),
    ],
)
def test_lone_surrogates_in_json_writes_never_give_500(
    admin: tuple[TestClient, dict[str, str]], path: str, body: str
) -> None:
    client, headers = admin
    status = _post_raw(client, path, body, **headers)
    assert status < 500, (path, status)


def test_lone_surrogate_in_a_unit_name_is_replaced(
    admin: tuple[TestClient, dict[str, str]], units: dict[str, int]
) -> None:
    client, headers = admin
    body = f'{{"code": "x1", "name": "Xã {LONE}", "parent_id": {units["qt"]}}}'
    assert _post_raw(client, "/api/v1/units", body, **headers) == 201
    names = [u["name"] for u in client.get("/api/v1/units").json()]
    assert "Xã \ufffd" in names


def test_push_with_lone_surrogates_stores_replacement_characters(
    app_client: TestClient, db: Database
) -> None:
    with db.transaction() as session:
        token = issue_token(session, add_source(session, kind="api", name="Đối tác"), name="t")
    fields = f'"text": "a{LONE}b", "title": "a{LONE}b", "author": "@{LONE}"'
    body = f'{{"items": [{{{fields}, "url": "https://a.vn/{LONE}"}}]}}'
    status = _post_raw(app_client, "/api/v1/items", body, Authorization=f"Bearer {token}")
    assert status == 200
    with db.session() as session:
        item = session.scalars(select(Item)).one()
    assert (item.text, item.title, item.url) == ("a\ufffdb", "a\ufffdb", "https://a.vn/\ufffd")


def test_stored_lone_surrogates_are_exported_whole(
    admin: tuple[TestClient, dict[str, str]], db: Database
) -> None:
    with db.transaction() as session:
        actor = session.scalars(select(User).where(User.username == "lead_qt")).one()
        audit.record(session, "case.comment", actor=actor, object_id=1, note="cũ \ud800")
        audit.record(session, "case.comment", actor=actor, object_id=2, note="sau")
    client, _ = admin
    assert client.get("/api/v1/audit?actor=lead_qt").status_code == 200
    for path in ("/admin/audit.csv?actor=lead_qt", "/api/v1/audit.csv?actor=lead_qt"):
        exported = client.get(path)
        assert exported.status_code == 200
        rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
        assert [r[5] for r in rows[1:]] == ["2", "1"], path  # both rows, none lost
        assert "cũ \ufffd" in rows[2][7]


# --- files, through the CLI ----------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """A migrated SQLite database the CLI opens, with a file source "Tệp"."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SOITIN_DATABASE_URL", url)
    monkeypatch.setenv("SOITIN_PSEUDONYM_KEY", "test-pseudonym-key-0123456789")
    monkeypatch.setenv("COLUMNS", "250")
    engine = make_engine(url)
    upgrade(engine)
    assert runner.invoke(app, ["source", "add", "Tệp", "--kind", "file"]).exit_code == 0
    yield Database(engine)
    engine.dispose()


def _import(tmp_path: Path, lines: list[str]) -> tuple[int, str]:
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", "file", str(path), "--source", "Tệp"])
    return result.exit_code, result.output


def _stored(db: Database) -> dict[str | None, str | None]:
    with db.session() as session:
        return {i.external_id: i.text for i in session.scalars(select(Item))}


def test_import_with_a_lone_surrogate_keeps_every_row(cli_db: Database, tmp_path: Path) -> None:
    code, out = _import(
        tmp_path,
        [
            '{"external_id": "s1", "text": "tốt một"}',
            f'{{"external_id": "s2", "text": "{LONE}", "author": "@a{LONE}"}}',
            '{"external_id": "s3", "text": "tốt ba"}',
        ],
    )
    assert code == 0, out
    assert _stored(cli_db) == {"s1": "tốt một", "s2": "\ufffd", "s3": "tốt ba"}


def test_import_refuses_a_year_one_date_and_keeps_the_good_rows(
    cli_db: Database, tmp_path: Path
) -> None:
    code, out = _import(
        tmp_path,
        [
            '{"external_id": "d1", "text": "tốt một"}',
            '{"external_id": "d2", "text": "a", "published_at": "0001-01-01T00:00:00"}',
            '{"external_id": "d3", "text": "tốt ba"}',
        ],
    )
    assert code == 2, out
    assert "line 2: published_at" in out and "1970" in out
    assert sorted(k for k in _stored(cli_db) if k) == ["d1", "d3"]


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("published_at", "1" * 400, "not a date"),
        ("published_at", "11111111", "not a date"),
        ("published_at", "2025051208", "not a date"),
        ("published_at", 10**30, "not a date"),
        ("url", "http://a.vn:99999/", "invalid port"),
        ("url", "http://ex ample.vn/", "no valid host"),
    ],
)
def test_import_refuses_implausible_values_per_row(
    cli_db: Database, tmp_path: Path, field: str, value: object, reason: str
) -> None:
    bad = json.dumps({"external_id": "x2", "text": "a", field: value})
    code, out = _import(tmp_path, ['{"external_id": "x1", "text": "tốt"}', bad])
    assert code == 2, out
    assert f"line 2: {field}" in out and reason in out
    assert list(_stored(cli_db)) == ["x1"]


def test_push_names_the_item_and_field_of_an_impossible_date(
    app_client: TestClient, db: Database
) -> None:
    with db.transaction() as session:
        token = issue_token(session, add_source(session, kind="api", name="Đối tác"), name="t")
    items = [{"text": "tốt"}, {"text": "a", "published_at": "0001-01-01T00:00:00"}]
    response = app_client.post(
        "/api/v1/items", json={"items": items}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["index"] == 1
    assert response.json()["errors"][0]["reason"].startswith("published_at: ")


@pytest.mark.parametrize(
    "path",
    [
        "/queue?since=0001-01-01",
        "/queue?until=0001-01-01",
        "/queue?since=01/01/0001",
        "/queue?until=9999-12-31",
        "/api/v1/cases?since=0001-01-01",
        "/admin/audit?since=0001-01-01",
        "/api/v1/audit?since=0001-01-01",
        "/admin/audit.csv?since=0001-01-01",
    ],
)
def test_date_filters_out_of_range_are_a_clear_422(
    admin: tuple[TestClient, dict[str, str]], path: str
) -> None:
    client, _ = admin
    response = client.get(path)
    assert response.status_code == 422, response.text
    assert "1970" in response.text


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ('"likes": ' + "9" * 5000, "line 2: not valid JSON: a number has too many digits"),
        ('"title": ' + "[" * 600 + "]" * 600, "line 2: title: "),
        ('"likes": "' + "1" * 400 + 'K"', "line 2: likes: "),
    ],
)
def test_import_refuses_hostile_json_per_row_and_keeps_the_rest(
    cli_db: Database, tmp_path: Path, bad: str, reason: str
) -> None:
    code, out = _import(
        tmp_path,
        [
            '{"external_id": "h1", "text": "tốt một"}',
            f'{{"external_id": "h2", "text": "x", {bad}}}',
            '{"external_id": "h3", "text": "tốt ba"}',
        ],
    )
    assert code == 2, out
    assert reason in out and "Traceback" not in out
    assert sorted(k for k in _stored(cli_db) if k) == ["h1", "h3"]


def test_cli_messages_quoting_markup_are_printed_as_is(cli_db: Database) -> None:
    result = runner.invoke(app, ["user", "add", "[/i]x", "--role", "viewer", "--unit", "qt"])
    assert result.exit_code == 1  # the clear error, not a rich MarkupError
    assert "The username '[/i]x' is not valid" in result.output
