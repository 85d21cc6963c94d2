"""Rule-based evidence found in a text: contacts, money, organisations, lures, frames.

Matching runs on a diacritic-folded, lower-cased copy so "viec nhe luong cao" and
"việc nhẹ lương cao" are the same. Everything here is a pure function of the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = [
    "Evidence",
    "extract_evidence",
    "fold",
    "fold_mapped",
    "frame_of",
    "LURES",
    "ORGANISATIONS",
    "trie_pattern",
]


def _fold_table() -> dict[int, str]:
    # ASCII listed as itself: `str.translate` pays for every character its table lacks
    table: dict[int, str] = {code: chr(code) for code in range(0x80)}
    table.update({ord("đ"): "d", ord("Đ"): "d"})
    for cp in range(0xC0, 0x2000):
        base = unicodedata.normalize("NFD", chr(cp))[0]
        if base != chr(cp) and base.isascii():
            table[cp] = base.lower()
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """Lower case, no diacritics, đ -> d (one character out for each NFC character in)."""
    return unicodedata.normalize("NFC", text).translate(_FOLD).lower()


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """One character folded on its own: compatibility form, no marks, lower case."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return plain.translate(_FOLD).lower()


def fold_mapped(nfc: str) -> tuple[str, list[int] | None]:
    """`fold` of NFC text, also through compatibility forms (fullwidth "０９１２", bold
    "𝐭𝐫𝐮́𝐧𝐠"), and for each folded character the index of the one it came from.

    The map is None when folding kept one character per character (most texts).
    """
    folded = nfc.translate(_FOLD).lower()
    if len(folded) == len(nfc) and (nfc.isascii() or unicodedata.is_normalized("NFKC", nfc)):
        return folded, None
    pieces = [_fold_char(c) for c in nfc]
    where = [i for i, piece in enumerate(pieces) for _ in piece]
    return "".join(pieces), where


