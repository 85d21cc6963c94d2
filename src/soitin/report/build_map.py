"""Build the small province map shipped in `web/static/geo/` from the 2025 boundaries.

Reads `geo_vn_2025/provinces_2025.geojson` from the shared data folder (MIT, © 2025 Talia
Cao, from Open Development Vietnam polygons), joins each province to its official 2025 code
by folded name, projects to a 400-wide SVG box, simplifies (Douglas–Peucker) and drops tiny
islands. Run again only if the boundaries change:

    python -m soitin.report.build_map
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from soitin.report.placenames import place_names
from soitin.settings import shared_data_dir
from soitin.text.fold import fold_diacritics

OUT = Path(__file__).resolve().parents[1] / "web" / "static" / "geo" / "provinces_2025.json"
TOLERANCE = 0.6  # SVG units
MIN_AREA = 2.0  # SVG units²: smaller islands are left out


def _key(name: str) -> str:
    folded = fold_diacritics(name).replace("tp ", "").replace("thanh pho ", "").replace("tinh ", "")
    return "".join(folded.split()).replace("hcm", "hochiminh")


def _simplify(points: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy) or 1e-12
        best, index = 0.0, -1
        for i in range(first + 1, last):
            x0, y0 = points[i]
            dist = abs(dy * x0 - dx * y0 + x2 * y1 - y2 * x1) / norm
            if dist > best:
                best, index = dist, i
        if best > tol and index > 0:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    return [p for p, k in zip(points, keep, strict=True) if k]


def _area(points: list[tuple[float, float]]) -> float:
    return (
        abs(
            sum(
                x1 * y2 - x2 * y1
                for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True)
            )
        )
        / 2
    )


ISLAND_LON = 110.5  # rings east of this are the Hoàng Sa and Trường Sa archipelagos
MAIN_WIDTH = 290.0
INSETS = {
    # group: (label, target box x0, y0, x1, y1 in SVG units)
    "hoangsa": ("Quần đảo Hoàng Sa", 305.0, 300.0, 395.0, 360.0),
    "truongsa": ("Quần đảo Trường Sa", 305.0, 520.0, 395.0, 640.0),
}


def _path(points: list[tuple[float, float]]) -> str:
    head, *rest = points
    return f"M{head[0]:.1f} {head[1]:.1f}" + "".join(f"L{x:.1f} {y:.1f}" for x, y in rest) + "Z"


def build() -> dict[str, Any]:
    """The map as {viewBox, provinces: {code: {name, d}}, insets: [...]}.

    The mainland is drawn to scale; the Hoàng Sa and Trường Sa archipelagos are drawn in two
    framed insets on the right (scaled down), as Vietnamese statistical maps do.
    """
    source = json.loads((shared_data_dir() / "geo_vn_2025" / "provinces_2025.geojson").read_text())
    codes = {_key(name): code for code, name in place_names().provinces.items()}
    mainland: dict[str, list[list[tuple[float, float]]]] = {}
    islands: dict[str, list[tuple[str, list[tuple[float, float]]]]] = {
        "hoangsa": [],
        "truongsa": [],
    }
    for feature in source["features"]:
        code = codes[_key(feature["properties"]["ten_tinh"])]
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        for polygon in polygons:
            ring = [(float(x), float(y)) for x, y, *_ in polygon[0]]
            mean_lon = sum(p[0] for p in ring) / len(ring)
            mean_lat = sum(p[1] for p in ring) / len(ring)
            if mean_lon >= ISLAND_LON:
                islands["hoangsa" if mean_lat > 14 else "truongsa"].append((code, ring))
            else:
                mainland.setdefault(code, []).append(ring)
    lons = [p[0] for rings in mainland.values() for ring in rings for p in ring]
    lats = [p[1] for rings in mainland.values() for ring in rings for p in ring]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    kx = math.cos(math.radians((south + north) / 2))
    scale = MAIN_WIDTH / ((east - west) * kx)
    height = (north - south) * scale

    def project(p: tuple[float, float]) -> tuple[float, float]:
        return ((p[0] - west) * kx * scale, (north - p[1]) * scale)

    parts: dict[str, list[str]] = {}
    for code, rings in mainland.items():
        for ring in rings:
            points = [project(p) for p in ring]
            if len(points) > 1 and points[0] == points[-1]:
                points = points[:-1]
            half = len(points) // 2
            simple = (
                _simplify(points[: half + 1], TOLERANCE)[:-1]
                + _simplify(points[half:] + points[:1], TOLERANCE)[:-1]
            )
            if len(simple) >= 3 and _area(simple) >= MIN_AREA:
                parts.setdefault(code, []).append(_path(simple))
    insets = []
    for group, members in islands.items():
        if not members:
            continue
        label, x0, y0, x1, y1 = INSETS[group]
        g_lons = [p[0] for _, ring in members for p in ring]
        g_lats = [p[1] for _, ring in members for p in ring]
        gw, ge, gs, gn = min(g_lons), max(g_lons), min(g_lats), max(g_lats)
        k = min((x1 - x0 - 8) / max((ge - gw) * kx, 1e-6), (y1 - y0 - 14) / max(gn - gs, 1e-6))
        for code, ring in members:
            cx = sum(p[0] for p in ring) / len(ring)
            cy = sum(p[1] for p in ring) / len(ring)
            x = x0 + 4 + (cx - gw) * kx * k
            y = y0 + 12 + (gn - cy) * k
            # Islands are far smaller than a pixel at this scale: a small mark each.
            parts.setdefault(code, []).append(
                f"M{x - 1:.1f} {y - 1:.1f}L{x + 1:.1f} {y - 1:.1f}L{x + 1:.1f} {y + 1:.1f}"
                f"L{x - 1:.1f} {y + 1:.1f}Z"
            )
        insets.append({"label": label, "x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0})
    provinces = {
        code: {"name": place_names().provinces[code], "d": "".join(paths)}
        for code, paths in sorted(parts.items())
    }
    return {"viewBox": f"0 0 400 {max(height, 650):.0f}", "provinces": provinces, "insets": insets}


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(build(), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(OUT, OUT.stat().st_size)
