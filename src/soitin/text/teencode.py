"""Teencode expansion: our own dictionary of Vietnamese chat abbreviations, with context rules.

Plain entries ("ko" → "không") are replaced wherever they stand as a whole word. Short forms
that mean different things in different places are decided by their neighbours:

- "k": after a number it is a thousand ("50k", "50 k" → "50 nghìn"); else "không", except an
  upper-case "K" that is not in shouted text (vitamin K, Quân khu K).
- "j": "gì" after a verb or particle that asks ("làm j", "cái j") or before "vậy/thế/đâu"
  or a question mark; elsewhere it is kept (a letter, an initial).
- "vs": "versus" between two capitalised names or numbers ("Việt Nam vs Thái Lan"), else "với".
- "ck": "chuyển khoản" before an amount or a transfer word ("ck 500k", "ck trước", "ck qua
  stk") or after an instruction ("vui lòng ck"); "chứng khoán" after "sàn/mã/công ty";
  else "chồng" (as in "vk ck", "ck mình").
- "dc"/"đc": "được", but an upper-case "DC" (direct current, Washington DC) is kept.
- "kh": "không", but upper-case "KH" (khách hàng) is kept.
- "hn": "hôm nay", but upper-case "HN" (Hà Nội) is kept.
- "bn": "bao nhiêu" before a unit or a question ("bn tiền", "bn tuổi", "bn?"), else "bạn".
- "bt": "biết" after a negation ("ko bt"), else "bình thường".
- "mk": "mật khẩu" near a password verb ("đổi mk", "mk là", "nhập mk"), else "mình".
- "tr": "triệu" after a number ("5tr", "5 tr"), "trời" before "ơi" ("tr ơi"), else kept.
- "thui": "thôi", but kept where it is the word itself ("tối thui", "thui thủi", "thui bò").
- "hông": "không", but kept where it is the hip or the side ("đau hông", "bên hông",
  "hông xe").
- "v"/"z": "vậy" at the end of a clause ("sao v?"), else kept.
- "r": "rồi" when lower-case and not after a number, else kept.
- "ng": "người" in lower case; "Ng." (Nguyễn) is kept.
- "nt", "ms", "uk", "ak", "tk", ...: expanded in lower case, kept in capitals (NT = Nha Trang).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from soitin.text.memo import ChunkMemo

__all__ = ["READINGS", "TEENCODE", "expand_teencode"]

#: Unambiguous entries: lower-case short form → expansion.
TEENCODE: dict[str, str] = {
    "ko": "không",
    "k0": "không",
    "hok": "không",
    "hk": "không",
    "khum": "không",
    "kp": "không phải",
    "kbh": "không bao giờ",
    "mn": "mọi người",
    "mng": "mọi người",
    "ny": "người yêu",
    "vk": "vợ",
    "trc": "trước",
    "ntn": "như thế nào",
    "nt": "nhắn tin",
    "sdt": "số điện thoại",
    "sđt": "số điện thoại",
    "stk": "số tài khoản",
    "tk": "tài khoản",
    "cx": "cũng",
    "cg": "cũng",
    "lm": "làm",
    "ik": "đi",
    "đy": "đi",
    "thik": "thích",
    "iu": "yêu",
    "lun": "luôn",
    "wen": "quen",
    "wá": "quá",
    "qá": "quá",
    "zậy": "vậy",
    "dzậy": "vậy",
    "dzị": "vậy",
    "zị": "vậy",
    "rùi": "rồi",
    "zui": "vui",
    "dzui": "vui",
    "bik": "biết",
    "bjk": "biết",
    "bít": "biết",
    "đag": "đang",
    "dag": "đang",
    "kq": "kết quả",
    "ak": "à",
    "uk": "ừ",
    "hnay": "hôm nay",
    "hqua": "hôm qua",
    "ms": "mới",
    "bgio": "bây giờ",
    "bjo": "bây giờ",
    "ae": "anh em",
    "cmnd": "chứng minh nhân dân",
    "cccd": "căn cước công dân",
}

#: Entries kept when written in capitals, where they are other abbreviations (NT = Nha Trang,
#: UK, AK, MS).
_LOWER_ONLY = frozenset("nt ms ae uk ak kp lm cx cg ik kq tk".split())

_WORD_RE = re.compile(r"(\w+)")
_NUMBER_RE = re.compile(r"^\d+(?:[.,]\d+)?$")
_NUMBER_UNIT_RE = re.compile(r"^(\d+(?:[.,]\d+)?)(k|tr)$", re.IGNORECASE)
_AMOUNT_RE = re.compile(r"^\d+(?:[.,]\d+)?(?:k|tr|đ|d|vnd|vnđ|m)?$", re.IGNORECASE)

_J_BEFORE = frozenset(
    "làm cái nói có ăn sao là thấy hỏi biết được chuyện việc chi điều gì ai muốn cần mua".split()
)
_J_AFTER = frozenset("vậy v z zậy thế đâu hết cả đó nữa hả ko k không".split())
_CK_TRANSFER_NEXT = frozenset(
    "trước qua vào cho tiền tiếp ngay giúp hộ nhầm lại đủ xong khoản stk tk số liền luôn".split()
)
_CK_TRANSFER_PREV = frozenset("đã vui lòng hãy cần phải xin chưa mới sẽ rồi thì".split())
_CK_STOCK_PREV = frozenset("sàn mã ty trường khoán".split())
_BN_UNITS = frozenset(
    "tiền tuổi lâu giờ người cái ngày tháng năm km kg lần phút tiếng đồng củ k tr m cm".split()
)
_NEGATION = frozenset("ko k không hok khum kh hong hông chưa chả chẳng".split())
_MK_PASSWORD = frozenset(
    "đổi nhập lộ quên cung gửi cấp xác mật otp pass đăng khẩu reset lấy".split()
)


def _is_capitalised(word: str) -> bool:
    return bool(word) and (word[0].isupper() or word[0].isdigit())


def _with_case(source: str, expansion: str) -> str:
    """The expansion in the case of the short form: lower, Capitalised or UPPER."""
    if len(source) > 1 and source.isupper():
        return expansion.upper()
    if source[:1].isupper():
        return expansion[:1].upper() + expansion[1:]
    return expansion


class _Context:
    """A word's neighbours (words and the separators around it)."""

    __slots__ = ("next_word", "prev_word", "sep_after", "sep_before")

    def __init__(self, prev_word: str, next_word: str, sep_before: str, sep_after: str) -> None:
        self.prev_word = prev_word
        self.next_word = next_word
        self.sep_before = sep_before
        self.sep_after = sep_after

    @property
    def prev(self) -> str:
        return self.prev_word.lower()

    @property
    def next(self) -> str:
        return self.next_word.lower()

    def clause_ends_after(self) -> bool:
        """True when nothing, or punctuation, follows the word."""
        return not self.next_word or bool(self.sep_after.strip())


