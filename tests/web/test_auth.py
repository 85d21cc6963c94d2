"""Sign in and out, CSRF, lock-out, password change, health, security headers."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from soitin.db.engine import Database
from soitin.db.models import AuditEvent
from soitin.settings import load_settings
from soitin.web.app import create_app
from tests.web.conftest import PASSWORD, csrf_of, login


def test_health_answers_ok(app_client: TestClient) -> None:
    response = app_client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_pages_have_an_icon_and_so_does_favicon_ico(app_client: TestClient) -> None:
    page = app_client.get("/login")
    assert '<link rel="icon" href="/static/favicon.svg"' in page.text
    for path in ("/static/favicon.svg", "/favicon.ico"):  # the browser's guess, without a link
        icon = app_client.get(path)
        assert icon.status_code == 200, path
        assert icon.headers["content-type"].startswith("image/svg+xml")
        assert icon.text.startswith("<svg")


def test_login_page_is_vietnamese_with_security_headers(app_client: TestClient) -> None:
    response = app_client.get("/login")
    assert response.status_code == 200
    assert "Đăng nhập" in response.text and "Mật khẩu" in response.text
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "<script>" not in response.text  # no inline scripts


def test_anonymous_is_sent_to_login(app_client: TestClient) -> None:
    response = app_client.get("/")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_sign_in_shows_dashboard_and_audits(app_client: TestClient, db: Database) -> None:
    login(app_client, "lead_dh")
    page = app_client.get("/")
    assert page.status_code == 200
    assert "Tổng quan" in page.text and "Phường Đồng Hới" in page.text
    cookie = app_client.cookies.get("soitin_session")
    assert cookie
    with db.session() as s:
        actions = s.scalars(select(AuditEvent.action)).all()
    assert "login" in actions


def test_session_cookie_is_httponly_and_samesite(app_client: TestClient) -> None:
    page = app_client.get("/login")
    response = app_client.post(
        "/login",
        data={"username": "lead_dh", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    header = response.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=lax" in header


def test_wrong_password_and_missing_csrf_are_refused(app_client: TestClient) -> None:
    page = app_client.get("/login")
    wrong = app_client.post(
        "/login",
        data={"username": "lead_dh", "password": "nope", "csrf_token": csrf_of(page.text)},
    )
    assert wrong.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in wrong.text
    no_csrf = app_client.post("/login", data={"username": "lead_dh", "password": PASSWORD})
    assert no_csrf.status_code == 403
    assert app_client.get("/").status_code == 303


def test_repeated_failures_lock_the_account(app_client: TestClient, db: Database) -> None:
    token = csrf_of(app_client.get("/login").text)
    for _ in range(5):
        app_client.post(
            "/login", data={"username": "viewer_qt", "password": "x" * 10, "csrf_token": token}
        )
    locked = app_client.post(
        "/login", data={"username": "viewer_qt", "password": PASSWORD, "csrf_token": token}
    )
    assert locked.status_code == 429
    with db.session() as s:
        actions = s.scalars(select(AuditEvent.action)).all()
    assert "login.lockout" in actions and "login.locked" in actions


def test_many_failures_from_one_address_are_rate_limited(
    db: Database, units: dict[str, int], tmp_path: Path
) -> None:
    settings = load_settings(data_dir=tmp_path, env="test", login_ip_max_failures=4)
    app = create_app(settings, db)
    with TestClient(app, follow_redirects=False, client=("203.0.113.7", 5000)) as attacker:
        token = csrf_of(attacker.get("/login").text)
        for i in range(4):  # different accounts each time: no account lock-out
            failed = attacker.post(
                "/login", data={"username": f"khong-co-{i}", "password": "x", "csrf_token": token}
            )
            assert failed.status_code == 401
        refused = attacker.post(
            "/login", data={"username": "lead_dh", "password": PASSWORD, "csrf_token": token}
        )
        assert refused.status_code == 429
        assert "Quá nhiều lần đăng nhập sai từ địa chỉ này" in refused.text
        assert attacker.get("/").status_code == 303  # still not signed in
    with TestClient(app, follow_redirects=False, client=("198.51.100.9", 5000)) as colleague:
        login(colleague, "lead_dh")  # another address is not affected
        assert colleague.get("/").status_code == 200
    with db.session() as s:
        limited = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "login.rate_limited")
        ).all()
    assert [(e.ip, e.detail["username"]) for e in limited] == [("203.0.113.7", "lead_dh")]


def test_open_redirect_after_login_is_refused(app_client: TestClient) -> None:
    token = csrf_of(app_client.get("/login").text)
    response = app_client.post(
        "/login",
        data={
            "username": "lead_dh",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
    )
    assert response.headers["location"] == "/"


def test_logout_and_password_change(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("reviewer_dh")
    page = client.get("/account/password")
    token = csrf_of(page.text)
    wrong = client.post(
        "/account/password", data={"current": "bad", "new": "mat-khau-moi-123", "csrf_token": token}
    )
    assert wrong.status_code == 400
    done = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "mat-khau-moi-123", "csrf_token": token},
    )
    assert "Đã đổi mật khẩu" in done.text
    out = client.post("/logout", data={"csrf_token": token})
    assert out.status_code == 303
    assert client.get("/").status_code == 303
    login(client, "reviewer_dh", "mat-khau-moi-123")


def test_a_password_change_or_reset_ends_the_users_other_sessions(
    app_client: TestClient, signed_in: Callable[[str], TestClient]
) -> None:
    """A stolen or forgotten session must not outlive the password it signed in with."""
    laptop = login(TestClient(app_client.app, follow_redirects=False), "reviewer_dh")
    phone = login(TestClient(app_client.app, follow_redirects=False), "reviewer_dh")
    token = csrf_of(laptop.get("/account/password").text)
    changed = laptop.post(
        "/account/password",
        data={"current": PASSWORD, "new": "mat-khau-moi-123", "csrf_token": token},
    )
    assert "Đã đổi mật khẩu" in changed.text
    assert laptop.get("/queue").status_code == 200  # the browser that changed it stays in
    assert phone.get("/queue").status_code == 303  # the other session has ended
    assert phone.get("/api/v1/cases").status_code == 401
    login(phone, "reviewer_dh", "mat-khau-moi-123")
    assert phone.get("/queue").status_code == 200

    admin = signed_in("admin_qt")
    page = admin.get("/admin/users")
    user_id = re.search(r'/admin/users/(\d+)"[^>]*>\s*reviewer_dh', page.text)
    assert user_id, "reviewer_dh not listed"
    reset = admin.post(
        f"/admin/users/{user_id.group(1)}/password", data={"csrf_token": csrf_of(page.text)}
    )
    assert reset.status_code == 200
    assert laptop.get("/queue").status_code == 303 and phone.get("/queue").status_code == 303


def test_english_switch(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("viewer_dh")
    client.get("/lang/en")
    assert "Dashboard" in client.get("/").text


def test_switching_language_goes_back_to_the_same_page_and_filters(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("lead_qt")
    base = "http://testserver"

    def back(referer: str) -> str:
        response = client.get("/lang/en", headers={"referer": referer})
        assert response.status_code == 303
        return str(response.headers["location"])

    assert back(f"{base}/queue?q=xang+tang&category=scam") == "/queue?q=xang+tang&category=scam"
    # a form's address that answers only POST goes to the page above it, never to a 405
    assert back(f"{base}/queue/bulk") == "/queue"
    assert back(f"{base}/admin/sources/7/tokens/revoke") == "/admin/sources"
    assert back(f"{base}/cases/12/confirm?x=1") == "/cases/12"
    # another site's address names no page of ours to go back to
    assert back("https://evil.example//evil.example/x") == "/"
    assert back("") == "/"


def test_out_of_range_ids_are_a_clear_4xx(signed_in: Callable[[str], TestClient]) -> None:
    """Found by schemathesis: an id beyond 64 bits was a 500 (SQLite OverflowError)."""
    client = signed_in("admin_qt")
    for path in ("/api/v1/stories/36893488147419103232", "/api/v1/claims/36893488147419103232"):
        response = client.get(path)
        assert response.status_code == 422, (path, response.text)
        assert "out of range" in response.json()["detail"]
    page = client.get("/cases/36893488147419103232")
    assert page.status_code == 422
