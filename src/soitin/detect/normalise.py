"""Text preparation for the detectors.

The detectors prefer the shared normaliser `soitin.text.normalise.normalise_for_matching`
(NFC, tone convention, lower case, teencode). When that module is not importable the
small built-in fallback below is used; the name of the normaliser in force is recorded in
every model artefact, and a model refuses to load under a different one (its features
would silently change).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

__all__ = [
    "MAX_CHARS",
    "PREP_LIGHT",
    "PREP_MATCHING",
    "PREP_NEUTRAL",
    "PREP_URL_HOST",
    "URL_TOKEN",
    "clip",
    "neutral_of",
    "normaliser_name",
    "prepare",
    "prepare_many",
]

#: Texts are clipped to this many characters before scoring (a 1 MB post must not stall
#: the queue; the head and tail of a long post carry its signal).
MAX_CHARS = 5_000

_URL = re.compile(r"(?i)\b(?:https?://|www\.)\S+")
#: What a URL becomes in the prepared text (explanations show it as "[url]").
URL_TOKEN = "urltoken"  # noqa: S105 (a token of text, not a password)
_REPEAT = re.compile(r"(\w)\1{2,}")
_SPACE = re.compile(r"\s{2,}|[^\S ]")  # whitespace that is not already one space
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202e\ufeff]")

# A few frequent Vietnamese teencode / abbreviations (fallback only).
_TEENCODE = {
    "ko": "không",
    "k": "không",
    "kh": "không",
    "khg": "không",
    "hok": "không",
    "hong": "không",
    "hông": "không",
    "dc": "được",
    "đc": "được",
    "dk": "được",
    "đk": "được",
    "vs": "với",
    "j": "gì",
    "ji": "gì",
    "r": "rồi",
    "ng": "người",
    "ngta": "người ta",
    "mk": "mình",
    "mik": "mình",
    "bn": "bao nhiêu",
    "bh": "bây giờ",
    "bjo": "bây giờ",
    "h": "giờ",
    "z": "vậy",
    "v": "vậy",
    "zậy": "vậy",
    "ntn": "như thế nào",
    "thik": "thích",
    "iu": "yêu",
    "ny": "người yêu",
    "nt": "nhắn tin",
    "ib": "nhắn tin",
    "sdt": "số điện thoại",
    "sđt": "số điện thoại",
    "tk": "tài khoản",
    "stk": "số tài khoản",
    "cmnd": "chứng minh nhân dân",
    "cccd": "căn cước công dân",
    "oke": "ok",
    "okie": "ok",
    "m": "mày",
    "t": "tao",
    "mn": "mọi người",
    "ae": "anh em",
    "a": "anh",
    "e": "em",
    "cx": "cũng",
    "cg": "cũng",
    "nch": "nói chuyện",
    "trc": "trước",
    "ms": "mới",
}
_TEENCODE_RE = re.compile(
    r"(?<!\w)(" + "|".join(sorted(map(re.escape, _TEENCODE), key=len, reverse=True)) + r")(?!\w)"
)


def _fallback(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower()
    return _TEENCODE_RE.sub(lambda m: _TEENCODE[m.group(1)], text)


@lru_cache(maxsize=1)
def _shared() -> tuple[str, Callable[[str], str]]:
    try:
        from soitin.text.normalise import normalise_for_matching
    except ImportError:
        return "detect-fallback-1", _fallback
    return "soitin.text.normalise_for_matching", normalise_for_matching


#: Preparation modes: 0 = the shared matching normaliser; 1 = light (NFC, lower case,
#: whitespace only: letter repeats and spellings kept, which review-spam models need);
#: 2 = matching, but a URL keeps its host labels ("urltoken bit ly"): SMS scams hide
#: behind shorteners and look-alike domains, notices link to known ones.
PREP_MATCHING = 0
PREP_LIGHT = 1
PREP_URL_HOST = 2
#: 3 = matching, then the names of authorities and political terms taken out (see
#: `AUTHORITY_TERMS`): a toxicity model must judge the language of a text, never whether it
#: is about (or criticises) officials, the state or a party.
PREP_NEUTRAL = 3

#: Names of public authorities, officials, state bodies and political topics. Public data sets
#: label many political comments hate; a model that learnt these words scored plain
#: criticism of a commune government as hate ("cán bộ" alone: hate 0.72). We never score
#: political opinion or criticism of authorities, so the toxicity model does not see them.
#: Insults stay visible ("lũ cán bộ chó má" is read as "lũ chó má"). Written with diacritics;
#: the multi-syllable ones also without (a single unaccented syllable like "dang" is too
#: ambiguous: "đang" means "-ing").
AUTHORITY_TERMS = (
    "cán bộ", "công chức", "viên chức", "quan chức", "quan tham", "lãnh đạo", "chính quyền",
    "nhà nước", "chính phủ", "quốc hội", "đại biểu", "bộ trưởng", "thứ trưởng", "thủ tướng",
    "chủ tịch", "bí thư", "giám đốc sở", "ủy ban", "uỷ ban", "ubnd", "hđnd", "đảng viên",
    "đảng", "cộng sản", "công an", "cảnh sát", "csgt", "quân đội", "bộ đội", "tòa án", "toà án",
    "viện kiểm sát", "thanh tra", "dân phòng", "trung ương", "tỉnh ủy", "tỉnh uỷ", "huyện ủy",
    "huyện uỷ", "thành ủy", "thành uỷ", "đảng ủy", "đảng uỷ", "mặt trận tổ quốc", "chính trị",
    "chế độ", "xã hội chủ nghĩa", "dân chủ", "nhân quyền", "biểu tình", "phản động",
    "tham nhũng", "hối lộ",
)  # fmt: skip

_URL_HOST = re.compile(
    r"(?i)\b(?:https?://|www\.)?((?:[a-z0-9-]+\.)+(?:com|vn|net|org|info|xyz|top|cc|me|ly|io|"
    r"co|gl|link|site|online|club|shop|app|tk|ml|ga|cf|gq|asia|biz|live|pro|store|vip))\b(?:/\S*)?"
)


def _host_tokens(match: re.Match[str]) -> str:
    host = match.group(1).lower().removeprefix("www.")
    return f" {URL_TOKEN} " + " ".join(host.split(".")) + " "


def normaliser_name(mode: int = PREP_MATCHING) -> str:
    """Name of the normaliser in force for a preparation mode (stored in artefacts)."""
    if mode == PREP_LIGHT:
        return "detect-light-1"
    if mode == PREP_URL_HOST:
        return _shared()[0] + "+url-host-1"
    if mode == PREP_NEUTRAL:
        return _shared()[0] + "+no-authorities-1"
    return _shared()[0]


@lru_cache(maxsize=1)
def _authority_forms() -> tuple[str, ...]:
    """`AUTHORITY_TERMS` as prepared text (and unaccented), longest first."""
    from soitin.text.fold import fold_diacritics

    forms: set[str] = set()
    for term in AUTHORITY_TERMS:
        forms.add(prepare(term))
        if " " in term:
            forms.add(fold_diacritics(prepare(term)))
    return tuple(sorted((f for f in forms if f), key=len, reverse=True))


@lru_cache(maxsize=1)
def _authorities() -> re.Pattern[str]:
    """The forms as whole words, one prefix tree (a plain alternation is twice as slow)."""
    from soitin.detect.evidence import trie_pattern

    return re.compile(r"(?<!\w)" + trie_pattern(list(_authority_forms())) + r"(?!\w)")


def neutral_of(prepared: str) -> str:
    """A text prepared in the matching mode with `AUTHORITY_TERMS` taken out (`PREP_NEUTRAL`)."""
    if not prepared:
        return prepared
    out = _authorities().sub(" ", prepared)
    return out if out == prepared else _squeeze(out)


def clip(text: object) -> str:
    """Any input to a bounded, printable string (never raises)."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if len(text) > MAX_CHARS:
        half = MAX_CHARS // 2
        text = text[:half] + " " + text[-half:]
    # Lone surrogates would make encoders raise later.
    return text.encode("utf-8", "replace").decode("utf-8")