def _rule_k(word: str, ctx: _Context) -> str | None:
    if _NUMBER_RE.match(ctx.prev_word) and not ctx.sep_before.strip():
        return "nghìn"
    if word == "K" and not (len(ctx.prev_word) > 1 and ctx.prev_word.isupper()):
        return None  # vitamin K, Quân khu K; but "TAO K ĐI" shouts "không"
    return "không"


def _rule_j(word: str, ctx: _Context) -> str | None:
    if ctx.prev in _J_BEFORE or ctx.next in _J_AFTER or ctx.sep_after.strip().startswith("?"):
        return "gì"
    return None


def _rule_vs(word: str, ctx: _Context) -> str | None:
    if word.lower() != "vs":
        return None
    if word == "VS" or (_is_capitalised(ctx.prev_word) and _is_capitalised(ctx.next_word)):
        return None  # versus
    if ctx.sep_after.startswith("."):
        return None
    return "với"


def _rule_ck(word: str, ctx: _Context) -> str | None:
    if ctx.prev in _CK_STOCK_PREV:
        return "chứng khoán"
    if ctx.prev in {"vk", "vợ"} or ctx.next in {"vk", "vợ"}:
        return "chồng"
    if _AMOUNT_RE.match(ctx.next) or ctx.next in _CK_TRANSFER_NEXT or ctx.prev in _CK_TRANSFER_PREV:
        return "chuyển khoản"
    return "chồng"


