"""The gazetteer: 2025 units, pre-2025 units mapped to 2025, and every name they go by.

Loaded from the compact table in `places/data/gazetteer.json.gz` (exported from the MIT
`vietnamadminunits` package by `soitin.places.build_data`) and the hand-made lists: aliases
below, `common_words.txt` (names that are also everyday words) and `organisations.txt`
(organisation and brand names that contain a place name but are not a place). Names are
indexed by their folded tokens ("Đà Nẵng" → "da nang"); each index entry keeps the accepted
spellings with tone marks, so the tagger can tell "Huế" from "huệ" when the text has
diacritics.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from soitin.text.fold import fold_diacritics
from soitin.text.normalise import fix_tone_placement

__all__ = [
    "Gazetteer",
    "Level",
    "NameEntry",
    "Unit",
    "get_gazetteer",
    "name_tokens",
    "syllables",
]

DATA_DIR = Path(__file__).parent / "data"

Level = Literal["province", "province_legacy", "district_legacy", "ward", "ward_legacy"]

TOKEN_RE = re.compile(r"[a-z]+|[0-9]+")
_SYLLABLE_RE = re.compile(r"[^\W\d_]+|\d+")


def name_tokens(name: str) -> tuple[str, ...]:
    """Folded tokens of a name, the way the tagger tokenises text."""
    return tuple(TOKEN_RE.findall(fold_diacritics(name)))


def syllables(name: str) -> tuple[str, ...]:
    """Lower-case syllables with tone marks in our convention ("Hoà Bình" → ("hòa", "bình"))."""
    return tuple(fix_tone_placement(s) for s in _SYLLABLE_RE.findall(name.lower()))


@dataclass(frozen=True, slots=True)
class Unit:
    """One administrative unit, current or former."""

    level: Level
    code: str
    unit_type: str
    name: str
    province_code: str
    legacy_province_code: str | None = None
    legacy_district_code: str | None = None
    ward_codes: tuple[str, ...] = ()
    divided: bool = False

    @property
    def full_name(self) -> str:
        """Type and name, e.g. "Phường Ba Đình"."""
        return f"{self.unit_type} {self.name}"


@dataclass(frozen=True, slots=True)
class NameEntry:
    """One way a unit is named; `unit` None marks a phrase that is not a place."""

    unit: Unit | None
    forms: frozenset[tuple[str, ...]]
    weak: bool = False
    weak_ascii: bool = False
    exact_case: frozenset[str] = frozenset()
    alias: bool = False
    needs_cue: bool = False
    folded_only: bool = False  # matched on the folded form alone, any spelling (organisations)


@dataclass(slots=True)
class Gazetteer:
    """All units and the name index the tagger reads."""

    provinces: dict[str, Unit] = field(default_factory=dict)
    wards: dict[str, Unit] = field(default_factory=dict)
    legacy_provinces: dict[str, Unit] = field(default_factory=dict)
    legacy_districts: dict[str, Unit] = field(default_factory=dict)
    legacy_wards: dict[str, Unit] = field(default_factory=dict)
    index: dict[str, tuple[NameEntry, ...]] = field(default_factory=dict)
    first: dict[str, int] = field(default_factory=dict)
    source: str = ""

    def province_name(self, code: str) -> str:
        """The 2025 province's full name ("Thành phố Hà Nội")."""
        return self.provinces[code].full_name

    def ward_name(self, code: str) -> str:
        """The 2025 ward's full name."""
        return self.wards[code].full_name


# Province names that are also everyday words or personal names: they need a prefix
# (tỉnh, TP) or a place cue. The second set holds names that are only doubtful when
# written without diacritics ("da nang" can be "đa năng").
WEAK_PROVINCES = frozenset(
    "hòa bình|thái bình|cao bằng|hải dương|vĩnh phúc|hồ chí minh|hà thành|sài thành".split("|")
)
# A person's name first: only a prefix ("TP Hồ Chí Minh") or a place cue makes it the city.
NEEDS_CUE = frozenset({"hồ chí minh"})
WEAK_ASCII_PROVINCES = frozenset("hue|hai phong|da nang|bac ninh|son la".split("|"))

