"""Diacritic-free folding: "Đà Nẵng" → "da nang", the same for NFC, NFD and any tone convention.

`fold_diacritics` is the definition; a translation table answers for precomposed text (the
usual case) and the general path handles decomposed or unusual input. Both give the same
result by construction: the table is computed from the general path.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from soitin.text.normalise import normalise_for_matching

__all__ = ["fold_char_table", "fold_diacritics", "fold_for_search", "fold_item_text"]

_EXTRA = {"đ": "d", "ð": "d", "ħ": "h", "ł": "l", "ø": "o", "ı": "i"}


def _fold_general(text: str) -> str:
    # NFD before and after lower(): canonical equivalents (NFC/NFD) meet in one form.
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFD", text).lower())
    out = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    if out.isascii():
        return out
    return "".join(_EXTRA.get(c, c) for c in out)


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in [*range(0x41, 0x5B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        char = chr(code)
        folded = _fold_general(char)
        if len(folded) == 1 and folded.isascii() and folded != char:
            table[code] = folded
    return table


_TABLE = _build_table()


def fold_char_table() -> dict[int, str]:
    """The one-to-one table used by the fast path (a copy): letters → lower-case ASCII."""
    return dict(_TABLE)


@lru_cache(maxsize=8192)
def _inert(char: str) -> bool:
    """True when the general path leaves `char` as it is, whatever stands around it.

    Emoji, CJK, most symbols: a text whose only non-ASCII characters (after the table) are
    inert folds by the table alone. Combining marks never are.
    """
    return not unicodedata.combining(char) and _fold_general(char) == char


def fold_diacritics(text: str) -> str:
    """Lower-cased text without diacritics, đ/Đ → d. NFC/NFD and tone placement do not matter."""
    fast = text.translate(_TABLE)
    if fast.isascii() or all(_inert(c) for c in fast if not c.isascii()):
        return fast
    return _fold_general(text)


def fold_for_search(text: str) -> str:
    """The folded form stored in `items.text_folded` and used for queries.

    Normalised, teencode expanded ("ko" → "không"), lower-cased and folded, so a search for
    "khong duoc" finds "ko đc" and "Không được".
    """
    return fold_diacritics(normalise_for_matching(text))


def fold_item_text(title: str | None, text: str | None) -> str:
    """The value of `items.text_folded`: title and text, folded for search (one index
    covers both)."""
    return fold_for_search("\n".join(part for part in (title, text) if part))