def _rule_upper_kept(expansion: str) -> Callable[[str, _Context], str | None]:
    def rule(word: str, ctx: _Context) -> str | None:
        if len(word) > 1 and word.isupper():
            return None
        return expansion

    return rule


def _rule_bn(word: str, ctx: _Context) -> str | None:
    if ctx.next in _BN_UNITS or ctx.sep_after.strip().startswith("?"):
        return "bao nhiêu"
    return "bạn"


def _rule_bt(word: str, ctx: _Context) -> str | None:
    if ctx.prev in _NEGATION or ctx.prev in {"đã", "có", "chưa", "mới"}:
        return "biết"
    return "bình thường"


def _rule_mk(word: str, ctx: _Context) -> str | None:
    if ctx.prev in _MK_PASSWORD or ctx.next in {"là", "của", "mới", "cũ", "otp"}:
        return "mật khẩu"
    return "mình"


def _rule_tr(word: str, ctx: _Context) -> str | None:
    if _NUMBER_RE.match(ctx.prev_word):
        return "triệu"
    if ctx.next == "ơi" and not ctx.sep_after.strip():
        return "trời"
    return None


_THUI_PREV = frozenset({"tối", "đen", "bò"})
_THUI_NEXT = frozenset("thủi bò chó heo lợn rơm chột".split())


def _rule_thui(word: str, ctx: _Context) -> str | None:
    if ctx.prev in _THUI_PREV or ctx.next in _THUI_NEXT:
        return None  # "tối thui" (pitch dark), "thui bò" (singed beef), "thui thủi"
    return "thôi"


_HONG_PREV = frozenset(
    "đau mỏi nhức bên eo vòng xương khớp cạnh sườn lưng mông hai phía chống".split()
)
_HONG_NEXT = frozenset("xe nhà tàu núi đồi".split())


def _rule_hong(word: str, ctx: _Context) -> str | None:
    if ctx.prev in _HONG_PREV or ctx.next in _HONG_NEXT:
        return None  # the hip or the side: "đau hông", "bên hông", "hông xe"
    return "không"


def _rule_vay(word: str, ctx: _Context) -> str | None:
    if not word.islower() or not ctx.prev_word or ctx.prev in {"gen", "v"}:
        return None
    if ctx.sep_after.startswith(".") and ctx.next == "v":
        return None  # "v.v." (vân vân)
    return "vậy" if ctx.clause_ends_after() else None


def _rule_ng(word: str, ctx: _Context) -> str | None:
    return "người" if word == "ng" else None


def _rule_r(word: str, ctx: _Context) -> str | None:
    if word == "r" and not _NUMBER_RE.match(ctx.prev_word):
        return "rồi"
    return None


_RULES: dict[str, Callable[[str, _Context], str | None]] = {
    "k": _rule_k,
    "j": _rule_j,
    "vs": _rule_vs,
    "ck": _rule_ck,
    "dc": _rule_upper_kept("được"),
    "đc": _rule_upper_kept("được"),
    "kh": _rule_upper_kept("không"),
    "hn": _rule_upper_kept("hôm nay"),
    "bn": _rule_bn,
    "bt": _rule_bt,
    "mk": _rule_mk,
    "tr": _rule_tr,
    "v": _rule_vay,
    "z": _rule_vay,
    "r": _rule_r,
    "ng": _rule_ng,
    "thui": _rule_thui,
    "hông": _rule_hong,
}

