"""Place tagging: find the provinces and communes/wards a Vietnamese text talks about.

The text is folded ("Đà Nẵng" → "da nang") without moving any character, cut into tokens,
and scanned left to right for the longest gazetteer name at each token (a dict of token
n-grams; names are at most five tokens long). Each hit is then judged:

1. Lexically: where the text has diacritics they must agree with the name's (tone
   convention and missing tone marks forgiven), so "huệ" is not "Huế"; a name written
   without marks that is exactly some unit's name is that unit ("Tam Thanh", not "Tam
   Thành"). Organisation names ("Bia Sài Gòn") match in any spelling and are not places.
2. By its prefix (tỉnh, TP, quận, huyện, thị xã, xã, phường, thị trấn, đặc khu and the
   short forms TP., Q., H., TX., P., X., TT.), which decides the level it is read at.
3. By context: names that are also everyday words or personal names ("hòa bình", "Thái
   Bình", "Thống Nhất") need a prefix, a place cue before them ("ở", "tại", "về", ...), or
   a neighbouring place in an address or list; a name after a street or landmark word
   ("đường Trần Phú", "chợ Bến Thành") or a person's title ("anh Long An", "tên là Kiều
   Bắc Giang") is not a place; a commune or district name that exists in several provinces
   is tagged only when another place in the text picks one, and once the text names a
   province, only a commune of that province.

Pre-2025 names are mapped to 2025 units: a former province to its 2025 province, a former
district to its 2025 province (the special-zone island districts to their đặc khu), a former
commune to its 2025 commune (the default one when it was divided).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from soitin.places.gazetteer import TOKEN_RE, Gazetteer, NameEntry, Unit, get_gazetteer
from soitin.text.fold import fold_char_table
from soitin.text.normalise import fix_tone_placement

__all__ = ["Mention", "PlaceTagger", "PlaceTags", "get_tagger", "tag_places"]


@dataclass(frozen=True, slots=True)
class Mention:
    """One place found in the text; `code` is always a code of the 2025 map."""

    text: str
    start: int
    end: int
    code: str
    level: str
    province_code: str
    name: str
    legacy_code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class PlaceTags:
    """The places of one text: 2-digit province codes and 5-digit ward codes (2025 map)."""

    province_codes: list[str] = field(default_factory=list)
    ward_codes: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {
            "province_codes": list(self.province_codes),
            "ward_codes": list(self.ward_codes),
            "mentions": [m.to_dict() for m in self.mentions],
        }


EMPTY = PlaceTags()

# --- the words around a name -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Prefix:
    kind: str  # "province", "city", "district" or "ward"
    unit_type: str
    forms: frozenset[str]
    short: bool  # an abbreviation that needs a dot or a number after it ("Q.1", "P12")


def _prefix_table() -> dict[tuple[str, ...], _Prefix]:
    rows = [
        ("tinh", "province", "Tỉnh", "tỉnh", False),
        ("thanh pho", "city", "Thành phố", "thành phố", False),
        ("tp", "city", "Thành phố", "tp", False),
        ("quan", "district", "Quận", "quận", False),
        ("huyen", "district", "Huyện", "huyện", False),
        ("huyen dao", "district", "Huyện", "huyện đảo", False),
        ("thi xa", "district", "Thị xã", "thị xã", False),
        ("tx", "district", "Thị xã", "tx", True),
        ("q", "district", "Quận", "q", True),
        ("h", "district", "Huyện", "h", True),
        ("xa", "ward", "Xã", "xã", False),
        ("phuong", "ward", "Phường", "phường", False),
        ("thi tran", "ward", "Thị trấn", "thị trấn", False),
        ("tt", "ward", "Thị trấn", "tt", True),
        ("dac khu", "ward", "Đặc khu", "đặc khu", False),
        ("p", "ward", "Phường", "p", True),
        ("x", "ward", "Xã", "x", True),
    ]
    return {
        tuple(folded.split()): _Prefix(kind, unit_type, frozenset({toned}), short)
        for folded, kind, unit_type, toned, short in rows
    }


_PREFIXES = _prefix_table()
_PREFIX_FIRST = frozenset(key[0] for key in _PREFIXES)

# Words after which a name is a place ("ở Thái Bình"); folded form → spelling with tones.
_LOCATIVE = {
    "o": "ở", "tai": "tại", "ve": "về", "den": "đến", "toi": "tới", "tu": "từ", "ra": "ra",
    "vao": "vào", "thuoc": "thuộc", "qua": "qua", "que": "quê", "khap": "khắp", "di": "đi",
    "ban": "bàn", "sang": "sang", "len": "lên", "xuong": "xuống", "tinh": "tỉnh",
    "dan": "dân", "nguoi": "người",
}  # fmt: skip
# Street words: "đường Hà Nội" is a street, not the city.
_STREET = {
    "duong": "đường", "pho": "phố", "lo": "lộ", "ngo": "ngõ", "hem": "hẻm", "kiet": "kiệt",
    "ngach": "ngách",
}  # fmt: skip
# Landmark words: "chợ Bến Thành" is a market, not the ward.
_LANDMARK = {
    "cho": "chợ", "cau": "cầu", "ben": "bến", "bay": "bay", "ga": "ga", "vien": "viện",
    "truong": "trường", "song": "sông", "nui": "núi", "deo": "đèo", "chua": "chùa",
    "ho": "hồ", "khu": "khu", "cu": "cư", "dao": "đảo", "bien": "biển", "vinh": "vịnh",
    "tho": "thờ", "ty": "ty", "doi": "đội", "clb": "clb", "hang": "hãng", "tram": "trạm",
    "quan": "quán", "lang": "lăng", "thon": "thôn", "ap": "ấp", "ban": "bản", "to": "tổ",
    "doan": "đoàn", "hoi": "hội",
}  # fmt: skip
# Words that announce a person: "anh Long An", "chị Hà Giang".
_TITLES = {
    "anh": "anh", "chi": "chị", "ong": "ông", "ba": "bà", "em": "em", "co": "cô",
    "chu": "chú", "bac": "bác", "chau": "cháu", "cu": "cụ", "be": "bé", "cau": "cậu",
    "thay": "thầy", "me": "mẹ", "bo": "bố", "di": "dì", "chang": "chàng", "nang": "nàng",
    "ten": "tên", "goi": "gọi", "ban": "bạn", "con": "con", "vo": "vợ", "chong": "chồng",
}  # fmt: skip
# Roles before a name that is also a word or a personal name ("Chủ tịch Hồ Chí Minh",
# "ca sĩ Đan Trường", "hoa hậu Thu Thảo").
_ROLES = {"tich": "tịch", "tuong": "tưởng", "si": "sĩ", "thu": "thủ", "hau": "hậu"}
# "tên là Kiều Bắc Giang", "nghệ danh là ...": a name is given.
_NAMED = {"ten": "tên", "danh": "danh"}
_IS = {"la": "là"}
_SURNAMES = frozenset(
    "nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ ngô đinh trịnh đoàn lương "
    "trương vương văn thị hữu".split()
)
_BIG_LEVELS = frozenset({"province", "province_legacy", "district_legacy"})
_HARD_PUNCT_RE = re.compile(r"[,.;:!?()\[\]{}\n\"|/]")
# Organisation names may hold a dot inside a word ("Saigon Co.op"), not between sentences.
_ORG_PUNCT_RE = re.compile(r"[,;:!?()\[\]{}\n\"|/]|\.\s")
_LIST_GAP_RE = re.compile(r"^\s*(?:[,;/&+-]|–|và|hoặc|với)?\s*(?:và\s*)?$", re.IGNORECASE)
_PREFIX_GAP_RE = re.compile(r"^[\s.]*$")


class _FoldTable(dict[int, str]):
    """str.translate table: characters it does not fold stay as they are. Identity entries
    for ASCII and common punctuation keep `translate` off its slow missing-key path."""

    def __missing__(self, key: int) -> str:
        return chr(key)


def _fold_table(extra: dict[int, str]) -> _FoldTable:
    table = _FoldTable({c: chr(c) for c in [*range(0x80), *range(0x2000, 0x2070)]})
    table.update(fold_char_table())
    table.update(extra)
    return table


_FAST_TABLE = _fold_table({})
_SLOW_TABLE = _fold_table(dict.fromkeys(range(0x300, 0x370), "\x01"))
_SLOW_TOKEN_RE = re.compile(r"[a-z\x01]+|[0-9]+")
_COMBINING_RE = re.compile("[\u0300-\u036f]")
# Words with a letter outside ASCII (or a combining mark): written with diacritics.
_MARKED_WORD_RE = re.compile(r"[^\W\d_]*(?:[^\x00-\x7f\W\d_]|[\u0300-\u036f])[^\W\d_]*")


@dataclass(slots=True)
class _Candidate:
    first: int  # token index of the name
    count: int  # tokens in the name
    start: int  # character span of the name
    end: int
    entries: list[NameEntry]
    prefix: _Prefix | None
    span_start: int  # start including the prefix
    before: int  # token index before prefix and name (-1: none)
    is_ascii: bool
    is_title: bool
    is_upper: bool
    prev_end: int  # character end of the candidate before this one (-1: none)
    accepted: Unit | None = None
    blocked: bool = False


class _Text:
    """One text, folded and tokenised, with lazily computed properties."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._slow = _COMBINING_RE.search(text) is not None
        if self._slow:
            self._folded = text.translate(_SLOW_TABLE)
            self.tokens = [t.replace("\x01", "") for t in _SLOW_TOKEN_RE.findall(self._folded)]
        else:
            self._folded = text.translate(_FAST_TABLE)
            self.tokens = TOKEN_RE.findall(self._folded)
        self._starts: list[int] | None = None
        self._ends: list[int] = []
        self._syllables: dict[int, str] = {}
        self._accented: bool | None = None
        self._cased: bool | None = None

    @property
    def starts(self) -> list[int]:
        """Start offset of each token (computed on first use: most texts never need it)."""
        if self._starts is None:
            pattern = _SLOW_TOKEN_RE if self._slow else TOKEN_RE
            spans = [m.span() for m in pattern.finditer(self._folded)]
            self._starts = [a for a, _ in spans]
            self._ends = [b for _, b in spans]
        return self._starts

    @property
    def ends(self) -> list[int]:
        """End offset of each token."""
        if self._starts is None:
            self.starts  # noqa: B018 - computes both lists
        return self._ends

    def syllable(self, k: int) -> str:
        """Token k as written: lower case, NFC, tone marks in our convention."""
        cached = self._syllables.get(k)
        if cached is None:
            raw = self.text[self.starts[k] : self.ends[k]].lower()
            if not raw.isascii():
                raw = fix_tone_placement(unicodedata.normalize("NFC", raw))
            cached = self._syllables[k] = raw
        return cached

    @property
    def accented(self) -> bool:
        """True when the text is written with diacritics (a fifth of its words or more)."""
        if self._accented is None:
            # counted only as far as needed: a text with diacritics reaches its fifth early
            need = (max(len(self.tokens), 1) + 4) // 5  # marked * 5 >= tokens
            marked = 0
            for _ in _MARKED_WORD_RE.finditer(self.text):
                marked += 1
                if marked >= need:
                    break
            self._accented = marked >= need
        return self._accented

    @property
    def cased(self) -> bool:
        """True when the text uses capital letters at all (then names are capitalised)."""
        if self._cased is None:
            self._cased = self.text != self.text.lower()
        return self._cased

    def word_is(self, k: int, table: dict[str, str]) -> bool:
        """Token k is one of the table's words (with its tone marks where the text has any)."""
        if k < 0:
            return False
        toned = table.get(self.tokens[k])
        if toned is None:
            return False
        if self.accented and not self.text[self.starts[k] : self.ends[k]].isascii():
            return self.syllable(k) == toned
        return not self.accented or toned.isascii()


