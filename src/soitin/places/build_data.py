"""Export the compact gazetteer table shipped in `places/data/` from `vietnamadminunits`.

The package (MIT, pinned in pyproject) bundles `data/dataset.db` and `data/converter_2025.json`;
this module reads them and writes `gazetteer.json.gz` (about 150 kB): 2025 provinces and
wards, pre-2025 provinces, districts and wards, and the old → new mapping. Run it again after
upgrading the package:

    python -m soitin.places.build_data

The tagger only reads the exported file; a test checks that it matches the installed package.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
GAZETTEER_FILE = DATA_DIR / "gazetteer.json.gz"

_WARD_TYPES = ("Phường", "Xã", "Đặc khu", "Thị trấn")
_DISTRICT_TYPES = ("Quận", "Huyện", "Thị xã", "Thành phố")
_PROVINCE_TYPES = ("Thành phố", "Tỉnh")


def _split_type(name: str, types: tuple[str, ...]) -> tuple[str, str]:
    """("Phường", "Ba Đình") from "Phường Ba Đình"; the type is read from the name itself."""
    for kind in types:
        if name.lower().startswith(kind.lower() + " "):
            return kind, name[len(kind) + 1 :].strip()
    raise ValueError(f"unit name without a known type: {name!r}")


def build_table() -> dict[str, Any]:
    """The gazetteer as plain lists, read from the installed `vietnamadminunits`."""
    data = files("vietnamadminunits") / "data"
    with sqlite3.connect(f"file:{data / 'dataset.db'}?mode=ro", uri=True) as conn:
        new_rows = conn.execute(
            "SELECT provinceCode, province, wardCode, ward, provinceKey, wardKey "
            "FROM admin_units ORDER BY provinceCode, wardCode"
        ).fetchall()
        old_rows = conn.execute(
            "SELECT provinceCode, province, districtCode, district, wardCode, ward, "
            "provinceKey, districtKey, wardKey "
            "FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode"
        ).fetchall()
    converter = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))

    provinces: dict[str, list[str]] = {}
    province_by_key: dict[str, str] = {}
    wards: list[list[str]] = []
    ward_by_key: dict[tuple[str, str], str] = {}
    for p_code, p_name, w_code, w_name, p_key, w_key in new_rows:
        if p_code not in provinces:
            provinces[p_code] = [p_code, *_split_type(p_name, _PROVINCE_TYPES)]
            province_by_key[p_key] = p_code
        kind, short = _split_type(w_name, _WARD_TYPES)
        wards.append([w_code, kind, short, p_code])
        ward_by_key[(p_key, w_key)] = w_code

    old_new_province: dict[str, str] = {}
    for new_key, old_keys in converter["DICT_PROVINCE"].items():
        for old_key in old_keys:
            old_new_province[old_key] = province_by_key[new_key]

    # old "province_district_ward" key → [new ward codes], default first; divided flag
    old_to_new: dict[str, tuple[list[str], bool]] = {}
    for new_p_key, mapping in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_w_key, old_keys in mapping.items():
            for old_key in old_keys:
                old_to_new[old_key] = ([ward_by_key[(new_p_key, new_w_key)]], False)
    for new_p_key, mapping in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, choices in mapping.items():
            ordered = sorted(choices, key=lambda c: not c["isDefaultNewWard"])
            codes = [ward_by_key[(new_p_key, c["newWardKey"])] for c in ordered]
            old_to_new[old_key] = (codes, True)

    old_provinces: dict[str, list[str]] = {}
    districts: dict[str, list[str]] = {}
    old_wards: list[list[Any]] = []
    for p_code, p_name, d_code, d_name, w_code, w_name, p_key, d_key, w_key in old_rows:
        if p_code not in old_provinces:
            old_provinces[p_code] = [
                p_code,
                *_split_type(p_name, _PROVINCE_TYPES),
                old_new_province[p_key],
            ]
        if d_code not in districts:
            districts[d_code] = [d_code, *_split_type(d_name, _DISTRICT_TYPES), p_code]
        new_codes, divided = old_to_new.get(f"{p_key}_{d_key}_{w_key or ''}", ([], False))
        if w_code:
            kind, short = _split_type(w_name, _WARD_TYPES)
            old_wards.append([w_code, kind, short, d_code, new_codes, int(divided)])
        elif new_codes:
            # island districts without wards became special zones (đặc khu)
            districts[d_code].append(new_codes[0])

    return {
        "source": f"vietnamadminunits=={version('vietnamadminunits')} (MIT)",
        "provinces": list(provinces.values()),
        "wards": wards,
        "legacy_provinces": list(old_provinces.values()),
        "legacy_districts": list(districts.values()),
        "legacy_wards": old_wards,
    }


def serialise(table: dict[str, Any]) -> bytes:
    """Deterministic gzip bytes of the table (no timestamp in the gzip header)."""
    raw = json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return gzip.compress(raw, compresslevel=9, mtime=0)


def main() -> None:
    """Write `gazetteer.json.gz` next to this module."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    GAZETTEER_FILE.write_bytes(serialise(build_table()))
    print(f"wrote {GAZETTEER_FILE} ({GAZETTEER_FILE.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
