"""Checks on the shipped demo data set (src/soitin/demo/data)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from datetime import date
from importlib.resources import files
from typing import Any

import pytest

DATA = files("soitin.demo") / "data"

# The 34 province-level units in force since 1 July 2025.
PROVINCE_CODES_2025 = {
    "01", "04", "08", "11", "12", "14", "15", "19", "20", "22", "24", "25",
    "31", "33", "37", "38", "40", "42", "44", "46", "48", "51", "52", "56",
    "66", "68", "75", "79", "80", "82", "86", "91", "92", "96",
}  # fmt: skip
CATEGORIES = {"benign", "scam", "misinformation", "toxic", "spam"}
PLATFORMS = {"facebook", "tiktok", "zalo", "youtube", "news", "forum", "sms"}
ROLES = {"admin", "lead", "reviewer", "viewer"}
VERDICTS = {"false", "misleading", "true", "unproven"}
DEMO_HOST = "https://demo.soitin.invalid/"


def _jsonl(name: str) -> list[dict[str, Any]]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def posts() -> list[dict[str, Any]]:
    return _jsonl("posts.jsonl")


@pytest.fixture(scope="module")
def catalogue() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((DATA / "sources.json").read_text(encoding="utf-8"))
    return doc


@pytest.fixture(scope="module")
def claims() -> list[dict[str, Any]]:
    return _jsonl("claims.jsonl")


def test_enough_posts_with_unique_keys(posts: list[dict[str, Any]]) -> None:
    assert len(posts) >= 360
    keys = Counter((p["source"], p["external_id"]) for p in posts)
    assert [k for k, n in keys.items() if n > 1] == []


def test_post_fields_are_well_formed(posts: list[dict[str, Any]]) -> None:
    for p in posts:
        assert p["platform"] in PLATFORMS, p
        assert p["category"] in CATEGORIES, p
        assert 0 <= p["hours_ago"] <= 720, p
        assert set(p["engagement"]) == {"likes", "comments", "shares", "views"}, p
        assert all(isinstance(v, int) and v >= 0 for v in p["engagement"].values()), p
        assert 60 <= len(p["text"]) <= 600, p
        assert unicodedata.is_normalized("NFC", p["text"]), p
        assert p["url"] is None or p["url"].startswith(DEMO_HOST), p
        assert p["title"] is None or isinstance(p["title"], str), p
        assert p["author"] is None or isinstance(p["author"], str), p


def test_sources_exist_and_are_used_consistently(
    posts: list[dict[str, Any]], catalogue: dict[str, Any]
) -> None:
    sources = {s["name"]: s for s in catalogue["sources"]}
    assert len(sources) == len(catalogue["sources"])
    units = {u["code"] for u in catalogue["units"]}
    kinds = Counter(s["kind"] for s in sources.values())
    assert kinds["feed"] >= 6 and kinds["file"] >= 3 and kinds["api"] >= 1 and kinds["tip"] >= 1
    for s in sources.values():
        assert s["unit"] in units, s
        assert s["url"] is None or s["url"].startswith(DEMO_HOST), s
    for p in posts:
        source = sources.get(p["source"])
        assert source is not None, p["source"]
        # News items come from outlets' feeds and nothing else does.
        assert (p["platform"] == "news") == (source["kind"] == "feed"), p
        assert (p["platform"] == "news") == source["outlet"], p


def test_category_mix(posts: list[dict[str, Any]]) -> None:
    counts = Counter(p["category"] for p in posts)
    assert set(counts) == CATEGORIES
    share = {c: n / len(posts) for c, n in counts.items()}
    assert 0.40 <= share["benign"] <= 0.50
    assert share["scam"] >= 0.12 and share["misinformation"] >= 0.12
    assert share["toxic"] >= 0.08 and share["spam"] >= 0.05


def test_places(posts: list[dict[str, Any]]) -> None:
    codes = [c for p in posts for c in p["province_codes"]]
    assert set(codes) <= PROVINCE_CODES_2025, set(codes) - PROVINCE_CODES_2025
    assert sum("44" in p["province_codes"] for p in posts) >= 0.30 * len(posts)
    no_place = sum(not p["province_codes"] for p in posts)
    assert 0.05 * len(posts) <= no_place <= 0.20 * len(posts)


def test_old_names_and_unaccented_posts_are_present(posts: list[dict[str, Any]]) -> None:
    texts = [p["text"] for p in posts]
    assert sum("Quảng Bình" in t for t in texts) >= 3
    assert sum("Đồng Hới" in t for t in texts) >= 10

    def has_tone_marks(text: str) -> bool:
        decomposed = unicodedata.normalize("NFD", text)
        return "đ" in text.lower() or any("\u0300" <= ch <= "\u036f" for ch in decomposed)

    assert sum(not has_tone_marks(t) for t in texts) >= 15
    teencode = re.compile(r"\b(ko|dc|mn|vl|ib)\b", re.IGNORECASE)
    assert sum(bool(teencode.search(t)) for t in texts) >= 10


def _shingles(text: str) -> frozenset[str]:
    folded = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    folded = "".join(ch for ch in folded if unicodedata.category(ch) != "Mn")
    words = re.sub(r"[^a-z0-9]+", " ", folded).split()
    return frozenset(" ".join(words[i : i + 3]) for i in range(len(words) - 2))


def test_near_duplicate_groups_form(posts: list[dict[str, Any]]) -> None:
    """At least 8 groups of 3+ posts that are near-copies of each other."""
    sh = [_shingles(p["text"]) for p in posts]
    parent = list(range(len(posts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(sh)):
        for j in range(i + 1, len(sh)):
            union = len(sh[i] | sh[j])
            if union and len(sh[i] & sh[j]) / union >= 0.4:
                parent[find(i)] = find(j)
    sizes = Counter(find(i) for i in range(len(posts)))
    groups = [root for root, n in sizes.items() if 3 <= n <= 15]
    assert len(groups) >= 8
    assert all(n <= 15 for n in sizes.values())


def test_units_and_users(catalogue: dict[str, Any]) -> None:
    units = {u["code"]: u for u in catalogue["units"]}
    assert len(units) == len(catalogue["units"])
    roots = [u for u in units.values() if u["parent"] is None]
    assert [r["place_codes"] for r in roots] == [["44"]]
    children = [u for u in units.values() if u["parent"] is not None]
    assert len(children) >= 4
    for u in children:
        assert u["parent"] in units, u
        assert all(re.fullmatch(r"\d{5}", c) for c in u["place_codes"]), u
    users = catalogue["users"]
    assert len({u["username"] for u in users}) == len(users)
    assert {u["role"] for u in users} == ROLES
    assert all(u["unit"] in units for u in users)
    assert any(units[u["unit"]]["parent"] is not None for u in users)


def test_claims(claims: list[dict[str, Any]]) -> None:
    assert len(claims) >= 15
    for c in claims:
        assert c["verdict"] in VERDICTS, c
        assert c["url"].startswith(DEMO_HOST + "fact-check/"), c
        assert c["language"] == "vi" and c["publisher"] and len(c["text"]) >= 20, c
        date.fromisoformat(c["date"])
    assert len({c["url"] for c in claims}) == len(claims)
