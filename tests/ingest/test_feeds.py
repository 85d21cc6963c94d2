"""Feeds: parsing (clean text, links, dates), polling (200, 304, redirects, failures), bad input."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from soitin.db.engine import Database
from soitin.db.models import Item, Source
from soitin.ingest.feeds import (
    FeedError,
    PollResult,
    parse_feed,
    poll_due_feeds,
    poll_feed,
    run_feed_loop,
)
from soitin.ingest.fetch import SafeClient
from soitin.ingest.sources import list_sources
from tests.ingest.conftest import FeedServer, Route
from tests.ingest.feeds_data import ATOM, BOMB, RSS, external_dtd, rss_with, xxe
from tests.ingest.test_files import to_cp1258

FEED_URL = "https://bao-thu.example/rss/tin-moi.rss"
NOW = datetime(2025, 6, 1, tzinfo=UTC)


def test_rss_entries_become_clean_items() -> None:
    feed = parse_feed(RSS.encode(), FEED_URL, now=NOW)
    assert feed.title == "Báo Thử Nghiệm" and feed.rejected == []
    first, second, third = feed.items
    assert first.external_id == "bai-1"
    assert first.title == "Cảnh báo lừa đảo qua tin nhắn"  # tags and script gone
    assert first.text == "Người dân cần cảnh giác.\n\nĐoạn hai."
    assert "evil" not in (first.text or "")
    assert first.url == "https://bao-thu.example/tin-tuc/bai-1.html"  # relative link resolved
    assert first.published_at == datetime(2025, 5, 12, 1, 30, tzinfo=UTC)
    assert first.author == "Nguyễn Văn Phóng Viên"  # pseudonymised only when stored
    assert second.published_at is None and second.text == "Nội dung hai"
    assert third.url is None  # javascript: links are dropped
    assert third.published_at == datetime(2025, 5, 12, 1, 30, tzinfo=UTC)


def test_atom_entries() -> None:
    (item,) = parse_feed(ATOM.encode(), "https://trang.example/atom.xml", now=NOW).items
    assert item.external_id == "urn:atom-thu:1"
    assert item.title == "Thông tin sai sự thật"
    assert item.text == "Nội dung & chi tiết"
    assert item.url == "https://trang.example/bai/1"
    assert item.published_at == datetime(2025, 5, 12, 1, 30, tzinfo=UTC)


def test_dates_in_the_future_are_treated_as_missing() -> None:
    doc = rss_with("<guid>f</guid><title>x</title><pubDate>01/01/2031 08:00</pubDate>")
    (item,) = parse_feed(doc.encode(), FEED_URL, now=NOW).items
    assert item.published_at is None


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<rss><channel><item><title>x</item></channel></rss>", "not well-formed XML"),
        (b"<html><body><p>Trang web<br></body></html>", "not well-formed XML"),
        (b"<html><body><p>Trang web</p></body></html>", "not an RSS or Atom feed"),
        (BOMB.encode(), "entities"),
        (
            rss_with("<guid>1</guid><title>Tiếng Việt</title>").encode("utf-16-le"),
            "not well-formed|encoding",
        ),
        (
            rss_with("<guid>1</guid><title>Tiêng Viêt</title>", encoding="utf-8").encode("cp1258"),
            "declares the encoding 'utf-8' but is not valid utf-8",
        ),
        (b'<?xml version="1.0" encoding="x-nope"?><rss/>', "encoding"),
    ],
)
def test_bad_documents_are_clear_errors(document: bytes, reason: str) -> None:
    with pytest.raises(FeedError, match=reason):
        parse_feed(document, FEED_URL, now=NOW)


def test_external_entities_are_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("MAT-KHAU-BI-MAT", encoding="utf-8")
    with pytest.raises(FeedError, match="entities") as info:
        parse_feed(xxe(str(secret)).encode(), FEED_URL, now=NOW)
    assert "MAT-KHAU" not in str(info.value)


def test_an_external_dtd_is_never_fetched(feed_server: FeedServer) -> None:
    feed_server.routes["/evil.dtd"] = Route(body=b'<!ENTITY x "boom">')
    feed = parse_feed(external_dtd(feed_server.url("/evil.dtd")).encode(), FEED_URL, now=NOW)
    assert [i.title for i in feed.items] == ["Tin"]
    assert feed_server.hits("/evil.dtd") == 0


def test_a_5_mb_entry_is_refused_and_the_others_kept() -> None:
    huge = "<p>lừa đảo</p>" * 400_000
    doc = rss_with(
        "<guid>a</guid><title>Trước</title>",
        f"<guid>big</guid><title>Rất dài</title><description><![CDATA[{huge}]]></description>",
        "<guid>c</guid><title>Sau</title>",
    )
    assert len(doc.encode()) > 5_000_000
    feed = parse_feed(doc.encode(), FEED_URL, now=NOW)
    assert [i.external_id for i in feed.items] == ["a", "c"]
    assert len(feed.rejected) == 1 and feed.rejected[0].line == 2
    assert "limit" in feed.rejected[0].reason


def test_an_entry_with_too_much_text_is_refused_with_its_number() -> None:
    doc = rss_with(
        "<guid>a</guid><title>Một</title>",
        f"<guid>b</guid><title>Hai</title><description>{'chữ ' * 30_000}</description>",
    )
    feed = parse_feed(doc.encode(), FEED_URL, now=NOW)
    assert [i.external_id for i in feed.items] == ["a"]
    assert feed.rejected[0].line == 2 and "the limit is 100,000" in feed.rejected[0].reason


def test_an_empty_feed_has_no_items_and_is_not_an_error() -> None:
    feed = parse_feed(rss_with().encode(), FEED_URL, now=NOW)
    assert feed.items == [] and feed.rejected == []


def _count(db: Database, source: Source) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).where(Item.source_id == source.id)) or 0)


def _client(**options: object) -> SafeClient:
    return SafeClient(allowlist="127.0.0.1/32", **options)  # type: ignore[arg-type]


def test_poll_stores_entries_then_honours_304(
    db: Database, make_source: Callable[..., Source], feed_server: FeedServer
) -> None:
    feed_server.routes["/rss"] = Route(body=RSS.encode(), etag='"v1"')
    source = make_source("Báo Thử", kind="feed", url=feed_server.url("/rss"))
    with _client() as client:
        first = poll_feed(db, source, client)
        second = poll_feed(db, source, client)
    assert (first.status, first.inserted) == ("ok", 3)
    assert second.status == "not-modified" and second.inserted == 0
    assert feed_server.requests[-1][1].get("if-none-match") == '"v1"'
    assert _count(db, source) == 3
    with db.session() as session:
        stored = session.get(Source, source.id)
        assert stored is not None and stored.etag == '"v1"'
        author_hashes = session.scalars(select(Item.author_hash).where(Item.source_id == source.id))
        assert "Nguyễn" not in " ".join(h or "" for h in author_hashes)


def test_last_modified_is_sent_back(
    db: Database, make_source: Callable[..., Source], feed_server: FeedServer
) -> None:
    stamp = "Mon, 12 May 2025 01:30:00 GMT"
    feed_server.routes["/rss"] = Route(body=RSS.encode(), headers={"Last-Modified": stamp})
    source = make_source("Báo LM", kind="feed", url=feed_server.url("/rss"))
    with _client() as client:
        poll_feed(db, source, client)
        again = poll_feed(db, source, client)
    assert feed_server.requests[-1][1].get("if-modified-since") == stamp
    assert again.status == "ok" and again.inserted == 0 and again.duplicates == 3


def test_poll_follows_redirects(
    db: Database, make_source: Callable[..., Source], feed_server: FeedServer
) -> None:
    feed_server.routes["/old"] = Route(status=301, headers={"Location": "/new"})
    feed_server.routes["/new"] = Route(body=ATOM.encode())
    source = make_source("Chuyển hướng", kind="feed", url=feed_server.url("/old"))
    with _client() as client:
        result = poll_feed(db, source, client)
    assert result.status == "ok" and result.inserted == 1


def test_failures_are_recorded_and_a_success_clears_them(
    db: Database, make_source: Callable[..., Source], feed_server: FeedServer
) -> None:
    feed_server.routes["/rss"] = Route(status=500, body=b"oops")
    source = make_source("Hay lỗi", kind="feed", url=feed_server.url("/rss"))
    with _client() as client:
        failed = [poll_feed(db, source, client) for _ in range(2)]
        assert failed[-1].status == "error" and "HTTP 500" in (failed[-1].error or "")
        (health,) = [h for h in _health(db) if h.id == source.id]
        assert health.consecutive_failures == 2 and "HTTP 500" in (health.last_error or "")
        assert health.last_success_at is None and health.last_attempt_at is not None
        feed_server.routes["/rss"] = Route(body=RSS.encode())
        assert poll_feed(db, source, client).status == "ok"
    (health,) = [h for h in _health(db) if h.id == source.id]
    assert health.consecutive_failures == 0 and health.last_error is None
    assert health.items_total == 3 and health.items_per_day == 3.0


def _health(db: Database) -> list:  # type: ignore[type-arg]
    with db.session() as session:
        return list_sources(session)


def test_a_slow_server_is_a_failure_for_that_feed_only(
    db: Database, make_source: Callable[..., Source], feed_server: FeedServer
) -> None:
    feed_server.routes["/slow"] = Route(body=RSS.encode(), delay=1.0)
    feed_server.routes["/fast"] = Route(body=ATOM.encode())
    slow = make_source("Chậm", kind="feed", url=feed_server.url("/slow"))
    fast = make_source("Nhanh", kind="feed", url=feed_server.url("/fast"))
    with _client(timeout=0.3) as client:
        results = {r.source_name: r for r in poll_due_feeds(db, client)}
    assert results["Chậm"].status == "error" and "timed out" in (results["Chậm"].error or "")
    assert results["Nhanh"].status == "ok"
    assert _count(db, slow) == 0 and _count(db, fast) == 1


def test_bad_feed_is_an_error_for_that_source_and_nothing_else_is_lost(
    db: Database, make_source: Callable[..., Source], feed_server: FeedServer
) -> None:
    feed_server.routes["/bomb"] = Route(body=BOMB.encode())
    feed_server.routes["/good"] = Route(body=RSS.encode())
    bomb = make_source("Bom", kind="feed", url=feed_server.url("/bomb"))
    make_source("Tốt", kind="feed", url=feed_server.url("/good"))
    with _client() as client:
        results = {r.source_name: r for r in poll_due_feeds(db, client)}
    assert results["Bom"].status == "error" and "entities" in (results["Bom"].error or "")
    assert results["Tốt"].inserted == 3
    assert _count(db, bomb) == 0


def test_refused_entries_are_reported_in_the_source_health(
    db: Database, make_source: Callable[..., Source], feed_server: FeedServer
) -> None:
    doc = rss_with("<guid>a</guid><title>Một</title>", '<guid isPermaLink="false">b</guid>')
    feed_server.routes["/rss"] = Route(body=doc.encode())
    source = make_source("Thiếu nội dung", kind="feed", url=feed_server.url("/rss"))
    with _client() as client:
        result = poll_feed(db, source, client)
    assert result.inserted == 1 and [e.line for e in result.rejected] == [2]
    (health,) = [h for h in _health(db) if h.id == source.id]
    assert health.consecutive_failures == 0
    assert "entry 2" in (health.last_error or "") and "no text, title or url" in (
        health.last_error or ""
    )


def test_only_due_feeds_are_polled_and_failures_back_off(
    db: Database, make_source: Callable[..., Source], feed_server: FeedServer
) -> None:
    feed_server.routes["/rss"] = Route(body=RSS.encode())
    feed_server.routes["/down"] = Route(status=503)
    make_source("Đúng hạn", kind="feed", url=feed_server.url("/rss"), poll_interval_s=600)
    make_source("Hỏng", kind="feed", url=feed_server.url("/down"), poll_interval_s=600)
    make_source("Tắt", kind="feed", url=feed_server.url("/rss"), enabled=False)
    start = datetime.now(UTC)
    with _client() as client:
        assert {r.source_name for r in poll_due_feeds(db, client, now=start)} == {
            "Đúng hạn",
            "Hỏng",
        }
        assert poll_due_feeds(db, client, now=start + timedelta(minutes=5)) == []
        later = {
            r.source_name for r in poll_due_feeds(db, client, now=start + timedelta(minutes=11))
        }
        assert later == {"Đúng hạn"}  # the failing feed waits twice as long
        assert len(poll_due_feeds(db, client, now=start + timedelta(minutes=12), force=True)) == 2


def test_the_loop_polls_until_stopped(
    db: Database, make_source: Callable[..., Source], feed_server: FeedServer
) -> None:
    feed_server.routes["/rss"] = Route(body=RSS.encode())
    source = make_source("Vòng lặp", kind="feed", url=feed_server.url("/rss"))
    stop = threading.Event()
    seen: list[list[PollResult]] = []

    def collect(results: list[PollResult]) -> None:
        seen.append(results)
        stop.set()

    with _client() as client:
        run_feed_loop(db, client, stop=stop, on_results=collect)
    assert [r.inserted for r in seen[0]] == [3]
    assert _count(db, source) == 3


def test_polling_without_a_client_uses_the_settings(
    db: Database, make_source: Callable[..., Source], feed_server: FeedServer
) -> None:
    """The scheduler calls `poll_due_feeds(database)`; 127.0.0.1 is allowlisted in tests."""
    feed_server.routes["/rss"] = Route(body=RSS.encode())
    source = make_source("Theo lịch", kind="feed", url=feed_server.url("/rss"))
    assert [r.inserted for r in poll_due_feeds(db)] == [3]
    assert poll_due_feeds(db) == []  # not due again yet
    assert _count(db, source) == 3


def test_an_unreadable_link_or_date_costs_nothing() -> None:
    doc = rss_with(
        "<guid>l</guid><title>Liên kết hỏng</title><link>http://[bao.example/2</link>",
        "<guid>d</guid><title>Ngày số không</title><pubDate>0000-00-00 00:00:00</pubDate>",
        "<guid>g</guid><title>Tốt</title><link>https://bao.example/g</link>",
    )
    feed = parse_feed(doc.encode(), FEED_URL, now=NOW)
    assert feed.rejected == []
    assert [(i.external_id, i.url, i.published_at) for i in feed.items] == [
        ("l", None, None),
        ("d", "https://bao-thu.example/rss/d", None),  # the guid, a permalink
        ("g", "https://bao.example/g", None),
    ]


@pytest.mark.parametrize(
    "written",
    [
        "2025-02-30T10:00:00Z",  # feedparser made it 2025-03-02
        "2025-13-45",  # ... 2026-01-01
        "10000-01-01T00:00:00Z",  # ... 2010-11-01
        "0000-00-00 00:00:00",  # ... year -1, which crashed the poll
        "Mon, 12 May 2025 08:30:00 +9900",  # ... 2025-05-08
    ],
)
def test_an_impossible_date_is_missing_not_moved(written: str) -> None:
    doc = rss_with(f"<guid>x</guid><title>Tin</title><pubDate>{written}</pubDate>")
    later = datetime(2030, 1, 1, tzinfo=UTC)  # no moved date may pass as "in the future"
    (item,) = parse_feed(doc.encode(), FEED_URL, now=later).items
    assert item.published_at is None


def test_dates_with_english_month_names_are_read() -> None:
    doc = rss_with(
        "<guid>a</guid><title>Một</title><pubDate>12 May 2025</pubDate>",
        "<guid>b</guid><title>Hai</title><pubDate>May 12, 2025</pubDate>",
    )
    midnight = datetime(2025, 5, 11, 17, tzinfo=UTC)  # 12/05 00:00 in Hà Nội
    assert [i.published_at for i in parse_feed(doc.encode(), FEED_URL, now=NOW).items] == [
        midnight,
        midnight,
    ]


def test_a_feed_with_broken_entries_is_polled_and_so_are_the_others(
    db: Database, make_source: Callable[..., Source], feed_server: FeedServer
) -> None:
    feed_server.routes["/odd"] = Route(
        body=rss_with(
            "<guid>o1</guid><title>Một</title><link>http://[bao.example/2</link>",
            "<guid>o2</guid><title>Hai</title><pubDate>0000-00-00 00:00:00</pubDate>",
        ).encode()
    )
    feed_server.routes["/good"] = Route(body=RSS.encode())
    odd = make_source("Lạ", kind="feed", url=feed_server.url("/odd"))
    good = make_source("Tốt", kind="feed", url=feed_server.url("/good"))
    with _client() as client:
        results = {r.source_name: r for r in poll_due_feeds(db, client)}
    assert (results["Lạ"].status, results["Lạ"].inserted) == ("ok", 2)
    assert (results["Tốt"].status, results["Tốt"].inserted) == ("ok", 3)
    assert _count(db, odd) == 2 and _count(db, good) == 3


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("vi_VN", "vi"),
        ("vi-VN", "vi"),
        ("EN_us", "en"),
        ("Tiếng Việt", "vi"),
        ("v", "vi"),
        ("", "vi"),
    ],
)
def test_the_feed_language_is_normalised_or_the_default(written: str, stored: str) -> None:
    doc = rss_with("<guid>a</guid><title>Tin</title>").replace(
        "<channel>", f"<channel><language>{written}</language>"
    )
    feed = parse_feed(doc.encode(), FEED_URL, now=NOW)
    assert feed.rejected == [] and [i.language for i in feed.items] == [stored]


def _undeclared_cp1258(title: str) -> bytes:
    doc = f'<rss version="2.0"><channel><title>Báo</title><item><guid>c</guid><title>{title}'
    return to_cp1258(doc + "</title></item></channel></rss>")


def test_the_http_charset_is_used_when_the_feed_declares_none(
    db: Database, make_source: Callable[..., Source], feed_server: FeedServer
) -> None:
    feed_server.routes["/rss"] = Route(
        body=_undeclared_cp1258("Tin tức Quảng Trị"),
        headers={"Content-Type": "application/rss+xml; charset=windows-1258"},
    )
    source = make_source("Báo 1258", kind="feed", url=feed_server.url("/rss"))
    with _client() as client:
        result = poll_feed(db, source, client)
    assert (result.status, result.inserted) == ("ok", 1), result.error
    with db.session() as session:
        assert session.scalars(select(Item.title)).all() == ["Tin tức Quảng Trị"]


def test_a_declaration_wins_over_the_http_charset() -> None:
    doc = rss_with("<guid>u</guid><title>Tin tức</title>", encoding="utf-8").encode()
    (item,) = parse_feed(doc, FEED_URL, now=NOW, charset="windows-1258").items
    assert item.title == "Tin tức"


@pytest.mark.parametrize(
    ("charset", "reason"),
    [
        (None, "declares no encoding and the server sent no charset, so it must be UTF-8"),
        ("utf-8", "Content-Type header names the charset 'utf-8' (the feed declares none)"),
        ("x-nope", "Content-Type header names the charset 'x-nope', which Python does not"),
    ],
)
def test_encoding_errors_say_where_the_encoding_came_from(charset: str | None, reason: str) -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(_undeclared_cp1258("Tin tức"), FEED_URL, now=NOW, charset=charset)
    assert reason in str(info.value) and "declares the encoding" not in str(info.value)


def test_a_source_deleted_while_it_is_polled_is_an_error_and_stores_nothing(
    db: Database, make_source: Callable[..., Source], feed_server: FeedServer
) -> None:
    feed_server.routes["/rss"] = Route(body=RSS.encode())
    gone = make_source("Đã xoá", kind="feed", url=feed_server.url("/rss"))
    other = make_source("Còn lại", kind="feed", url=feed_server.url("/rss"))
    with db.transaction() as session:  # deleted after the poller read its list of feeds
        row = session.get(Source, gone.id)
        assert row is not None
        session.delete(row)
    with _client() as client:
        result = poll_feed(db, gone, client)
        kept = poll_feed(db, other, client)
    assert result.status == "error" and "deleted" in (result.error or "")
    assert result.inserted == 0 and _count(db, gone) == 0
    assert (kept.status, kept.inserted) == ("ok", 3)  # the other feed is polled as before
