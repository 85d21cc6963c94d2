"""RSS and Atom feeds: conditional polling, safe parsing, clean text, exactly-once storage.

Parsing is defensive: the bytes are first checked with defusedxml, which refuses any entity
declaration (entity-expansion bombs, external entities) and malformed XML before feedparser
sees them; entries far larger than an item may be are cut out before feedparser parses the
rest (it is slow on huge entries). HTML in titles and bodies is reduced to text with lexbor.
ETag/Last-Modified are saved in the same transaction as the items, so a crash can never make
a 304 hide items that were not stored.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import re
import threading
import xml.etree.ElementTree as ET  # noqa: S405 - only serialises a tree defusedxml parsed
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from pydantic import ValidationError
from sqlalchemy import select

from soitin.db.engine import Database
from soitin.db.models import Source, SourceKind
from soitin.db.types import utcnow
from soitin.errors import InvalidInputError
from soitin.ingest.dates import parse_datetime
from soitin.ingest.extract import html_to_line, html_to_text
from soitin.ingest.fetch import FetchError, SafeClient
from soitin.ingest.incoming import (
    MAX_EXTERNAL_ID_CHARS,
    MAX_TEXT_CHARS,
    IncomingItem,
    RowError,
    describe_validation_error,
)
from soitin.ingest.sources import is_due, next_due_at, record_failure, record_success
from soitin.ingest.store import store_items

__all__ = [
    "FeedError",
    "ParsedFeed",
    "PollResult",
    "parse_feed",
    "poll_due_feeds",
    "poll_feed",
    "run_feed_loop",
]

log = logging.getLogger(__name__)

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"
)
#: Raw size of an entry (markup included) above which it is refused before feedparser runs.
MAX_ENTRY_RAW_CHARS = 4 * MAX_TEXT_CHARS
#: Dates further ahead than this are treated as missing (clock or typing errors).
FUTURE_SLACK = timedelta(days=1)
# A language code as items store it: "vi", "en", "zh" (from "vi-VN", "vi_VN", "EN-us").
_LANGUAGE = re.compile(r"^[a-z]{2,8}$")


class FeedError(InvalidInputError):
    """The fetched document is not a feed we can read safely; the message says why."""


@dataclass
class ParsedFeed:
    """What a feed document holds: its title, good entries, refused entries (1-based)."""

    title: str | None
    items: list[IncomingItem]
    rejected: list[RowError] = field(default_factory=list)


@dataclass
class PollResult:
    """The outcome of polling one feed."""

    source_id: int
    source_name: str
    status: str  # "ok", "not-modified" or "error"
    received: int = 0
    inserted: int = 0
    duplicates: int = 0
    rejected: list[RowError] = field(default_factory=list)
    error: str | None = None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _check_xml(content: bytes) -> ET.Element:
    if not content.strip():
        raise FeedError("The feed is empty (no content).")
    try:
        root: ET.Element = SafeET.fromstring(
            content, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise FeedError(
            "The feed declares XML entities or external references, which soitin never "
            f"expands (refused as a possible entity-expansion or XXE attack: {exc!r})."
        ) from None
    except LookupError as exc:
        raise FeedError(f"The feed declares an encoding Python does not know: {exc}.") from None
    except ET.ParseError as exc:
        raise FeedError(_parse_error_message(content, exc)) from None
    return root


def _parse_error_message(content: bytes, exc: ET.ParseError) -> str:
    named = _document_encoding(content)
    if named is None:
        # No BOM, no declaration, and no charset from the server (one would have been
        # applied already, see `_apply_charset`): XML is UTF-8 then.
        encoding = "utf-8"
        says = "declares no encoding and the server sent no charset, so it must be UTF-8, but it"
    else:
        encoding, how = named
        says = (
            f"declares the encoding {encoding!r} but"
            if how == "declaration"
            else f"starts with a {encoding} byte order mark but"
        )
    try:
        content.decode(encoding)
    except UnicodeDecodeError as bad:
        return (
            f"The feed {says} is not valid {encoding} "
            f"(byte 0x{content[bad.start]:02x} at offset {bad.start})."
        )
    except LookupError:
        return f"The feed declares an unknown encoding {encoding!r}."
    return f"The feed is not well-formed XML: {exc}."


def _document_encoding(content: bytes) -> tuple[str, str] | None:
    """The encoding the document names for itself and how ("bom" or "declaration"), or None
    when it names none."""
    head = content[:200]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "bom"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", "bom"
    if not head.startswith(b"<?xml"):
        return None
    end = head.find(b"?>")
    decl = head[: end if end > 0 else len(head)].decode("ascii", "replace")
    for quote in ('"', "'"):
        marker = f"encoding={quote}"
        if marker in decl:
            value = decl.split(marker, 1)[1].split(quote, 1)[0].strip()
            return (value, "declaration") if value else None
    return None


def _apply_charset(content: bytes, charset: str | None) -> bytes:
    """The document as UTF-8 when only the server's Content-Type charset names its encoding.

    A byte order mark or an XML declaration naming an encoding wins over the HTTP charset:
    it travels with the document and is what the publisher's software wrote, while servers
    often add a default charset that is wrong (RFC 7303 ranks the header first; feed
    readers in practice follow the document). Without either, the charset is used.
    """
    if not charset or _document_encoding(content) is not None:
        return content
    try:
        text = content.decode(charset)
    except LookupError:
        raise FeedError(
            f"The server's Content-Type header names the charset {charset!r}, which Python "
            "does not know."
        ) from None
    except UnicodeDecodeError as bad:
        raise FeedError(
            f"The server's Content-Type header names the charset {charset!r} (the feed "
            f"declares none) but the feed is not valid {charset} "
            f"(byte 0x{content[bad.start]:02x} at offset {bad.start})."
        ) from None
    return text.encode("utf-8")


def _cut_oversized(root: ET.Element) -> tuple[list[int], list[RowError]]:
    """Remove entries whose raw text is far over the limit; return kept and refused numbers."""
    kept: list[int] = []
    rejected: list[RowError] = []
    number = 0
    for parent in list(root.iter()):
        for child in list(parent):
            if _local(child.tag) not in {"item", "entry"}:
                continue
            number += 1
            size = sum(len(part) for part in child.itertext())
            if size > MAX_ENTRY_RAW_CHARS:
                parent.remove(child)
                rejected.append(
                    RowError(
                        number,
                        f"entry is {size:,} characters long; the limit is {MAX_TEXT_CHARS:,} "
                        "characters of text",
                    )
                )
            else:
                kept.append(number)
    return kept, rejected


def parse_feed(
    content: bytes,
    url: str,
    *,
    language: str = "vi",
    now: datetime | None = None,
    charset: str | None = None,
) -> ParsedFeed:
    """Parse feed bytes fetched from `url` into items; raises `FeedError` for unusable feeds.

    `charset` is the one the server's Content-Type header named, used when the document
    names no encoding itself. Entries that cannot be used (too long, no content, a value
    that breaks parsing) are returned in `rejected` with their 1-based position in the feed
    and the reason; the other entries are kept.
    """
    now = now or utcnow()
    content = _apply_charset(content, charset)
    root = _check_xml(content)
    kept, rejected = _cut_oversized(root)
    if rejected:
        content = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    # BytesIO: feedparser treats a plain string as a URL or a path to open. No base URL:
    # ids stay as the feed wrote them (stable if the feed moves); links are resolved below.
    parsed: Any = feedparser.parse(
        io.BytesIO(content),
        sanitize_html=False,  # lexbor extracts text; feedparser's sanitiser is slow
        resolve_relative_uris=False,
    )
    if not parsed.get("version") and not parsed.entries:
        raise FeedError(
            f"The document is XML but not an RSS or Atom feed (root element <{_local(root.tag)}>)."
        )
    feed_language = _feed_language(parsed.feed.get("language"), language)
    items: list[IncomingItem] = []
    for position, entry in enumerate(parsed.entries):
        number = kept[position] if position < len(kept) else position + 1
        try:
            items.append(_entry_item(entry, url, feed_language, now))
        except ValidationError as exc:
            rejected.append(RowError(number, "; ".join(describe_validation_error(exc))))
        except Exception as exc:  # one odd entry must not cost the feed its other entries
            log.warning("entry %d of feed %s cannot be read", number, url, exc_info=True)
            rejected.append(RowError(number, f"the entry cannot be read: {exc}"))
    rejected.sort(key=lambda error: error.line)
    title = html_to_line(parsed.feed.get("title") or "") or None
    return ParsedFeed(title=title, items=items, rejected=rejected)


def _feed_language(value: object, default: str) -> str:
    """`vi` from `vi-VN`, `vi_VN` or `VI`; the default for what is no language code."""
    for candidate in (value, default):
        if isinstance(candidate, str):
            code = re.split(r"[-_]", candidate.strip(), maxsplit=1)[0].lower()
            if _LANGUAGE.match(code):
                return code
    return "vi"


def _entry_item(entry: Any, feed_url: str, language: str, now: datetime) -> IncomingItem:
    title = html_to_line(entry.get("title") or "")
    body = ""
    for content in entry.get("content") or []:
        value = content.get("value") or ""
        if len(value) > len(body):
            body = value if "html" in (content.get("type") or "html") else _escape(value)
    body = body or entry.get("summary") or ""
    text = html_to_text(body)
    link = _absolute_link(entry.get("link"), feed_url)
    external_id = (entry.get("id") or "").strip() or link
    if external_id and len(external_id) > MAX_EXTERNAL_ID_CHARS:
        external_id = "sha256:" + hashlib.sha256(external_id.encode("utf-8")).hexdigest()
    author = html_to_line(entry.get("author") or "")
    return IncomingItem(
        external_id=external_id or None,
        title=title or None,
        text=text or None,
        url=link,
        author=author or None,
        platform="web",
        language=language,
        published_at=_entry_time(entry, now),
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _absolute_link(link: object, base: str) -> str | None:
    if not isinstance(link, str) or not link.strip():
        return None
    try:
        absolute = urljoin(base, link.strip())
        parts = urlsplit(absolute)
    except ValueError:  # "http://[bao.example/2": an unclosed IPv6 bracket; treated as no link
        return None
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None  # javascript:, data:, mailto: ... are not links we keep
    return absolute if len(absolute) <= 2048 else None


def _entry_time(entry: Any, now: datetime) -> datetime | None:
    """The entry's first date our parser reads; None when there is none, or it is impossible.

    feedparser's own `*_parsed` dates are not used: it rolls impossible dates over into other
    ones (2025-02-30 became 2025-03-02, 10000-01-01 became 2010-11-01), and a wrong date is
    worse than none.
    """
    for key in ("published", "updated", "created", "dc_date"):
        raw = entry.get(key)
        if not raw:
            continue
        try:
            moment = parse_datetime(raw)
        except (ValueError, OverflowError):
            continue
        if moment is not None:
            return None if moment > now + FUTURE_SLACK else moment
    return None


def poll_feed(
    database: Database,
    source: Source,
    client: SafeClient,
    *,
    now: datetime | None = None,
    key: str | None = None,
) -> PollResult:
    """Poll one feed once (conditional GET), store new entries, record the source's health."""
    now = now or utcnow()
    result = PollResult(source_id=source.id, source_name=source.name, status="ok")
    headers = {"Accept": ACCEPT}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    try:
        if not source.url:
            raise FeedError("The feed source has no URL.")
        response = client.get(source.url, headers=headers)
        parsed = (
            None
            if response.not_modified
            else parse_feed(
                response.content,
                response.url,
                charset=response.charset,
            )
        )
    except (FetchError, FeedError) as exc:
        return _failed(database, source, now, result, str(exc))
    except Exception as exc:  # a parser bug on odd input: this feed fails, the others go on
        log.exception("reading feed %s failed", source.name)
        return _failed(database, source, now, result, f"The feed cannot be read: {exc!r}")

    try:
        with database.transaction() as session:
            current = session.get(Source, source.id)
            if current is None:
                raise FeedError("The source was deleted while it was being polled.")
            if parsed is None:
                result.status = "not-modified"
                record_success(current, now)
            else:
                stored = store_items(session, current, parsed.items, key=key, fetched_at=now)
                result.received = stored.received
                result.inserted = stored.inserted
                result.duplicates = stored.duplicates
                result.rejected = parsed.rejected
                warning = None
                if parsed.rejected:
                    first = parsed.rejected[0]
                    warning = (
                        f"{len(parsed.rejected)} entries were refused; entry {first.line}: "
                        f"{first.reason}."
                    )
                record_success(current, now, warning=warning)
                # Saved with the items: a 304 can only follow a poll whose items are stored.
                current.etag = (response.headers.get("etag") or "")[:512] or None
                current.last_modified = (response.headers.get("last-modified") or "")[:128] or None
            source.etag, source.last_modified = current.etag, current.last_modified
    except Exception as exc:  # storage or a pipeline stage failed: the batch rolled back
        log.exception("storing the entries of feed %s failed", source.name)
        return _failed(database, source, now, result, f"Storing the entries failed: {exc}")
    source.last_attempt_at = now
    source.consecutive_failures = 0
    return result


