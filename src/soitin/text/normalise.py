"""Normalisation of Vietnamese text: NFC, one tone-mark convention, squeezed repeats and spaces.

`normalise` keeps case and meaning; it is what we compare and index, never a replacement for
the stored original. `normalise_for_matching` adds lower-casing and teencode expansion.

Tone convention: the traditional placement that most Vietnamese text and the official unit
names use: in *oa*, *oe*, *uy* without a final consonant the mark sits on the first vowel
(hòa, khỏe, thúy); with a final consonant on the second (hoàn, huỳnh); *qu*/*gi* count as
onsets (quý, quỳnh, giá); a vowel with a quality mark (ê, ơ, â, ...) always carries the tone
(thuyền, người), and a three-vowel nucleus carries it in the middle (khuỷu, ngoái).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from soitin.text.letters import (
    ALL_VOWELS,
    CODAS,
    CONSONANTS,
    ONSETS,
    TONED_VOWELS,
    VOWEL_COMPOSE,
    VOWEL_SPLIT,
    is_quality_vowel,
    regex_class,
)
from soitin.text.memo import ChunkMemo
from soitin.text.teencode import expand_teencode

__all__ = [
    "fix_tone_placement",
    "fold_compatibility",
    "normalise",
    "normalise_for_matching",
    "squeeze_repeats",
]

# Invisible characters used to split words (and dodge keyword filters) are removed; other
# control characters too, except tab and line breaks.
_INVISIBLE_RE = re.compile("[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff\x00-\x08\x0e-\x1b\x7f]")
_NEWLINES_RE = re.compile("\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_HSPACE = "\t \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
# Runs of horizontal space other than one plain space (which is left alone: most of them).
_HSPACE_RE = re.compile(f"[{_HSPACE.replace(' ', '')}][{_HSPACE}]*| [{_HSPACE}]+")
_SPACE_AROUND_NL_RE = re.compile(" ?\n ?")
_MANY_NL_RE = re.compile("\n{3,}")

_V = regex_class(ALL_VOWELS)
_T = regex_class(TONED_VOWELS)
# Words where a tone mark sits next to another vowel: only these can be misplaced.
# Matches start only at the start of a word and scan it once, so long words stay linear.
_TONE_CANDIDATE_RE = re.compile(rf"(?<![^\W\d_])[^\W\d_]*?(?:[{_V}][{_T}]|[{_T}][{_V}])[^\W\d_]*")

# A run of three or more of the same letter once tone and case are ignored ("quáaaaa").
_RUN_RE = re.compile(r"([^\W\d_])\1{2,}")
# Runs of exactly three that are real: "www" and Roman numerals (Phường III).
_KEPT_RUNS = frozenset({"www", "WWW", "III", "XXX", "CCC", "MMM"})
# Laughter ("kkkk"): squeezed to three, not to one "k", which teencode reads as "không".
_LAUGH = "kK"


class _IdentityDefault(dict[int, str]):
    """str.translate table that leaves unlisted characters as they are, without the slow
    missing-key path for the common ones (ASCII is listed explicitly)."""

    def __missing__(self, key: int) -> str:
        return chr(key)


def _base_table() -> dict[int, str]:
    table: dict[int, str] = _IdentityDefault({c: chr(c) for c in range(0x80)})
    for char, (base, _tone) in VOWEL_SPLIT.items():
        plain = unicodedata.normalize("NFD", base)[0].lower()
        table[ord(char)] = plain
    table[ord("đ")] = "d"
    table[ord("Đ")] = "d"
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code).lower()
    return table


# One character in, one character out: offsets stay aligned with the input.
_BASE_TABLE = _base_table()


@lru_cache(maxsize=65536)
def fix_tone_placement(word: str) -> str:
    """The word with its tone mark on the vowel the convention names; other words unchanged."""
    letters = list(word)
    tones = [(i, VOWEL_SPLIT[c][1]) for i, c in enumerate(letters) if c in TONED_VOWELS]
    if len(tones) != 1:
        return word
    tone_at, tone = tones[0]
    lower = word.lower()
    vowel_idx = [i for i, c in enumerate(lower) if c in ALL_VOWELS]
    first, last = vowel_idx[0], vowel_idx[-1]
    if last - first + 1 != len(vowel_idx):
        return word  # two vowel groups: not one Vietnamese syllable
    onset, coda = lower[:first], lower[last + 1 :]
    if not all(c in CONSONANTS for c in onset + coda):
        return word
    start = first
    if onset == "q" and VOWEL_SPLIT[lower[first]][0] == "u":
        onset, start = "qu", first + 1
    elif onset == "g" and len(vowel_idx) > 1 and VOWEL_SPLIT[lower[first]][0] == "i":
        onset, start = "gi", first + 1
    if onset not in ONSETS or coda not in CODAS or start > last:
        return word
    nucleus = range(start, last + 1)
    quality = [i for i in nucleus if is_quality_vowel(lower[i])]
    if quality:
        target = quality[-1]
    elif len(nucleus) == 1:
        target = start
    elif len(nucleus) == 3:
        target = start + 1
    elif len(nucleus) == 2:
        target = start + 1 if coda else start
    else:
        return word
    if target == tone_at:
        return word
    letters[tone_at] = VOWEL_SPLIT[letters[tone_at]][0]
    base = VOWEL_SPLIT[letters[target]][0]
    letters[target] = VOWEL_COMPOSE.get((base, tone), letters[target])
    return "".join(letters)


def _fix_tone_match(match: re.Match[str]) -> str:
    return fix_tone_placement(match.group(0))


def squeeze_repeats(text: str) -> str:
    """Runs of three or more of one letter (any tone, any case) become one: "quáaaaa" → "quá".

    The letter kept is the first one with a mark, else the first. "www" and the Roman
    numerals III, XXX, CCC, MMM are kept; laughter keeps three letters ("Kkkkk" → "Kkk").
    """
    base = text.translate(_BASE_TABLE)
    runs = list(_RUN_RE.finditer(base))
    if not runs:
        return text
    out: list[str] = []
    pos = 0
    for run in runs:
        start, end = run.span()
        chunk = text[start:end]
        if chunk in _KEPT_RUNS or (len(chunk) == 3 and chunk[0] in _LAUGH):
            continue
        if chunk[0] in _LAUGH:
            out.append(text[pos : start + 3])
            pos = end
            continue
        marked = [c for i, c in enumerate(chunk) if c.lower() != base[start + i]]
        keep = marked[0] if marked else chunk[0]
        out.append(text[pos:start])
        out.append(keep)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _squeeze_space(text: str, printable: bool = False) -> str:
    # Printable text has no tab, no line break and no space other than U+0020: with no
    # double space there is nothing to squeeze (most posts).
    if printable and "  " not in text:
        return text.strip(" ")
    text = _HSPACE_RE.sub(" ", text)
    text = _SPACE_AROUND_NL_RE.sub("\n", text)
    text = _MANY_NL_RE.sub("\n\n", text)
    return text.strip(" \n")


def normalise(text: str) -> str:
    """NFC, one tone convention, squeezed letter repeats and whitespace; case is kept.

    Idempotent: `normalise(normalise(x)) == normalise(x)` for every string.
    """
    if not text:
        return text
    # Invisible characters, line breaks and spaces other than U+0020 are all unprintable:
    # printable text (most posts) skips the passes that look for them.
    printable = text.isprintable()
    if not printable:
        text = _NEWLINES_RE.sub("\n", _INVISIBLE_RE.sub("", text))
    text = unicodedata.normalize("NFC", text)
    # Letter runs and tone candidates never span a space: each space-separated chunk is
    # squeezed and tone-fixed alone, and the common ones (syllables, words) are remembered.
    text = " ".join(_LETTERS.each(text))
    text = _squeeze_space(text, printable)
    return unicodedata.normalize("NFC", text)


def _letters(chunk: str) -> str:
    """Repeats squeezed and tone marks placed; nothing looks across a space, so `chunk` may
    be one space-free chunk or a whole text."""
    return _TONE_CANDIDATE_RE.sub(_fix_tone_match, squeeze_repeats(chunk))


_LETTERS = ChunkMemo(_letters)


#: Texts up to this long are remembered (the pipeline's search, detect and claim stages
#: ask for the same post in turn); longer ones are not kept alive by the cache.
_CACHED_CHARS = 2_000


def normalise_for_matching(text: str) -> str:
    """Compatibility folding (NFKC, only when needed), `normalise`, then teencode expansion,
    lower-cased: the form rules, models and search compare.

    Short forms whose capitals decide their meaning keep them ("DC", "HN", vitamin "K").
    """
    if len(text) <= _CACHED_CHARS:
        return _matching_cached(text)
    return _matching(text)


def fold_compatibility(text: str) -> str:
    """NFKC when the text holds compatibility characters (fullwidth "０９１２", bold "𝐭𝐫𝐮́𝐧𝐠",
    "ﬁ", "²", no-break space); the text itself otherwise (most posts: one quick check).

    Vietnamese letters have no compatibility forms, so they come out as NFC would give them.
    """
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


def _matching(text: str) -> str:
    # Compatibility folding first: stylised letters and digits dodge rules and models, and
    # tone placement and teencode only know plain letters.
    text = normalise(fold_compatibility(text))
    # NFC again: an expansion can end next to a combining mark left over ("r" + U+0300)
    return unicodedata.normalize("NFC", expand_teencode(text, lower=True))


_matching_cached = lru_cache(maxsize=4096)(_matching)
