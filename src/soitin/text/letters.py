"""Tables of Vietnamese letters: base vowel, quality mark and tone of every precomposed letter.

Built once from `unicodedata`, so they cover upper and lower case and never drift from the
Unicode data the rest of the code (NFC, NFD) uses.
"""

from __future__ import annotations

import unicodedata

#: The five tone marks as combining characters (grave, acute, tilde, hook above, dot below).
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")

#: The vowel letters of Vietnamese without tone, lower case (quality marks included).
BASE_VOWELS = "aăâeêioôơuưy"

#: Consonant letters (lower case) that may start or end a Vietnamese syllable.
CONSONANTS = frozenset("bcdđghklmnpqrstvx")

#: Onsets and codas of a well-formed syllable; anything else is left alone by tone placement.
ONSETS = frozenset(
    "b c ch d đ g gh gi h k kh l m n ng ngh nh p ph q qu r s t th tr v x".split()
) | {""}
CODAS = frozenset("c ch m n ng nh p t".split()) | {""}

_QUALITY_VOWELS = frozenset("ăâêôơư")


def _split_tone(char: str) -> tuple[str, str]:
    """(letter without its tone mark, tone mark or '') for one precomposed character."""
    decomposed = unicodedata.normalize("NFD", char)
    tone = "".join(c for c in decomposed if c in TONE_MARKS)
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
    return base, tone


def _build() -> tuple[dict[str, tuple[str, str]], dict[tuple[str, str], str]]:
    split: dict[str, tuple[str, str]] = {}
    compose: dict[tuple[str, str], str] = {}
    for base in BASE_VOWELS + BASE_VOWELS.upper():
        compose[(base, "")] = base
        split[base] = (base, "")
        for tone in TONE_MARKS:
            toned = unicodedata.normalize("NFC", base + tone)
            if len(toned) == 1:
                split[toned] = (base, tone)
                compose[(base, tone)] = toned
    return split, compose


#: Every vowel letter (upper/lower, toned or not) → (untoned letter, tone mark or '').
VOWEL_SPLIT, VOWEL_COMPOSE = _build()

#: Vowel letters that carry a tone mark.
TONED_VOWELS = frozenset(c for c, (_, tone) in VOWEL_SPLIT.items() if tone)

#: All vowel letters, toned or not, both cases.
ALL_VOWELS = frozenset(VOWEL_SPLIT)


def is_quality_vowel(letter: str) -> bool:
    """True for ă, â, ê, ô, ơ, ư (either case, any tone)."""
    return VOWEL_SPLIT.get(letter, ("", ""))[0].lower() in _QUALITY_VOWELS


def regex_class(chars: frozenset[str] | str) -> str:
    """The characters as the body of a regular-expression class (sorted, escaped)."""
    return "".join(sorted(c if c.isalnum() else "\\" + c for c in set(chars)))