_PHONE = re.compile(
    r"(?<![\w+])(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?!\d)|(?<!\d)1[89]00[\s.\-]?\d{4}(?:\d{2})?(?!\d)"
    # the area code or country code in brackets: "(028) 3822 1234", "(+84) 912 345 678"
    r"|\(\s*(?:\+?84|0)\d{0,3}\s*\)(?:[\s.\-]?\d){7,10}(?!\d)"
    r"|<phone>",
    re.IGNORECASE,
)
_BANKS = (
    r"ngan hang|bank|vcb|vietcombank|techcombank|tcb|mb ?bank|mbbank|bidv|agribank|vpbank|"
    r"acb|sacombank|tpbank|vietinbank|momo|zalopay|vib|shb|ocb|hdbank"
)
# An account number: digits (in groups or not) that run to their end, not signed ("+2.500.000")
# and not followed by a currency ("2.500.000 VND"): those are amounts.
_ACCOUNT_NUMBER = (
    r"(?<!\+)(?<!\s[\-–])((?:\d[\s.\-]?){6,19}\d(?![\s.\-]?\d)"
    r"(?!\s*(?:d|dong|vnd|vnđ|usd|k|trieu|tr)(?!\w))|<num>)"
)
_ACCOUNT = re.compile(
    r"(?:stk|so tai khoan|tai khoan|so tk|tk|account|acc)"
    r"(?:\W{1,3}(?:so|la|cua|tai khoan|tk|stk|" + _BANKS + r"))*"
    # up to two other words between ("tài khoản tạm giữ 1027 ...", "STK mới: 2210 ..."), but
    # not a switch to a phone number ("... hoặc gọi 0912 ...")
    r"(?:\s+(?!hoac|goi|hotline|lien|lh|sdt|dt)[a-z]{1,8}){0,2}"
    r"\W{0,3}" + _ACCOUNT_NUMBER + r"|(?:" + _BANKS + r")"
    r"(?:\W{1,3}(?:so|la|cua|tai khoan|tk|stk|"
    + _BANKS
    + r"))*\W{0,3}"
    + _ACCOUNT_NUMBER
    # or a long number followed by the bank's name: "1903 6612 7789 (Techcombank)"
    + r"|(?<![\w+])((?:\d[\s.\-]?){8,19}\d)\s*[(\-–,]?\s*(?:"
    + _BANKS
    + r")\b",
)
#: Link shorteners and messaging hosts: the path is the evidence ("t.me/vip_forex_vn"), so a
#: link keeps host and path, and its host is not listed again among the domains.
_SHORT = re.compile(
    r"\b(?:bit\.ly|tinyurl\.com|t\.co|shorturl\.at|cutt\.ly|rb\.gy|is\.gd|goo\.gl|ow\.ly|"
    r"tiny\.cc|s\.id|v\.ht|t\.ly|shorte\.st|rebrand\.ly|bom\.so|bitly\.com|"
    r"t\.me|telegram\.me|zalo\.me|m\.me|wa\.me|fb\.me)/\S+",
)
_DOMAIN = re.compile(
    r"\b(?:https?://)?((?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+"
    r"(?:com|vn|net|org|info|xyz|top|site|online|club|cc|me|io|app|shop|vip|link|live|"
    r"store|icu|cyou|asia|biz|pro|fun|tk|ml|ga|cf|gq|win|bet|click|cfd|sbs|buzz|lol|monster|"
    r"rest|pw|cn|ru|us|co|work|today|world|bond|quest|cam|mobi|space|website|tech|fit|ink|"
    r"gov\.vn|com\.vn))\b(?:/\S*)?",
)
#: Seven digits, one separator at most between two: every phone number and account number
#: of `_PHONE` and `_ACCOUNT` holds such a run (or their placeholders "<phone>", "<num>").
_SEVEN_DIGITS = re.compile(r"\d(?:[\s.\-]?\d){6}")
#: A dot before a letter: every host of `_DOMAIN` holds one (before its top-level domain).
_DOT_LETTER = re.compile(r"\.[a-z]")
_DIGIT = re.compile(r"\d")
#: Any host after http(s)://, whatever its top-level domain (scam sites favour cheap new ones).
_URL_HOST = re.compile(r"\bhttps?://((?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})\b")
_MONEY = re.compile(
    # no leading zero ("028.3822.1234" is a phone) and no digits left over after the number
    r"(?<![\w.])(?!0\d)(?:\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?(?![.,]?\d)(?:\s*(?P<u1>d|dong|vnd|k|usd|\$)(?!\w))?"
    r"|\d+(?:[.,]\d+)?\s*"
    r"(?P<u2>k|nghin|ngan(?!\s+hang)|trieu|tr|ty|ti|cu|lit|dong|d|vnd|usd|\$)(?!\w)"
    # spoken forms: "2tr5" is 2.5 million, "1tr200" 1.2 million, "3ty5" 3.5 billion
    r"|\d+(?P<u3>tr|ty|ti)\d{1,3}k?(?!\w))",
)
#: Folded units that fold several words together ("ngan": ngàn thousand, ngân bank, ngắn
#: short; "cu": củ million, cú a shot) -> the one written with diacritics that is money. The
#: folded spelling counts only in a text written without diacritics.
_UNIT_WORDS = {
    "ngan": "ngàn",
    "nghin": "nghìn",
    "ty": "tỷ",
    "ti": "tỉ",
    "cu": "củ",
    "lit": "lít",
    "d": "đ",
}

ORGANISATIONS: dict[str, tuple[str, ...]] = {
    "police": (
        "cong an",
        "canh sat",
        "bo cong an",
        "vien kiem sat",
        "toa an",
        "an ninh mang",
        "phong canh sat",
        "c03",
        "a05",
        "dieu tra vien",
    ),
    "electricity": ("dien luc", "evn", "tien dien", "cat dien", "ngung cap dien"),
    "bank": (
        "ngan hang",
        "vietcombank",
        "techcombank",
        "bidv",
        "agribank",
        "vietinbank",
        "vpbank",
        "sacombank",
        "tpbank",
        "mbbank",
        "mb bank",
        "acb",
        "the tin dung",
        "the atm",
        "napas",
    ),
    "delivery": (
        "giao hang",
        "buu dien",
        "buu pham",
        "buu kien",
        "shipper",
        "ghn",
        "ghtk",
        "viettel post",
        "vnpost",
        "j&t",
        "don hang",
        "kien hang",
    ),
    "tax": (
        "cuc thue",
        "chi cuc thue",
        "co quan thue",
        "hoan thue",
        "quyet toan thue",
        "thue tncn",
        "nop thue",
        "no thue",
        "ma so thue",
    ),
    "social_insurance": ("bhxh", "bao hiem xa hoi", "vneid", "dinh danh dien tu"),
    # before "telecom": "viettel money" is a wallet, "viettel" alone a network
    "ecommerce": (
        "shopee",
        "lazada",
        "tiki",
        "tiktok shop",
        "momo",
        "vi momo",
        "zalopay",
        "zalo pay",
        "viettelpay",
        "viettel pay",
        "viettel money",
        "vnpay",
        "vnpay qr",
        "shopeepay",
        "shopee pay",
    ),
    "telecom": ("viettel", "vinaphone", "mobifone", "nha mang", "sim cua ban", "khoa sim"),
}

