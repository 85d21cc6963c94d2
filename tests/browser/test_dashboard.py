"""In Chromium: the dashboard of the known month, filters, charts with data, table view, CSV."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, LiveServer
from tests.report.world import PASSWORD, build_world

pytestmark = pytest.mark.browser


def test_dashboard_in_chromium(live_server: LiveServer, browser: Any) -> None:
    from playwright.sync_api import expect

    with live_server.database.transaction() as session:
        world = build_world(session)
    base = live_server.url
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(f"{base}/login")
    page.fill("input[name=username]", "w_lead_qtr")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    # Filter to October 2026 through the form.
    page.fill("input[name=period]", "2026-10")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/?*period=2026-10*")
    expect(page.locator('[data-key="items"] .value')).to_have_text("11")
    expect(page.locator('[data-key="cases_opened"] .value')).to_have_text("5")
    expect(page.locator('[data-key="views"] .value')).to_have_text("2.900")

    # Every chart is drawn with data.
    line = page.locator("#chart-series svg polyline")
    assert line.count() == 4
    widths = page.locator("#chart-units svg rect.bar").evaluate_all(
        "bars => bars.map(b => b.getBBox().width)"
    )
    assert len(widths) == 3 and all(w > 0 for w in widths)
    heights = page.locator("#chart-response_time svg rect.bar").evaluate_all(
        "bars => bars.map(b => b.getBBox().height)"
    )
    assert sum(1 for h in heights if h > 0) == 3
    # The province chart sits beside the map on a whole row: its labels are readable (in half a
    # row they were drawn 5 px tall), and the charts after it fill the row it left.
    heights = page.locator("#chart-provinces svg text.lbl").evaluate_all(
        "ts => ts.map(t => t.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 10, heights
    _legend_inside(page)
    units, times = (page.locator(f"#chart-{k}").bounding_box() for k in ("units", "response_time"))
    assert units and times and units["y"] == times["y"]
    provinces = page.locator("#chart-provinces svg.chart-map path.province")
    assert provinces.count() == 34
    shaded = page.locator('#chart-provinces path.province[data-code="44"]').get_attribute("fill")
    assert shaded not in (None, "#eef3f8")
    reach = page.locator("#chart-publications svg rect.bar").evaluate_all(
        "bars => bars.map(b => b.getBBox().width)"
    )
    assert max(reach) > 0

    # The table view opens and the CSV download answers with the same figures.
    page.locator("#chart-units summary").click()
    expect(page.locator("#chart-units table tbody tr").first).to_contain_text("Tỉnh Quảng Trị")
    href = page.locator("#chart-units a.csv").get_attribute("href")
    assert href is not None
    csv_answer = page.request.get(f"{base}{href}")
    assert csv_answer.ok and "Phường Đồng Hới" in csv_answer.text()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    # On a phone the charts keep readable labels (scaled to the screen they were 5-6 px tall)
    # and scroll inside their card; the page itself does not scroll sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    heights = page.locator(".chart-card svg.chart:not(.chart-map) text").evaluate_all(
        "ts => ts.map(t => t.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 10, heights
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _legend_inside(page)
    page.screenshot(path=str(ARTIFACTS / "dashboard-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1360, "height": 900})
    page.reload()

    # A narrower unit through the selector.
    page.select_option("select[name=unit]", "dhoi")
    page.click("form.filters button[type=submit]")
    expect(page.locator('[data-key="items"] .value')).to_have_text("4")

    # The response ledger of a case and the publications page.
    page.goto(f"{base}/cases/{world.cases['C1']}/responses")
    expect(page.locator("#first-response")).to_contain_text("2 giờ 0 phút")
    expect(page.locator("table.ledger")).to_contain_text("FB-123")
    page.screenshot(path=str(ARTIFACTS / "responses.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})  # on a phone the ledger scrolls
    page.reload()  # inside itself, not the page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1360, "height": 900})
    page.goto(f"{base}/publications")
    expect(page.locator("table.ledger")).to_contain_text("Cảnh báo tin giả về nước máy")
    page.screenshot(path=str(ARTIFACTS / "publications.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()


def _legend_inside(page: Any) -> None:
    """Every legend name of the series chart is drawn whole inside the chart."""
    svg_box = page.locator("#chart-series svg").bounding_box()
    names = page.locator("#chart-series svg polyline title").all_text_contents()
    boxes = page.locator("#chart-series svg text").evaluate_all(
        "ts => ts.map(t => [t.getBoundingClientRect().right,"
        " [...t.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('')])"
    )
    shown = {text: right for right, text in boxes}
    assert names and all(name in shown for name in names), (names, boxes)
    assert max(shown[name] for name in names) <= svg_box["x"] + svg_box["width"], boxes
