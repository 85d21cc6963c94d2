"""In Chromium: sign in, queue, filter, story page, confirm, forward, other unit, audit."""

from __future__ import annotations

from typing import Any

import pytest

from soitin.review import accounts
from tests.browser.conftest import ARTIFACTS, LiveServer
from tests.review.factories import make_case, make_claim_match, make_source, make_story
from tests.web.conftest import PASSWORD, PASSWORD_HASH
from tests.web.review_data import SCAM_SCORES, SCAM_TEXT

pytestmark = pytest.mark.browser


def _seed(server: LiveServer) -> dict[str, int]:
    with server.database.transaction() as s:
        accounts.add_unit(s, "qt", "Tỉnh Quảng Trị", place_codes=["44"])
        accounts.add_unit(s, "dh", "Phường Đồng Hới", parent_code="qt", place_codes=["19123"])
        accounts.add_unit(s, "vl", "Xã Vĩnh Linh", parent_code="qt")
        for username, role, unit in (
            ("reviewer_dh", "reviewer", "dh"),
            ("reviewer_vl", "reviewer", "vl"),
            ("admin_qt", "admin", "qt"),
        ):
            accounts.add_user(
                s,
                username,
                role=role,
                unit_code=unit,
                password="",
                password_hash=PASSWORD_HASH,
                display_name=username,
            )
        a = make_source(s, "Báo Quảng Trị")
        b = make_source(s, "Nhóm Facebook Đồng Hới", kind="api")
        dh = accounts.get_unit(s, "dh").id
        scam_story = make_story(
            s,
            SCAM_TEXT,
            sources=[a, b],
            items=5,
            max_scores={"scam": 0.93, "toxic": 0.41},
            item_scores=SCAM_SCORES,
            province_codes=["44"],
            ward_codes=["19123"],
            reach=5400,
        )
        make_claim_match(s, scam_story, "Công an yêu cầu chuyển tiền vào tài khoản tạm giữ")
        scam = make_case(s, scam_story, dh, priority=0.91, severity=3)
        make_case(
            s,
            make_story(s, "Tin đồn cắt điện toàn phường 5 ngày", sources=[a]),
            dh,
            priority=0.6,
            category="misinformation",
        )
        make_case(
            s,
            make_story(s, "Bình luận rác quảng cáo", sources=[b]),
            dh,
            priority=0.3,
            category="spam",
        )
        return {"scam": scam.id}


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_review_flow_in_chromium(live_server: LiveServer, browser: Any) -> None:
    from playwright.sync_api import expect

    ids = _seed(live_server)
    base = live_server.url
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(page, base, "reviewer_dh")
    page.click("nav >> text=Hàng đợi")
    page.wait_for_selector("tr.case-row")
    assert page.locator("tr.case-row").count() == 3
    _shot(page, "01-queue")
    # Filter with htmx: search without diacritics, then by category.
    page.fill("#q", "tai khoan tam giu")
    expect(page.locator("tr.case-row")).to_have_count(1)
    page.fill("#q", "")
    expect(page.locator("tr.case-row")).to_have_count(3)
    page.select_option("select[name=category]", "spam")
    expect(page.locator("#queue-results")).to_contain_text("Bình luận rác")
    expect(page.locator("tr.case-row")).to_have_count(1)
    assert "category=spam" in page.url
    _shot(page, "02-queue-filtered")
    page.select_option("select[name=category]", "")
    expect(page.locator("tr.case-row")).to_have_count(3)
    page.click(f"tr[data-case-id='{ids['scam']}'] a.case-link")
    page.wait_for_url(f"{base}/cases/{ids['scam']}")
    assert page.locator(".rep-text mark.hl-evidence").count() >= 2
    assert page.locator(".rep-text mark.hl-span").count() == 1
    assert page.locator("svg.chart-svg rect.bar").count() >= 5
    # Only the guides of the chosen category are shown (review.js).
    assert page.locator("[data-guide-for=scam]").is_visible()
    assert not page.locator("[data-guide-for=toxic]").is_visible()
    page.locator("tr:has-text('Nhóm Facebook') >> text=Xem nội dung").first.click()
    page.wait_for_selector(".item-text")
    _shot(page, "03-story")
    page.select_option("#form-confirm select[name=category]", "scam")
    page.fill("#form-confirm textarea[name=note]", "Giả danh công an, đã xác minh")
    page.click("#form-confirm button[type=submit]")
    page.wait_for_selector("#done")
    assert "Đã xác nhận vụ việc" in page.inner_text("#done")
    page.click("details:has(#form-forward) > summary")
    page.select_option("#form-forward select[name=unit_id]", label="— Xã Vĩnh Linh")
    page.fill("#form-forward textarea[name=note]", "Người gọi ở Vĩnh Linh")
    page.click("#form-forward button[type=submit]")
    page.wait_for_selector("#done")
    assert "Đã chuyển" in page.inner_text("#done")
    assert "Xã Vĩnh Linh" in page.inner_text("ol.events")
    _shot(page, "04-confirmed-forwarded")
    context.close()

    other = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    phone = other.new_page()
    _login(phone, base, "reviewer_vl")
    phone.goto(f"{base}/queue")
    assert phone.locator("tr.case-row").count() == 1
    assert "Đồ ngu! Công an phường" in phone.inner_text("tr.case-row")
    _shot(phone, "05-other-unit-queue-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    phone.click("tr.case-row a.case-link")
    assert "Nhận từ đơn vị khác" in phone.inner_text("ol.events")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    other.close()

    admin = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    apage = admin.new_page()
    _login(apage, base, "admin_qt")
    apage.click("nav >> text=Nhật ký")
    apage.fill("input[name=action]", "case.")
    apage.click("#audit-filters button[type=submit]")
    apage.wait_for_selector("tr.audit-row")
    text = apage.inner_text("table.audit")
    assert "case.confirm" in text and "case.forward" in text and "reviewer_dh" in text
    apage.fill("input[name=action]", "item.text_viewed")
    apage.click("#audit-filters button[type=submit]")
    apage.wait_for_selector("tr.audit-row")
    assert apage.locator("tr.audit-row").count() >= 2
    _shot(apage, "06-audit")
    admin.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_unreadable_date_filter_is_explained_in_place(
    live_server: LiveServer, browser: Any
) -> None:
    """htmx swaps the 422 answer (base.html responseHandling): the message replaces the results."""
    from playwright.sync_api import expect

    _seed(live_server)
    base = live_server.url
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    _login(page, base, "reviewer_dh")
    page.goto(f"{base}/queue")
    page.wait_for_selector("tr.case-row")
    page.fill("input[name=since]", "31/02/2026")
    page.click("#queue-filters button[type=submit]")
    expect(page.locator("#queue-results .error")).to_contain_text(
        "«Từ ngày»: '31/02/2026' không phải ngày hợp lệ (dd/mm/yyyy)."
    )
    assert page.locator("#queue-filters input[name=since]").input_value() == "31/02/2026"
    _shot(page, "10-queue-bad-date")
    context.close()


def test_on_a_phone_the_links_stay_on_one_row_each(live_server: LiveServer, browser: Any) -> None:
    """The header kept wrapping to 5-6 rows of links at 390 px (about 200 px tall)."""
    _seed(live_server)
    base = live_server.url
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="vi-VN")
    page = context.new_page()
    _login(page, base, "admin_qt")
    page.goto(f"{base}/queue")
    header = page.evaluate("document.querySelector('header.topbar').getBoundingClientRect().height")
    assert header < 130, header
    nav = page.locator("nav.nav")
    assert nav.evaluate("n => n.scrollWidth > n.clientWidth")  # more links, scrolled sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the page itself does not
    last = nav.locator("a").last
    last.scroll_into_view_if_needed()
    assert last.is_visible()
    _shot(page, "11-phone-header")
    row = page.locator("tr.case-row").first
    assert row.locator(".row-facts .badge").first.is_visible()  # status under the story
    wrap = page.locator("#queue-results .table-wrap")
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth + 1")  # nothing cut off at the side
    page.goto(f"{base}/queue")
    page.locator("tr.case-row a").first.click()
    jump = page.locator(".jump-links a[href='#decisions']")
    assert jump.is_visible()  # the decision panel is far down on a phone: a link to it on top
    jump.click()
    assert page.locator("#decisions").evaluate("d => d.getBoundingClientRect().top") < 100
    context.close()
    wide = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    desk = wide.new_page()
    _login(desk, base, "admin_qt")
    desk.goto(page.url.split("#")[0])
    assert not desk.locator(".jump-links").is_visible()  # beside the story on a wide screen
    desk.goto(f"{base}/queue")
    assert not desk.locator(".row-facts").first.is_visible()  # in their own columns there
    wide.close()
