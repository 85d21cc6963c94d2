"""Tips: the JSON API and the form page, for signed-in staff, stored in their unit's tip source."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from soitin.db.engine import Database
from soitin.db.models import AuditEvent, Item, Source, User
from tests.web.conftest import csrf_of


def _csrf(client: TestClient) -> str:
    return csrf_of(client.get("/tips").text)


def test_anonymous_tips_are_refused(app_client: TestClient) -> None:
    response = app_client.post("/api/v1/tips", json={"url": "https://facebook.com/p/1"})
    assert response.status_code == 401
    assert app_client.get("/tips").status_code == 303


def test_api_tip_needs_the_csrf_token(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("reviewer_dh")
    response = client.post("/api/v1/tips", json={"url": "https://facebook.com/p/1"})
    assert response.status_code == 403


def test_api_tip_is_an_item_of_the_unit_tip_source_and_audited(
    signed_in: Callable[[str], TestClient], db: Database, units: dict[str, int]
) -> None:
    client = signed_in("reviewer_dh")
    headers = {"X-CSRF-Token": _csrf(client)}
    tip = {
        "url": "https://www.facebook.com/groups/x/posts/1",
        "text": "Nhận quà miễn phí",
        "note": "Thấy trong nhóm Zalo phường",
    }
    response = client.post("/api/v1/tips", json=tip, headers=headers)
    assert response.status_code == 201, response.text
    first = response.json()
    assert first["created"] is True
    again = client.post("/api/v1/tips", json={**tip, "note": "Lần hai"}, headers=headers).json()
    assert again["item_id"] == first["item_id"] and again["created"] is False
    with db.session() as session:
        item = session.get(Item, first["item_id"])
        assert item is not None and item.platform == "facebook"
        source = session.get(Source, item.source_id)
        assert source is not None
        assert (source.kind, source.name, source.unit_id) == ("tip", "tip:dh", units["dh"])
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "tip.submitted").order_by(AuditEvent.id)
        ).all()
        user = session.scalars(select(User).where(User.username == "reviewer_dh")).one()
    assert [e.detail["note"] for e in events] == ["Thấy trong nhóm Zalo phường", "Lần hai"]
    assert all(e.actor_id == user.id and e.object_id == str(item.id) for e in events)


def test_api_tip_needs_a_link_or_text(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("viewer_qt")
    headers = {"X-CSRF-Token": _csrf(client)}
    response = client.post("/api/v1/tips", json={"note": "chỉ có ghi chú"}, headers=headers)
    assert response.status_code == 422 and "link or a text" in response.json()["detail"]
    response = client.post("/api/v1/tips", json={"url": "javascript:alert(1)"}, headers=headers)
    assert response.status_code == 422 and "http(s)" in response.json()["detail"]


def test_tip_form_page_round_trip_escapes_input(
    signed_in: Callable[[str], TestClient], db: Database
) -> None:
    client = signed_in("lead_qt")
    assert '<a href="/tips">Gửi tin báo</a>' in client.get("/").text  # every page links it
    page = client.get("/tips")
    assert page.status_code == 200 and "Gửi tin báo" in page.text
    response = client.post(
        "/tips",
        data={
            "csrf_token": csrf_of(page.text),
            "url": "",
            "text": "Tin đồn <script>alert(1)</script> về lũ",
            "note": "<b>gấp</b>",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/tips?sent=new"
    page = client.get("/tips?sent=new")
    assert "Đã nhận tin báo" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert" not in page.text
    assert "&lt;b&gt;gấp&lt;/b&gt;" in page.text
    with db.session() as session:
        source = session.scalars(select(Source).where(Source.name == "tip:qt")).one()
        assert source.kind == "tip"


def test_tip_form_errors_are_shown(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("lead_qt")
    page = client.get("/tips")
    response = client.post(
        "/tips", data={"csrf_token": csrf_of(page.text), "url": "ftp://x", "note": "ghi chú"}
    )
    assert response.status_code == 422
    assert "Chưa gửi được" in response.text and "ghi chú" in response.text
    response = client.post("/tips", data={"url": "https://x.vn/a"})
    assert response.status_code == 403  # no CSRF token


def test_a_malformed_link_is_a_clear_422(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("reviewer_dh")
    headers = {"X-CSRF-Token": _csrf(client)}
    response = client.post(
        "/api/v1/tips", json={"url": "http://[::1", "text": "x"}, headers=headers
    )
    assert response.status_code == 422, response.text
    assert "url: 'http://[::1' is not a valid URL" in response.json()["detail"]
    page = client.get("/tips")
    response = client.post(
        "/tips",
        data={"csrf_token": csrf_of(page.text), "url": "https://[oops/", "text": "", "note": "n"},
    )
    assert response.status_code == 422
    assert "Đường dẫn &#39;https://[oops/&#39; không hợp lệ" in response.text


def test_tip_errors_name_the_tip_fields(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("reviewer_dh")
    headers = {"X-CSRF-Token": _csrf(client)}
    response = client.post("/api/v1/tips", json={"text": "x", "likes": 3}, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"] == ["likes: unknown field (known fields: url, text, note)"]
    response = client.post(
        "/api/v1/tips",
        content=b'{"text": "x", "note": ' + b"9" * 5000 + b"}",
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and "too many digits" in response.json()["detail"]
