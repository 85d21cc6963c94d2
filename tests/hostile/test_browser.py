"""In real Chromium: the queue and story pages of hostile posts run none of their scripts."""

from __future__ import annotations

from typing import Any

import pytest

from soitin.review import accounts
from tests.browser.conftest import LiveServer
from tests.hostile.corpus import XSS
from tests.review.factories import make_case, make_source, make_story
from tests.web.conftest import PASSWORD, PASSWORD_HASH

pytestmark = pytest.mark.browser

HOOK = """
window.__xss = [];
for (const name of ["alert", "confirm", "prompt"]) {
  window[name] = (...args) => { window.__xss.push(name); return null; };
}
"""


def test_hostile_posts_run_no_script_in_chromium(live_server: LiveServer, browser: Any) -> None:
    with live_server.database.transaction() as s:
        unit = accounts.add_unit(s, "qt", "Tỉnh Quảng Trị", place_codes=["44"])
        accounts.add_user(
            s, "admin_qt", role="admin", unit_code="qt", password="", password_hash=PASSWORD_HASH
        )
        source = make_source(s, '<img src=x onerror=alert(1)> "><script>alert(1)</script>')
        case_ids = [
            make_case(
                s,
                make_story(s, f"{payload} Cảnh báo lừa đảo", sources=[source], items=2),
                unit.id,
                priority=0.9 - n / 100,
            ).id
            for n, payload in enumerate(XSS)
        ]
    base = live_server.url
    dialogs: list[str] = []
    context = browser.new_context()
    context.add_init_script(HOOK)
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "admin_qt")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    visited = 0
    for url in [f"{base}/queue", *(f"{base}/cases/{i}" for i in case_ids[:8])]:
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__xss") == [], url
        visited += 1
    page.goto(f"{base}/queue")
    assert page.locator("tr.case-row").count() == len(XSS)
    assert page.evaluate("window.__xss") == [] and dialogs == []
    assert visited == 9
    context.close()
