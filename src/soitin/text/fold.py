"""Diacritic-free folding: "Đà Nẵng" → "da nang", the same for NFC, NFD and any tone convention.

`fold_diacritics` is the definition; a translation table answers for precomposed text (the
usual case) and the general path handles decomposed or unusual input. Both give the same
result by construction: the table is computed from the general path.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from soitin.text.normalise import normalise_for_matching

__all__ = [
    "FOLD_VERSION",
    "fold_char_table",
    "fold_diacritics",
    "fold_for_search",
    "fold_item_text",
    "join_groups",
]

#: The version of `fold_item_text`'s output. Raise it whenever a change to normalisation,
#: teencode or folding changes what is stored for some text: databases holding text of an
#: older version are re-folded (`soitin.text.reindex`), else their items stop matching
#: queries folded the new way. 1: before versions were recorded; 2: grouped numbers joined,
#: TP.HCM as "tphcm tp hcm", compatibility characters, new teencode readings.
FOLD_VERSION = 2

_EXTRA = {"đ": "d", "ð": "d", "ħ": "h", "ł": "l", "ø": "o", "ı": "i"}


def _fold_general(text: str) -> str:
    # NFD before and after lower(): canonical equivalents (NFC/NFD) meet in one form.
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFD", text).lower())
    out = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    if out.isascii():
        return out
    return "".join(_EXTRA.get(c, c) for c in out)


def _build_table() -> dict[int, str]:
    # ASCII listed as itself: `str.translate` pays for every character its table lacks
    table: dict[int, str] = {code: chr(code) for code in range(0x80)}
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


# Digit groups written with dots, dashes or spaces ("0912.345.678", "1.500.000",
# "+84 912 345 678"), and the ways of writing TP.HCM, in folded text.
_GROUPS_RE = re.compile(
    r"(?<!\w)(?:(?:\+84[.\- ]?\d+(?:[.\- ]\d+)*|\d+(?:[.\- ]\d+)+)(?!\d)|tp\.? ?hcm(?!\w))"
)
_GROUP_SEP_RE = re.compile(r"[.\- ]")
_CHEAP_CHECK_RE = re.compile(r"\d[.\- ]\d|\+84|hcm")


def _joined(run: str) -> str | None:
    """The run as one word, or None when its pieces are not one number written in groups."""
    if run.startswith("tp"):
        return "tphcm"
    plus = run.startswith("+")
    groups = _GROUP_SEP_RE.split(run.lstrip("+"))
    digits = "".join(groups)
    if plus:  # +84 912 345 678 is the same line as 0912 345 678
        return "0" + digits[2:]
    if any(not 2 <= len(g) <= 5 for g in groups[1:]):
        return None  # "1.5", "ngày 3 4"
    if " " in run and "." not in run and "-" not in run and len(digits) < 8:
        return None  # numbers side by side ("năm 2024 15 người"), not a phone or account
    return digits


def join_groups(folded: str, *, keep_groups: bool) -> str:
    """Numbers written in groups ("0912.345.678", "0912 345 678") and "tp.hcm" as one word.

    The indexed text (`keep_groups`) holds the joined word *and* the groups after it
    ("0912345678 0912 345 678"), so any way of writing the query finds it; a query holds
    only the joined word.
    """
    if not _CHEAP_CHECK_RE.search(folded):
        return folded

    def one(match: re.Match[str]) -> str:
        run = match.group(0)
        joined = _joined(run)
        if joined is None:
            return run
        # a unit written against the number ("1.500.000đ") becomes a word of its own
        unit = " " if folded[match.end() : match.end() + 1].isalpha() else ""
        if not keep_groups:
            return joined + unit
        if joined == "tphcm":
            pieces = "tp hcm"
        else:
            pieces = " ".join(p for p in _GROUP_SEP_RE.split(run.lstrip("+")) if p)
        return f"{joined} {pieces}{unit}"

    return _GROUPS_RE.sub(one, folded)


def fold_item_text(title: str | None, text: str | None) -> str:
    """The value of `items.text_folded`: title and text, folded for search (one index
    covers both), numbers written in groups also as one word (`join_groups`)."""
    folded = fold_for_search("\n".join(part for part in (title, text) if part))
    return join_groups(folded, keep_groups=True)