LURES: dict[str, tuple[str, ...]] = {
    "prize": (
        "trung thuong",
        "giai thuong",
        "qua tang",
        "tri an khach hang",
        "nhan qua",
        "quay so",
        "may man",
        "iphone",
        "xe sh",
        "phan thuong",
    ),
    "easy_job": (
        "viec nhe luong cao",
        "viec lam tai nha",
        "cong tac vien",
        "ctv",
        "hoa hong",
        "thu nhap",
        "tuyen dung",
        "luong cao",
        "viec nhe",
        "kiem tien online",
    ),
    "task_scam": (
        "lam nhiem vu",
        "nhiem vu",
        "nap tien",
        "don ao",
        "tha tim",
        "like tiktok",
        "chot don",
        "hoan tien",
    ),
    "loan": (
        "vay tien",
        "vay von",
        "giai ngan",
        "lai suat",
        "khong can the chap",
        "vay nhanh",
        "ho tro vay",
        "khoan vay",
        "no xau",
        "vay online",
    ),
    "charity": ("tu thien", "ung ho", "quyen gop", "keu goi", "hoan canh kho khan"),
    "account_threat": (
        "khoa tai khoan",
        "bi khoa",
        "tam khoa",
        "xac minh",
        "cap nhat thong tin",
        "ma otp",
        "otp",
        "kich hoat",
        "dang nhap",
        "het han",
        "dinh chi",
    ),
    "investment": (
        "dau tu",
        "loi nhuan",
        "san giao dich",
        "tien ao",
        "forex",
        "coin",
        "chung khoan",
    ),
    "urgency": ("ngay lap tuc", "khan cap", "trong vong 24", "truoc 17h", "gap", "lien he ngay"),
}

# A way for the victim to act or reach the sender: a scam needs one (besides phone numbers,
# accounts and links, which are found above).
CONTACTS: dict[str, tuple[str, ...]] = {
    "message": (
        "zalo", "telegram", "inbox", "ib", "nhan tin", "ket ban", "kb", "messenger", "whatsapp",
        "nt", "ibx",
    ),
    "call": ("goi ngay", "goi den", "goi cho", "lien he", "lh", "hotline", "soan tin", "tong dai"),
    "visit": (
        "truy cap", "bam vao", "nhan vao", "click", "dang nhap", "cai dat", "tai app",
        "tai ung dung", "quet ma", "ma qr", "dien thong tin", "cung cap thong tin",
        "xac thuc", "cap nhat thong tin", "link",
    ),
    "pay": (
        "chuyen khoan", "nap tien", "nap", "chuyen tien", "dong phi", "phi ho so", "dat coc",
        "thanh toan phi", "phi van chuyen",
    ),
}  # fmt: skip

