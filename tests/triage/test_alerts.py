"""Alert passes: rules, one alert per story and rule, new stories, debunked claims, quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from soitin.db.engine import Database
from soitin.db.models import (
    Alert,
    AlertNotification,
    AlertOutbox,
    Claim,
    StoryClaimMatch,
    User,
)
from soitin.errors import ConflictError, InvalidInputError
from soitin.settings import Settings
from soitin.triage.alerts import (
    acknowledge_alert,
    mark_read,
    run_alert_pass,
    send_test_alert,
    story_ids_of,
    unread_count,
)
from soitin.triage.rules import QuietHours, parse_rule_spec, quiet_until
from soitin.web.i18n import error_text
from tests.triage.conftest import T0, World

HUE = "46"


@pytest.fixture
def quick(settings: Settings) -> Settings:
    """A short baseline (8 windows of 30 minutes) so that tests need little history."""
    return settings.model_copy(update={"spike_baseline_windows": 8})


def calm(
    world: World,
    until: datetime,
    hours: float = 5,
    per_window: int = 2,
    provinces: tuple[str, ...] = (HUE,),
    source: str = "Nguồn nền",
) -> None:
    """A calm background: `per_window` posts every half hour for `hours` before `until`."""
    windows = int(hours * 2)
    world.insert(
        [
            row
            for w in range(1, windows + 1)
            for row in world.rows(
                per_window,
                until - timedelta(minutes=30 * w),
                29,
                provinces=provinces,
                source=source,
            )
        ]
    )


def burst(
    world: World,
    story: int,
    end: datetime,
    count: int = 30,
    *,
    wards: tuple[str, ...] = ("18880",),
    category: str | None = "scam",
) -> None:
    """`count` posts of `story` at Đồng Hới in the 20 minutes before `end`."""
    world.items(
        count,
        end - timedelta(minutes=21),
        20,
        story=story,
        provinces=["44"],
        wards=wards,
        category=category,
    )


def alerts_of(db: Database) -> list[Alert]:
    with db.session() as s:
        return list(s.scalars(select(Alert).order_by(Alert.id)))


def notifications(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count(AlertNotification.id))) or 0


def test_a_spike_opens_one_alert_that_later_passes_update(
    db: Database, world: World, quick: Settings
) -> None:
    story = world.story(at=T0 - timedelta(hours=6), category="scam")
    calm(world, T0)
    world.items(1, T0 - timedelta(hours=3), 1, story=story, provinces=["44"])
    burst(world, story, T0, 30)
    world.rule()

    first = run_alert_pass(db, now=T0, settings=quick)
    assert len(first.created) == 1
    [alert] = alerts_of(db)
    assert alert.story_id == story and alert.fingerprint == f"story:{story}"
    assert alert.kind == "spike" and alert.severity == 3
    assert alert.message.startswith("30 bài trong 30 phút, gấp ")
    assert alert.message.endswith("lần bình thường, tại phường Đồng Hới, Quảng Trị")
    assert alert.data["message_en"].startswith("30 posts in 30 minutes")
    assert notifications(db) == 2  # the lead and the reviewer of the unit

    # The story keeps growing: the same alert is updated, nobody is told twice.
    burst(world, story, T0 + timedelta(minutes=10), 8)
    again = run_alert_pass(db, now=T0 + timedelta(minutes=10), settings=quick)
    assert again.created == [] and again.updated == [alert.id]
    [alert] = alerts_of(db)
    assert alert.count == 2
    assert notifications(db) == 2

    # Quiet for longer than the cool-down, then a new burst: news again.
    later = T0 + timedelta(minutes=quick.alert_cooldown_minutes + 120)
    calm(world, later, hours=4, per_window=1, provinces=("01",))
    burst(world, story, later, 40)
    third = run_alert_pass(db, now=later, settings=quick)
    assert len(third.created) == 1
    assert [a.story_id for a in alerts_of(db)] == [story, story]


def test_calm_hours_raise_nothing(db: Database, world: World, quick: Settings) -> None:
    calm(world, T0, hours=8, per_window=3)
    world.rule()
    for minutes in range(0, 180, 20):
        result = run_alert_pass(db, now=T0 - timedelta(minutes=minutes), settings=quick)
        assert result.signals == 0
    assert alerts_of(db) == []


RULES = {
    "everything": ({}, True),
    "province": ({"place_codes": ["44"]}, True),  # a commune of the province counts for it
    "commune": ({"place_codes": ["18880"]}, True),
    "elsewhere": ({"place_codes": [HUE]}, False),
    "scam": ({"categories": ["scam"]}, True),
    "other categories": ({"categories": ["misinformation", "toxic"]}, False),
    "severe only": ({"min_severity": 3}, True),
    "disabled": ({"enabled": False}, False),
}


def test_rules_filter_by_place_category_and_severity(
    db: Database, world: World, quick: Settings
) -> None:
    story = world.story(at=T0 - timedelta(hours=6))
    calm(world, T0)
    world.items(1, T0 - timedelta(hours=3), 1, story=story, provinces=["44"])
    burst(world, story, T0, 30)
    ids = {world.rule(name, **values): name for name, (values, _) in RULES.items()}
    result = run_alert_pass(db, now=T0, settings=quick)
    assert result.signals == 1
    alerted = {ids[a.rule_id] for a in alerts_of(db) if a.rule_id}
    assert alerted == {name for name, (_, matches) in RULES.items() if matches}


def test_a_small_spike_stays_below_a_high_minimum_severity(
    db: Database, world: World, quick: Settings
) -> None:
    story = world.story(at=T0 - timedelta(hours=6))
    calm(world, T0, per_window=4, provinces=("44",))
    world.items(2, T0 - timedelta(hours=3), 1, story=story, provinces=["44"])
    burst(world, story, T0, 12)
    world.rule("Chỉ mức 3", min_severity=3)
    world.rule("Mọi mức")
    result = run_alert_pass(db, now=T0, settings=quick)
    [alert] = alerts_of(db)
    assert alert.severity < 3
    assert result.created == [alert.id]


def test_a_new_story_already_large_is_told_once(
    db: Database, world: World, quick: Settings
) -> None:
    calm(world, T0, hours=6, per_window=1, provinces=("01",))
    story = world.story(at=T0 - timedelta(minutes=50))
    # 24 posts in 45 minutes, never more than 10 in a window: no spike, but a fast new story.
    world.items(24, T0 - timedelta(minutes=45), 44, story=story, provinces=["44"])
    world.rule()
    run_alert_pass(db, now=T0, settings=quick)
    [alert] = alerts_of(db)
    assert alert.kind == "new_story" and alert.story_id == story and alert.severity == 2
    assert alert.message == "Câu chuyện mới đã có 24 bài trong 45 phút, tại Quảng Trị"
    # Still young and large an hour later: not told again, even after acknowledgement.
    with db.transaction() as s:
        acknowledge_alert(s, s.get(Alert, alert.id), s.scalars(select(User)).first())  # type: ignore[arg-type]
    for minutes in (10, 60):
        run_alert_pass(db, now=T0 + timedelta(minutes=minutes), settings=quick)
    assert len(alerts_of(db)) == 1


def test_matching_a_debunked_claim_is_told_once_per_claim(
    db: Database, world: World, quick: Settings
) -> None:
    story = world.story(at=T0 - timedelta(hours=2))
    world.items(3, T0 - timedelta(hours=2), 60, story=story, provinces=["44"])
    with db.transaction() as s:
        false = Claim(text="Uống nước muối nóng chữa khỏi cúm A trong 1 ngày", verdict="false")
        true = Claim(text="Tiêm phòng cúm mùa mỗi năm là cần thiết", verdict="true")
        other = Claim(text="Cắt điện toàn tỉnh Quảng Trị ngày mai", verdict="misleading")
        s.add_all([false, true, other])
        s.flush()
        s.add_all(
            [
                StoryClaimMatch(
                    story_id=story,
                    claim_id=false.id,
                    score=0.87,
                    matched_at=T0 - timedelta(minutes=3),
                ),
                StoryClaimMatch(
                    story_id=story,
                    claim_id=true.id,
                    score=0.95,
                    matched_at=T0 - timedelta(minutes=3),
                ),
            ]
        )
        other_id = other.id
    world.rule("Tin sai ở Quảng Trị", place_codes=["44"], categories=["misinformation"])
    run_alert_pass(db, now=T0, settings=quick)
    [alert] = alerts_of(db)
    assert alert.kind == "debunked" and alert.severity == 3
    assert alert.message == (
        "Lặp lại tin đã kiểm chứng là sai: «Uống nước muối nóng chữa khỏi cúm A trong 1 ngày» "
        "(độ khớp 0,87), tại Quảng Trị"
    )
    later = T0 + timedelta(hours=8)  # past the cool-down
    run_alert_pass(db, now=later, settings=quick)
    assert len(alerts_of(db)) == 1  # the same claim is not news again
    with db.transaction() as s:
        s.add(StoryClaimMatch(story_id=story, claim_id=other_id, score=0.7, matched_at=later))
    run_alert_pass(db, now=later + timedelta(minutes=1), settings=quick)
    assert [a.kind for a in alerts_of(db)] == ["debunked", "debunked"]
    assert "gây hiểu lầm" in alerts_of(db)[1].message
    # a partial match (0.7) is a lead: severity 2, it does not break quiet hours
    assert [a.severity for a in alerts_of(db)] == [3, 2]


def _debunked(db: Database, world: World, claim: int, at: datetime) -> int:
    """A new story of 3 posts in Quảng Trị that matched `claim` at `at`."""
    story = world.story(at=at - timedelta(hours=1))
    world.items(3, at - timedelta(hours=1), 50, story=story, provinces=["44"])
    with db.transaction() as s:
        s.add(StoryClaimMatch(story_id=story, claim_id=claim, score=0.9, matched_at=at))
    return story


def test_stories_repeating_one_debunked_claim_share_its_alert(
    db: Database, world: World, quick: Settings
) -> None:
    with db.transaction() as s:
        dam = Claim(text="Đập thủy điện Rào Quán đã vỡ, nước đang đổ về Đông Hà", verdict="false")
        power = Claim(text="Cắt điện toàn tỉnh Quảng Trị ngày mai", verdict="false")
        s.add_all([dam, power])
        s.flush()
        dam_id, power_id = dam.id, power.id
    # the same rumour in two wordings (two stories), and another rumour
    first, second = (_debunked(db, world, dam_id, T0 - timedelta(minutes=3)) for _ in range(2))
    _debunked(db, world, power_id, T0 - timedelta(minutes=2))
    world.rule("Tin sai ở Quảng Trị", place_codes=["44"], categories=["misinformation"])

    assert len(run_alert_pass(db, now=T0, settings=quick).created) == 2
    by_claim = {a.data["claim_ids"][0]: a for a in alerts_of(db)}
    assert story_ids_of(by_claim[dam_id]) == [first, second]
    assert by_claim[dam_id].count == 2 and by_claim[power_id].count == 1
    assert notifications(db) == 4  # two alerts, the lead and the reviewer each
    # later passes see the same matches (a day's lookback): nothing is told or counted again
    again = run_alert_pass(db, now=T0 + timedelta(minutes=1), settings=quick)
    assert again.created == [] and again.updated == []

    # An hour on, a third wording: it joins the active alert, and nobody is notified again
    third = _debunked(db, world, dam_id, T0 + timedelta(minutes=60))
    joined = run_alert_pass(db, now=T0 + timedelta(minutes=61), settings=quick)
    assert joined.created == [] and joined.updated == [by_claim[dam_id].id]
    [dam_alert] = [a for a in alerts_of(db) if a.id == by_claim[dam_id].id]
    assert story_ids_of(dam_alert) == [first, second, third] and dam_alert.count == 3
    assert notifications(db) == 4
    run_alert_pass(db, now=T0 + timedelta(minutes=62), settings=quick)
    assert len(alerts_of(db)) == 2 and notifications(db) == 4

    # Past the cool-down the alert has ended: the rumour coming back is news again
    back = T0 + timedelta(hours=8)
    fourth = _debunked(db, world, dam_id, back)
    assert len(run_alert_pass(db, now=back + timedelta(minutes=1), settings=quick).created) == 1
    assert story_ids_of(alerts_of(db)[-1]) == [fourth]
    assert notifications(db) == 6


def test_acknowledging_reads_the_notifications(
    db: Database, world: World, settings: Settings
) -> None:
    rule_id = world.rule()
    with db.transaction() as s:
        from soitin.db.models import AlertRule

        rule = s.get(AlertRule, rule_id)
        assert rule is not None
        alert, _ = send_test_alert(s, rule, now=T0, settings=settings)
        alert_id = alert.id
    with db.transaction() as s:
        lead = s.scalar(select(User).where(User.username == "lead_qtr"))
        reviewer = s.scalar(select(User).where(User.username == "reviewer_qtr"))
        assert lead is not None and reviewer is not None
        assert unread_count(s, lead) == 1 and unread_count(s, reviewer) == 1
        assert mark_read(s, reviewer) == 1
        assert unread_count(s, reviewer) == 0 and unread_count(s, lead) == 1
        alert = s.get(Alert, alert_id)
        assert alert is not None
        acknowledge_alert(s, alert, lead)
        assert unread_count(s, lead) == 0
        assert alert.acknowledged_by_id == lead.id
        with pytest.raises(ConflictError):
            acknowledge_alert(s, alert, reviewer)


def test_quiet_hours_hold_webhooks_and_emails_until_morning(
    db: Database, world: World, quick: Settings
) -> None:
    # 23:00 in Vietnam is 16:00 UTC.
    night = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    story = world.story(at=night - timedelta(hours=6))
    calm(world, night)
    world.items(1, night - timedelta(hours=3), 1, story=story, provinces=["44"])
    burst(world, story, night, 12)
    channels = {"in_app": True, "webhooks": ["http://127.0.0.1:9/hook"], "emails": []}
    world.rule(
        "Đêm yên lặng",
        channels=channels,
        quiet_hours={"start": "22:00", "end": "06:00", "urgent_severity": 3},
    )
    world.rule("Không giờ yên lặng", channels=channels)
    run_alert_pass(db, now=night, settings=quick, deliver=False)
    with db.session() as s:
        due = sorted(s.scalars(select(AlertOutbox.next_attempt_at)))
    morning = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)  # 06:00 in Vietnam
    assert due == [night, morning]


def test_quiet_until_handles_periods_over_midnight() -> None:
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    night = QuietHours(start="22:00", end="06:00")
    at = datetime(2026, 3, 2, 23, 30, tzinfo=tz)
    assert quiet_until(night, at, tz) == datetime(2026, 3, 3, 6, 0, tzinfo=tz)
    assert quiet_until(night, datetime(2026, 3, 3, 5, 0, tzinfo=tz), tz) == datetime(
        2026, 3, 3, 6, 0, tzinfo=tz
    )
    assert quiet_until(night, datetime(2026, 3, 3, 12, 0, tzinfo=tz), tz) is None
    lunch = QuietHours(start="11:30", end="13:30")
    assert quiet_until(lunch, datetime(2026, 3, 3, 12, 0, tzinfo=tz), tz) == datetime(
        2026, 3, 3, 13, 30, tzinfo=tz
    )
    assert quiet_until(lunch, datetime(2026, 3, 3, 14, 0, tzinfo=tz), tz) is None
    assert quiet_until(None, at, tz) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": " "}, "a rule needs a name"),
        ({"name": "x", "place_codes": ["99"]}, "unknown 2025 place code"),
        ({"name": "x", "categories": ["politics"]}, "unknown category politics"),
        ({"name": "x", "channels": {"emails": ["not-an-address"]}}, "not an e-mail address"),
        ({"name": "x", "channels": {"webhooks": ["ftp://example.org/x"]}}, "only http and https"),
        ({"name": "x", "channels": {"webhooks": ["http://10.0.0.7/hook"]}}, "private address"),
        ({"name": "x", "quiet_hours": {"start": "25:00", "end": "06:00"}}, "time of day"),
        ({"name": "x", "min_severity": 5}, "min_severity"),
    ],
)
def test_rule_specs_are_validated(
    settings: Settings, data: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        parse_rule_spec(data, settings)


@pytest.mark.parametrize(
    ("data", "vietnamese"),
    [
        ({"name": " "}, "«Tên»: quy tắc cần có tên."),
        ({"name": "x", "place_codes": ["99"]}, "«Mã địa danh»: không có mã 99 trong danh mục"),
        ({"name": "x", "categories": ["politics"]}, "«Loại»: không có loại politics;"),
        ({"name": "x", "channels": {"emails": ["nope"]}}, "'nope' không phải địa chỉ thư"),
        ({"name": "x", "quiet_hours": {"start": "25:00", "end": "6"}}, "không phải giờ trong ngày"),
        ({"name": "x", "channels": {"webhooks": ["http://10.0.0.7/h"]}}, "địa chỉ nội bộ"),
    ],
)
def test_rule_errors_are_said_in_vietnamese_on_pages(
    settings: Settings, data: dict[str, object], vietnamese: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_rule_spec(data, settings)
    assert vietnamese in error_text(caught.value, "vi")
    assert error_text(caught.value, "en") == str(caught.value)  # the API's English


def test_a_valid_rule_spec_is_normalised(settings: Settings) -> None:
    spec = parse_rule_spec(
        {
            "name": "  Lừa đảo   ở Đồng Hới ",
            "place_codes": ["18880", " 44", "18880"],
            "categories": ["scam"],
            "channels": {"emails": [" a@b.vn "], "webhooks": ["http://127.0.0.1:8080/h"]},
        },
        settings,
    )
    assert spec.name == "Lừa đảo ở Đồng Hới"
    assert spec.place_codes == ["18880", "44"]
    assert spec.channels.emails == ["a@b.vn"] and spec.channels.in_app


def test_a_test_alert_goes_to_every_channel(db: Database, world: World, settings: Settings) -> None:
    from soitin.db.models import AlertRule

    rule_id = world.rule(
        "Kênh",
        channels={
            "in_app": True,
            "webhooks": ["http://127.0.0.1:9/a"],
            "emails": ["a@soitin.test", "b@soitin.test"],
        },
        quiet_hours={"start": "00:00", "end": "23:59", "urgent_severity": 4},
    )
    with db.transaction() as s:
        rule = s.get(AlertRule, rule_id)
        assert rule is not None
        alert, queued = send_test_alert(s, rule, now=T0, settings=settings)
        assert alert.kind == "test" and queued == 3
        assert alert.message == "Cảnh báo thử của quy tắc «Kênh»: các kênh gửi đang hoạt động."
    with db.session() as s:
        rows = list(s.scalars(select(AlertOutbox).order_by(AlertOutbox.id)))
        assert [(r.channel, r.next_attempt_at) for r in rows] == [
            ("webhook", T0),
            ("email", T0),
            ("email", T0),
        ]  # tests ignore quiet hours
        assert rows[0].payload["event"] == "alert.test"
    assert notifications(db) == 2
