"""A synthetic day with four planted spikes (a story, a commune, a category, a source) after a
day of warm-up: every spike is alerted exactly once and no calm hour raises anything."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from soitin.db.engine import Database
from soitin.db.models import Alert
from soitin.settings import Settings
from soitin.triage.simulate import SPIKE_KINDS, load_stream, make_stream, replay
from tests.triage.conftest import World


def test_every_planted_spike_is_alerted_once_and_calm_hours_never(
    db: Database, world: World, settings: Settings
) -> None:
    stream = make_stream(seed=3, days=1.0, warmup=timedelta(hours=24))
    assert sorted(s.kind for s in stream.spikes) == sorted(SPIKE_KINDS)
    with db.transaction() as s:
        load_stream(s, stream)
    world.rule("Mọi cảnh báo")

    report = replay(db, stream, settings, every=timedelta(minutes=15))

    assert report.passes == 97
    assert {name: len(ids) for name, ids in report.alerts_per_spike.items()} == {
        s.name: 1 for s in stream.spikes
    }
    assert report.false_alerts == []
    # Alerted within the spike, after no more of its posts than it takes to be sure.
    for spike in stream.spikes:
        assert settings.spike_min_count <= report.delay_items[spike.name] < spike.items
    with db.session() as s:
        alerts = list(s.scalars(select(Alert).order_by(Alert.id)))
    story_alert = alerts[[s.kind for s in stream.spikes].index("story")]
    assert story_alert.story_id is not None and story_alert.fingerprint.startswith("story:")
    assert "bài trong 30 phút" in story_alert.message
