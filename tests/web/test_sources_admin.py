"""The sources page and API: admins add feeds and push sources, see their health, switch them
off and on, issue and revoke push tokens; a source is declared public, never a person, and a
feed never points at a private or local address."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from soitin.db.engine import Database
from soitin.db.models import AuditEvent, Source
from soitin.ingest.feeds import poll_due_feeds
from soitin.ingest.fetch import SafeClient
from tests.ingest.conftest import FeedServer, Route, feed_server  # noqa: F401 - fixture
from tests.ingest.feeds_data import RSS
from tests.web.conftest import csrf_of, login

KEY = "test-pseudonym-key-0123456789"


def _add(client: TestClient, **fields: str) -> tuple[int, str]:
    token = csrf_of(client.get("/admin/sources").text)
    data = {"kind": "feed", "interval": "15", "public": "1", **fields, "csrf_token": token}
    response = client.post("/admin/sources", data=data)
    return response.status_code, response.text


def _source(db: Database, name: str) -> Source:
    with db.session() as s:
        source = s.scalar(select(Source).where(Source.name == name))
        assert source is not None
        return source


def test_an_admin_adds_a_feed_of_a_unit(
    signed_in: Callable[[str], TestClient], db: Database, units: dict[str, int]
) -> None:
    client = signed_in("admin_qt")
    page = client.get("/admin/sources")
    assert page.status_code == 200 and "Nguồn tin" in page.text and "Thêm nguồn" in page.text
    status, _ = _add(
        client,
        name="Báo Quảng Trị",
        url="https://baoquangtri.example/rss/thoi-su.rss",
        unit_id=str(units["dh"]),
        interval="10",
    )
    assert status == 303
    source = _source(db, "Báo Quảng Trị")
    assert (source.kind, source.unit_id, source.poll_interval_s) == ("feed", units["dh"], 600)
    assert source.is_outlet and source.enabled
    listed = client.get("/admin/sources").text
    assert "Báo Quảng Trị" in listed and "Chưa lấy tin" in listed and "Phường Đồng Hới" in listed
    assert _add(client, kind="file", name="Xuất Zalo", unit_id=str(units["qt"]))[0] == 303
    row = client.get("/admin/sources").text.split("<strong>Xuất Zalo</strong>")[1].split("</tr>")[0]
    assert "Không có tin trong 7 ngày" in row  # a file or push source's health: its items
    with db.session() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "source.created"))
        assert event is not None and event.object_id == str(source.id)
        assert event.detail["url"] == "https://baoquangtri.example/rss/thoi-su.rss"


def test_a_source_must_be_declared_public_and_the_form_is_kept(
    signed_in: Callable[[str], TestClient], db: Database
) -> None:
    client = signed_in("admin_qt")
    status, text = _add(client, name="Trang cá nhân", url="https://a.example/rss", public="")
    assert status == 422
    assert "không phải một cá nhân" in html.unescape(text)
    assert 'value="Trang cá nhân"' in text and 'value="https://a.example/rss"' in text
    with db.session() as s:
        assert s.scalar(select(Source).where(Source.name == "Trang cá nhân")) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/rss",
        "http://localhost/rss",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.5/feed",
        "http://[::1]/rss",
        "http://0x7f000001/rss",
    ],
)
def test_a_feed_on_a_private_or_local_address_is_refused(
    signed_in: Callable[[str], TestClient], db: Database, url: str
) -> None:
    status, text = _add(signed_in("admin_qt"), name="Nội bộ", url=url)
    assert status == 422, text
    assert "địa chỉ nội bộ" in html.unescape(text)
    with db.session() as s:
        assert s.scalar(select(Source).where(Source.name == "Nội bộ")) is None


def test_bad_urls_and_names_are_clear_errors(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("admin_qt")
    status, text = _add(client, name="Không địa chỉ", url="ftp://x.example/rss")
    assert status == 422 and "http:// hoặc https://" in html.unescape(text)
    assert _add(client, name="Báo A", url="https://a.example/rss")[0] == 303
    status, text = _add(client, name="Báo  A", url="https://b.example/rss")
    assert status == 409 and "Đã có nguồn tên 'Báo A'" in html.unescape(text)
    status, text = _add(client, name="Báo B", url="https://b.example/rss", interval="abc")
    assert status == 422 and "không phải số hợp lệ" in html.unescape(text)


def test_health_is_shown_and_post_text_in_errors_is_escaped(
    signed_in: Callable[[str], TestClient], db: Database, units: dict[str, int]
) -> None:
    with db.transaction() as s:
        s.add(
            Source(
                kind="feed",
                name="Báo Hỏng",
                url="https://hong.example/rss",
                unit_id=units["qt"],
                consecutive_failures=3,
                last_attempt_at=datetime.now(UTC),
                last_error='Not XML: <script>alert("x")</script>',
            )
        )
    page = signed_in("admin_qt").get("/admin/sources").text
    assert "Lỗi 3 lần liên tiếp" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page


def test_switching_a_feed_off_stops_its_polling_and_a_new_url_starts_afresh(
    signed_in: Callable[[str], TestClient],
    db: Database,
    units: dict[str, int],
    feed_server: FeedServer,  # noqa: F811 - the fixture
) -> None:
    feed_server.routes["/rss"] = Route(body=RSS.encode())
    feed_server.routes["/down"] = Route(status=503)
    allow = "127.0.0.1/32"
    client = signed_in("admin_qt")
    client.app.state.settings.fetch_allowlist = allow  # type: ignore[attr-defined]
    assert _add(client, name="Báo Nội Bộ", url=feed_server.url("/down"))[0] == 303
    source = _source(db, "Báo Nội Bộ")
    start = datetime.now(UTC)
    with SafeClient(allowlist=allow) as fetcher:
        assert [r.status for r in poll_due_feeds(db, fetcher, now=start, key=KEY)] == ["error"]
        token = csrf_of(client.get("/admin/sources").text)
        off = client.post(
            f"/admin/sources/{source.id}",
            data={"name": "Báo Nội Bộ", "interval": "15", "csrf_token": token},
        )
        assert off.status_code == 303
        assert "Đã tắt" in client.get("/admin/sources").text
        later = start + timedelta(days=2)
        assert poll_due_feeds(db, fetcher, now=later, key=KEY) == []
        on = client.post(
            f"/admin/sources/{source.id}",
            data={"url": feed_server.url("/rss"), "enabled": "1", "csrf_token": token},
        )
        assert on.status_code == 303
        with db.session() as s:
            fresh = s.get(Source, source.id)
            assert fresh is not None and fresh.consecutive_failures == 0
            assert fresh.last_attempt_at is None and fresh.enabled
        results = poll_due_feeds(db, fetcher, now=later, key=KEY)
    assert [(r.status, r.inserted) for r in results] == [("ok", 3)]
    with db.session() as s:
        changes = [
            e.detail["changes"]
            for e in s.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "source.updated")
                .order_by(AuditEvent.id)
            )
        ]
    assert changes[0] == {"enabled": {"from": True, "to": False}}
    assert changes[1]["enabled"] == {"from": False, "to": True}
    assert changes[1]["url"]["to"] == feed_server.url("/rss")


def test_push_tokens_are_shown_once_work_and_are_revoked(
    signed_in: Callable[[str], TestClient], db: Database, units: dict[str, int]
) -> None:
    client = signed_in("admin_qt")
    assert _add(client, kind="api", name="Đối tác", unit_id=str(units["qt"]))[0] == 303
    source = _source(db, "Đối tác")
    assert source.url is None
    token = csrf_of(client.get("/admin/sources").text)
    issued = client.post(
        f"/admin/sources/{source.id}/tokens", data={"label": "máy chủ A", "csrf_token": token}
    )
    assert issued.status_code == 200
    raw = issued.text.split('id="new-secret">')[1].split("<")[0]
    assert raw.startswith("stn_")
    assert raw not in client.get("/admin/sources").text  # shown once
    push = TestClient(client.app)
    item = {"external_id": "p1", "text": "Tin đẩy thử"}
    headers = {"Authorization": f"Bearer {raw}"}
    assert push.post("/api/v1/items", json=item, headers=headers).status_code == 200
    revoked = client.post(f"/admin/sources/{source.id}/tokens/revoke", data={"csrf_token": token})
    assert revoked.status_code == 303
    assert push.post("/api/v1/items", json=item, headers=headers).status_code == 401
    with db.session() as s:
        actions = list(
            s.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "source"))
        )
        details = " ".join(
            str(d)
            for d in s.scalars(select(AuditEvent.detail).where(AuditEvent.object_type == "source"))
        )
    assert {"source.token_issued", "source.tokens_revoked"} <= set(actions)
    assert raw not in details  # the token itself is never audited


def test_a_feed_source_has_no_tokens_and_a_tip_box_keeps_its_name(
    signed_in: Callable[[str], TestClient], db: Database, units: dict[str, int]
) -> None:
    client = signed_in("admin_qt")
    assert _add(client, name="Báo C", url="https://c.example/rss")[0] == 303
    feed = _source(db, "Báo C")
    with db.transaction() as s:
        tip = Source(kind="tip", name="tip:qt", unit_id=units["qt"])
        s.add(tip)
        s.flush()
        tip_id = tip.id
    token = csrf_of(client.get("/admin/sources").text)
    refused = client.post(f"/admin/sources/{feed.id}/tokens", data={"csrf_token": token})
    assert refused.status_code == 422 and "mã đẩy tin" in html.unescape(refused.text)
    renamed = client.post(
        f"/admin/sources/{tip_id}", data={"name": "Hộp thư", "enabled": "1", "csrf_token": token}
    )
    assert renamed.status_code == 422 and "chỉ bật hoặc tắt" in html.unescape(renamed.text)
    off = client.post(f"/admin/sources/{tip_id}", data={"csrf_token": token})
    assert off.status_code == 303
    with db.session() as s:
        stored = s.get(Source, tip_id)
        assert stored is not None and not stored.enabled and stored.name == "tip:qt"


def test_a_commune_admin_sees_only_its_own_sources(
    signed_in: Callable[[str], TestClient], db: Database, units: dict[str, int]
) -> None:
    province = signed_in("admin_qt")
    assert _add(province, name="Báo toàn hệ thống", url="https://all.example/rss")[0] == 303
    assert (
        _add(province, name="Báo tỉnh", url="https://t.example/rss", unit_id=str(units["qt"]))[0]
        == 303
    )
    whole = _source(db, "Báo toàn hệ thống")
    assert whole.unit_id is None  # a top unit's admin may add a source of no unit
    commune = login(TestClient(province.app, follow_redirects=False), "admin_dh")
    page = commune.get("/admin/sources").text
    assert "Báo tỉnh" not in page and "Báo toàn hệ thống" not in page
    assert "Toàn hệ thống" not in page  # it cannot add a source of no unit either
    token = csrf_of(page)
    assert commune.post(f"/admin/sources/{whole.id}", data={"csrf_token": token}).status_code == 404
    status, _ = _add(commune, name="Báo xã", url="https://x.example/rss", unit_id="")
    assert status == 404
    assert (
        _add(commune, name="Báo xã", url="https://x.example/rss", unit_id=str(units["dh"]))[0]
        == 303
    )
    assert "Báo xã" in commune.get("/admin/sources").text
    assert signed_in("lead_qt").get("/admin/sources").status_code == 403


def test_the_api_lists_adds_and_changes_sources(
    signed_in: Callable[[str], TestClient], db: Database, units: dict[str, int]
) -> None:
    client = signed_in("admin_qt")
    h = {"X-CSRF-Token": csrf_of(client.get("/admin/sources").text)}
    body = {
        "kind": "feed",
        "name": "Báo API",
        "url": "https://api.example/rss",
        "unit_id": units["dh"],
        "public": True,
    }
    made = client.post("/api/v1/sources", json=body, headers=h)
    assert made.status_code == 201, made.text
    out = made.json()
    assert out["name"] == "Báo API" and out["unit_id"] == units["dh"] and out["enabled"]
    private = client.post(
        "/api/v1/sources",
        json={**body, "name": "Nội bộ", "url": "http://192.168.1.1/rss"},
        headers=h,
    )
    assert private.status_code == 422 and "private or local address" in private.text
    person = client.post("/api/v1/sources", json={**body, "name": "X", "public": False}, headers=h)
    assert person.status_code == 422 and "not a private person" in person.text
    changed = client.patch(
        f"/api/v1/sources/{out['id']}", json={"enabled": False, "poll_interval_s": 3600}, headers=h
    )
    assert changed.status_code == 200
    assert (changed.json()["enabled"], changed.json()["poll_interval_s"]) == (False, 3600)
    listed = client.get("/api/v1/sources").json()
    assert [s["name"] for s in listed] == ["Báo API"]
    assert "token" not in listed[0]


def test_the_dashboard_tells_an_admin_of_failing_sources(
    signed_in: Callable[[str], TestClient], db: Database, units: dict[str, int]
) -> None:
    with db.transaction() as s:
        for name, failures, enabled in (
            ("Hỏng 1", 2, True),
            ("Hỏng tắt", 5, False),
            ("Tốt", 0, True),
        ):
            s.add(
                Source(
                    kind="feed",
                    name=name,
                    url="https://x.example/rss",
                    unit_id=units["dh"],
                    consecutive_failures=failures,
                    enabled=enabled,
                )
            )
    page = signed_in("admin_qt").get("/").text
    assert 'id="failing-sources"' in page and "1 nguồn tin đang bị lỗi" in page
    assert 'href="/admin/sources"' in page
    lead = TestClient(signed_in("admin_qt").app, follow_redirects=False)
    assert 'id="failing-sources"' not in login(lead, "lead_qt").get("/").text
