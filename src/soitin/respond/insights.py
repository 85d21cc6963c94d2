"""Import the insights exports of Facebook, YouTube Studio and TikTok as reach snapshots.

No scraping: a person downloads the export from the platform's own analytics page and gives
the file here (CSV, or the ZIP that YouTube Studio produces). Each row becomes, or updates, one
of the unit's publications (matched by the platform's post id, else by link) and adds a reach
snapshot (views, reactions, comments, shares) at the import time.

The platforms rename their columns from time to time and translate them into the interface
language; `COLUMNS` lists the names recognised (compared without case or diacritics), and
`column_overrides` maps a field to any other header. docs/insights-import.md documents both.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Literal

from charset_normalizer import from_bytes
from sqlalchemy.orm import Session

from soitin.db.models import User
from soitin.db.types import utcnow
from soitin.errors import InvalidInputError
from soitin.respond.publications import (
    PublicationInput,
    SnapshotInput,
    add_snapshot,
    create_publication,
    find_publication,
)
from soitin.review import audit
from soitin.review.accounts import descendant_unit_ids
from soitin.text.fold import fold_diacritics

__all__ = [
    "COLUMNS",
    "FIELDS",
    "PLATFORMS",
    "ImportResult",
    "import_insights",
    "parse_count",
    "parse_export_time",
    "read_table",
]

Platform = Literal["facebook", "youtube", "tiktok"]
PLATFORMS: tuple[Platform, ...] = ("facebook", "youtube", "tiktok")
FIELDS = ("external_id", "url", "title", "published_at", "views", "reactions", "comments", "shares")
METRICS = ("views", "reactions", "comments", "shares")

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000

#: Header names recognised per platform and field, first match wins (English exports first,
#: then the Vietnamese interface). Compared case- and diacritic-insensitively.
COLUMNS: dict[Platform, dict[str, tuple[str, ...]]] = {
    "facebook": {
        "external_id": ("Post ID", "ID bài viết"),
        "url": ("Permalink", "Liên kết cố định"),
        "title": ("Title", "Description", "Post Message", "Tiêu đề", "Mô tả"),
        "published_at": ("Publish time", "Posted", "Thời gian đăng", "Thời gian xuất bản"),
        "views": (
            "Views",
            "Impressions",
            "Lifetime Post Total Impressions",
            "Lượt xem",
            "Lượt hiển thị",
        ),
        "reactions": ("Reactions", "Likes", "Lượt bày tỏ cảm xúc", "Cảm xúc", "Lượt thích"),
        "comments": ("Comments", "Bình luận", "Lượt bình luận"),
        "shares": ("Shares", "Lượt chia sẻ", "Chia sẻ"),
    },
    "youtube": {
        "external_id": ("Content", "Video", "Nội dung"),
        "url": ("Video URL", "URL"),
        "title": ("Video title", "Tiêu đề video"),
        "published_at": ("Video publish time", "Publish time", "Thời gian xuất bản video"),
        "views": ("Views", "Lượt xem"),
        "reactions": ("Likes", "Lượt thích"),
        "comments": ("Comments added", "Comments", "Bình luận đã thêm", "Bình luận"),
        "shares": ("Shares", "Lượt chia sẻ", "Chia sẻ"),
    },
    "tiktok": {
        "external_id": ("Video ID", "Post ID", "ID video"),
        "url": ("Video link", "Link", "Liên kết video"),
        "title": ("Video title", "Title", "Caption", "Description", "Tiêu đề video", "Mô tả"),
        "published_at": (
            "Post time",
            "Posted on",
            "Date posted",
            "Create time",
            "Video create time",
            "Thời gian đăng",
        ),
        "views": ("Video views", "Total views", "Views", "Lượt xem video", "Lượt xem"),
        "reactions": ("Likes", "Total likes", "Lượt thích"),
        "comments": ("Comments", "Total comments", "Bình luận"),
        "shares": ("Shares", "Total shares", "Lượt chia sẻ", "Chia sẻ"),
    },
}

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_GROUPED = re.compile(r"^\d{1,3}([.,\u00a0 ]\d{3})+$")
_SUFFIX = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


@dataclass
class ImportResult:
    """What an import did."""

    rows: int = 0
    created: int = 0
    matched: int = 0
    snapshots: int = 0
    unchanged: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "rows": self.rows,
            "created": self.created,
            "matched": self.matched,
            "snapshots": self.snapshots,
            "unchanged": self.unchanged,
            "skipped": [{"line": line, "reason": reason} for line, reason in self.skipped],
        }


def _norm(header: str) -> str:
    return " ".join(fold_diacritics(header.strip().strip("\ufeff").strip('"')).split())


def parse_count(value: str) -> int:
    """A whole count from an export cell: `1,234`, `1.234`, `1 234`, `1.2K`, `3M`, empty = 0."""
    text = (value or "").strip().replace("\u00a0", " ")
    if text in ("", "-", "--", "—"):
        return 0
    suffix = _SUFFIX.get(text[-1].lower())
    if suffix is not None:
        number = text[:-1].strip().replace(",", ".")
        try:
            return round(float(number) * suffix)
        except ValueError:
            raise ValueError(f"not a count: {value!r}") from None
    if _GROUPED.match(text):
        return int(re.sub(r"\D", "", text))
    if text.isdigit():
        return int(text)
    try:
        number_value = float(text.replace(",", "."))
    except ValueError:
        raise ValueError(f"not a count: {value!r}") from None
    if number_value < 0:
        raise ValueError(f"negative count: {value!r}")
    return round(number_value)


_NUMERIC_DATE = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$"
)
_WORD_FORMATS = (
    "%b %d, %Y",
    "%b %d, %Y %H:%M",
    "%b %d, %Y %I:%M %p",
    "%B %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
)


def _numeric_parts(text: str) -> tuple[int, int] | None:
    match = _NUMERIC_DATE.match(text.strip())
    return (int(match[1]), int(match[2])) if match else None


def guess_day_first(values: list[str], default: bool) -> bool:
    """True when the file writes dd/mm (a first number above 12 proves it), else mm/dd."""
    for value in values:
        parts = _numeric_parts(value)
        if parts is None:
            continue
        if parts[0] > 12:
            return True
        if parts[1] > 12:
            return False
    return default


def parse_export_time(value: str, *, day_first: bool, tz: tzinfo) -> datetime:
    """A UTC datetime from the date forms the exports use; naive times are in `tz`."""
    text = value.strip()
    if not text:
        raise ValueError("empty time")
    match = _NUMERIC_DATE.match(text)
    if match:
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        day, month = (first, second) if day_first else (second, first)
        hour = int(match[4] or 0)
        minute = int(match[5] or 0)
        second_of_minute = int(match[6] or 0)
        meridiem = (match[7] or "").lower()
        if meridiem == "pm" and hour < 12:
            hour += 12
        elif meridiem == "am" and hour == 12:
            hour = 0
        local = datetime(year, month, day, hour, minute, second_of_minute, tzinfo=tz)
        return local.astimezone(UTC)
    parsed = _parse_iso_or_words(text)
    if parsed is None:
        raise ValueError(f"unknown time format: {value!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def _parse_iso_or_words(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for fmt in _WORD_FORMATS:
        try:
            return datetime.strptime(text, fmt)  # noqa: DTZ007 - the caller adds the zone
        except ValueError:
            continue
    return None


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise InvalidInputError(key="insights.encoding") from None
        return str(best)


def _unzip(data: bytes) -> bytes:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InvalidInputError(key="insights.bad_zip") from exc
    members = [m for m in archive.infolist() if m.filename.lower().endswith(".csv")]
    if not members:
        raise InvalidInputError(key="insights.zip_no_csv")
    # YouTube Studio puts the per-video rows in "Table data.csv" beside chart and total files.
    members.sort(key=lambda m: (not m.filename.lower().endswith("table data.csv"), m.filename))
    member = members[0]
    if member.file_size > MAX_FILE_BYTES:
        raise InvalidInputError(key="insights.zip_table_too_large")
    return archive.read(member)


def _delimiter(text: str) -> str:
    """The separator of the header: the one of `,` `;` tab most used on one of the first lines
    (exports put a title line above the header at times, and Vietnamese Excel writes `;`)."""
    best, best_count = ",", 0
    for line in text.splitlines()[:10]:
        for candidate in (",", ";", "\t"):
            count = line.count(candidate)
            if count > best_count:
                best, best_count = candidate, count
    return best


def read_table(data: bytes) -> list[list[str]]:
    """The rows of a CSV export (or of the CSV table inside a ZIP export)."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInputError(key="input.file_too_large")
    if data.startswith(b"PK\x03\x04"):
        data = _unzip(data)
    text = _decode(data)
    rows = list(csv.reader(io.StringIO(text), delimiter=_delimiter(text)))
    if len(rows) > MAX_ROWS + 10:
        raise InvalidInputError(key="insights.too_many_rows", limit=MAX_ROWS)
    return rows