# Words that frame a text as *about* harm: warnings, reporting, denials, education.
FRAMES: dict[str, tuple[str, ...]] = {
    "warning": (
        "canh bao",
        "khuyen cao",
        "thu doan",
        "gia danh",
        "mao danh",
        "de nghi nguoi dan",
        "khong cung cap",
        "nang cao canh giac",
        "tinh trang lua dao",
        "chieu tro",
        "to giac",
        "trinh bao",
        "khong lam theo",
        "khong chuyen tien",
        "de phong",
        "canh giac",
        "bi lua",
        "nan nhan",
    ),
    "denial": (
        "bac bo",
        "tin don",
        "sai su that",
        "khong dung su that",
        "khong co chuyen",
        "tin gia",
        "thong tin sai lech",
        "dinh chinh",
        "xu phat",
        "da xu ly",
        "xac minh la",
        "khong chinh xac",
        "bia dat",
        "khang dinh khong",
    ),
    "reporting": (
        "theo bao",
        "phong vien",
        "cho biet",
        "thong tin tu",
        "nghien cuu",
        "bao cao",
        "chuyen gia",
        "hoi thao",
        "tong ket",
        "phat ngon vien",
        "bai viet",
        "thong ke",
        "ngon tu thu ghet",
        "phat ngon thu ghet",
        "binh luan tieu cuc",
        "bao luc mang",
        "khoi to",
        "bat giu",
        "tam giu",
        "dieu tra",
        "xet xu",
        "tuyen an",
    ),
}


def trie_pattern(words: list[str]) -> str:
    """An alternation of `words` factored by common prefixes, longest match first.

    Python's `re` tries every alternative at every position; a trie tries one branch per
    character, which makes the phrase tables about three times faster to scan.
    """
    trie: dict[str, dict[str, Any]] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict[str, Any]]) -> str:
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = "(?:" + "|".join(alts) + ")"
        return body + "?" if "" in node else body

    return emit(trie)


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _conflicts(groups: tuple[tuple[str, tuple[str, ...]], ...]) -> bool:
    """Whether a later group lists a phrase that an earlier group's phrase starts (or is)."""
    seen: list[str] = []
    for _key, words in groups:
        for word in words:
            for w in seen:
                # an earlier phrase that ends where a non-word character follows in `word`
                if word.startswith(w) and (len(word) == len(w) or not _is_word(word[len(w)])):
                    return True
        seen.extend(words)
    return False


