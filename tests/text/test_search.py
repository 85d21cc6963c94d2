"""Search over items on SQLite (FTS5) and PostgreSQL (GIN), with the same results."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from soitin.db.engine import Database
from soitin.db.models import Item, Source, Story
from soitin.errors import InvalidInputError
from soitin.text.fold import fold_item_text
from soitin.text.search import matching_story_ids, parse_query, search_items

T0 = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)

ITEMS = [
    # key, title, text, days after T0, provinces, category
    (
        "scam_hn",
        "Cảnh báo lừa đảo",
        "Lừa đảo qua điện thoại ở Hà Nội, ko chuyển tiền.",
        0,
        ["01"],
        "scam",
    ),
    ("scam_hcm", None, "Chiêu LỪA ĐẢO mới tại TP.HCM: giả danh công an.", 1, ["79"], "scam"),
    ("peace", "Hoà bình", "Mong hoà bình cho mọi người.", 2, [], None),
    ("weather", "Thời tiết", "Mưa lớn ở Đà Nẵng, người dân không nên ra đường.", 3, ["48"], None),
    ("many", None, "lừa đảo lừa đảo lừa đảo, cảnh giác lừa đảo nhé", 4, ["01", "79"], "scam"),
]


@pytest.fixture
def world(db: Database) -> tuple[Session, dict[str, int], int]:
    session = db.session()
    first = Source(kind="feed", name="Nguồn thử 1")
    second = Source(kind="feed", name="Nguồn thử 2")
    session.add_all([first, second])
    session.flush()
    ids: dict[str, int] = {}
    for n, (key, title, text, days, provinces, category) in enumerate(ITEMS):
        item = Item(
            source_id=second.id if key == "weather" else first.id,
            external_id=key,
            content_hash=f"h{n}",
            title=title,
            text=text,
            text_folded=fold_item_text(title, text),
            published_at=T0 + timedelta(days=days),
            province_codes=provinces,
            category=category,
        )
        session.add(item)
        session.flush()
        ids[key] = item.id
    return session, ids, second.id


def _keys(hits: list, ids: dict[str, int]) -> list[str]:
    back = {v: k for k, v in ids.items()}
    return [back[h.item_id] for h in hits]


def test_with_or_without_diacritics_and_any_tone_convention(world) -> None:
    session, ids, _ = world
    expected = {"scam_hn", "scam_hcm", "many"}
    for query in ("lừa đảo", "lua dao", "LỪA ĐẢO", "Lua Dao"):
        assert set(_keys(search_items(session, query), ids)) == expected
    for query in ("hoà bình", "hòa bình", "hoa binh"):
        assert _keys(search_items(session, query), ids) == ["peace"]


def test_teencode_in_text_or_query_meets_the_written_out_word(world) -> None:
    session, ids, _ = world
    assert set(_keys(search_items(session, "không"), ids)) == {"scam_hn", "weather"}
    assert set(_keys(search_items(session, "ko"), ids)) == {"scam_hn", "weather"}


def test_ranking_puts_the_densest_match_first(world) -> None:
    session, ids, _ = world
    hits = search_items(session, "lừa đảo")
    assert _keys(hits, ids)[0] == "many"
    assert hits[0].score >= hits[1].score >= hits[2].score


def test_all_words_must_match_and_phrases_keep_their_order(world) -> None:
    session, ids, _ = world
    assert _keys(search_items(session, "lừa đảo Hà Nội"), ids) == ["scam_hn"]
    assert _keys(search_items(session, '"qua điện thoại"'), ids) == ["scam_hn"]
    assert _keys(search_items(session, '"dien thoai qua"'), ids) == []


def test_filters(world) -> None:
    session, ids, weather_source = world
    q = "lừa đảo"
    assert set(_keys(search_items(session, q, province_codes=["79"]), ids)) == {"scam_hcm", "many"}
    assert _keys(
        search_items(session, q, since=T0 + timedelta(days=1), until=T0 + timedelta(days=2)), ids
    ) == ["scam_hcm"]
    assert _keys(search_items(session, "", source_ids=[weather_source]), ids) == ["weather"]
    assert _keys(search_items(session, "", category="scam", limit=2), ids) == ["many", "scam_hcm"]
    assert _keys(search_items(session, "", category="scam", limit=2, offset=2), ids) == ["scam_hn"]


def test_hits_carry_the_item(world) -> None:
    session, ids, _ = world
    (hit,) = search_items(session, "da nang")
    assert hit.item_id == ids["weather"]
    assert hit.title == "Thời tiết"
    assert "Đà Nẵng" in hit.snippet
    assert hit.published_at == T0 + timedelta(days=3)
    assert hit.province_codes == ["48"]


def test_index_follows_updates_and_deletes(world) -> None:
    session, ids, _ = world
    session.execute(
        update(Item)
        .where(Item.id == ids["peace"])
        .values(text_folded=fold_item_text(None, "Lừa đảo bán hàng online"))
    )
    assert "peace" in _keys(search_items(session, "lua dao"), ids)
    assert _keys(search_items(session, "hoa binh"), ids) == []
    session.execute(delete(Item).where(Item.id == ids["many"]))
    assert "many" not in _keys(search_items(session, "lua dao"), ids)


@pytest.mark.parametrize(
    "query",
    ['"', "' OR 1=1 --", "lừa* NEAR(đảo)", "a AND OR NOT", ")(", "x:y", "\\", "%_", "😀"],
)
def test_odd_queries_never_fail(world, query: str) -> None:
    session, _, _ = world
    search_items(session, query)


def test_bad_arguments_are_refused(world) -> None:
    session, _, _ = world
    with pytest.raises(InvalidInputError):
        search_items(session, "x", limit=0)
    with pytest.raises(InvalidInputError):
        search_items(session, "x", since=datetime(2026, 1, 1))  # noqa: DTZ001 - on purpose


def test_query_parsing() -> None:
    assert parse_query('Lừa đảo "Hà Nội" ko') == [
        [["lua"]],
        [["dao"]],
        [["ha", "noi"]],
        [["khong"]],
    ]
    assert parse_query("0912.345.678 CK") == [
        [["0912345678"]],
        [["chong"], ["chuyen", "khoan"], ["chung", "khoan"]],
    ]
    assert parse_query("   ") == []


def test_matching_story_ids_keeps_the_newest_matches(
    world: tuple[Session, dict[str, int], int],
) -> None:
    session, ids, _ = world
    stories = {}
    for key in ("scam_hn", "scam_hcm", "many", "weather"):
        story = Story(representative_text=key)
        session.add(story)
        session.flush()
        stories[key] = story.id
        session.execute(update(Item).where(Item.id == ids[key]).values(story_id=story.id))
    assert matching_story_ids(session, "lua dao") == sorted(
        stories[k] for k in ("scam_hn", "scam_hcm", "many")
    )
    # Only the newest matching items count: the limit cuts the oldest off.
    assert matching_story_ids(session, "lừa đảo", limit=1) == [stories["many"]]
    assert matching_story_ids(session, "hoa binh") == []  # its item has no story
    assert matching_story_ids(session, "  ") == []


def _add(session: Session, key: str, text: str) -> int:
    source = session.query(Source).first()
    assert source is not None
    item = Item(
        source_id=source.id,
        external_id=key,
        content_hash=f"x-{key}",
        text=text,
        text_folded=fold_item_text(None, text),
        published_at=T0,
    )
    session.add(item)
    session.flush()
    return item.id


def test_numbers_in_groups_are_found_however_written(world) -> None:
    session, ids, _ = world
    for key, text in (
        ("dots", "Gọi 0912.345.678 để nhận quà"),
        ("spaces", "gọi 0912 345 678 nhé"),
        ("dashes", "LH 0912-345-678"),
        ("plain", "sđt 0912345678"),
        ("intl", "call +84 912 345 678"),
        ("wide", "gọi ０９１２３４５６７８"),
    ):
        ids[key] = _add(session, key, text)
    every = {"dots", "spaces", "dashes", "plain", "intl", "wide"}
    for query in ("0912345678", "0912.345.678", "0912 345 678", "+84912-345-678"):
        assert set(_keys(search_items(session, query), ids)) == every, query
    assert _keys(search_items(session, '"gọi 0912.345.678 để nhận"'), ids) == ["dots"]
    assert set(_keys(search_items(session, "345"), ids)) == {"dots", "spaces", "dashes", "intl"}


def test_a_word_read_by_its_neighbours_finds_every_reading(world) -> None:
    session, ids, _ = world
    ids["transfer"] = _add(session, "transfer", "Ck 500k trước nhé")
    ids["husband"] = _add(session, "husband", "vk ck đi chơi")
    assert set(_keys(search_items(session, "ck"), ids)) == {"transfer", "husband"}
    assert _keys(search_items(session, "chuyển khoản"), ids) == ["transfer"]
    assert _keys(search_items(session, '"ck 500k"'), ids) == ["transfer"]


def test_tphcm_however_written(world) -> None:
    session, ids, _ = world
    ids["joined"] = _add(session, "joined", "Lừa đảo ở TPHCM")
    ids["lower"] = _add(session, "lower", "lừa đảo ở tphcm")
    expected = {"scam_hcm", "joined", "lower"}
    for query in ("TP.HCM", "tphcm", "TP HCM"):
        assert set(_keys(search_items(session, query), ids)) >= expected, query
    assert set(_keys(search_items(session, "hcm"), ids)) >= expected