def _usable_bare(entries: tuple[NameEntry, ...]) -> bool:
    """False for names that can only ever be tagged after xã/phường/...: everyday words and
    numbers that name communes only. Skipping them early keeps the scan fast."""
    if any(e.unit is None or e.unit.level not in ("ward", "ward_legacy") for e in entries):
        return True
    return not any(e.weak or e.weak_ascii for e in entries)


class _Node:
    """A node of the token trie."""

    __slots__ = ("bare", "children", "key")

    def __init__(self) -> None:
        self.key = ""
        self.bare = False  # the name can be a place without a prefix
        self.children: dict[str, _Node] = {}


class PlaceTagger:
    """Finds places in text; build once (`get_tagger()`), call `tag` per text."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gaz = gazetteer
        # A token trie over the folded names: node = (index key ending here or "", children).
        self._trie: dict[str, _Node] = {}
        # Per key: each accepted spelling with the entries that accept it; and the entries
        # written only one exact way ("HN").
        self._forms: dict[str, tuple[tuple[tuple[str, ...], tuple[NameEntry, ...]], ...]] = {}
        self._plain: dict[str, list[NameEntry]] = {}
        # Organisation names: kept whatever their spelling, and allowed a dot inside.
        self._folded_only: dict[str, tuple[NameEntry, ...]] = {}
        self._punct: dict[str, re.Pattern[str]] = {}
        for key, entries in gazetteer.index.items():
            level = self._trie
            toks = key.split(" ")
            for n, tok in enumerate(toks):
                node = level.get(tok)
                if node is None:
                    node = level[tok] = _Node()
                if n == len(toks) - 1:
                    node.key = key
                    node.bare = _usable_bare(entries) and not key[0].isdigit()
                level = node.children
            by_form: dict[tuple[str, ...], list[NameEntry]] = {}
            for entry in entries:
                if not entry.exact_case:
                    for form in entry.forms:
                        by_form.setdefault(form, []).append(entry)
            self._forms[key] = tuple((form, tuple(found)) for form, found in by_form.items())
            self._plain[key] = [e for e in entries if not e.exact_case]
            folded_only = tuple(e for e in entries if e.folded_only)
            if folded_only:
                self._folded_only[key] = folded_only
                self._punct[key] = _ORG_PUNCT_RE
        self._index = gazetteer.index

    # --- scanning --------------------------------------------------------------------------

    def _could_prefix(self, toks: list[str], i: int) -> bool:
        """Cheap test before the real one: a prefix word followed by the start of a name."""
        trie = self._trie
        n = len(toks)
        if i + 1 < n and toks[i + 1] in trie:
            return True
        return i + 2 < n and (toks[i], toks[i + 1]) in _PREFIXES and toks[i + 2] in trie

    def _prefix_at(self, t: _Text, i: int) -> tuple[_Prefix, int] | None:
        toks = t.tokens
        for length in (2, 1):
            key = tuple(toks[i : i + length])
            prefix = _PREFIXES.get(key)
            if prefix is None or len(key) < length:
                continue
            if t.accented:
                written_ascii = t.text[t.starts[i] : t.ends[i + length - 1]].isascii()
                toned = next(iter(prefix.forms))
                if written_ascii and not toned.isascii():
                    continue  # "xa" without its tone in a text with tones is "xa" (far)
                if not written_ascii:
                    written = " ".join(t.syllable(k) for k in range(i, i + length))
                    if written not in prefix.forms:
                        continue
            return prefix, length
        return None

    def _match_at(
        self, t: _Text, j: int, *, prefixed: bool = False
    ) -> tuple[int, list[NameEntry]] | None:
        toks = t.tokens
        node = self._trie.get(toks[j])
        if node is None:
            return None
        ends: list[tuple[int, str]] = []
        k = j
        n = len(toks)
        while True:
            if node.key and (prefixed or node.bare):
                ends.append((k - j + 1, node.key))
            k += 1
            if k >= n or not node.children:
                break
            nxt = node.children.get(toks[k])
            if nxt is None:
                break
            node = nxt
        for count, key in reversed(ends):  # longest first
            punct = self._punct.get(key, _HARD_PUNCT_RE)
            if count > 1 and punct.search(t.text, t.starts[j], t.ends[j + count - 1]):
                continue
            kept = self._lexical(t, j, count, key)
            if kept:
                return count, kept
        return None

    def _lexical(self, t: _Text, j: int, count: int, key: str) -> list[NameEntry]:
        """The entries whose spelling agrees with the text: written without diacritics, or
        with the name's own (any tone convention); "huệ" is not "Huế", "Hà Quang" is not
        "Hà Quảng". Syllables without marks are forgiven only in a text without marks, or
        where no unit is spelt exactly so. Organisation names match in any spelling."""
        raw = t.text[t.starts[j] : t.ends[j + count - 1]]
        entries = self._index[key]
        plain = self._plain[key]
        kept: list[NameEntry] = []
        if len(plain) != len(entries):
            kept = [e for e in entries if e.exact_case and raw in e.exact_case]
        if raw.isascii():
            if t.accented:
                if raw.islower():
                    # "cho ra" in a text with diacritics is two words, not "Chợ Rã"
                    plain = [
                        e
                        for e in plain
                        if e.folded_only or any(all(map(str.isascii, f)) for f in e.forms)
                    ]
                else:
                    # "Tam Thanh" in a text with diacritics is Tam Thanh, not Tam Thành
                    written = tuple(t.syllable(k) for k in range(j, j + count))
                    exact = [e for e in plain if e.folded_only or written in e.forms]
                    if len(exact) > len(self._folded_only.get(key, ())):
                        plain = exact
            return plain + kept if kept else plain
        seen = tuple(t.syllable(k) for k in range(j, j + count))
        loose = not t.accented
        for form, found in self._forms[key]:
            if form == seen or (
                loose
                and len(form) == count
                and all(s == f or s.isascii() for s, f in zip(seen, form, strict=True))
            ):
                kept.extend(found)
        folded_only = self._folded_only.get(key)
        if folded_only:
            kept.extend(folded_only)
        return kept

    def _scan(self, t: _Text) -> list[_Candidate]:
        toks = t.tokens
        n = len(toks)
        found: list[_Candidate] = []
        trie = self._trie
        prefix_first = _PREFIX_FIRST
        i = 0
        while i < n:
            tok = toks[i]
            # "tình", "thì", "quán" look like prefixes; only one followed by a name counts
            is_prefix = tok in prefix_first and self._could_prefix(toks, i)
            if not is_prefix:
                # fast path: most tokens start no name, or only a longer one not here
                node = trie.get(tok)
                if node is None or (
                    not node.bare and (i + 1 >= n or toks[i + 1] not in node.children)
                ):
                    i += 1
                    continue
            prefix = self._prefix_at(t, i) if is_prefix else None
            if prefix is not None and i + prefix[1] < n:
                j = i + prefix[1]
                gap = t.text[t.ends[j - 1] : t.starts[j]]
                ok_gap = _PREFIX_GAP_RE.match(gap) is not None
                if ok_gap and prefix[0].short and "." not in gap:
                    # "Q1", "P12" but not "H1N1": only Q/P run into a number, ending there
                    after = t.text[t.ends[j] : t.ends[j] + 1]
                    ok_gap = toks[i] in {"q", "p"} and toks[j].isdigit() and not after.isalnum()
                hit = self._match_at(t, j, prefixed=True) if ok_gap else None
                if hit is not None:
                    found.append(self._candidate(t, j, hit, prefix[0], i, found))
                    i = j + hit[0]
                    continue
            hit = self._match_at(t, i)
            if hit is not None and not self._overlapped(t, i, hit):
                found.append(self._candidate(t, i, hit, None, i, found))
                i += hit[0]
                continue
            i += 1
        return found

    def _overlapped(self, t: _Text, i: int, hit: tuple[int, list[NameEntry]]) -> bool:
        """A commune-only match at i overlaps a longer-reaching match of a bigger unit
        ("Công an Hà Nội": not the commune "An Hà" but Hà Nội)."""
        count, entries = hit
        if count < 2 or any(e.unit is None or e.unit.level in _BIG_LEVELS for e in entries):
            return False
        for k in range(i + 1, i + count):
            other = self._match_at(t, k)
            if other is not None and k + other[0] > i + count:
                if any(e.unit is not None and e.unit.level in _BIG_LEVELS for e in other[1]):
                    return True
        return False

    def _candidate(
        self,
        t: _Text,
        j: int,
        hit: tuple[int, list[NameEntry]],
        prefix: _Prefix | None,
        p: int,
        found: list[_Candidate],
    ) -> _Candidate:
        count, entries = hit
        start, end = t.starts[j], t.ends[j + count - 1]
        text = t.text
        span = text[start:end]
        title = all(
            text[t.starts[k]].isupper() or text[t.starts[k]].isdigit() for k in range(j, j + count)
        )
        return _Candidate(
            first=j,
            count=count,
            start=start,
            end=end,
            entries=entries,
            prefix=prefix,
            span_start=t.starts[p],
            before=p - 1,
            is_ascii=span.isascii(),
            is_title=title,
            is_upper=span.isupper(),
            prev_end=found[-1].end if found else -1,
            blocked=any(e.unit is None for e in entries) and prefix is None,
        )

    # --- judging ---------------------------------------------------------------------------

    def _before_is(self, t: _Text, c: _Candidate, table: dict[str, str]) -> bool:
        """The word just before the name (and its prefix) is in `table`, with only spaces
        between them."""
        k = c.before
        if k < 0 or not t.text[t.ends[k] : c.span_start].isspace():
            return False
        return t.word_is(k, table)

    def _person_before(self, t: _Text, c: _Candidate, *, weak: bool = True) -> bool:
        """The name belongs to a person: a title, role or surname just before it, or before
        up to two capitalised given names ("chị Kiều Bắc Giang"), or "tên là" ("tên là Kiều
        Bắc Giang"). Words of another place ("Cô Tô Quảng Ninh") are not skipped."""
        k, end = c.before, c.span_start
        for skipped in range(3):
            if k < 0 or (skipped and t.starts[k] < c.prev_end):
                return False
            if not t.text[t.ends[k] : end].isspace():
                return False
            if t.word_is(k, _TITLES) or (weak and t.word_is(k, _ROLES)):
                return True
            if t.word_is(k, _IS) and k > 0 and t.text[t.ends[k - 1] : t.starts[k]].isspace():
                return t.word_is(k - 1, _NAMED)
            written = t.text[t.starts[k] : t.ends[k]]
            if not (t.cased and written[:1].isupper()):
                return False
            if t.syllable(k) in _SURNAMES:
                return True
            if skipped == 2 or not written[1:].islower():
                return False
            k, end = k - 1, t.starts[k]
        return False

    def _has_cue(self, t: _Text, c: _Candidate) -> bool:
        return self._before_is(t, c, _LOCATIVE)

    def _case_ok(self, t: _Text, c: _Candidate, entry: NameEntry) -> bool:
        if entry.exact_case or c.prefix is not None:
            return True
        return c.is_title or not t.cased

    def _is_weak(self, c: _Candidate, entry: NameEntry) -> bool:
        return entry.weak_ascii if c.is_ascii else entry.weak

    def _entries(self, c: _Candidate, *levels: str) -> list[NameEntry]:
        return [e for e in c.entries if e.unit is not None and e.unit.level in levels]

    def tag(self, text: str) -> PlaceTags:
        """The places mentioned in `text` (see the module docstring for the rules)."""
        if not text:
            return EMPTY
        t = _Text(text)
        if not t.tokens:
            return EMPTY
        cands = [c for c in self._scan(t) if not c.blocked]
        if not cands:
            return EMPTY
        ctx_provinces: set[str] = set()
        ctx_legacy_provinces: set[str] = set()
        ctx_districts: set[str] = set()
        readings: dict[int, str] = {}  # candidate index → "province" | "district" | "ward"
        pending_weak: dict[int, list[NameEntry]] = {}

        def soft() -> set[str]:
            """Provinces of the weak names still waiting for support."""
            return {e.unit.province_code for v in pending_weak.values() for e in v if e.unit}

        def accept(idx: int, unit: Unit) -> None:
            cand = cands[idx]
            cand.accepted = unit
            ctx_provinces.add(unit.province_code)
            if unit.legacy_province_code:
                ctx_legacy_provinces.add(unit.legacy_province_code)
            if unit.level == "district_legacy":
                ctx_districts.add(unit.code)

        # 1. provinces (and the reading each candidate gets)
        for idx, c in enumerate(cands):
            reading = self._reading(c)
            readings[idx] = reading
            if reading != "province":
                continue
            entries = self._province_entries(c)
            if not entries:
                continue
            if c.prefix is None and self._before_is(t, c, _STREET):
                continue
            unit = self._judge_province(t, c, entries)
            if unit is not None:
                accept(idx, unit)
            elif self._could_be_weak_place(t, c, entries):
                pending_weak[idx] = entries

        # 2. former districts
        for idx, c in enumerate(cands):
            if readings[idx] == "district" or (
                readings[idx] == "province" and c.accepted is None and idx not in pending_weak
            ):
                unit = self._judge_district(t, c, ctx_provinces, ctx_legacy_provinces)
                if unit is None and pending_weak:
                    unit = self._judge_district(t, c, soft(), set(), soft_only=True)
                if unit is not None:
                    readings[idx] = "district"
                    accept(idx, unit)

        # 3. weak province names backed by a list, an address or a place of the same province
        def support_weak() -> None:
            changed = True
            while changed and pending_weak:
                changed = False
                for idx in list(pending_weak):
                    unit = self._support_weak(t, cands, idx, pending_weak[idx], ctx_provinces)
                    if unit is not None:
                        accept(idx, unit)
                        del pending_weak[idx]
                        changed = True

        support_weak()

        # 4. communes and wards
        ward_idx = [
            idx
            for idx, c in enumerate(cands)
            if c.accepted is None and (readings[idx] == "ward" or c.prefix is None)
        ]
        for _round in range(2):
            for idx in ward_idx:
                c = cands[idx]
                if c.accepted is not None:
                    continue
                unit = self._judge_ward(t, cands, idx, ctx_provinces, ctx_districts)
                if unit is None and pending_weak and cands[idx].prefix is not None:
                    unit = self._judge_ward(t, cands, idx, soft(), ctx_districts, soft_only=True)
                if unit is not None:
                    accept(idx, unit)
        support_weak()

        return self._result(t, cands)

    def _reading(self, c: _Candidate) -> str:
        if c.prefix is None:
            return "province"
        kind = c.prefix.kind
        if kind == "province":
            return "province"
        if kind == "city":
            cities = [
                e
                for e in self._province_entries(c)
                if e.unit is not None and e.unit.unit_type == "Thành phố"
            ]
            if cities or not self._entries(c, "district_legacy"):
                return "province"
            return "district"
        return kind

    def _province_entries(self, c: _Candidate) -> list[NameEntry]:
        return self._entries(c, "province", "province_legacy")

    def _judge_province(self, t: _Text, c: _Candidate, entries: list[NameEntry]) -> Unit | None:
        codes = {e.unit.province_code for e in entries if e.unit}
        if len(codes) != 1:
            return None  # "ĐN": Đà Nẵng or Đồng Nai, left to the context step
        entry = entries[0]
        assert entry.unit is not None  # noqa: S101 - _province_entries keeps units only
        if c.prefix is not None:
            return entry.unit
        weak = self._is_weak(c, entry)
        if self._person_before(t, c, weak=weak):
            return None
        if not weak:
            return entry.unit
        if not self._case_ok(t, c, entry):
            return None
        if self._has_cue(t, c):
            return entry.unit
        if entry.needs_cue:
            return None
        if t.cased and c.is_title and not c.is_upper:
            return entry.unit
        return None

    def _could_be_weak_place(self, t: _Text, c: _Candidate, entries: list[NameEntry]) -> bool:
        entry = entries[0]
        if c.prefix is not None:
            return True  # "TP ĐN"
        return self._case_ok(t, c, entry) and not self._person_before(t, c)

    def _support_weak(
        self,
        t: _Text,
        cands: list[_Candidate],
        idx: int,
        entries: list[NameEntry],
        ctx_provinces: set[str],
    ) -> Unit | None:
        c = cands[idx]
        by_code = {e.unit.province_code: e.unit for e in entries if e.unit}
        # a place of the same province elsewhere in the text ("Kỳ Sơn, Hòa Bình"; "ĐN" + ward)
        same = [code for code in by_code if code in ctx_provinces]
        if c.prefix is not None and c.prefix.kind == "city":
            cities = [u for u in by_code.values() if u.unit_type == "Thành phố"]
            if len(cities) == 1:
                return cities[0]
        if len(same) == 1:
            return by_code[same[0]]
        if len(by_code) != 1:
            return None
        unit = next(iter(by_code.values()))
        # a neighbour in a list or an address: "Hà Nội, Thái Bình và Nam Định"
        for other_idx in (idx - 1, idx + 1):
            if not 0 <= other_idx < len(cands):
                continue
            other = cands[other_idx]
            if other.accepted is None:
                continue
            left, right = (other, c) if other_idx < idx else (c, other)
            gap = t.text[left.end : right.span_start]
            if _LIST_GAP_RE.match(gap):
                return unit
        return None

    def _judge_district(
        self,
        t: _Text,
        c: _Candidate,
        ctx_provinces: set[str],
        ctx_legacy_provinces: set[str],
        *,
        soft_only: bool = False,
    ) -> Unit | None:
        entries = self._entries(c, "district_legacy")
        if not entries:
            return None
        if c.prefix is None:
            if t.tokens[c.first].isdigit():
                return None  # "Quận 1" needs its "quận"
            if self._before_is(t, c, _STREET) or self._before_is(t, c, _LANDMARK):
                return None
            weak = any(self._is_weak(c, e) for e in entries)
            if self._person_before(t, c):
                return None
            if any(not self._case_ok(t, c, e) for e in entries[:1]):
                return None
            if weak and not self._has_cue(t, c):
                return None
        units = [e.unit for e in entries if e.unit is not None]
        if c.prefix is not None:
            typed = [u for u in units if u.unit_type == c.prefix.unit_type]
            units = typed or units
        in_ctx = [
            u
            for u in units
            if u.province_code in ctx_provinces or u.legacy_province_code in ctx_legacy_provinces
        ]
        if soft_only:
            units = in_ctx
        elif in_ctx:
            units = in_ctx
        provinces = {u.province_code for u in units}
        if len(provinces) != 1:
            return None
        return units[0]

    def _judge_ward(
        self,
        t: _Text,
        cands: list[_Candidate],
        idx: int,
        ctx_provinces: set[str],
        ctx_districts: set[str],
        *,
        soft_only: bool = False,
    ) -> Unit | None:
        c = cands[idx]
        entries = self._entries(c, "ward", "ward_legacy")
        if not entries:
            return None
        units = [e.unit for e in entries if e.unit is not None]
        if c.prefix is None:
            # no "xã"/"phường": only a capitalised, distinctive name in an address next to its
            # district or province, or after a place cue, with that province in the text
            if not ctx_provinces or any(self._is_weak(c, e) for e in entries):
                return None
            if not (c.is_title or not t.cased) or self._person_before(t, c):
                return None
            if self._before_is(t, c, _STREET) or self._before_is(t, c, _LANDMARK):
                return None
            if not (self._has_cue(t, c) or self._in_address(t, cands, idx)):
                return None
            units = [u for u in units if u.province_code in ctx_provinces]
        in_district = [u for u in units if u.legacy_district_code in ctx_districts]
        if in_district:
            units = in_district
        else:
            if c.prefix is not None:
                typed = [u for u in units if u.unit_type == c.prefix.unit_type]
                units = typed or units
            in_province = [u for u in units if u.province_code in ctx_provinces]
            # once the text names a province (or a former district), a commune named in
            # several provinces is one of that province's, or none: "xã Tam Thanh, huyện Tân
            # Phú, tỉnh Đồng Nai" is not Tam Thanh of Thanh Hóa
            if in_province or soft_only or self._names_province(cands):
                units = in_province
            current = [u for u in units if u.level == "ward"]
            if current and len({u.code for u in current}) == 1:
                units = current
        targets = {u.ward_codes[0] if u.ward_codes else "" for u in units}
        if len(targets) != 1 or "" in targets:
            return None
        return units[0]

    def _names_province(self, cands: list[_Candidate]) -> bool:
        """A province, former province or former district is accepted in the text."""
        return any(c.accepted is not None and c.accepted.level in _BIG_LEVELS for c in cands)

    def _in_address(self, t: _Text, cands: list[_Candidate], idx: int) -> bool:
        """The next candidate follows after a comma or dash and is an accepted place."""
        if idx + 1 >= len(cands):
            return False
        c, nxt = cands[idx], cands[idx + 1]
        gap = t.text[c.end : nxt.span_start]
        return nxt.accepted is not None and re.fullmatch(r"\s*[,-]\s*", gap) is not None

    def _result(self, t: _Text, cands: list[_Candidate]) -> PlaceTags:
        provinces: list[str] = []
        wards: list[str] = []
        mentions: list[Mention] = []
        for c in cands:
            unit = c.accepted
            if unit is None:
                continue
            if unit.level in ("ward", "ward_legacy") or (
                unit.level == "district_legacy" and unit.ward_codes
            ):
                code = unit.ward_codes[0]
                wards.append(code)
                name = self.gaz.ward_name(code)
            else:
                code = unit.province_code
                name = self.gaz.province_name(code)
            provinces.append(unit.province_code)
            mentions.append(
                Mention(
                    text=t.text[c.span_start : c.end],
                    start=c.span_start,
                    end=c.end,
                    code=code,
                    level=unit.level,
                    province_code=unit.province_code,
                    name=name,
                    legacy_code=unit.code if unit.level.endswith("_legacy") else None,
                )
            )
        return PlaceTags(
            province_codes=sorted(set(provinces)),
            ward_codes=sorted(set(wards)),
            mentions=mentions,
        )


@lru_cache(maxsize=1)
def get_tagger() -> PlaceTagger:
    """The place tagger of this process, built once from the shipped gazetteer."""
    return PlaceTagger(get_gazetteer())


def tag_places(text: str) -> PlaceTags:
    """Provinces, wards and mentions of `text` on the 2025 map."""
    return get_tagger().tag(text)