@lru_cache(maxsize=8)
def _phrases(
    groups: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[re.Pattern[str], dict[str, str] | None]:
    """One pattern for a phrase table, and phrase -> key when the pattern is a trie.

    At a position the longest phrase wins. When the table is such that the first group
    listing a match could differ from the longest phrase's group, one named group per key
    is used instead (same answers, slower).
    """
    if not _conflicts(groups):
        key_of = {w: key for key, words in reversed(groups) for w in words}
        return re.compile(rf"(?<!\w){trie_pattern(list(key_of))}(?!\w)"), key_of
    parts = []
    for key, words in groups:
        alt = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
        parts.append(f"(?P<{key}>(?<!\\w)(?:{alt})(?!\\w))")
    return re.compile("|".join(parts)), None


_COMPILED: dict[int, tuple[re.Pattern[str], dict[str, str] | None]] = {}


def _hits(folded: str, table: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    compiled = _COMPILED.get(id(table))
    if compiled is None:
        compiled = _COMPILED[id(table)] = _phrases(tuple(table.items()))
    pattern, key_of = compiled
    for m in pattern.finditer(folded):
        phrase = m.group(0)
        key = key_of[phrase] if key_of is not None else m.lastgroup or ""
        if phrase not in found.setdefault(key, []):
            found[key].append(phrase)
    return found


@dataclass(frozen=True)
class Evidence:
    """What the rules found; each list holds text as it appears in the input."""

    phones: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    amounts: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    lures: tuple[str, ...] = ()
    frames: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()  # kinds of call to action (CONTACTS keys)

    @property
    def reachable(self) -> bool:
        """Whether the text gives a way to reach the sender or act: phone, account, link,
        domain, or a call to action ("nhắn zalo", "truy cập", "chuyển khoản")."""
        return bool(self.phones or self.accounts or self.links or self.domains or self.contacts)

    def to_dict(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self.__dict__.items() if v}


def _trim(item: str) -> str:
    """Without the punctuation around it; a bracket stays when it has its pair ("(028) 3822")."""
    while True:
        item = item.strip(" .,;:[]")
        if item.startswith("(") and ")" not in item:
            item = item[1:]
        elif item.endswith(")") and "(" not in item:
            item = item[:-1]
        else:
            return item


def _unique(items: list[str], limit: int = 10) -> tuple[str, ...]:
    seen: list[str] = []
    for item in items:
        item = _trim(item)
        if item and item not in seen:
            seen.append(item)
    return tuple(seen[:limit])


def _amount(m: re.Match[str], span: Callable[[int, int], str], plain: bool) -> str:
    """The amount `m` found (in the folded text), as written (`span` maps folded positions
    to the text); "" when its unit is another word ("2017 Ngân"). `plain`: the text carries
    no diacritics at all."""
    for group in ("u1", "u2", "u3"):
        unit = m.group(group)
        if unit is None or unit not in _UNIT_WORDS:
            continue
        written = span(m.start(group), m.end(group)).lower()
        # "ngan" may be ngàn only where nothing carries diacritics
        if written == _UNIT_WORDS[unit] or (written == unit and plain):
            break
        # a grouped number stays an amount without its unit ("20.000 D"); "5 cú" is none
        return span(m.start(), m.start(group)).rstrip() if group == "u1" else ""
    return span(m.start(), m.end())


def extract_evidence(text: str) -> Evidence:
    """Contacts, links, amounts, organisations, lures and frames found in `text`."""
    nfc = unicodedata.normalize("NFC", text)
    folded, where = fold_mapped(nfc)

    def span(start: int, end: int) -> str:
        """The text as written behind folded[start:end] (with its marks)."""
        if where is None:
            return nfc[start:end]
        if start >= end:
            return ""
        last = where[end - 1] + 1
        while last < len(nfc) and unicodedata.combining(nfc[last]):
            last += 1
        return nfc[where[start] : last]

    def raw(m: re.Match[str], group: int = 0) -> str:
        return span(m.start(group), m.end(group))

    plain = nfc.lower() == folded

    # Most texts hold no long number and no link: the patterns that need one are not run on
    # them (each needs what its check below looks for; see `_SEVEN_DIGITS`).
    numbers_here = "<num>" in folded or "<phone>" in folded or _SEVEN_DIGITS.search(folded)
    account_spans = [
        (m.start(g), m.end(g))
        for m in (_ACCOUNT.finditer(folded) if numbers_here else ())
        for g in (1, 2, 3)
        if m.group(g)
    ]
    accounts = [span(a, b) for a, b in account_spans]
    phone_matches = [
        m
        for m in (_PHONE.finditer(folded) if numbers_here else ())
        if not any(a <= m.start() < b for a, b in account_spans)
    ]
    phones = [raw(m) for m in phone_matches]
    link_matches = list(_SHORT.finditer(folded)) if "/" in folded else []
    links = [raw(m) for m in link_matches]
    host_matches = [
        *(_DOMAIN.finditer(folded) if _DOT_LETTER.search(folded) else ()),
        *(_URL_HOST.finditer(folded) if "://" in folded else ()),
    ]
    domains = [
        m.group(1)
        for m in host_matches
        if not any(k.start() <= m.start(1) < k.end() for k in link_matches)
    ]
    numbers = account_spans + [m.span() for m in phone_matches]
    amounts = [
        amount
        for m in (_MONEY.finditer(folded) if _DIGIT.search(folded) else ())
        if not any(a <= m.start() < b for a, b in numbers) and (amount := _amount(m, span, plain))
    ]
    orgs = _hits(folded, ORGANISATIONS)
    lures = _hits(folded, LURES)
    frames = _hits(folded, FRAMES)
    contacts = _hits(folded, CONTACTS)
    return Evidence(
        phones=_unique(phones),
        accounts=_unique(accounts),
        links=_unique(links),
        domains=_unique(domains),
        amounts=_unique(amounts),
        organisations=tuple(orgs),
        lures=tuple(lures),
        frames=tuple(frames),
        contacts=tuple(contacts),
    )


def frame_of(text: str) -> dict[str, int]:
    """How many warning / denial / reporting phrases the text holds.

    Texts up to 2,000 characters are remembered: the cues of several models and the
    explanation of each flagged result ask for the same post in turn.
    """
    return dict(_frames(text) if len(text) <= 2_000 else _count_frames(text))


def _count_frames(text: str) -> tuple[tuple[str, int], ...]:
    folded, _ = fold_mapped(unicodedata.normalize("NFC", text))
    return tuple((k, len(v)) for k, v in _hits(folded, FRAMES).items())


_frames = lru_cache(maxsize=4096)(_count_frames)
