"""`IncomingItem`: one item as any ingester hands it over, validated, before it is stored.

Every ingester (feeds, files, push API, tips, the demo loader) builds these; `store_items`
stores them. The author handle travels only this far: it is replaced by a keyed hash on store.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from soitin.ingest.dates import parse_datetime
from soitin.text.wellformed import well_formed, well_formed_data

__all__ = [
    "FIELDS",
    "MAX_TEXT_CHARS",
    "MAX_TITLE_CHARS",
    "MAX_URL_CHARS",
    "IncomingItem",
    "RowError",
    "clean_text",
    "describe_validation_error",
    "parse_count",
]

#: Longest text accepted for one item (characters); longer items are refused, not cut.
MAX_TEXT_CHARS = 100_000
MAX_TITLE_CHARS = 2_000
MAX_URL_CHARS = 2_048
MAX_EXTERNAL_ID_CHARS = 512
MAX_AUTHOR_CHARS = 512

# C0/C1 control characters except tab, newline and carriage return; PostgreSQL refuses NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Characters no host name may hold (a space in "ex ample.vn", quotes, angle brackets, ...).
_BAD_HOST = re.compile(r"[\s\"'<>\\^`{|}]")
_COUNT = re.compile(
    r"^\s*(\d+(?:[.,\s]\d+)*)\s*(k|n|nghìn|ngàn|m|tr|triệu|b|tỷ|tỉ)?\.?\s*$", re.IGNORECASE
)
_MULTIPLIERS = {
    "k": 1_000,
    "n": 1_000,
    "nghìn": 1_000,
    "ngàn": 1_000,
    "m": 1_000_000,
    "tr": 1_000_000,
    "triệu": 1_000_000,
    "b": 1_000_000_000,
    "tỷ": 1_000_000_000,
    "tỉ": 1_000_000_000,
}
MAX_COUNT = 2**31 - 1
#: A written count longer than this (separators included) is refused unread: Python itself
#: refuses to convert more than 4,300 digits, and no real count comes near either limit.
MAX_COUNT_DIGITS = 1000


@dataclass(frozen=True)
class RowError:
    """A row (file line, feed entry, batch index) that was refused, and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.line}: {self.reason}"


def clean_text(value: str) -> str:
    """Well-formed NFC (lone surrogates → U+FFFD), without control characters (tabs and line
    breaks stay)."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", well_formed(value)))


def _optional_text(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        value = clean_text(value).strip()
        return value or None
    return value


def _one_line(value: Any) -> Any:
    value = _optional_text(value)
    return " ".join(value.split()) if isinstance(value, str) else value


def _url(value: Any) -> Any:
    value = _one_line(value)
    if not isinstance(value, str):
        return value
    if len(value) > MAX_URL_CHARS:
        raise ValueError(f"the URL is longer than {MAX_URL_CHARS} characters")
    try:
        parts = urlsplit(value)
    except ValueError as exc:  # "http://[::1": an unclosed IPv6 bracket
        raise ValueError(f"{value[:80]!r} is not a valid URL ({exc})") from None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"{value[:80]!r} is not an absolute http(s) URL")
    host = parts.hostname or ""
    if not host or _BAD_HOST.search(host):
        raise ValueError(f"{value[:80]!r} has no valid host name")
    try:
        port = parts.port  # raises for a port out of 0..65535 or not digits
    except ValueError:
        port = 0
    if port == 0:
        raise ValueError(f"{value[:80]!r} has an invalid port (use 1 to 65535)")
    return value


def _language(value: Any) -> Any:
    value = _one_line(value)
    return "vi" if value is None else value


def _when(value: Any) -> datetime | None:
    # not parse_datetime itself: pydantic would pass its ValidationInfo as `default_tz`
    return parse_datetime(value)


def parse_count(value: Any) -> int:
    """An engagement count from `1234`, `"1.234"`, `"1,2K"`, `"3 N"`, `"1,5 triệu"`; empty → 0."""
    if value is None:
        return 0
    if isinstance(value, bool):
        raise ValueError("a count is expected, not true/false")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value or value in {float("inf"), float("-inf")}:
            raise ValueError("a count must be a finite number")
        number = int(value)
    elif isinstance(value, str):
        if not value.strip():
            return 0
        found = _COUNT.match(value)
        if not found:
            raise ValueError(f"{value[:40]!r} is not a count")
        digits, suffix = found.groups()
        if len(digits) > MAX_COUNT_DIGITS:
            raise ValueError(f"{value[:40]!r} has too many digits to be a count")
        if suffix:
            # With a suffix the separator is a decimal mark: "1,2K" = 1200.
            scaled = float(re.sub(r"[.,]", ".", digits.replace(" ", "")))
            scaled *= _MULTIPLIERS[suffix.lower()]
            if not math.isfinite(scaled):
                raise ValueError(f"{value[:40]!r} is not a plausible count")
            number = int(scaled)
        else:
            # Without one it groups thousands: "1.234" = "1,234" = 1234.
            number = int(re.sub(r"[.,\s]", "", digits))
    else:
        raise ValueError(f"a count is expected, not {type(value).__name__}")
    if number < 0:
        raise ValueError("a count cannot be negative")
    return min(number, MAX_COUNT)


def _bounded(limit: int, *, one_line: bool) -> BeforeValidator:
    def check(value: Any) -> Any:
        value = _one_line(value) if one_line else _optional_text(value)
        if isinstance(value, str) and len(value) > limit:
            raise ValueError(f"{len(value):,} characters long; the limit is {limit:,}")
        return value

    return BeforeValidator(check)


Count = Annotated[int, BeforeValidator(parse_count)]


class IncomingItem(BaseModel):
    """One item to store. At least one of `text`, `title` or `url` must be given."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _well_formed(cls, data: Any) -> Any:
        # Lone surrogates (a JSON "\ud800") in any key or value become U+FFFD: UTF-8 (hashes,
        # the database, error messages) cannot encode them.
        return well_formed_data(data) if isinstance(data, dict) else data

    external_id: Annotated[str | None, _bounded(MAX_EXTERNAL_ID_CHARS, one_line=True)] = None
    text: Annotated[str | None, _bounded(MAX_TEXT_CHARS, one_line=False)] = None
    title: Annotated[str | None, _bounded(MAX_TITLE_CHARS, one_line=True)] = None
    url: Annotated[str | None, BeforeValidator(_url)] = None
    author: Annotated[str | None, _bounded(MAX_AUTHOR_CHARS, one_line=True)] = None
    platform: Annotated[str | None, _bounded(32, one_line=True)] = None
    language: Annotated[str, BeforeValidator(_language), Field(pattern=r"^[a-zA-Z-]{2,8}$")] = "vi"
    published_at: Annotated[datetime | None, BeforeValidator(_when)] = None
    likes: Count = 0
    comments: Count = 0
    shares: Count = 0
    views: Count = 0

    @model_validator(mode="after")
    def _has_content(self) -> IncomingItem:
        if not (self.text or self.title or self.url):
            raise ValueError("the item has no text, title or url")
        return self


#: The names an import file or a push may use (see docs/import-format.md).
FIELDS: tuple[str, ...] = tuple(IncomingItem.model_fields)


def describe_validation_error(exc: ValidationError, fields: Sequence[str] = FIELDS) -> list[str]:
    """One short reason per problem, e.g. `published_at: '32/13/2025' is not a valid date`.

    An unknown field is answered with the known `fields` (an item's, unless told otherwise).
    """
    reasons = []
    for error in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f"unknown field (known fields: {', '.join(fields)})"
        reasons.append(f"{where}: {message}" if where else message)
    return reasons
