"""Import JSONL and CSV exports: detect the encoding, map columns, validate rows, store batches.

A row that fails (broken CSV quoting, a line that is not JSON, a bad date, a 5 MB text) is
reported with its line number and reason; every other row is imported. Rows are stored in
batches, each batch one transaction; re-running an import after a crash or a kill stores
only what is missing, because every item is keyed (see `store.py`).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from charset_normalizer import from_bytes
from pydantic import ValidationError

from soitin.db.engine import Database
from soitin.db.models import Source
from soitin.db.types import utcnow
from soitin.errors import InvalidInputError, NotFoundError
from soitin.ingest.incoming import (
    FIELDS,
    MAX_TEXT_CHARS,
    IncomingItem,
    RowError,
    describe_validation_error,
)
from soitin.ingest.sources import record_success
from soitin.ingest.store import store_items

__all__ = [
    "ALIASES",
    "ImportFileError",
    "ImportResult",
    "detect_encoding",
    "import_file",
    "parse_mapping",
    "read_rows",
]

#: Column names understood without a mapping, besides the field names themselves.
ALIASES: Mapping[str, tuple[str, ...]] = {
    "text": ("content", "message", "body", "nội dung", "noi_dung"),
    "url": ("link", "permalink"),
    "external_id": ("id", "post_id"),
    "published_at": ("date", "created_at", "created_time"),
    "author": ("username", "user"),
    "likes": ("reactions",),
}
DEFAULT_BATCH = 1000
#: A CSV record (all its physical lines) longer than this is refused as one row, too long.
MAX_RECORD_CHARS = 2 * MAX_TEXT_CHARS + 10_000
#: How far a quoted field that is still open is followed to see whether it closes (a record
#: too long) or never does (a stray quote: its lines are read again as rows of their own).
MAX_QUOTED_SCAN_CHARS = 10 * MAX_RECORD_CHARS
MAX_REPORTED_ERRORS = 1000
#: Undecodable bytes a UTF-8 file may have and still be read as UTF-8, as a share of its
#: valid non-ASCII characters; a file in another encoding has far more bad bytes than that.
MAX_BAD_UTF8_SHARE = 0.1
_SAMPLE = 1 << 20
_UTF8_NAMES = frozenset({"utf-8", "utf-8-sig"})
# Bytes that could not be decoded, as the "surrogateescape" error handler leaves them.
_UNDECODED = re.compile("[\udc80-\udcff]")
_DELIMITER_NAMES = {"\\t": "\t", "tab": "\t"}

# The csv module refuses fields over 131,072 characters by default; a record this importer
# accepts may hold one longer field (refused later as too long, as one row with its line).
csv.field_size_limit(max(csv.field_size_limit(), MAX_QUOTED_SCAN_CHARS))


class ImportFileError(InvalidInputError):
    """The file as a whole cannot be imported (format, encoding, header, mapping)."""


@dataclass
class ImportResult:
    """What an import did: rows seen, stored, already there, and refused (with reasons)."""

    path: str
    format: str
    encoding: str
    columns: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    inserted: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)


def parse_mapping(specs: Sequence[str]) -> dict[str, str]:
    """`["text=message", "url=link"]` (or one comma-separated spec) → {field: column}."""
    mapping: dict[str, str] = {}
    for spec in specs:
        for part in spec.split(","):
            if not part.strip():
                continue
            target, sep, column = part.partition("=")
            target, column = target.strip(), column.strip()
            if not sep or not target or not column:
                raise ImportFileError(
                    f"Column mapping {part.strip()!r} must look like FIELD=COLUMN (text=message)."
                )
            if target not in FIELDS:
                raise ImportFileError(
                    f"Unknown field {target!r} in the column mapping; fields: {', '.join(FIELDS)}."
                )
            mapping[target] = column
    return mapping


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16/32 (BOM or NUL pattern), else charset detection.

    A file that is UTF-8 but for a few undecodable bytes is UTF-8: the lines holding them are
    refused on import, each with its line number.
    """
    return _detect_encoding(path)[0]


@dataclass(frozen=True)
class _Utf8Scan:
    """How a file decodes as UTF-8: its bad bytes, where the first is, and how much is good."""

    bad: int
    #: Continuation bytes of well-formed multi-byte characters (bytes minus characters).
    continuation: int
    first_offset: int
    first_line: int

    @property
    def mostly_valid(self) -> bool:
        return self.bad <= MAX_BAD_UTF8_SHARE * self.continuation