# (spellings, 2025 or legacy province code, legacy?, exact case, weak)
_ALIASES: list[tuple[str, str, bool, str, bool]] = [
    ("hcm|hcmc|tphcm", "79", False, "", False),
    ("sài gòn|saigon", "79", False, "", False),
    ("sg", "79", False, "SG", False),
    ("sài thành", "79", False, "", True),
    ("hn", "01", False, "HN", False),
    ("hà thành", "01", False, "", True),
    ("hà tây", "01", False, "", False),
    ("thừa thiên huế|thừa thiên - huế|tt huế|tt-huế", "46", False, "", False),
    ("tth", "46", False, "TTH", False),
    ("brvt|br-vt", "77", True, "", False),
    ("đăk lăk|đắc lắc|đắk lăk|đăk lắk|dak lak", "66", False, "", False),
    ("đăk nông|đắc nông", "67", True, "", False),
    ("kontum", "62", True, "", False),
    ("bắc cạn", "06", True, "", False),
]

# Ambiguous short forms resolved only by the text's other places (or "TP" for a city).
_AMBIGUOUS_ALIASES: list[tuple[str, tuple[str, ...], str]] = [
    ("đn", ("48", "75"), "ĐN"),
    ("qn", ("22", "51"), "QN"),
]

# Phrases that contain a place name but are not places.
_NOT_PLACES = (
    "thái bình dương|đại tây dương|ấn độ dương|bắc băng dương|liên hợp quốc|đông nam á|"
    "đông á|trung đông|hải dương học|hòa bình thế giới|nam á|tây á|bắc á|trung á|"
    "bình dương quán|thái nguyên lang"
).split("|")


def _read_list(name: str) -> list[str]:
    """The non-comment lines of a data file."""
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def _read_common_words() -> frozenset[str]:
    return frozenset(" ".join(syllables(line)) for line in _read_list("common_words.txt"))


_VOWEL_GROUP_RE = re.compile(r"[aeiouy]+")


def _is_weak_name(name: str, common: frozenset[str]) -> bool:
    """Names that need a prefix or a cue: everyday words, numbers, and single Vietnamese
    syllables (Vinh, Láng); a one-word minority-language name (Pleiku) is not weak."""
    syl = syllables(name)
    if name[:1].isdigit() or " ".join(syl) in common:
        return True
    if len(syl) == 1:
        return len(_VOWEL_GROUP_RE.findall(fold_diacritics(syl[0]))) <= 1
    return False


def _load_table() -> dict[str, Any]:
    raw = gzip.decompress((DATA_DIR / "gazetteer.json.gz").read_bytes())
    table: dict[str, Any] = json.loads(raw)
    return table


def build_gazetteer() -> Gazetteer:
    """Read the shipped tables and build the units and the name index."""
    table = _load_table()
    common = _read_common_words()
    gaz = Gazetteer(source=table["source"])
    entries: dict[str, list[NameEntry]] = defaultdict(list)

    def add(name: str, entry: NameEntry) -> None:
        key = " ".join(name_tokens(name))
        if key:
            entries[key].append(entry)

    def form(*names: str) -> frozenset[tuple[str, ...]]:
        return frozenset(syllables(n) for n in names)

    for code, kind, name in table["provinces"]:
        gaz.provinces[code] = Unit("province", code, kind, name, code)
    for code, kind, name, p_code in table["wards"]:
        gaz.wards[code] = Unit("ward", code, kind, name, p_code, ward_codes=(code,))
    for code, kind, name, new_code in table["legacy_provinces"]:
        gaz.legacy_provinces[code] = Unit(
            "province_legacy", code, kind, name, new_code, legacy_province_code=code
        )
    for code, kind, name, p_code, *zone in table["legacy_districts"]:
        new_p = gaz.legacy_provinces[p_code].province_code
        gaz.legacy_districts[code] = Unit(
            "district_legacy", code, kind, name, new_p, p_code, code, tuple(zone)
        )
    for code, kind, name, d_code, new_codes, divided in table["legacy_wards"]:
        district = gaz.legacy_districts[d_code]
        gaz.legacy_wards[code] = Unit(
            "ward_legacy",
            code,
            kind,
            name,
            district.province_code,
            district.legacy_province_code,
            d_code,
            tuple(new_codes),
            bool(divided),
        )

    current_names = {" ".join(syllables(u.name)) for u in gaz.provinces.values()}
    for unit in gaz.provinces.values():
        _add_province(unit, add, form, common)
    for unit in gaz.legacy_provinces.values():
        if " ".join(syllables(unit.name)) not in current_names:
            _add_province(unit, add, form, common)
    for unit in [*gaz.legacy_districts.values(), *gaz.wards.values(), *gaz.legacy_wards.values()]:
        weak = _is_weak_name(unit.name, common)
        add(unit.name, NameEntry(unit, form(unit.name), weak=weak, weak_ascii=weak))
        if "(" in unit.name:  # "Yên Viên (Thị trấn)" style names: also the bare name
            add(unit.name.split("(")[0], NameEntry(unit, form(unit.name.split("(")[0]), weak, weak))

    for spellings, code, legacy, exact, weak in _ALIASES:
        unit = gaz.legacy_provinces[code] if legacy else gaz.provinces[code]
        for spelling in spellings.split("|"):
            entry = NameEntry(
                unit,
                form(spelling),
                weak=weak,
                weak_ascii=weak,
                exact_case=frozenset({exact}) if exact else frozenset(),
                alias=True,
            )
            add(spelling, entry)
    for spelling, codes, exact in _AMBIGUOUS_ALIASES:
        for code in codes:
            entry = NameEntry(
                gaz.provinces[code],
                form(spelling),
                weak=True,
                weak_ascii=True,
                exact_case=frozenset({exact}),
                alias=True,
            )
            add(spelling, entry)
    for phrase in _NOT_PLACES:
        add(phrase, NameEntry(None, form(phrase)))
    for name in _read_list("organisations.txt"):
        add(name, NameEntry(None, frozenset(), folded_only=True))

    gaz.index = {key: _share_spellings(found) for key, found in entries.items()}
    first: dict[str, int] = {}
    for key in gaz.index:
        toks = key.split(" ")
        first[toks[0]] = max(first.get(toks[0], 0), len(toks))
    gaz.first = first
    return gaz


