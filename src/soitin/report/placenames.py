"""Names of 2025 provinces and communes for codes, read from the shipped gazetteer table."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import soitin.places

__all__ = ["PlaceNames", "place_names"]

_GAZETTEER = Path(soitin.places.__file__).parent / "data" / "gazetteer.json.gz"


@dataclass(frozen=True)
class PlaceNames:
    """2025 provinces (2-digit codes) and communes/wards (5-digit codes)."""

    provinces: dict[str, str]
    wards: dict[str, str]
    ward_province: dict[str, str]

    def name(self, code: str) -> str:
        """The full name for a province or ward code (the code itself when unknown)."""
        return self.provinces.get(code) or self.wards.get(code) or code

    def is_province(self, code: str) -> bool:
        """True for a 2025 province code."""
        return code in self.provinces


@lru_cache(maxsize=1)
def place_names() -> PlaceNames:
    """The gazetteer's 2025 names, loaded once."""
    try:
        data = json.loads(gzip.decompress(_GAZETTEER.read_bytes()).decode("utf-8"))
    except OSError:
        return PlaceNames({}, {}, {})
    provinces = {code: f"{kind} {name}" for code, kind, name in data.get("provinces", [])}
    wards: dict[str, str] = {}
    ward_province: dict[str, str] = {}
    for code, kind, name, province in data.get("wards", []):
        wards[code] = f"{kind} {name}"
        ward_province[code] = province
    return PlaceNames(provinces, wards, ward_province)
