"""Loading the demo: fact-checked claims first, so posts repeating them are matched; the demo
alert rules raise alerts on the first pass; the team's responses and publications are there."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from soitin.db import make_engine
from soitin.db.engine import Database
from soitin.db.migrate import upgrade
from soitin.db.models import (
    Action,
    Alert,
    AlertRule,
    Item,
    Publication,
    PublicationSnapshot,
    StoryClaimMatch,
    User,
)
from soitin.demo.load import load_demo
from soitin.settings import get_settings


def test_demo_matches_claims_and_raises_alerts(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(engine)
    database = Database(engine)
    report = load_demo(database, get_settings())
    assert report.claims > 0 and report.items > 300
    with database.session() as s:
        matched_stories = set(s.scalars(select(StoryClaimMatch.story_id)).all())
        assert len(matched_stories) >= 10  # rumours repeating fact-checked claims
        assert s.scalar(select(func.count(AlertRule.id))) == 2
        alerts = s.scalar(select(func.count(Alert.id)))
        assert alerts == report.alerts and alerts >= 5
        # The official denial quoting the rumour word for word matches no claim.
        denial = s.scalars(
            select(Item).where(Item.title.like("Giá xăng dầu điều chỉnh theo kỳ%"))
        ).one()
        assert denial.story_id not in matched_stories
        rumour = s.scalars(
            select(Item).where(Item.text.like("Tin nóng: 0h đêm nay xăng tăng sốc%"))
        ).first()
        assert rumour is not None and rumour.story_id in matched_stories
        # The team's open responses, each by a named person, and its own publications.
        actions = s.scalars(
            select(Action).where(Action.kind.in_(["fact_check", "platform_report"]))
        ).all()
        assert report.responses == len(actions) == 4
        assert all(a.actor_id is not None for a in actions)
        actors = set(
            s.scalars(select(User.username).where(User.id.in_([a.actor_id for a in actions])))
        )
        assert actors == {"lead_qt", "reviewer_qt1", "reviewer_qt2"}
        assert report.publications == s.scalar(select(func.count(Publication.id))) == 3
        assert s.scalar(select(func.sum(PublicationSnapshot.views))) == 18400 + 9650 + 3120


def test_demo_posts_arrive_over_the_month_they_were_published_in(tmp_path: Path) -> None:
    # the dashboard of a fresh `make run` draws a month, not one day's import
    from soitin.demo.load import DEMO_FETCH_DELAY

    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(engine)
    database = Database(engine)
    load_demo(database, get_settings())
    with database.session() as s:
        rows = s.execute(select(Item.published_at, Item.fetched_at)).all()
    assert rows and all(fetched == published + DEMO_FETCH_DELAY for published, fetched in rows)
    days = {fetched.date() for _published, fetched in rows}
    assert len(days) >= 25  # the posts span about four weeks