def _share_spellings(found: list[NameEntry]) -> tuple[NameEntry, ...]:
    """Entries of one unit under one folded name accept each other's spelling: the 2025
    list writes "Mù Cang Chải" where the older list has "Mù Căng Chải". Entries are the
    same unit when linked through the converter (a former commune, its district and its
    2025 commune) or when both name one province. Different communes of one province keep
    their own spelling: "Tam Thanh" is not "Tam Thành"."""
    groups: list[tuple[set[str], set[tuple[str, ...]], list[int]]] = []
    for n, entry in enumerate(found):
        if entry.unit is None or entry.exact_case:
            continue
        links = _links(entry.unit)
        merged: tuple[set[str], set[tuple[str, ...]], list[int]] = (links, set(entry.forms), [n])
        for group in [g for g in groups if g[0] & links]:
            groups.remove(group)
            merged[0].update(group[0])
            merged[1].update(group[1])
            merged[2].extend(group[2])
        groups.append(merged)
    shared = list(found)
    for _links_of, forms, members in groups:
        for n in members:
            shared[n] = replace(found[n], forms=frozenset(forms))
    return tuple(shared)


def _links(unit: Unit) -> set[str]:
    """Ids that tie records of one unit together across the 2025 and older lists."""
    if unit.level in ("province", "province_legacy"):
        return {f"p{unit.province_code}"}
    links = {f"w{code}" for code in unit.ward_codes}
    if unit.level == "district_legacy":
        links.add(f"d{unit.code}")
    elif unit.level == "ward_legacy" and unit.legacy_district_code:
        links.add(f"d{unit.legacy_district_code}")
    return links


def _add_province(unit: Unit, add: Any, form: Any, common: frozenset[str]) -> None:
    name_syl = " ".join(syllables(unit.name))
    folded = " ".join(name_tokens(unit.name))
    weak = name_syl in WEAK_PROVINCES or name_syl in common  # "bình định" (to pacify)
    weak_ascii = weak or folded in WEAK_ASCII_PROVINCES
    needs_cue = name_syl in NEEDS_CUE
    add(
        unit.name,
        NameEntry(unit, form(unit.name), weak=weak, weak_ascii=weak_ascii, needs_cue=needs_cue),
    )
    joined = folded.replace(" ", "")
    if len(joined) >= 5:  # "hanoi", "quangninh": written as one word in chat and hashtags
        add(joined, NameEntry(unit, frozenset({(joined,)}), weak=weak, weak_ascii=weak_ascii))


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    """The gazetteer of this process, built once (about 0.3 s)."""
    return build_gazetteer()