def _detect_encoding(path: Path) -> tuple[str, _Utf8Scan | None]:
    with path.open("rb") as handle:
        head = handle.read(_SAMPLE)
        for bom, name in (
            (codecs.BOM_UTF32_LE, "utf-32"),
            (codecs.BOM_UTF32_BE, "utf-32"),
            (codecs.BOM_UTF8, "utf-8-sig"),
            (codecs.BOM_UTF16_LE, "utf-16"),
            (codecs.BOM_UTF16_BE, "utf-16"),
        ):
            if head.startswith(bom):
                return name, None
        if head:
            even, odd = head[0::2], head[1::2]
            if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
                return "utf-16-le", None
            if even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
                return "utf-16-be", None
        handle.seek(0)
        scan = _scan_utf8(handle)
        if scan.mostly_valid:
            return "utf-8", scan
    best = from_bytes(head).best()
    if best is None or best.encoding is None:
        raise ImportFileError(
            f"Cannot tell the text encoding of {path.name}; give it with --encoding "
            "(e.g. utf-8, utf-16, windows-1258)."
        )
    return str(best.encoding), scan


def _scan_utf8(handle: BinaryIO) -> _Utf8Scan:
    """Decode the whole file as UTF-8: strictly (fast) up to the first bad byte, then with
    "surrogateescape" to count the bad bytes."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    counting = False
    bad = continuation = read = lines = 0
    first_offset = first_line = 0
    final = False
    while not final:
        chunk = handle.read(_SAMPLE)
        final = not chunk
        pending = decoder.getstate()[0]  # bytes of a character split between two chunks
        start = read - len(pending)  # where `text` begins in the file
        read += len(chunk)
        try:
            text = decoder.decode(chunk, final=final)
        except UnicodeDecodeError:
            decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
            counting = True
            chunk = pending + chunk
            text = decoder.decode(chunk, final=final)
        found = _UNDECODED.findall(text) if counting else []
        if found and not bad:
            index = text.index(found[0])
            first_offset = start + len(text[:index].encode("utf-8", "surrogateescape"))
            first_line = lines + text.count("\n", 0, index) + 1
        elif not bad:
            lines += text.count("\n")
        bad += len(found)
        continuation += len(chunk) - len(text)  # a bad byte is one byte and one character
    return _Utf8Scan(bad, continuation, first_offset, first_line)


def _undecoded_reason(text: str, encoding: str, where: str | None = None) -> str | None:
    """Why `text` (decoded with "surrogateescape") is refused, or None when it decoded."""
    found = _UNDECODED.search(text)
    if found is None:
        return None
    byte = ord(found.group()) - 0xDC00
    where = where or f"at column {found.start() + 1}"
    return f"not valid {encoding}: byte 0x{byte:02x} {where} cannot be decoded"


def _detect_format(path: Path, stream: TextIO) -> str:
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    if suffix in {".csv", ".tsv"}:
        return "csv"
    position = stream.tell()
    start = stream.read(4096).lstrip("\ufeff \t\r\n")
    stream.seek(position)
    return "jsonl" if start.startswith("{") else "csv"


def _norm(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).replace("\ufeff", "").split()).casefold()


def _resolve_columns(header: Sequence[str], mapping: Mapping[str, str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        positions.setdefault(_norm(name), index)
    columns: dict[str, int] = {}
    for target in FIELDS:
        if target in mapping:
            wanted = _norm(mapping[target])
            if wanted not in positions:
                raise ImportFileError(
                    f"The mapped column {mapping[target]!r} is not in the file; its columns are: "
                    f"{', '.join(header)}."
                )
            columns[target] = positions[wanted]
            continue
        for candidate in (target, *ALIASES.get(target, ())):
            if candidate in positions:
                columns[target] = positions[candidate]
                break
    if not {"text", "title", "url"} & set(columns):
        raise ImportFileError(
            "The file has none of the columns text, title or url (its columns are: "
            f"{', '.join(header)}); map one, e.g. --map text=COLUMN."
        )
    return columns


def _csv_records(
    stream: TextIO, delimiter: str, first_line: int = 1
) -> Iterator[tuple[int, list[str] | RowError]]:
    """Records with the (1-based) line they start on. Broken quoting is reported and parsing
    resumes at the next line, so one stray quote cannot swallow the rest of the file; a
    well-formed record that is too long is one refused row, its lines not read again."""
    lines = enumerate(stream, start=first_line)
    replay: deque[tuple[int, str]] = deque()

    def next_line() -> tuple[int, str] | None:
        return replay.popleft() if replay else next(lines, None)

    while (first := next_line()) is not None:
        start = first[0]
        taken = [first]
        size = len(first[1])
        outcome = (
            _parse_record(first[1], delimiter)
            if size <= MAX_QUOTED_SCAN_CHARS
            else RowError(start, _too_long(size, start, start))
        )
        while outcome is None:
            # Inside a quoted field: only a line with an odd number of quotes can close it.
            line = next_line() if size <= MAX_QUOTED_SCAN_CHARS else None
            if line is None:
                outcome = RowError(start, "a quoted field is never closed (broken CSV quoting)")
                break
            taken.append(line)
            size += len(line[1])
            if line[1].count('"') % 2 and size <= MAX_QUOTED_SCAN_CHARS:
                outcome = _parse_record("".join(text for _, text in taken), delimiter)
        if isinstance(outcome, RowError):
            reason = outcome.reason
            if len(taken) > 1 and "never closed" not in reason:
                reason = f"a quoted field opened on this line does not close properly ({reason})"
            replay.extendleft(reversed(taken[1:]))
            yield start, RowError(start, reason)
        elif size > MAX_RECORD_CHARS:
            yield start, RowError(start, _too_long(size, start, taken[-1][0]))
        else:
            for row in outcome:
                yield start, row


def _too_long(size: int, first: int, last: int) -> str:
    lines = f" (lines {first}-{last})" if last > first else ""
    return (
        f"the row is too long: {size:,} characters{lines}; the limit is {MAX_RECORD_CHARS:,}, "
        f"and {MAX_TEXT_CHARS:,} for its text"
    )


def _parse_record(text: str, delimiter: str) -> list[list[str]] | RowError | None:
    """The rows of `text`, a `RowError`, or None when a quoted field is still open."""
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            return None
        return RowError(0, f"broken CSV quoting: {exc}")
    return [row for row in rows if any(cell.strip() for cell in row)]


def _lookup(obj: Mapping[str, Any], path: str) -> Any:
    if path in obj:
        return obj[path]
    value: Any = obj
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _jsonl_rows(
    stream: TextIO, mapping: Mapping[str, str], lossy: str | None
) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    """Rows of a JSONL stream; `lossy` names the encoding when the stream was decoded with
    "surrogateescape" (lines with undecodable bytes are refused), None when strictly."""
    wanted = [
        (target, (mapping[target],) if target in mapping else (target, *ALIASES.get(target, ())))
        for target in FIELDS
    ]
    for number, line in enumerate(stream, start=1):
        text = line.strip().lstrip("\ufeff")
        if not text:
            continue
        if lossy and (undecoded := _undecoded_reason(line, lossy)):
            yield number, RowError(number, undecoded)
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            yield number, RowError(number, f"not valid JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            yield number, RowError(number, "not valid JSON: nested too deeply")
            continue
        except ValueError:  # an integer of more than 4,300 digits (Python's conversion limit)
            yield number, RowError(number, "not valid JSON: a number has too many digits")
            continue
        if not isinstance(obj, dict):
            yield number, RowError(number, f"a JSON object is expected, not {type(obj).__name__}")
            continue
        values: dict[str, Any] = {}
        for target, candidates in wanted:
            for key in candidates:
                value = obj.get(key)
                if value is None and "." in key:
                    value = _lookup(obj, key)
                if value is not None:
                    values[target] = value
                    break
        yield number, values


def read_rows(
    path: Path,
    *,
    fmt: str | None = None,
    encoding: str | None = None,
    mapping: Mapping[str, str] | None = None,
    delimiter: str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[ImportResult, Iterator[tuple[int, IncomingItem | RowError]]]:
    """Open `path` and return the (empty) result header and an iterator of validated rows."""
    if not path.is_file():
        raise NotFoundError(f"There is no file {str(path)!r}.")
    scan: _Utf8Scan | None = None
    if encoding is None:
        encoding, scan = _detect_encoding(path)
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise ImportFileError(f"Unknown text encoding {encoding!r}.") from None
    separator = _delimiter(delimiter)
    errors = "strict"
    if codec in _UTF8_NAMES:
        if scan is None:
            with path.open("rb") as handle:
                scan = _scan_utf8(handle)
        if not scan.mostly_valid:
            raise ImportFileError(
                f"{path.name} is not valid {encoding}: {scan.bad:,} bytes cannot be decoded, "
                f"the first on line {scan.first_line:,} (byte {scan.first_offset:,}); "
                "give the right one with --encoding."
            )
        if scan.bad:
            # Mostly UTF-8: each line holding an undecodable byte is refused with its number.
            errors = "surrogateescape"
    lossy = encoding if errors == "surrogateescape" else None
    raw = path.open("rb")
    stream = io.TextIOWrapper(raw, encoding=encoding, newline="", errors=errors)
    try:
        fmt = (fmt or _detect_format(path, stream)).lower()
        if fmt not in {"jsonl", "csv"}:
            raise ImportFileError(f"Unknown format {fmt!r}; use jsonl or csv.")
        mapping = dict(mapping or {})
        result = ImportResult(path=str(path), format=fmt, encoding=encoding)
        rows: Iterator[tuple[int, dict[str, Any] | RowError]]
        if fmt == "jsonl":
            result.columns = dict(mapping)
            rows = _jsonl_rows(stream, mapping, lossy)
        else:
            rows, result.columns = _csv_rows(stream, mapping, separator, lossy)
    except UnicodeDecodeError as exc:
        stream.close()
        raise ImportFileError(f"{path.name} is not valid {encoding}: {exc.reason}.") from None
    except BaseException:
        stream.close()
        raise

    def validated() -> Iterator[tuple[int, IncomingItem | RowError]]:
        try:
            for number, values in rows:
                if on_progress is not None:
                    on_progress(raw.tell())
                if isinstance(values, RowError):
                    yield number, values
                    continue
                try:
                    yield number, IncomingItem.model_validate(values)
                except ValidationError as exc:
                    yield number, RowError(number, "; ".join(describe_validation_error(exc)))
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                f"{path.name} is not valid {encoding} (from about byte {raw.tell():,}): "
                f"{exc.reason}; give the right one with --encoding."
            ) from None
        finally:
            stream.close()

    return result, validated()


def _undecoded_cell(record: Sequence[str], header: Sequence[str], encoding: str) -> str | None:
    for name, cell in zip(header, record, strict=False):  # the record is never the longer
        reason = _undecoded_reason(cell, encoding, f"in the column {name!r}")
        if reason:
            return reason
    return None


def _delimiter(value: str | None) -> str | None:
    """One character; `\\t` or `tab` as typed for a tab; None to detect it."""
    if value is None:
        return None
    value = _DELIMITER_NAMES.get(value.lower(), value)
    if len(value) != 1 or value in {'"', "\r", "\n"}:
        raise ImportFileError(
            f"The CSV delimiter must be one character other than a quote or a line break "
            f"(\\t or tab for a tab), not {value!r}."
        )
    return value


def _csv_rows(
    stream: TextIO, mapping: Mapping[str, str], delimiter: str | None, lossy: str | None
) -> tuple[Iterator[tuple[int, dict[str, Any] | RowError]], dict[str, str]]:
    header_line = ""
    header_number = 0
    while not header_line.strip():
        header_line = stream.readline()
        header_number += 1
        if not header_line:
            raise ImportFileError("The CSV file is empty (no header row).")
    if delimiter is None:
        counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
        delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    if lossy and (undecoded := _undecoded_reason(header_line, lossy, "in the header row")):
        raise ImportFileError(f"The CSV file is {undecoded}; give the right one with --encoding.")
    try:
        header = next(csv.reader([header_line.rstrip("\r\n")], delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise ImportFileError(f"The CSV header row cannot be read: {exc}.") from None
    columns = _resolve_columns(header, mapping)
    used = {target: header[index] for target, index in columns.items()}
    sep = delimiter

    def rows() -> Iterator[tuple[int, dict[str, Any] | RowError]]:
        for number, record in _csv_records(stream, sep, first_line=header_number + 1):
            if isinstance(record, RowError):
                yield number, record
            elif len(record) > len(header):
                yield (
                    number,
                    RowError(number, f"{len(record)} fields, but the header has {len(header)}"),
                )
            elif lossy and (undecoded := _undecoded_cell(record, header, lossy)):
                yield number, RowError(number, undecoded)
            else:
                yield (
                    number,
                    {
                        target: record[index]
                        for target, index in columns.items()
                        if index < len(record)
                    },
                )

    return rows(), used


def import_file(
    database: Database,
    source: Source,
    path: Path,
    *,
    fmt: str | None = None,
    encoding: str | None = None,
    mapping: Mapping[str, str] | None = None,
    delimiter: str | None = None,
    batch_size: int = DEFAULT_BATCH,
    on_progress: Callable[[int], None] | None = None,
    key: str | None = None,
) -> ImportResult:
    """Import `path` into `source`, one transaction per `batch_size` valid rows."""
    result, rows = read_rows(
        path,
        fmt=fmt,
        encoding=encoding,
        mapping=mapping,
        delimiter=delimiter,
        on_progress=on_progress,
    )
    batch: list[IncomingItem] = []

    def flush(final: bool) -> None:
        with database.transaction() as session:
            current = session.get(Source, source.id)
            if current is None:
                raise NotFoundError(f"The source {source.name!r} no longer exists.")
            stored = store_items(session, current, batch, key=key)
            result.inserted += stored.inserted
            result.duplicates += stored.duplicates
            if final:
                warning = None
                if result.errors:
                    first = result.errors[0]
                    warning = (
                        f"{result.rejected} rows of {Path(result.path).name} were refused; "
                        f"line {first.line}: {first.reason}."
                    )
                record_success(current, utcnow(), warning=warning)
        batch.clear()

    for _number, row in rows:
        result.rows += 1
        if isinstance(row, RowError):
            result.rejected += 1
            if len(result.errors) < MAX_REPORTED_ERRORS:
                result.errors.append(row)
            continue
        batch.append(row)
        if len(batch) >= batch_size:
            flush(final=False)
    flush(final=True)
    return result