def _failed(
    database: Database, source: Source, now: datetime, result: PollResult, message: str
) -> PollResult:
    with database.transaction() as session:
        current = session.get(Source, source.id)
        if current is not None:
            record_failure(current, now, message)
            source.consecutive_failures = current.consecutive_failures
    source.last_attempt_at = now
    result.status = "error"
    result.error = message
    return result


def _feeds(database: Database) -> list[Source]:
    with database.session() as session:
        query = select(Source).where(Source.kind == SourceKind.FEED.value, Source.enabled)
        sources = list(session.scalars(query.order_by(Source.id)))
        session.expunge_all()
    return sources


def poll_due_feeds(
    database: Database,
    client: SafeClient | None = None,
    *,
    now: datetime | None = None,
    force: bool = False,
    names: Sequence[str] = (),
    key: str | None = None,
) -> list[PollResult]:
    """Poll every enabled feed that is due (all of them with `force`), one after another.

    Without `client`, a `SafeClient` from the settings is used for this pass.
    """
    now = now or utcnow()
    due = [
        source
        for source in _feeds(database)
        if (not names or source.name in names) and (force or is_due(source, now))
    ]
    if not due:
        return []
    if client is None:
        with SafeClient() as own:
            return [poll_feed(database, source, own, now=now, key=key) for source in due]
    return [poll_feed(database, source, client, now=now, key=key) for source in due]


def run_feed_loop(
    database: Database,
    client: SafeClient,
    *,
    stop: threading.Event | None = None,
    on_results: Callable[[list[PollResult]], None] | None = None,
    max_sleep: float = 60.0,
) -> None:
    """Poll due feeds on their schedule until `stop` is set (or the process is stopped)."""
    stop = stop or threading.Event()
    while not stop.is_set():
        results = poll_due_feeds(database, client)
        if on_results is not None:
            on_results(results)
        if stop.is_set():
            break
        now = utcnow()
        upcoming = [next_due_at(s) or now for s in _feeds(database)]
        wait = min((due - now).total_seconds() for due in upcoming) if upcoming else max_sleep
        stop.wait(min(max(wait, 1.0), max_sleep))