def _header_map(
    header: list[str], platform: Platform, overrides: Mapping[str, str]
) -> dict[str, int]:
    positions = {_norm(name): i for i, name in reversed(list(enumerate(header)))}
    found: dict[str, int] = {}
    for name in FIELDS:
        wanted = [overrides[name]] if name in overrides else list(COLUMNS[platform][name])
        for candidate in wanted:
            index = positions.get(_norm(candidate))
            if index is not None:
                found[name] = index
                break
    return found


def _locate_header(
    rows: list[list[str]], platform: Platform, overrides: Mapping[str, str]
) -> tuple[int, dict[str, int]]:
    """Some exports put a title line or a date range above the header: look at ten lines."""
    for index, row in enumerate(rows[:10]):
        columns = _header_map(row, platform, overrides)
        has_key = "external_id" in columns or "url" in columns
        if has_key and any(m in columns for m in METRICS):
            return index, columns
    raise InvalidInputError(key="insights.no_header", platform=platform)


def import_insights(
    session: Session,
    data: bytes,
    *,
    platform: str,
    unit_id: int,
    actor: User | None = None,
    at: datetime | None = None,
    day_first: bool | None = None,
    tz: tzinfo = UTC,
    column_overrides: Mapping[str, str] | None = None,
) -> ImportResult:
    """Import one insights export for `unit_id`; returns counts and the rows skipped (why).

    `at` is the moment the figures describe (default: now). `day_first` says how numeric
    dates are written (default: guessed from the file, else month first as in the English
    exports). Times without a zone are read in `tz`.
    """
    if platform not in PLATFORMS:
        raise InvalidInputError(
            key="insights.unknown_platform", value=platform, known=", ".join(PLATFORMS)
        )
    chosen: Platform = platform
    overrides = dict(column_overrides or {})
    unknown = [name for name in overrides if name not in FIELDS]
    if unknown:
        raise InvalidInputError(
            key="insights.unknown_field", value=unknown[0], known=", ".join(FIELDS)
        )
    rows = read_table(data)
    start, columns = _locate_header(rows, chosen, overrides)
    body = [(start + 2 + i, row) for i, row in enumerate(rows[start + 1 :])]

    header = [_norm(h) for h in rows[start]]
    wanted_titles = [overrides["title"]] if "title" in overrides else list(COLUMNS[chosen]["title"])
    title_columns = [header.index(_norm(n)) for n in wanted_titles if _norm(n) in header]

    def cell(row: list[str], name: str) -> str:
        if name == "title":
            # Posts without a title carry their text in the description (Facebook).
            texts = (row[i].strip() for i in title_columns if i < len(row))
            return next((t for t in texts if t), "")
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    if day_first is None:
        day_first = guess_day_first([cell(r, "published_at") for _, r in body], default=False)
    snapshot_at = at or utcnow()
    scope = descendant_unit_ids(session, unit_id)
    result = ImportResult()
    for line, row in body:
        if not any(c.strip() for c in row):
            continue
        external_id = cell(row, "external_id")
        if external_id.lower() in ("total", "tổng", "tong", "tổng cộng"):
            continue  # YouTube Studio's first row sums the table
        result.rows += 1
        try:
            figures = {m: parse_count(cell(row, m)) for m in METRICS}
        except ValueError as exc:
            result.skipped.append((line, str(exc)))
            continue
        url = cell(row, "url") or None
        if url is None and chosen == "youtube" and _YOUTUBE_ID.match(external_id):
            url = f"https://www.youtube.com/watch?v={external_id}"
        if url is not None and not url.startswith(("http://", "https://")):
            url = None
        if not external_id and not url:
            result.skipped.append((line, "no post id or link"))
            continue
        publication = find_publication(
            session, channel=chosen, external_id=external_id or None, url=url, unit_ids=scope
        )
        if publication is None:
            raw_time = cell(row, "published_at")
            try:
                published_at = parse_export_time(raw_time, day_first=day_first, tz=tz)
            except ValueError as exc:
                result.skipped.append((line, f"publish time: {exc}"))
                continue
            title = cell(row, "title")[:1000] or external_id or (url or "")
            try:
                publication = create_publication(
                    session,
                    PublicationInput(
                        unit_id=unit_id,
                        channel=chosen,
                        title=title,
                        url=url,
                        published_at=min(published_at, snapshot_at),
                        external_id=external_id[:255] or None,
                    ),
                    actor=actor,
                )
            except InvalidInputError as exc:
                result.skipped.append((line, str(exc)))
                continue
            result.created += 1
        else:
            result.matched += 1
        snapshot = add_snapshot(
            session, publication, SnapshotInput(at=snapshot_at, **figures), source="import"
        )
        if snapshot is None:
            result.unchanged += 1
        else:
            result.snapshots += 1
    audit.record(
        session,
        "publication.import",
        actor=actor,
        object_type="unit",
        object_id=unit_id,
        platform=chosen,
        rows=result.rows,
        created=result.created,
        snapshots=result.snapshots,
        skipped=len(result.skipped),
    )
    session.flush()
    return result
