"""Importing the insights exports of Facebook, YouTube Studio and TikTok."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from soitin.db.models import Publication, PublicationSnapshot
from soitin.errors import InvalidInputError
from soitin.respond.insights import import_insights, parse_count, parse_export_time
from tests.report.world import TZ, World

AT = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)

FACEBOOK = (
    "Post ID,Page ID,Page name,Title,Description,Publish time,Permalink,Post type,Views,Reach,"
    "Reactions,Comments,Shares\n"
    '111_222,99,Trang QT,"Cảnh báo lừa đảo",,10/28/2026 14:05,'
    'https://www.facebook.com/99/posts/222,Photos,"1,234",900,56,7,8\n'
    '111_333,99,Trang QT,,"=HYPERLINK(""http://evil.example"")",10/29/2026 09:00,'
    "https://www.facebook.com/99/posts/333,Text,80,70,2,0,0\n"
)


def _pubs(session: Session, channel: str) -> list[Publication]:
    return list(
        session.scalars(
            select(Publication).where(Publication.channel == channel).order_by(Publication.id)
        )
    )


def test_facebook_export_creates_publications_and_snapshots(
    world_session: tuple[Session, World],
) -> None:
    session, world = world_session
    result = import_insights(
        session, FACEBOOK.encode(), platform="facebook", unit_id=world.units["dhoi"], at=AT, tz=TZ
    )
    assert (result.rows, result.created, result.snapshots, result.skipped) == (2, 2, 2, [])
    first, second = _pubs(session, "facebook")[-2:]
    assert first.external_id == "111_222" and first.title == "Cảnh báo lừa đảo"
    assert first.url == "https://www.facebook.com/99/posts/222"
    # 14:05 local (month first in the English export) is 07:05 UTC.
    assert first.published_at == datetime(2026, 10, 28, 7, 5, tzinfo=UTC)
    # Stored as given; the exports neutralise it.
    assert second.title == '=HYPERLINK("http://evil.example")'
    snap = session.scalars(
        select(PublicationSnapshot).where(PublicationSnapshot.publication_id == first.id)
    ).one()
    assert (snap.views, snap.reactions, snap.comments, snap.shares, snap.source, snap.at) == (
        1234,
        56,
        7,
        8,
        "import",
        AT,
    )
    # The same file again: matched, nothing new.
    again = import_insights(
        session, FACEBOOK.encode(), platform="facebook", unit_id=world.units["dhoi"], tz=TZ
    )
    assert (again.created, again.matched, again.snapshots, again.unchanged) == (0, 2, 0, 2)


def test_youtube_studio_zip_skips_the_total_row(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    table = (
        "Content,Video title,Video publish time,Duration,Views,Watch time (hours),Likes,"
        "Comments added,Shares\n"
        "Total,,,,5100,20.5,90,12,4\n"
        'dQw4w9WgXcQ,Video cảnh báo tin giả,"Oct 20, 2026",120,5000,20,88,12,4\n'
        'abcdefghijk,Video 2,"Oct 21, 2026",60,100,0.5,2,0,0\n'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Chart data.csv", "Date,Views\n2026-10-20,10\n")
        archive.writestr("Table data.csv", table)
        archive.writestr("Totals.csv", "Date,Views\n")
    result = import_insights(
        session, buffer.getvalue(), platform="youtube", unit_id=world.units["qtr"], at=AT, tz=TZ
    )
    assert (result.rows, result.created, result.snapshots) == (2, 2, 2)
    video = next(p for p in _pubs(session, "youtube") if p.external_id == "dQw4w9WgXcQ")
    assert video.url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert video.published_at == datetime(2026, 10, 19, 17, 0, tzinfo=UTC)


def test_tiktok_with_a_title_line_day_first_and_k_suffixes(
    world_session: tuple[Session, World],
) -> None:
    session, world = world_session
    data = (
        "Xuất dữ liệu TikTok 01/11/2026\n"
        "Video title;Video link;Post time;Total views;Total likes;Total comments;Total shares\n"
        "Cảnh báo;https://www.tiktok.com/@qt/video/1;25/10/2026 20:00;1.2K;300;1.234;5\n"
        "Video 2;https://www.tiktok.com/@qt/video/2;03/10/2026 08:00;2M;x;0;0\n"
        "Thiếu;;04/10/2026 08:00;1;1;1;1\n"
    ).encode("utf-16")
    result = import_insights(
        session, data, platform="tiktok", unit_id=world.units["qtr"], at=AT, tz=TZ
    )
    assert result.rows == 3 and result.created == 1
    assert [line for line, _ in result.skipped] == [4, 5]
    made = _pubs(session, "tiktok")[-1]
    assert made.published_at == datetime(2026, 10, 25, 13, 0, tzinfo=UTC)
    snap = session.scalars(
        select(PublicationSnapshot).where(PublicationSnapshot.publication_id == made.id)
    ).one()
    assert (snap.views, snap.reactions, snap.comments, snap.shares) == (1200, 300, 1234, 5)


def test_column_overrides_and_refusals(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    data = "Mã bài,Ngày,Số lượt xem\nA1,2026-10-05T08:00:00+07:00,42\n".encode()
    with pytest.raises(InvalidInputError, match="header"):
        import_insights(session, data, platform="facebook", unit_id=world.units["qtr"])
    result = import_insights(
        session,
        data,
        platform="facebook",
        unit_id=world.units["qtr"],
        at=AT,
        column_overrides={"external_id": "Mã bài", "published_at": "Ngày", "views": "Số lượt xem"},
    )
    assert result.created == 1
    assert _pubs(session, "facebook")[-1].published_at == datetime(2026, 10, 5, 1, tzinfo=UTC)
    with pytest.raises(InvalidInputError):
        import_insights(session, data, platform="instagram", unit_id=world.units["qtr"])
    with pytest.raises(InvalidInputError):
        import_insights(
            session,
            data,
            platform="facebook",
            unit_id=world.units["qtr"],
            column_overrides={"author": "x"},
        )
    with pytest.raises(InvalidInputError):
        import_insights(
            session, b"PK\x03\x04broken", platform="youtube", unit_id=world.units["qtr"]
        )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("", 0),
        ("-", 0),
        ("1,234", 1234),
        ("1.234", 1234),
        ("1 234", 1234),
        ("1.2K", 1200),
        ("3M", 3_000_000),
        ("12.6", 13),
        ("7", 7),
    ],
)
def test_parse_count(text: str, value: int) -> None:
    assert parse_count(text) == value


def test_parse_count_refuses_words() -> None:
    with pytest.raises(ValueError, match="count"):
        parse_count("nhiều")


def test_parse_export_time() -> None:
    assert parse_export_time("10/28/2026 2:05 PM", day_first=False, tz=TZ) == datetime(
        2026, 10, 28, 7, 5, tzinfo=UTC
    )
    assert parse_export_time("28/10/2026", day_first=True, tz=TZ) == datetime(
        2026, 10, 27, 17, 0, tzinfo=UTC
    )
    assert parse_export_time("2026-10-28T07:05:00+0000", day_first=False, tz=TZ) == datetime(
        2026, 10, 28, 7, 5, tzinfo=UTC
    )
    with pytest.raises(ValueError, match="format"):
        parse_export_time("hôm qua", day_first=True, tz=TZ)
