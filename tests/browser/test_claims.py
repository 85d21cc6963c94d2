"""In Chromium: the claim library page checks a pasted text (htmx) and asks before removing."""

from __future__ import annotations

from typing import Any

import pytest

from soitin.review import accounts
from soitin.stories import claims as library
from tests.browser.conftest import ARTIFACTS, LiveServer
from tests.web.conftest import PASSWORD, PASSWORD_HASH

pytestmark = pytest.mark.browser

CLAIM = "Đập thủy điện Hòa Bình sắp vỡ, dân hạ du phải sơ tán"


def test_check_a_text_and_confirm_before_removing(live_server: LiveServer, browser: Any) -> None:
    from playwright.sync_api import expect

    with live_server.database.transaction() as s:
        accounts.add_unit(s, "qt", "Tỉnh Quảng Trị", place_codes=["44"])
        accounts.add_user(s, "lead_qt", role="lead", unit_code="qt", password="",
                          password_hash=PASSWORD_HASH)  # fmt: skip
        claim_id = library.add_claim(s, text=CLAIM, verdict="false").id
    base = live_server.url
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "lead_qt")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.click("nav >> text=Thư viện kiểm chứng")
    page.wait_for_url(f"{base}/claims")
    page.fill(
        "textarea[name=text]", "nghe noi dap thuy dien hoa binh sap vo, dan ha du phai so tan"
    )
    page.click("#check-form button[type=submit]")
    expect(page.locator("#check-matches")).to_contain_text(CLAIM)
    assert page.url == f"{base}/claims"  # answered in place by htmx
    page.screenshot(path=str(ARTIFACTS / "claims-check.png"), full_page=True)

    page.goto(f"{base}/claims/{claim_id}")
    page.once("dialog", lambda d: d.dismiss())  # "remove?" → no: nothing is sent
    page.click('button:has-text("Xoá khỏi thư viện")')
    assert page.url == f"{base}/claims/{claim_id}"
    page.once("dialog", lambda d: d.accept())
    page.click('button:has-text("Xoá khỏi thư viện")')
    page.wait_for_url(f"{base}/claims?deleted=1")
    expect(page.locator("#claims-total")).to_contain_text("0")
    assert not errors, errors
    page.close()