#: Every reading of each short form decided by its neighbours (itself when kept): a search
#: word alone has no neighbours, so it looks for all of them.
READINGS: dict[str, tuple[str, ...]] = {
    "k": ("không", "nghìn", "k"),
    "j": ("gì", "j"),
    "vs": ("với", "vs"),
    "ck": ("chồng", "chuyển khoản", "chứng khoán"),
    "dc": ("được", "dc"),
    "đc": ("được", "đc"),
    "kh": ("không", "kh"),
    "hn": ("hôm nay", "hn"),
    "bn": ("bạn", "bao nhiêu"),
    "bt": ("biết", "bình thường"),
    "mk": ("mình", "mật khẩu"),
    "tr": ("triệu", "trời", "tr"),
    "v": ("vậy", "v"),
    "z": ("vậy", "z"),
    "r": ("rồi", "r"),
    "ng": ("người", "ng"),
    "thui": ("thôi", "thui"),
    "hông": ("không", "hông"),
}

_KEYS = frozenset(TEENCODE) | frozenset(_RULES)
# A number with a unit ("50k", "5tr") anywhere: with the word set below, most texts hold
# neither and skip the word-by-word pass.
_NUMBER_UNIT_SEARCH_RE = re.compile(r"\d(?:k|tr)\b", re.IGNORECASE)


def _chunk_may_expand(chunk: str) -> bool:
    return not _KEYS.isdisjoint(_WORD_RE.findall(chunk.lower())) or bool(
        _NUMBER_UNIT_SEARCH_RE.search(chunk)
    )


_MAY_EXPAND = ChunkMemo(_chunk_may_expand)


def _may_expand(text: str) -> bool:
    """Whether any word of `text` is a short form or a number with a unit (most texts: no).

    Words never span a space, so each space-separated chunk is looked at alone, and the
    common ones (syllables, words) are remembered.
    """
    return any(_MAY_EXPAND.each(text))


def _previous(parts: list[str], written: list[str], i: int) -> str:
    if i < 2:
        return ""
    if parts[i - 2] == written[i - 2].lower():
        return written[i - 2]
    return parts[i - 2]


def expand_teencode(text: str, *, lower: bool = False) -> str:
    """Text with chat abbreviations written out; every other character is kept as it was.

    With `lower`, the result is lower-cased too, except short forms kept *because* of their
    capitals ("DC", "HN", vitamin "K", "VS" between names), so that expanding again gives
    the same text.
    """
    if not _may_expand(text):
        return text.lower() if lower else text
    parts = _WORD_RE.split(text)
    # parts = [sep, word, sep, word, ..., sep]; words sit at odd indices. A rule reads the
    # previous word as rewritten when it was expanded (a second pass sees it so), else as
    # written: lower-casing it must not hide its capitals ("Việt Nam vs Thái Lan").
    written = parts.copy()
    changed = False
    for i in range(1, len(parts), 2):
        word = parts[i]
        low = word.lower()
        expansion: str | None = None
        kept = versus = False
        if low not in _KEYS:
            unit = _NUMBER_UNIT_RE.match(word)
            if unit:
                amount = "nghìn" if unit.group(2).lower() == "k" else "triệu"
                expansion = f"{unit.group(1)} {amount}"
        elif low in TEENCODE:
            if low in _LOWER_ONLY and word.isupper():
                kept = True
            else:
                expansion = _with_case(word, TEENCODE[low])
        else:
            ctx = _Context(
                prev_word=_previous(parts, written, i),
                next_word=written[i + 2] if i + 2 < len(parts) else "",
                sep_before=parts[i - 1],
                sep_after=parts[i + 1],
            )
            found = _RULES[low](word, ctx)
            if found is None:
                # kept *because of* its capitals only when the lower-case word would not be
                # ("K" is vitamin K, "k" is "không"; "J" in "J&T" is kept either way)
                kept = low == "vs" or word == low or _RULES[low](low, ctx) is not None
                versus = low == "vs" and not ctx.sep_after.startswith(".")
            else:
                shouted = word.isupper() and len(ctx.prev_word) > 1 and ctx.prev_word.isupper()
                expansion = found.upper() if shouted else _with_case(word, found)
        if expansion is not None:
            parts[i] = expansion.lower() if lower else expansion
            changed = True
        elif lower:
            if not kept:
                parts[i] = low
            elif versus:
                parts[i] = "VS"  # versus, whatever the case of the names around it
    if lower:
        return "".join(part if n % 2 else part.lower() for n, part in enumerate(parts))
    return "".join(parts) if changed else text