def prepare(text: object, mode: int = PREP_MATCHING) -> str:
    """One raw text to the form the detectors' features are computed on."""
    raw = clip(text)
    if not raw.isprintable():  # control characters are all unprintable
        raw = _CONTROL.sub(" ", raw)
    if mode == PREP_URL_HOST:
        raw = _URL_HOST.sub(_host_tokens, raw)
    if "://" in raw or "www." in raw.lower():
        raw = _URL.sub(f" {URL_TOKEN} ", raw)
    if mode == PREP_LIGHT:
        return _squeeze(unicodedata.normalize("NFC", raw).lower())
    try:
        norm = _shared()[1](raw)
    except Exception:  # the shared normaliser must never take a detector down
        norm = _fallback(raw)
    norm = _squeeze(_REPEAT.sub(r"\1\1", norm))
    # the neutral form is the matching form without authority terms (see `neutral_of`)
    return neutral_of(norm) if mode == PREP_NEUTRAL else norm


def _squeeze(text: str) -> str:
    """Runs of whitespace, and any whitespace but U+0020, as one space; stripped."""
    if text.isprintable() and "  " not in text:  # no tab, line break or odd space
        return text.strip()
    return _SPACE.sub(" ", text).strip()


def prepare_many(texts: list[str] | tuple[str, ...], mode: int = PREP_MATCHING) -> list[str]:
    """`prepare` over a batch."""
    return [prepare(t, mode) for t in texts]
