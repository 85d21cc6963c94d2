"""Server-rendered SVG charts and the province map: no JavaScript, so the CSP stays strict.

Colours are SVG presentation attributes (not inline styles, which the CSP forbids); every
text is escaped. Each function returns markup ready to place in a page.
"""

from __future__ import annotations

import json
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

__all__ = ["PALETTE", "bar_chart", "column_chart", "line_chart", "province_map"]

PALETTE = ["#1f4e79", "#c0504d", "#9bbb59", "#8064a2", "#f79646", "#4bacc6", "#7f7f7f"]
MAP_FILE = Path(__file__).resolve().parents[1] / "web" / "static" / "geo" / "provinces_2025.json"


def _fmt(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.1f}".replace(",", " ").replace(".", ",")


#: Characters of a bar label that fit its 164 px at the default font (measured in Chromium: a
#: 32-character unit name ran 63 px past the left edge, 22 still 2 px); longer ones are cut.
LABEL_CHARS = 21


def _short(name: str) -> str:
    """A long name cut in the middle, at spaces: its kind and its place both stay readable
    ("Tổ theo dõi…Đồng Hới" and "Tổ theo dõi…Đông Hà" rather than "Tổ theo dõi thông ti…")."""
    if len(name) <= LABEL_CHARS:
        return name
    tail = name[-(LABEL_CHARS - 9) :]
    if " " in tail[:-1]:  # from the start of a word
        tail = tail[tail.index(" ") + 1 :]
    head = name[: LABEL_CHARS - 1 - len(tail)]
    if " " in head:  # to the end of a word
        head = head[: head.rindex(" ")]
    return f"{head.rstrip()}…{tail}"


def _svg(width: int, height: int, body: list[str], title: str, kind: str) -> str:
    return (
        f'<svg class="chart chart-{kind}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    for power in range(0, 13):
        for step in (1, 2, 5):
            top = step * 10**power
            if top >= value:
                return float(top)
    return value


def bar_chart(
    title: str, labels: list[str], values: list[float], *, colour: str = PALETTE[0]
) -> str:
    """Horizontal bars with their values, one row per label."""
    row, label_w, width = 22, 170, 640
    height = max(1, len(labels)) * row + 10
    top = _nice_max(max(values, default=0))
    plot_w = width - label_w - 60
    body = []
    for i, (name, value) in enumerate(zip(labels, values, strict=True)):
        y = 5 + i * row
        w = plot_w * value / top if top else 0
        body.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" class="lbl">'
            f"<title>{escape(name)}</title>{escape(_short(name))}</text>"
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" '
            f'fill="{colour}"><title>{escape(name)}: {_fmt(value)}</title></rect>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" class="val">{_fmt(value)}</text>'
        )
    if not labels:
        body.append('<text x="10" y="20" class="lbl">—</text>')
    return _svg(width, height, body, title, "bar")


def column_chart(
    title: str, labels: list[str], values: list[float], *, colour: str = PALETTE[0]
) -> str:
    """Vertical bars (a distribution), labels under each bar."""
    width, height, bottom, left = 640, 240, 40, 40
    top = _nice_max(max(values, default=0))
    n = max(1, len(values))
    slot = (width - left - 10) / n
    plot_h = height - bottom - 20
    body = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
        'stroke="#888" />',
        f'<text x="{left - 4}" y="24" text-anchor="end" class="val">{_fmt(top)}</text>',
    ]
    for i, (name, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / top if top else 0
        x = left + i * slot + slot * 0.15
        y = height - bottom - h
        body.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
            f'fill="{colour}"><title>{escape(name)}: {_fmt(value)}</title></rect>'
            f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle" class="val">'
            f"{_fmt(value)}</text>"
            f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
            f'class="lbl">{escape(name)}</text>'
        )
    return _svg(width, height, body, title, "column")


#: Width of one character of an 11 px label, a little above the mean of Vietnamese text in
#: Chromium (so that an estimated legend row is never wider than the drawn one).
CHAR_W = 6.8
#: Characters of a legend entry; a longer series name is cut (its full name is the tooltip).
LEGEND_CHARS = 28


