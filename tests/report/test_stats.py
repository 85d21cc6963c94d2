"""Every figure of the statistics service on the known month (tests/report/world.py).

October 2026: 11 items (misinformation 5, scam 3, toxic 1, uncategorised 2), 5 stories,
5 cases (2 confirmed, 1 dismissed), 7 responses, first responses after 1, 2, 12 and 96 hours,
2 overdue cases, 3 publications with 2 900 views. September: 3 items, 1 story, 1 case, ...
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soitin.db.models import Item, StatsDayDone
from soitin.errors import InvalidInputError, NotFoundError
from soitin.report.periods import parse_period
from soitin.report.rollup import refresh
from soitin.report.stats import StatsQuery, compute_statistics, nearest_rank
from tests.report.world import NOW, TZ, WARD_DH, WARD_MH, World, local

OCTOBER = parse_period("2026-10")


def stats(session: Session, world: World, unit: str = "qtr", **kw: object):  # type: ignore[no-untyped-def]
    query = StatsQuery(unit_id=world.units[unit], period=kw.pop("period", OCTOBER), **kw)  # type: ignore[arg-type]
    return compute_statistics(session, query, tz=TZ, now=NOW)


def test_totals_of_the_month_and_of_the_previous(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    result = stats(session, world)
    assert result.period == "2026-10" and result.previous_period == "2026-09"
    assert result.totals == {
        "items": 11,
        "stories": 5,
        "cases_opened": 5,
        "cases_confirmed": 2,
        "cases_dismissed": 1,
        "cases_responded": 4,
        "responses": 7,
        "median_first_response_hours": 7.0,
        "p90_first_response_hours": 96.0,
        "overdue": 2,
        "publications": 3,
        "views": 2900,
        "reactions": 140,
        "comments": 14,
        "shares": 31,
    }
    assert result.previous == {
        "items": 3,
        "stories": 1,
        "cases_opened": 1,
        "cases_confirmed": 1,
        "cases_dismissed": 0,
        "cases_responded": 1,
        "responses": 1,
        "median_first_response_hours": 0.5,
        "p90_first_response_hours": 0.5,
        "overdue": 0,
        "publications": 1,
        "views": 100,
        "reactions": 5,
        "comments": 1,
        "shares": 0,
    }


def test_breakdowns_by_category_kind_outcome_and_time(
    world_session: tuple[Session, World],
) -> None:
    session, world = world_session
    result = stats(session, world)
    assert result.items_by_category == {
        "misinformation": 5,
        "scam": 3,
        "toxic": 1,
        "uncategorised": 2,
    }
    assert result.stories_by_category == {
        "misinformation": 2,
        "scam": 1,
        "toxic": 1,
        "uncategorised": 1,
    }
    assert result.cases_by_category == {
        "misinformation": {"opened": 2, "confirmed": 1, "dismissed": 1, "responded": 1},
        "scam": {"opened": 1, "confirmed": 1, "dismissed": 0, "responded": 1},
        "toxic": {"opened": 1, "confirmed": 0, "dismissed": 0, "responded": 1},
        "uncategorised": {"opened": 1, "confirmed": 0, "dismissed": 0, "responded": 1},
    }
    assert result.previous_by_category == {
        "misinformation": {"opened": 1, "confirmed": 1, "dismissed": 0, "responded": 1, "items": 1},
        "scam": {"opened": 0, "confirmed": 0, "dismissed": 0, "items": 1},
        "toxic": {"opened": 0, "confirmed": 0, "dismissed": 0, "items": 1},
    }
    assert result.responses_by_kind == {
        "fact_check": 1,
        "correction": 1,
        "platform_report": 2,
        "official_notice": 1,
        "referral": 1,
        "public_warning": 1,
    }
    assert result.outcomes == {"removed": 1, "pending": 1}
    assert [b["cases"] for b in result.response_time] == [0, 2, 1, 0, 1]


def test_daily_series_follow_local_days(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    result = stats(session, world)
    series = result.series
    assert len(series["buckets"]) == 31 and series["buckets"][0] == "2026-10-01"
    misinfo = series["items"]["misinformation"]
    assert (misinfo[0], misinfo[1], misinfo[9], misinfo[14]) == (2, 1, 1, 1)
    assert sum(misinfo) == 5
    # 23:30 on 31 October in Vietnam is still October (16:30 UTC).
    assert series["items"]["scam"][30] == 1 and sum(series["items"]["scam"]) == 3
    assert series["items"]["uncategorised"][4] == 2
    assert sum(series["cases"]) == 5 and series["cases"][0] == 1
    assert sum(series["responses"]) == 7 and series["responses"][1] == 1


def test_weekly_and_monthly_buckets(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    weekly = stats(session, world, granularity="week")
    assert weekly.series["buckets"][0] == "2026-09-28"  # the Monday of the week of 1 October
    assert [sum(v[i] for v in weekly.series["items"].values()) for i in range(5)] == [
        5,
        3,
        1,
        1,
        1,
    ]
    quarter = stats(
        session, world, period=parse_period("2026-09-01..2026-10-31"), granularity="month"
    )
    assert quarter.series["buckets"] == ["2026-09-01", "2026-10-01"]
    assert quarter.totals["items"] == 14
    assert quarter.previous_period == "2026-07-02..2026-08-31"


def test_a_running_period_is_drawn_up_to_today_only(world_session: tuple[Session, World]) -> None:
    """NOW is 15 November 2026, 19:00 in Vietnam: November's days still to come are not
    series buckets (a chart would show them as days with nothing), and November so far is
    compared with 1–15 October; ended periods keep every bucket and the whole previous one."""
    session, world = world_session
    november = stats(session, world, period=parse_period("2026-11"))
    buckets = november.series["buckets"]
    assert (buckets[0], buckets[-1], len(buckets)) == ("2026-11-01", "2026-11-15", 15)
    assert all(len(line) == 15 for line in november.series["items"].values())
    assert len(november.series["cases"]) == len(november.series["responses"]) == 15
    assert november.until == "2026-11-15" and november.to_dict()["until"] == "2026-11-15"
    # compared with as many days of October ("cùng kỳ"), not the whole month
    assert november.previous_period == "2026-10-01..2026-10-15"
    first_half = stats(session, world, period=parse_period("2026-10-01..2026-10-15"))
    assert 0 < november.previous["items"] == first_half.totals["items"] < 11
    assert november.previous["cases_opened"] == first_half.totals["cases_opened"]
    weekly = stats(session, world, period=parse_period("2026-11"), granularity="week")
    assert weekly.series["buckets"] == ["2026-10-26", "2026-11-02", "2026-11-09"]
    october = stats(session, world)
    assert october.until is None and len(october.series["buckets"]) == 31
    # a period that has not begun is not running: its buckets are all there, all empty
    later = stats(session, world, period=parse_period("2027-01"))
    assert later.until is None and len(later.series["buckets"]) == 31


def test_by_unit_rolls_up_and_places_break_down(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    result = stats(session, world)
    rows = {r["code"]: r for r in result.by_unit}
    assert [r["code"] for r in result.by_unit] == ["qtr", "dhoi", "mhoa"]
    assert rows["qtr"] | {} == {
        "unit_id": world.units["qtr"],
        "code": "qtr",
        "name": "Tỉnh Quảng Trị",
        "items": 11,
        "cases_opened": 5,
        "cases_confirmed": 2,
        "cases_dismissed": 1,
        "responses": 7,
        "median_first_response_hours": 7.0,
        "overdue": 2,
        "publications": 3,
        "views": 2900,
    }
    assert {
        k: rows["dhoi"][k]
        for k in (
            "items",
            "cases_opened",
            "cases_confirmed",
            "responses",
            "median_first_response_hours",
            "overdue",
            "publications",
            "views",
        )
    } == {
        "items": 4,
        "cases_opened": 2,
        "cases_confirmed": 1,
        "responses": 4,
        "median_first_response_hours": 1.5,
        "overdue": 1,
        "publications": 1,
        "views": 2500,
    }
    assert {
        k: rows["mhoa"][k]
        for k in (
            "items",
            "cases_opened",
            "cases_dismissed",
            "responses",
            "median_first_response_hours",
            "overdue",
            "publications",
            "views",
        )
    } == {
        "items": 2,
        "cases_opened": 2,
        "cases_dismissed": 1,
        "responses": 1,
        "median_first_response_hours": 96.0,
        "overdue": 1,
        "publications": 1,
        "views": 0,
    }
    provinces = {r["code"]: (r["items"], r["stories"], r["cases"]) for r in result.by_province}
    assert provinces == {"44": (7, 3, 3), "01": (3, 2, 2), "": (2, 1, 1)}
    assert result.by_province[0]["name"] == "Tỉnh Quảng Trị"
    assert {r["code"]: r["items"] for r in result.by_ward} == {WARD_DH: 4, WARD_MH: 2}
    assert result.publications_by_channel == {
        "facebook": {
            "publications": 1,
            "views": 2500,
            "reactions": 120,
            "comments": 12,
            "shares": 30,
        },
        "tiktok": {"publications": 1, "views": 0, "reactions": 0, "comments": 0, "shares": 0},
        "youtube": {"publications": 1, "views": 400, "reactions": 20, "comments": 2, "shares": 1},
    }
    assert [p["views"] for p in result.top_publications] == [2500, 400, 0]


def test_a_commune_unit_sees_its_own_places_only(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    result = stats(session, world, unit="dhoi")
    assert result.totals["items"] == 4
    assert result.totals["stories"] == 1
    assert result.totals["cases_opened"] == 2
    assert result.totals["responses"] == 4
    assert result.totals["publications"] == 1
    assert result.previous["items"] == 1 and result.previous["cases_opened"] == 1
    assert [r["code"] for r in result.by_unit] == ["dhoi"]


def test_place_and_category_filters(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    quang_tri = stats(session, world, place="44")
    assert quang_tri.totals["items"] == 7
    assert quang_tri.totals["stories"] == 3
    assert quang_tri.totals["cases_opened"] == 3  # C1, C3, C4
    assert quang_tri.totals["responses"] == 4  # C1 ×2, C4, and C6's October correction
    assert {r["code"] for r in quang_tri.by_ward} == {WARD_DH, WARD_MH}
    ward = stats(session, world, place=WARD_MH)
    assert ward.totals["items"] == 2 and ward.totals["cases_opened"] == 2
    misinfo = stats(session, world, category="misinformation")
    assert misinfo.totals["items"] == 5
    assert misinfo.totals["cases_opened"] == 2
    assert misinfo.totals["responses"] == 3  # C1 ×2 and C6's correction
    assert misinfo.previous["items"] == 1
    none = stats(session, world, category="uncategorised")
    assert none.totals["items"] == 2 and none.totals["cases_opened"] == 1


def test_bad_queries_are_refused(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    with pytest.raises(InvalidInputError):
        stats(session, world, place="4'4")
    with pytest.raises(InvalidInputError):
        stats(session, world, category="politics")
    with pytest.raises(NotFoundError):
        compute_statistics(session, StatsQuery(unit_id=999_999, period=OCTOBER))


def test_nearest_rank() -> None:
    assert nearest_rank([], 0.9) is None
    assert nearest_rank([5.0], 0.9) == 5.0
    assert nearest_rank([float(i) for i in range(1, 11)], 0.9) == 9.0
    assert nearest_rank([1.0, 2.0, 12.0, 96.0], 0.5) == 2.0


def test_the_daily_rollup_gives_the_live_figures(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    for unit, kw in (
        ("qtr", {}),
        ("dhoi", {}),
        ("qtr", {"place": "44"}),
        ("qtr", {"category": "scam"}),
        ("mhoa", {"granularity": "week"}),
    ):
        query = StatsQuery(unit_id=world.units[unit], period=OCTOBER, **kw)  # type: ignore[arg-type]
        cached = compute_statistics(session, query, tz=TZ, now=NOW).to_dict()
        live = compute_statistics(session, query, tz=TZ, now=NOW, use_rollup=False).to_dict()
        assert cached == live, (unit, kw)
    done = session.scalar(select(func.count()).select_from(StatsDayDone))
    assert done == 30 + 31 + 30 + 31  # September and October, items and stories


def test_rollup_is_refreshed_and_recent_days_are_live(
    world_session: tuple[Session, World],
) -> None:
    session, world = world_session
    query = StatsQuery(unit_id=world.units["qtr"], period=OCTOBER)
    assert compute_statistics(session, query, tz=TZ, now=NOW).totals["items"] == 11
    source_id = session.scalar(select(Item.source_id).limit(1))
    session.add(
        Item(
            source_id=source_id,
            external_id="late",
            content_hash="late",
            category="spam",
            fetched_at=local(10, 20, 9),
        )
    )
    session.flush()
    # A closed day is cached: the late row is not seen until the cache is refreshed ...
    assert compute_statistics(session, query, tz=TZ, now=NOW).totals["items"] == 11
    assert refresh(session, date(2026, 10, 15)) == 2 * 17
    assert compute_statistics(session, query, tz=TZ, now=NOW).totals["items"] == 12
    # ... while the last days of a running month are always counted live.
    in_month = datetime(2026, 10, 31, 20, 0, tzinfo=UTC)
    session.add(
        Item(
            source_id=source_id,
            external_id="today",
            content_hash="today",
            fetched_at=local(10, 31, 22),
        )
    )
    session.flush()
    assert compute_statistics(session, query, tz=TZ, now=in_month).totals["items"] == 13


def test_period_titles() -> None:
    assert parse_period("2026-11").title() == "tháng 11/2026"
    assert parse_period("2026-11").title("en") == "November 2026"
    assert parse_period("2026-11-01..2026-11-15").title() == "từ 01/11/2026 đến 15/11/2026"
    # one day, however it was written
    assert parse_period("2026-11-01..2026-11-01").title() == "ngày 01/11/2026"
    assert parse_period("2026-11-01").title("en") == "01/11/2026"
