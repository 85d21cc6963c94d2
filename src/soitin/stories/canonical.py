"""The canonical form of an item's text that near-duplicate detection compares.

Starting from the folded form (`soitin.text.fold.fold_for_search`: normalised, teencode
expanded, lower-cased, diacritics removed), links, @handles, emoji and punctuation are
dropped and spaces collapsed. So a repost with a different link, extra emoji, NFD text or
missing diacritics has the same canonical text as the original.
"""

from __future__ import annotations

import hashlib
import re

from soitin.text.fold import fold_for_search

__all__ = ["MAX_CANONICAL_CHARS", "canonical_from_folded", "canonical_text", "exact_key"]

#: Long articles are compared on their head and tail (enough to tell copies apart).
MAX_CANONICAL_CHARS = 4_000

_URL = re.compile(r"(?:https?://|www\.)\S+")
_HANDLE = re.compile(r"(?<!\w)@\w+")
_WORD = re.compile(r"[^\W_]+")
# ASCII fast path: every byte that is not a letter or digit becomes a space.
_ASCII_TABLE = bytes(c if chr(c).isalnum() and c < 128 else 32 for c in range(256))


def canonical_from_folded(folded: str) -> str:
    """Canonical text from an already folded text (`items.text_folded`)."""
    if not folded:
        return ""
    text = folded
    if "http" in text or "www." in text:
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _HANDLE.sub(" ", text)
    # Emoji and symbols become spaces; a text mostly in another script keeps its letters.
    canon = " ".join(text.encode("ascii", "replace").translate(_ASCII_TABLE).decode().split())
    if len(canon) * 2 < len(text) and not text.isascii():
        canon = " ".join(_WORD.findall(text))
    if len(canon) > MAX_CANONICAL_CHARS:
        head = MAX_CANONICAL_CHARS * 3 // 4
        canon = canon[:head] + " " + canon[-(MAX_CANONICAL_CHARS - head) :]
    return canon


def canonical_text(text: str) -> str:
    """Canonical text of a raw text (folds it first)."""
    return canonical_from_folded(fold_for_search(text or ""))


def exact_key(canonical: str) -> int:
    """A signed 64-bit key of the canonical text: equal texts, equal keys."""
    digest = hashlib.blake2b(canonical.encode("utf-8"), digest_size=8, person=b"soitin-x").digest()
    return int.from_bytes(digest, "little", signed=True)
