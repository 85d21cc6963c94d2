"""The JSON API under /api/v1: session or token, same policies, same data as the pages."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from soitin.db.engine import Database
from soitin.db.models import User
from soitin.review import tokens
from tests.web.conftest import csrf_of
from tests.web.review_data import Workbench, workbench

__all__ = ["workbench"]


def _token(db: Database, username: str) -> dict[str, str]:
    with db.transaction() as s:
        user = s.scalar(select(User).where(User.username == username))
        assert user
        _, secret = tokens.create_token(s, user, "test")
    return {"Authorization": f"Bearer {secret}"}


def test_api_with_a_personal_token(
    app_client: TestClient, workbench: Workbench, db: Database, units: dict[str, int]
) -> None:
    assert app_client.get("/api/v1/cases").status_code == 401
    bad = app_client.get("/api/v1/cases", headers={"Authorization": "Bearer stn_nope"})
    assert bad.status_code == 401
    headers = _token(db, "reviewer_dh")
    queue = app_client.get("/api/v1/cases?q=tai+khoan", headers=headers)
    assert queue.status_code == 200
    body = queue.json()
    assert body["total"] == 1 and body["rows"][0]["id"] == workbench.scam
    assert set(body["rows"][0]["priority_parts"]) == {"detector"}
    detail = app_client.get(f"/api/v1/cases/{workbench.scam}", headers=headers).json()
    assert detail["case"]["id"] == workbench.scam
    assert {d["name"] for d in detail["detectors"]} == {"scam", "toxic"}
    assert detail["claims"][0]["verdict"] == "false"
    assert any(seg["kind"] == "evidence" for seg in detail["representative"])
    assert len(detail["items"]) == 4 and detail["timeline"]["bars"]
    assert app_client.get(f"/api/v1/cases/{workbench.village}", headers=headers).status_code == 404
    # Token calls need no CSRF header.
    confirmed = app_client.post(
        f"/api/v1/cases/{workbench.scam}/confirm",
        headers=headers,
        json={"category": "scam", "note": "qua API"},
    )
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    conflict = app_client.post(
        f"/api/v1/cases/{workbench.scam}/confirm", headers=headers, json={"category": "scam"}
    )
    assert conflict.status_code == 409
    forwarded = app_client.post(
        f"/api/v1/cases/{workbench.scam}/forward", headers=headers, json={"unit_id": units["vl"]}
    )
    assert forwarded.status_code == 200 and forwarded.json()["unit_id"] == units["vl"]
    bad_category = app_client.post(
        f"/api/v1/cases/{workbench.misinfo}/confirm", headers=headers, json={"category": "politics"}
    )
    assert bad_category.status_code == 422
    assert (
        app_client.post(
            "/api/v1/cases/bulk",
            headers=headers,
            json={"operation": "dismiss", "case_ids": [workbench.overdue]},
        ).status_code
        == 403
    )
    assert app_client.get("/api/v1/users", headers=headers).status_code == 403
    me = app_client.get("/api/v1/me", headers=headers).json()
    assert "case.decide" in me["actions"] and "case.assign" not in me["actions"]
    assert sorted(me["unit_ids"]) == [units["dh"]]


def test_api_on_the_session_needs_csrf(
    signed_in: Callable[[str], TestClient], workbench: Workbench
) -> None:
    client = signed_in("lead_dh")
    token = csrf_of(client.get("/queue").text)
    url = f"/api/v1/cases/{workbench.overdue}/comment"
    assert client.post(url, json={"note": "không có CSRF"}).status_code == 403
    ok = client.post(url, json={"note": "có CSRF"}, headers={"X-CSRF-Token": token})
    assert ok.status_code == 200
    bulk = client.post(
        "/api/v1/cases/bulk",
        headers={"X-CSRF-Token": token},
        json={
            "operation": "dismiss",
            "case_ids": [workbench.overdue, workbench.other_source],
            "reason": "duplicate",
        },
    )
    assert bulk.status_code == 200 and bulk.json() == {"count": 2}
    reopened = client.post(
        f"/api/v1/cases/{workbench.overdue}/reopen", json={}, headers={"X-CSRF-Token": token}
    )
    assert reopened.json()["status"] == "open"
    story = client.get(f"/api/v1/stories/{workbench.story_scam}").json()
    assert [c["id"] for c in story] == [workbench.scam]


def test_api_admin_endpoints(
    signed_in: Callable[[str], TestClient], units: dict[str, int], db: Database
) -> None:
    client = signed_in("admin_qt")
    h = {"X-CSRF-Token": csrf_of(client.get("/queue").text)}
    made = client.post(
        "/api/v1/users",
        headers=h,
        json={"username": "tran.b", "role": "viewer", "unit_id": units["vl"]},
    )
    assert made.status_code == 201 and len(made.json()["password"]) >= 10
    uid = made.json()["id"]
    patched = client.patch(
        f"/api/v1/users/{uid}", headers=h, json={"role": "reviewer", "is_active": False}
    )
    assert patched.json()["role"] == "reviewer" and patched.json()["is_active"] is False
    assert "password" not in client.get("/api/v1/users").json()[0]
    assert client.post(f"/api/v1/users/{uid}/password", headers=h).status_code == 200
    unit = client.post(
        "/api/v1/units",
        headers=h,
        json={
            "code": "hl",
            "name": "Xã Hải Lăng",
            "parent_id": units["qt"],
            "place_codes": ["19702"],
        },
    )
    assert unit.status_code == 201 and unit.json()["depth"] == 1
    renamed = client.patch(
        f"/api/v1/units/{unit.json()['id']}", headers=h, json={"name": "Xã Hải Lăng mới"}
    )
    assert renamed.json()["name"] == "Xã Hải Lăng mới"
    assert len(client.get("/api/v1/units").json()) == 4
    audit = client.get("/api/v1/audit?action=user.").json()
    assert {r["action"] for r in audit["rows"]} >= {"user.created", "user.updated"}
    csv_text = client.get("/api/v1/audit.csv").text
    assert csv_text.startswith("\ufeffid,at,actor")
    token = client.post("/api/v1/tokens", headers=h, json={"name": "x"}).json()
    assert token["token"].startswith("stn_")
    listed = client.get("/api/v1/tokens").json()
    assert listed[0]["token"] is None
    revoked = client.delete(f"/api/v1/tokens/{token['id']}", headers=h)
    assert revoked.json()["revoked_at"] is not None
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/cases/{case_id}/forward" in spec["paths"]
