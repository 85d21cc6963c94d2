"""In Chromium: chart labels stay inside the chart, however long a unit's name."""

from __future__ import annotations

from typing import Any

import pytest

from soitin.report.svg import bar_chart

pytestmark = pytest.mark.browser

LONG = "Trung tâm Truyền thông tỉnh Quảng Trị và các phường, xã trực thuộc"
PLACES = ("Đồng Hới", "Đông Hà")


def test_long_bar_labels_are_shortened_inside_the_chart(browser: Any) -> None:
    names = [LONG, "Phường Đồng Hới", *(f"Tổ theo dõi thông tin phường {p}" for p in PLACES)]
    svg = bar_chart("Theo đơn vị", names, [132, 2, 1, 1])
    page = browser.new_page(viewport={"width": 640, "height": 200})
    page.set_content(f"<!doctype html><html lang='vi'><body style='margin:0'>{svg}</body></html>")
    boxes = page.locator("svg text.lbl").evaluate_all(
        "ts => ts.map(t => { const b = t.getBBox(); return [b.x, b.x + b.width,"
        " [...t.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('')]; })"
    )
    bars = page.locator("svg rect.bar").evaluate_all("rs => rs.map(r => r.getBBox().x)")
    for (left, right, _text), bar_x in zip(boxes, bars, strict=True):
        assert 0 <= left and right <= bar_x, boxes  # not cut at the left edge, not over the bar
    assert "…" in boxes[0][2] and boxes[1][2] == "Phường Đồng Hới"
    # cut in the middle: units that differ only at the end stay apart
    assert [b[2].split("…")[-1] for b in boxes[2:]] == list(PLACES)
    assert LONG in svg  # the full name stays in the tooltip
    page.close()