def _legend(names: list[str], width: int, left: int) -> tuple[list[str], int]:
    """Swatches and names in rows that wrap inside `width`; returns the markup and its height."""
    body: list[str] = []
    x, row, row_h = float(left), 0, 18
    for k, name in enumerate(names):
        shown = name if len(name) <= LEGEND_CHARS else f"{name[: LEGEND_CHARS - 1].rstrip()}…"
        entry_w = 16 + len(shown) * CHAR_W
        if x > left and x + entry_w > width - 8:
            x, row = float(left), row + 1
        y = 4 + row * row_h
        colour = PALETTE[k % len(PALETTE)]
        body.append(
            f'<g class="legend-entry"><rect x="{x:.1f}" y="{y}" width="12" height="12" '
            f'fill="{colour}" /><text x="{x + 16:.1f}" y="{y + 10}" class="lbl">'
            f"<title>{escape(name)}</title>{escape(shown)}</text></g>"
        )
        x += entry_w + 14
    return body, (row + 1) * row_h + 6 if names else 0


def line_chart(title: str, labels: list[str], series: dict[str, list[float]]) -> str:
    """One line per series over the labels (time buckets), with a legend that wraps."""
    width, plot_height, bottom, left = 640, 250, 36, 44
    legend, legend_h = _legend(list(series), width, left)
    height = plot_height + max(legend_h, 22)
    values = [v for line in series.values() for v in line]
    top = _nice_max(max(values, default=0))
    n = max(1, len(labels))
    step = (width - left - 12) / max(1, n - 1)
    first_x = left if n > 1 else (left + width - 8) / 2  # one bucket: in the middle
    plot_top = max(legend_h, 22) + 8
    plot_h = height - bottom - plot_top
    body = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 8}" y2="{height - bottom}" '
        'stroke="#888" />',
        f'<text x="{left - 4}" y="{plot_top + 4}" text-anchor="end" class="val">{_fmt(top)}</text>',
        f'<text x="{left - 4}" y="{height - bottom - 2}" text-anchor="end" class="val">0</text>',
    ]
    every = max(1, round(n / 8))
    for i, name in enumerate(labels):
        if i % every == 0:
            body.append(
                f'<text x="{first_x + i * step:.1f}" y="{height - bottom + 16}" '
                f'text-anchor="middle" class="lbl">{escape(name)}</text>'
            )
    for k, (name, line) in enumerate(series.items()):
        colour = PALETTE[k % len(PALETTE)]
        xy = [
            (first_x + i * step, plot_top + plot_h - plot_h * v / top) for i, v in enumerate(line)
        ]
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        body.append(
            f'<polyline class="line" points="{points}" fill="none" stroke="{colour}" '
            f'stroke-width="2"><title>{escape(name)}</title></polyline>'
        )
        if n == 1 and xy:  # one bucket (the first day of a period): a line of one point
            body.append(
                f'<circle class="point" cx="{xy[0][0]:.1f}" cy="{xy[0][1]:.1f}" r="3" '
                f'fill="{colour}">'
                f"<title>{escape(name)}</title></circle>"
            )
    return _svg(width, height, body + legend, title, "line")


@lru_cache(maxsize=1)
def _map_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MAP_FILE.read_text(encoding="utf-8"))
    return data


def province_map(title: str, values: dict[str, float]) -> str:
    """The 34 provinces shaded by `values` (province code → number), with insets."""
    data = _map_data()
    top = max(values.values(), default=0)
    shades = ["#eef3f8", "#c6d9ec", "#8fb3d9", "#4f86bf", "#1f4e79"]
    body = []
    for code, province in data["provinces"].items():
        value = values.get(code, 0)
        shade = shades[0] if not value or not top else shades[min(4, 1 + int(3.999 * value / top))]
        body.append(
            f'<path class="province" data-code="{escape(code)}" d="{province["d"]}" '
            f'fill="{shade}" stroke="#5a6b7d" stroke-width="0.4">'
            f"<title>{escape(province['name'])}: {_fmt(value)}</title></path>"
        )
    for inset in data.get("insets", []):
        body.append(
            f'<rect x="{inset["x"]}" y="{inset["y"]}" width="{inset["w"]}" height="{inset["h"]}" '
            'fill="none" stroke="#9aa8b6" stroke-dasharray="3 2" />'
            f'<text x="{inset["x"] + 3}" y="{inset["y"] + 9}" class="lbl small">'
            f"{escape(inset['label'])}</text>"
        )
    legend_y = 20
    for i, shade in enumerate(shades):
        body.append(
            f'<rect x="330" y="{legend_y + i * 14}" width="12" height="12" fill="{shade}" '
            'stroke="#5a6b7d" stroke-width="0.4" />'
        )
    body.append(f'<text x="346" y="{legend_y + 10}" class="lbl small">0</text>')
    body.append(f'<text x="346" y="{legend_y + 4 * 14 + 10}" class="lbl small">{_fmt(top)}</text>')
    width, height = (int(float(v)) for v in data["viewBox"].split()[2:])
    return _svg(width, height, body, title, "map")
