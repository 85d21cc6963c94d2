"""Canonical text, MinHash signatures, band keys and the in-process band index."""

from __future__ import annotations

import csv
import random
import unicodedata

import numpy as np
import pytest

from soitin.settings import shared_data_dir
from soitin.stories.canonical import canonical_text, exact_key
from soitin.stories.index import MAX_CANDIDATES, BandIndex
from soitin.stories.minhash import BANDS, band_keys, estimate_jaccard, signatures
from soitin.text.fold import fold_diacritics
from tests.conftest import IN_CI


def test_canonical_text_ignores_links_emoji_case_nfd_and_diacritics() -> None:
    text = "Cảnh báo: Lừa đảo qua tin nhắn!!! 😱 https://bit.ly/abc @ban_a"
    variants = [
        text,
        unicodedata.normalize("NFD", text),
        fold_diacritics(text).upper(),
        "cảnh báo lừa đảo qua tin nhắn https://other.example/x?y=1",
    ]
    assert {canonical_text(v) for v in variants} == {"canh bao lua dao qua tin nhan"}
    assert exact_key(canonical_text(variants[0])) == exact_key("canh bao lua dao qua tin nhan")
    assert canonical_text("中国 新闻") == "中国 新闻"  # other scripts keep their letters
    assert canonical_text("😱😱 https://x.vn") == ""


def test_signatures_estimate_similarity_and_share_bands() -> None:
    base = "gia xang se tang len bon muoi nghin dong mot lit tu nua dem nay moi nguoi oi"
    edited = base.replace("moi nguoi oi", "ca nha oi")
    other = "doi tuyen bong da viet nam thang hai khong trong tran giao huu toi qua"
    sigs = signatures([base, edited, other, "", "ab"])
    sims = estimate_jaccard(sigs[0], sigs)
    assert sims[0] == 1.0
    assert 0.6 < sims[1] < 1.0
    assert sims[2] < 0.2
    assert not sigs[3].any()  # empty text: no signature
    keys = band_keys(sigs)
    assert keys.shape == (5, BANDS)
    assert (keys[0] == keys[1]).any() and not (keys[0] == keys[2]).any()
    # The same text gives the same keys in every batch and process.
    assert (band_keys(signatures([base]))[0] == keys[0]).all()


def test_band_index_finds_signatures_sharing_a_key() -> None:
    index = BandIndex()
    rng = np.random.default_rng(5)
    keys = rng.integers(-(2**62), 2**62, size=(300, BANDS), dtype=np.int64)
    for start in range(0, 300, 50):  # several runs, merged as they grow
        ids = np.repeat(np.arange(start, start + 50, dtype=np.int32), BANDS)
        index.add(keys[start : start + 50], ids)
    assert len(index) == 300 * BANDS
    probe = rng.integers(-(2**62), 2**62, size=(3, BANDS), dtype=np.int64)
    probe[0, 5] = keys[7, 5]
    probe[2, 0], probe[2, 1] = keys[250, 0], keys[3, 9]
    assert index.lookup(probe) == [{7}, set(), {250, 3}]
    index.add(keys[7:8], np.full(BANDS, 999, dtype=np.int32))  # a second owner of the keys
    assert index.lookup(probe[:1]) == [{7, 999}]
    index.compact()
    assert index.lookup(probe) == [{7, 999}, set(), {250, 3}]


def test_a_text_is_compared_with_the_signatures_sharing_most_keys_at_most() -> None:
    """A template spun into thousands of wordings fills some keys with thousands of variants:
    each new text meets at most MAX_CANDIDATES of them, those sharing the most keys first."""
    index = BandIndex()
    rng = np.random.default_rng(9)
    common = rng.integers(-(2**62), 2**62, size=BANDS, dtype=np.int64)
    crowd = 500
    keys = np.tile(common, (crowd, 1))
    keys[:, 2:] = rng.integers(-(2**62), 2**62, size=(crowd, BANDS - 2), dtype=np.int64)
    index.add(keys, np.repeat(np.arange(crowd, dtype=np.int32), BANDS))  # 500 share keys 0-1
    near = common.copy()
    near[2:12] = rng.integers(-(2**62), 2**62, size=10, dtype=np.int64)
    index.add(near[None, :], np.full(BANDS, 9_000, dtype=np.int32))  # shares 14 keys
    found = index.lookup(common[None, :])[0]
    assert len(found) == MAX_CANDIDATES and 9_000 in found
    assert index.lookup(common[None, :], limit=crowd + 1)[0] == set(range(crowd)) | {9_000}


def _shared_posts() -> list[str]:
    path = shared_data_dir() / "reintel" / "dev.csv"
    if not path.exists():
        if IN_CI:
            pytest.fail(f"{path} is missing in CI")
        pytest.skip(f"shared data not found at {path}")
    with path.open(encoding="utf-8") as fh:
        return [r["post_message"] for r in csv.DictReader(fh) if len(r["post_message"]) > 60]


def _edit(text: str, rng: random.Random) -> str:
    words = text.split()
    kind = rng.choice(["emoji", "nfd", "nodiac", "edit", "edit"])
    if kind == "emoji":
        return text + " 😱😱 https://bit.ly/" + str(rng.randrange(10**6))
    if kind == "nfd":
        return unicodedata.normalize("NFD", text)
    if kind == "nodiac":
        return fold_diacritics(text)
    for _ in range(max(1, min(3, len(words) // 10))):
        i = rng.randrange(len(words))
        op = rng.choice("dir")
        if op == "d" and len(words) > 5:
            del words[i]
        elif op == "i":
            words.insert(i, rng.choice(["nhé", "ạ", "thật", "luôn"]))
        else:
            words[i] = rng.choice(["rất", "đã", "sẽ", "này"])
    return " ".join(words)


def test_near_duplicate_recall_on_real_posts() -> None:
    posts = _shared_posts()[:300]
    rng = random.Random(20250701)
    originals = [canonical_text(p) for p in posts]
    copies = [canonical_text(_edit(p, rng)) for p in posts]
    a, b = signatures(originals), signatures(copies)
    joined = (band_keys(a) == band_keys(b)).any(axis=1) & ((a == b).mean(axis=1) >= 0.5)
    assert joined.mean() >= 0.97
    # Different posts are not taken for copies of each other.
    shifted = (a == np.roll(b, 1, axis=0)).mean(axis=1)
    assert (shifted < 0.5).mean() >= 0.99
