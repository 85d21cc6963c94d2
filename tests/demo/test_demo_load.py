"""Loading the demo: fact-checked claims first, so posts repeating them are matched, and the
demo alert rules raise alerts on the first pass."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from soitin.db import make_engine
from soitin.db.engine import Database
from soitin.db.migrate import upgrade
from soitin.db.models import Alert, AlertRule, Item, StoryClaimMatch
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
