"""Addresses the app does not have: a page in the reader's language for a browser, JSON for the
API and for clients that ask for it."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient


def test_a_browser_gets_a_page_for_an_address_that_does_not_exist(
    app_client: TestClient, signed_in: Callable[[str], TestClient]
) -> None:
    anonymous = app_client.get("/no-such-page")
    assert anonymous.status_code == 404
    assert anonymous.headers["content-type"].startswith("text/html")
    assert "Không có trang nào ở địa chỉ này." in anonymous.text
    client = signed_in("viewer_qt")
    page = client.get("/queue/not-a-case", headers={"accept": "text/html"})
    assert page.status_code == 404 and "Không tìm thấy." in page.text
    assert 'href="/"' in page.text  # a way back
    nowhere = client.get("/nowhere").text
    assert 'href="/queue"' in nowhere and "Đăng xuất" in nowhere  # the signed-in navigation
    assert "Đăng xuất" not in anonymous.text
    client.get("/lang/en")
    assert "There is no page at this address." in client.get("/nowhere").text


def test_a_method_an_address_does_not_take_is_explained_and_names_the_allowed_ones(
    app_client: TestClient,
) -> None:
    answer = app_client.delete("/login")
    assert answer.status_code == 405 and "GET" in answer.headers["allow"]
    assert "Địa chỉ này không nhận yêu cầu kiểu này." in answer.text


def test_the_api_and_json_clients_still_get_json(app_client: TestClient) -> None:
    api = app_client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
    asked = app_client.get("/no-such-page", headers={"accept": "application/json"})
    assert asked.status_code == 404 and asked.json() == {"detail": "Not Found"}
