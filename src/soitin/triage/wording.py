"""The one sentence each alert says why, in Vietnamese and in English.

"42 bài trong 30 phút, gấp 7 lần bình thường, tại Quảng Trị". Places are named from the
gazetteer (`soitin.places.gazetteer`); an unknown code is shown as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "CATEGORY_NAMES",
    "Sentence",
    "debunked_sentence",
    "format_ratio",
    "new_story_sentence",
    "place_name",
    "places_phrase",
    "province_of",
    "spike_sentence",
    "test_sentence",
]

#: Category names as they read inside a sentence ("35 bài lừa đảo").
CATEGORY_NAMES: dict[str, tuple[str, str]] = {
    "misinformation": ("tin sai", "misinformation"),
    "scam": ("lừa đảo", "scam"),
    "toxic": ("độc hại", "toxic"),
    "spam": ("rác", "spam"),
}

VERDICT_NAMES: dict[str, tuple[str, str]] = {
    "false": ("sai", "false"),
    "misleading": ("gây hiểu lầm", "misleading"),
}


@dataclass(frozen=True)
class Sentence:
    """One reason, in both languages."""

    vi: str
    en: str


@dataclass(frozen=True)
class _Place:
    vi: str
    en: str
    province: str | None


@lru_cache(maxsize=1)
def _places() -> dict[str, _Place]:
    """Code → names, from the gazetteer when the places area is installed."""
    try:
        from soitin.places.gazetteer import get_gazetteer
    except ImportError:  # pragma: no cover - the places area ships with soitin
        return {}
    gaz = get_gazetteer()
    out: dict[str, _Place] = {}
    for code, unit in gaz.provinces.items():
        out[code] = _Place(unit.name, unit.name, None)
    for code, unit in gaz.wards.items():
        province = gaz.provinces.get(unit.province_code)
        suffix = f", {province.name}" if province else ""
        out[code] = _Place(
            f"{unit.unit_type.lower()} {unit.name}{suffix}",
            f"{unit.name} {_EN_WARD_TYPES.get(unit.unit_type, '')}".strip() + suffix,
            unit.province_code,
        )
    return out


_EN_WARD_TYPES = {"Phường": "ward", "Xã": "commune", "Đặc khu": "special zone"}


def place_name(code: str, lang: str = "vi") -> str:
    """ "Quảng Trị", "phường Đồng Hới, Quảng Trị"; the code itself when unknown."""
    place = _places().get(code)
    if place is None:
        return code
    return place.vi if lang == "vi" else place.en


def province_of(code: str) -> str | None:
    """The 2025 province code of a ward code (None for provinces and unknown codes)."""
    place = _places().get(code)
    return place.province if place else None


def places_phrase(codes: Sequence[str], lang: str = "vi") -> str:
    """ ", tại Quảng Trị" (up to two places), or '' when there is none."""
    names = [place_name(c, lang) for c in codes[:2]]
    if not names:
        return ""
    joined = (" và " if lang == "vi" else " and ").join(names)
    return f", tại {joined}" if lang == "vi" else f", in {joined}"


def format_ratio(ratio: float, lang: str = "vi") -> str:
    """7 → "7", 3.46 → "3,5" (vi) / "3.5" (en)."""
    text = f"{ratio:.0f}" if ratio >= 10 else f"{ratio:.1f}".removesuffix(".0")
    return text.replace(".", ",") if lang == "vi" else text


def _subject(count: int, category: str | None, source: str | None, lang: str) -> str:
    cat = CATEGORY_NAMES.get(category or "")
    if lang == "vi":
        words = f"{count} bài" + (f" {cat[0]}" if cat else "")
        return words + (f" từ nguồn «{source}»" if source else "")
    words = f"{count} {cat[1] + ' ' if cat else ''}post{'s' if count != 1 else ''}"
    return words + (f" from the source “{source}”" if source else "")


def spike_sentence(
    count: int,
    window_minutes: int,
    mean: float,
    ratio: float,
    places: Sequence[str] = (),
    category: str | None = None,
    source: str | None = None,
    baseline_hours: float = 24,
) -> Sentence:
    """ "42 bài trong 30 phút, gấp 7 lần bình thường, tại Quảng Trị"."""
    hours = f"{baseline_hours:g}"
    if mean <= 0:
        vi_norm = f"trong {hours} giờ trước đó không có bài nào"
        en_norm = f"none in the {hours} hours before"
    else:
        vi_norm = f"gấp {format_ratio(ratio, 'vi')} lần bình thường"
        en_norm = f"{format_ratio(ratio, 'en')} times the usual"
    vi = (
        f"{_subject(count, category, source, 'vi')} trong {window_minutes} phút, {vi_norm}"
        f"{places_phrase(places, 'vi')}"
    )
    en = (
        f"{_subject(count, category, source, 'en')} in {window_minutes} minutes, {en_norm}"
        f"{places_phrase(places, 'en')}"
    )
    return Sentence(vi, en)


def new_story_sentence(count: int, age_minutes: int, places: Sequence[str] = ()) -> Sentence:
    """ "Câu chuyện mới đã có 35 bài trong 45 phút, tại Quảng Trị"."""
    age = max(1, age_minutes)
    return Sentence(
        f"Câu chuyện mới đã có {count} bài trong {age} phút{places_phrase(places, 'vi')}",
        f"A new story already has {count} posts in {age} minutes{places_phrase(places, 'en')}",
    )


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def debunked_sentence(
    claim_text: str, verdict: str, score: float, places: Sequence[str] = ()
) -> Sentence:
    """ "Lặp lại tin đã kiểm chứng là sai: «…» (độ khớp 0,87), tại Quảng Trị"."""
    v_vi, v_en = VERDICT_NAMES.get(verdict, (verdict, verdict))
    claim = _short(claim_text)
    return Sentence(
        f"Lặp lại tin đã kiểm chứng là {v_vi}: «{claim}» (độ khớp "
        f"{f'{score:.2f}'.replace('.', ',')}){places_phrase(places, 'vi')}",
        f"Repeats a claim fact-checked as {v_en}: “{claim}” (match {score:.2f})"
        f"{places_phrase(places, 'en')}",
    )


def test_sentence(rule_name: str) -> Sentence:
    """The text of a test alert."""
    return Sentence(
        f"Cảnh báo thử của quy tắc «{rule_name}»: các kênh gửi đang hoạt động.",
        f"Test alert of the rule “{rule_name}”: the delivery channels work.",
    )
