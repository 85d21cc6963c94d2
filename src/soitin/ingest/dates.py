"""Published times as feeds and exports write them: ISO 8601, RFC 822, and Vietnamese forms.

Vietnamese sites write the day first (`12/05/2025 08:30`), often with a weekday
(`Thứ hai, 12/5/2025, 08:30 (GMT+7)`) or in words (`ngày 12 tháng 5 năm 2025`), and use
`SA`/`CH` (sáng/chiều) for AM/PM. Feeds also write English month names (`12 May 2025`,
`May 12, 2025`). Times without a zone are local Vietnamese time. An impossible date
(`30/02/2025`) is an error, never rolled over into another day.

Plausibility: a year outside 1970..2100 is refused, and a bare number is an epoch time only
as seconds (10 digits) or milliseconds (13 digits) from 1_000_000_000 (09/09/2001) to before
2_000_000_000 (18/05/2033), so `2025051208` or `11111111` are not read as dates.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

__all__ = ["VIETNAM_TZ", "parse_datetime"]

VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)")
_YMD = re.compile(r"(?<!\d)(\d{4})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?!\d)")
_WORDS = re.compile(
    r"(?<!\d)(\d{1,2})\s+tháng\s+(\d{1,2})\s*(?:,|năm)?\s*(\d{4})(?!\d)", re.IGNORECASE
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = rf"({'|'.join(_MONTHS)})[a-z]*\.?"
# English month names, as feeds write dates without a time: "12 May 2025", "May 12, 2025".
_DAY_MONTH = re.compile(rf"(?<!\w)(\d{{1,2}})[\s\-]+{_MONTH}[\s\-,]+(\d{{4}})(?!\d)", re.I)
_MONTH_DAY = re.compile(rf"(?<!\w){_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.I)
_TIME = re.compile(
    r"(?<!\d)(\d{1,2})\s*(?::|h|g|giờ)\s*(\d{2})(?:\s*:\s*(\d{2}))?(?:\s*(SA|CH|AM|PM)\b)?",
    re.IGNORECASE,
)
_ZONE = re.compile(r"(?:GMT|UTC)\s*(?:([+-])\s*(\d{1,2})(?::?(\d{2}))?)?", re.IGNORECASE)
_OFFSET = re.compile(r"\s*([+-])(\d{2}):?(\d{2})(?!\d)")
_EPOCH = re.compile(r"^(?:\d{10}|\d{13})(?:\.\d+)?$")
#: Years a published time may have; others are typos or placeholders (0001-01-01).
FIRST_YEAR, LAST_YEAR = 1970, 2100
#: Epoch seconds accepted (10 digits: 09/09/2001 up to 18/05/2033); milliseconds are x 1000.
EPOCH_SECONDS = (1_000_000_000, 2_000_000_000)
_EPOCH_RULE = (
    "an epoch time is 10-digit seconds or 13-digit milliseconds between 1000000000 (2001) "
    "and 2000000000 (2033)"
)


def parse_datetime(value: object, default_tz: tzinfo = VIETNAM_TZ) -> datetime | None:
    """A timezone-aware UTC datetime from `value`, None for empty values.

    Accepts datetimes, epoch seconds (or milliseconds), ISO 8601, RFC 822 and the Vietnamese
    forms above, within the plausible range above; raises `ValueError` with a short reason
    for anything else.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, bool):
        raise ValueError("a date is expected, not true/false")
    elif isinstance(value, int | float):
        moment = _from_epoch(value, _short(str(value)))
    elif isinstance(value, str):
        text = " ".join(value.split())
        if not text:
            return None
        try:
            moment = _parse_text(text, default_tz)
        except OverflowError:  # a year past any C integer ("Mon, 01 Jan 99999999999999999999")
            raise ValueError(f"{_short(text)} is not a date: the year is out of range") from None
    else:
        raise ValueError(f"a date is expected, not {type(value).__name__}")
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        shown = _short(value) if isinstance(value, str) else moment.date().isoformat()
        raise ValueError(
            f"{shown} is not a date: the year must be between {FIRST_YEAR} and {LAST_YEAR}"
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=default_tz)
    return moment.astimezone(UTC)


def _from_epoch(number: float, shown: str) -> datetime:
    # Compared before any float conversion: float(10**400) itself would overflow.
    low, high = EPOCH_SECONDS
    # Milliseconds, as JavaScript exports write them.
    seconds = number / 1000 if low * 1000 <= number < high * 1000 else number
    if not low <= seconds < high:
        raise ValueError(f"{shown} is not a date: {_EPOCH_RULE}")
    return datetime.fromtimestamp(seconds, UTC)


def _parse_text(text: str, default_tz: tzinfo) -> datetime:
    if _EPOCH.match(text):
        return _from_epoch(float(text), _short(text))
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        pass
    if re.search(r"[A-Za-z]{3}", text) and not re.search("tháng", text, re.IGNORECASE):
        try:
            return parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            pass
    return _parse_vietnamese(text, default_tz)


def _parse_vietnamese(text: str, default_tz: tzinfo) -> datetime:
    rest = text
    found = _DMY.search(rest) or _WORDS.search(rest)
    if found:
        day, month, year = (int(g) for g in found.groups())
    elif found := _DAY_MONTH.search(rest):
        day, month, year = int(found[1]), _month_number(found[2]), int(found[3])
    elif found := _MONTH_DAY.search(rest):
        day, month, year = int(found[2]), _month_number(found[1]), int(found[3])
    else:
        found = _YMD.search(rest)
        if not found:
            raise ValueError(
                f"{_short(text)} is not a date (use ISO 8601, e.g. 2025-05-12T08:30:00+07:00, "
                "or dd/mm/yyyy hh:mm)"
            )
        year, month, day = (int(g) for g in found.groups())
    rest = rest[: found.start()] + " " + rest[found.end() :]

    zone: tzinfo = default_tz
    zone_match = _ZONE.search(rest)
    if zone_match:
        sign, hours, minutes = zone_match.groups()
        zone = _fixed_zone(sign, hours, minutes) if sign else UTC
        rest = rest[: zone_match.start()] + " " + rest[zone_match.end() :]

    hour = minute = second = 0
    clock = _TIME.search(rest)
    if clock:
        hour, minute = int(clock.group(1)), int(clock.group(2))
        second = int(clock.group(3) or 0)
        meridiem = (clock.group(4) or "").upper()
        if meridiem in {"CH", "PM"} and hour < 12:
            hour += 12
        elif meridiem in {"SA", "AM"} and hour == 12:
            hour = 0
        # A numeric offset counts only right after the clock time (08:30+07:00).
        offset = _OFFSET.match(rest, clock.end())
        if offset and not zone_match:
            zone = _fixed_zone(offset.group(1), offset.group(2), offset.group(3))
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError as exc:
        raise ValueError(f"{_short(text)} is not a valid date: {exc}") from exc


def _month_number(name: str) -> int:
    return _MONTHS.index(name[:3].lower()) + 1


def _fixed_zone(sign: str, hours: str, minutes: str | None) -> timezone:
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if delta >= timedelta(hours=15):
        raise ValueError(f"time zone offset {sign}{hours} is out of range")
    return timezone(-delta if sign == "-" else delta)


def _short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")
