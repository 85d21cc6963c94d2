"""POST /api/v1/items: bearer tokens per source, validation, limits, idempotent retries."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from soitin.db.engine import Database
from soitin.db.models import Item, Source
from soitin.ingest.push import MAX_BATCH_ITEMS
from soitin.ingest.sources import add_source, issue_token, revoke_tokens


@pytest.fixture
def token(db: Database) -> str:
    """A push token of the source "Đối tác API"."""
    with db.transaction() as session:
        source = add_source(session, kind="api", name="Đối tác API")
        return issue_token(session, source, name="test")


def _push(client: TestClient, body: object, token: str | None) -> tuple[int, dict[str, object]]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.post("/api/v1/items", json=body, headers=headers)
    return response.status_code, response.json()


def _count(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count(Item.id))) or 0)


def test_single_item_then_retry_is_idempotent(
    app_client: TestClient, token: str, db: Database
) -> None:
    item = {"external_id": "fb_1", "text": "Cảnh báo lừa đảo", "author": "@ke_gian", "likes": 3}
    status, first = _push(app_client, item, token)
    assert status == 200, first
    assert (first["created"], first["duplicates"], first["source"]) == (1, 0, "Đối tác API")
    status, again = _push(app_client, item, token)
    assert status == 200
    assert (again["created"], again["duplicates"]) == (0, 1)
    assert again["items"] == [{**first["items"][0], "created": False}]  # type: ignore[index]
    assert _count(db) == 1
    with db.session() as session:
        stored = session.scalars(select(Item)).one()
        assert stored.author_hash and "ke_gian" not in stored.author_hash
        source = session.get(Source, stored.source_id)
        assert source is not None and source.last_success_at is not None


def test_batches_as_object_or_list(app_client: TestClient, token: str, db: Database) -> None:
    batch = [{"text": f"Tin {i}", "published_at": "12/05/2025 08:30"} for i in range(3)]
    status, answer = _push(app_client, {"items": batch}, token)
    assert status == 200 and answer["created"] == 3
    status, answer = _push(app_client, batch + [{"text": "Tin mới"}], token)
    assert status == 200 and (answer["created"], answer["duplicates"]) == (1, 3)
    assert _count(db) == 4


def test_missing_unknown_and_revoked_tokens_are_401(
    app_client: TestClient, token: str, db: Database
) -> None:
    response = app_client.post("/api/v1/items", json={"text": "x"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.json()["detail"]
    assert _push(app_client, {"text": "x"}, "stn_khong-co-that")[0] == 401
    assert _push(app_client, {"text": "x"}, "abc")[0] == 401
    with db.transaction() as session:
        source = session.scalars(select(Source).where(Source.name == "Đối tác API")).one()
        revoke_tokens(session, source)
    status, answer = _push(app_client, {"text": "x"}, token)
    assert status == 401 and "revoked" in str(answer["detail"])
    assert _count(db) == 0


def test_a_batch_over_the_limit_is_413_and_nothing_is_stored(
    app_client: TestClient, token: str, db: Database
) -> None:
    batch = [{"text": f"Tin {i}"} for i in range(MAX_BATCH_ITEMS + 1)]
    status, answer = _push(app_client, {"items": batch}, token)
    assert status == 413
    assert "1,001 items" in str(answer["detail"]) and answer["max_items"] == MAX_BATCH_ITEMS
    assert _count(db) == 0


def test_invalid_items_are_422_with_every_reason_and_nothing_is_stored(
    app_client: TestClient, token: str, db: Database
) -> None:
    batch = [
        {"text": "hợp lệ"},
        {"title": "x", "published_at": "32/13/2025"},
        {"txt": "gõ nhầm"},
        "không phải đối tượng",
        {"text": "x" * 100_001},
    ]
    status, answer = _push(app_client, {"items": batch}, token)
    assert status == 422
    errors = {e["index"]: e["reason"] for e in answer["errors"]}  # type: ignore[attr-defined]
    assert set(errors) == {1, 2, 3, 4}
    assert errors[1].startswith("published_at:")
    assert "unknown field" in errors[2]
    assert "object" in errors[3]
    assert "limit is 100,000" in errors[4]
    assert "nothing was stored" in str(answer["detail"])
    assert _count(db) == 0


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        (b"{not json", "application/json", 400, "not valid JSON"),
        (b"text=x", "application/x-www-form-urlencoded", 415, "JSON"),
        (b"[]", "application/json", 422, "empty"),
        (b'"x"', "application/json", 422, "item object"),
        (b'{"items": {}}', "application/json", 422, "list"),
        (b'{"items": [], "more": 1}', "application/json", 422, "unexpected keys"),
        (b'{"text": "x", "likes": ' + b"9" * 5000 + b"}", "application/json", 400, "digits"),
        (
            b'{"text": "x", "title": ' + b"[" * 600 + b"]" * 600 + b"}",
            "application/json",
            422,
            "title",
        ),
        (b'{"text": "x", "likes": "' + b"1" * 400 + b'K"}', "application/json", 422, "likes"),
    ],
)
def test_malformed_bodies_say_what_is_wrong(
    app_client: TestClient, token: str, body: bytes, content_type: str, status: int, message: str
) -> None:
    response = app_client.post(
        "/api/v1/items",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
    )
    assert response.status_code == status
    assert message in response.json()["detail"]


def test_a_body_over_10_mb_is_413(app_client: TestClient, token: str, db: Database) -> None:
    body = json.dumps({"items": [{"text": "x" * 90_000}] * 120}).encode()
    assert len(body) > 10 * 1024 * 1024
    response = app_client.post(
        "/api/v1/items",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413 and "10,485,760 bytes" in response.json()["detail"]
    assert _count(db) == 0


def test_the_push_api_is_in_the_openapi_document(app_client: TestClient) -> None:
    spec = app_client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/items"]["post"]
    assert "requestBody" in operation and "413" in operation["responses"]
