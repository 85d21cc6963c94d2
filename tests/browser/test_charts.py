"""In Chromium: chart labels stay inside the chart, however long a unit's name."""

from __future__ import annotations

from typing import Any

import pytest

from soitin.report.labels import LABELS
from soitin.report.svg import bar_chart, line_chart

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


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_series_legend_wraps_inside_the_chart(browser: Any, lang: str) -> None:
    # Five categories at a fixed step ran past the right edge: "Chưa phân loại" and
    # "Uncategoris…" were cut at 1366 px.
    keys = ("misinformation", "scam", "toxic", "spam", "uncategorised")
    names = [LABELS[k][lang] for k in keys] + [f"Nguồn {LABELS['uncategorised'][lang]} rất dài"]
    days = [f"{d:02d}/10" for d in range(1, 32)]
    svg = line_chart("Diễn biến theo thời gian", days, {n: [1.0] * len(days) for n in names})
    page = browser.new_page(viewport={"width": 640, "height": 400})
    page.set_content(f"<!doctype html><html lang='vi'><body style='margin:0'>{svg}</body></html>")
    texts = page.locator("svg text").evaluate_all(
        "ts => ts.map(t => { const b = t.getBBox(); return [b.x, b.y, b.x + b.width,"
        " b.y + b.height, [...t.childNodes].filter(n => n.nodeType === 3)"
        ".map(n => n.textContent).join('')]; })"
    )
    for left, top, right, _bottom, _ in texts:  # every label inside the drawing
        assert 0 <= left and right <= 640 and top >= 0, texts
    entries = [box for box in texts if box[4] in names]
    assert [e[4] for e in entries] == names  # whole names, none cut
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:  # no two labels overlap
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    lines = page.locator("svg polyline").evaluate_all("ps => ps.map(p => p.getBBox().y)")
    assert min(lines) > max(e[3] for e in entries)  # the plot starts below the legend
    page.close()
