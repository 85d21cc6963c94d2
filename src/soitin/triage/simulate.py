"""A synthetic item stream with planted spikes and calm periods, for tests and the benchmark.

The background is a Poisson stream with a daily rhythm (quiet nights, busy afternoons) over a
few provinces, communes, categories, sources and many small stories. Planted spikes are of
four kinds — one story taking off, one commune flooded by many small stories, one category
surging across places, one source flooding — at known times, hours apart. `replay` runs alert
passes over the stream at a fixed interval and tells which alert belongs to which spike, how
many of the spike's items had arrived before its alert (the detection delay) and which alerts
belong to no spike (false alerts).

Nothing here is used by the running application.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from soitin.db.engine import Database
from soitin.db.models import Alert, Item, Source, SourceKind, Story
from soitin.settings import Settings

__all__ = [
    "PlantedSpike",
    "ReplayReport",
    "SyntheticItem",
    "SyntheticStream",
    "load_stream",
    "make_stream",
    "replay",
]

HOME = "44"  # Quảng Trị
PROVINCES = (("44", 0.3), ("46", 0.15), ("48", 0.15), ("01", 0.2), ("79", 0.2))
HOME_WARDS = ("18880", "18859", "18871", "18901")
CATEGORIES = (
    (None, 0.6),
    ("misinformation", 0.15),
    ("scam", 0.15),
    ("toxic", 0.07),
    ("spam", 0.03),
)
SOURCES = tuple(f"synthetic-{i}" for i in range(8))
SPIKE_KINDS = ("story", "ward", "category", "source")


@dataclass(frozen=True)
class SyntheticItem:
    """One post of the stream."""

    published_at: datetime
    fetched_at: datetime
    story: str
    source: str
    category: str | None
    provinces: tuple[str, ...]
    wards: tuple[str, ...]
    spike: str | None = None


@dataclass(frozen=True)
class PlantedSpike:
    """A burst put into the stream on purpose."""

    name: str
    kind: str
    start: datetime
    end: datetime
    items: int


@dataclass
class SyntheticStream:
    """The items, the planted spikes and where the warm-up ends."""

    start: datetime
    end: datetime
    evaluate_from: datetime
    items: list[SyntheticItem]
    spikes: list[PlantedSpike]


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


@dataclass
class _StoryState:
    key: str
    born: datetime
    province: str
    ward: str | None
    category: str | None


@dataclass
class _Background:
    rng: random.Random
    stories: list[_StoryState] = field(default_factory=list)
    counter: int = 0

    def new_story(
        self,
        at: datetime,
        province: str | None = None,
        ward: str | None = None,
        category: str | None = "",
    ) -> _StoryState:
        self.counter += 1
        prov = province or _pick(self.rng, PROVINCES)
        if ward is None and prov == HOME and self.rng.random() < 0.5:
            ward = self.rng.choice(HOME_WARDS)
        # "" draws a category at random; None means no category.
        cat: str | None = _pick(self.rng, CATEGORIES) if category == "" else category
        story = _StoryState(f"s{self.counter}", at, prov, ward, cat)
        self.stories.append(story)
        return story

    def story_for(self, at: datetime) -> _StoryState:
        alive = [s for s in self.stories[-60:] if at - s.born < timedelta(hours=6)]
        if alive and self.rng.random() < 0.6:
            return self.rng.choice(alive)
        return self.new_story(at)


def _item(
    rng: random.Random,
    at: datetime,
    story: _StoryState,
    source: str | None = None,
    spike: str | None = None,
) -> SyntheticItem:
    return SyntheticItem(
        published_at=at,
        fetched_at=at + timedelta(seconds=rng.uniform(5, 180)),
        story=story.key,
        source=source or rng.choice(SOURCES),
        category=story.category,
        provinces=(story.province,),
        wards=(story.ward,) if story.ward else (),
        spike=spike,
    )


def _rate(at: datetime, per_hour: float) -> float:
    """Items per hour at `at`: a daily wave, lowest around 03:00, highest around 15:00 (UTC+7)."""
    hour = (at.hour + 7 + at.minute / 60) % 24
    return per_hour * (1 + 0.6 * math.sin(2 * math.pi * (hour - 9) / 24))


def make_stream(
    *,
    seed: int = 7,
    days: float = 2.0,
    warmup: timedelta = timedelta(hours=24),
    per_hour: float = 40.0,
    spikes_per_day: int = 4,
    spike_items: tuple[int, int] = (35, 60),
    spike_minutes: tuple[int, int] = (15, 40),
    start: datetime = datetime(2026, 3, 2, 0, 0, tzinfo=UTC),
) -> SyntheticStream:
    """A reproducible stream: `warmup` of background, then `days` with planted spikes."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible simulation, not a secret
    bg = _Background(rng)
    end = start + warmup + timedelta(days=days)
    items: list[SyntheticItem] = []
    at = start
    while True:
        # Thinning of a Poisson process with the daily rate (max rate 1.6 × per_hour).
        at += timedelta(hours=rng.expovariate(per_hour * 1.6))
        if at >= end:
            break
        if rng.random() * per_hour * 1.6 <= _rate(at, per_hour):
            items.append(_item(rng, at, bg.story_for(at)))

    spikes: list[PlantedSpike] = []
    total = max(1, round(days * spikes_per_day))
    slot = (end - start - warmup) / total
    for i in range(total):
        kind = SPIKE_KINDS[i % len(SPIKE_KINDS)]
        begin = start + warmup + slot * i + slot * rng.uniform(0.15, 0.55)
        minutes = rng.randint(*spike_minutes)
        count = rng.randint(*spike_items)
        name = f"{kind}-{i}"
        spikes.append(PlantedSpike(name, kind, begin, begin + timedelta(minutes=minutes), count))
        times = sorted(begin + timedelta(minutes=rng.uniform(0, minutes)) for _ in range(count))
        if kind == "story":
            old = [
                s
                for s in bg.stories
                if begin - timedelta(hours=5) < s.born < begin - timedelta(hours=1)
            ]
            story = rng.choice(old) if old else bg.new_story(begin - timedelta(hours=2))
            items += [_item(rng, t, story, spike=name) for t in times]
        elif kind in ("ward", "category"):
            ward = rng.choice(HOME_WARDS)
            made: list[_StoryState] = []
            for t in times:
                if made and rng.random() < 0.3:
                    story = rng.choice(made)  # a few of the many small stories get two posts
                elif kind == "ward":
                    story = bg.new_story(t, HOME, ward)
                else:
                    story = bg.new_story(t, category="scam")
                made.append(story)
                items.append(_item(rng, t, story, spike=name))
        else:
            source = rng.choice(SOURCES)
            for t in times:
                items.append(_item(rng, t, bg.new_story(t), source=source, spike=name))
    items.sort(key=lambda it: it.fetched_at)
    return SyntheticStream(start, end, start + warmup, items, spikes)


def load_stream(session: Session, stream: SyntheticStream) -> dict[str, int]:
    """Write the stream's sources, stories and items; returns story key → story id."""
    sources = {}
    for name in SOURCES:
        source = session.scalar(select(Source).where(Source.name == name))
        if source is None:
            source = Source(kind=SourceKind.FEED.value, name=name)
            session.add(source)
            session.flush()
        sources[name] = source.id
    first: dict[str, SyntheticItem] = {}
    for it in stream.items:
        if it.story not in first or it.published_at < first[it.story].published_at:
            first[it.story] = it
    stories = {
        key: Story(
            first_seen=it.published_at,
            last_seen=it.published_at,
            province_codes=list(it.provinces),
            ward_codes=list(it.wards),
            category=it.category,
        )
        for key, it in first.items()
    }
    session.add_all(stories.values())
    session.flush()
    story_ids = {key: story.id for key, story in stories.items()}
    rows: list[dict[str, Any]] = [
        {
            "source_id": sources[it.source],
            "external_id": f"syn-{n}",
            "content_hash": hashlib.sha256(f"syn-{n}".encode()).hexdigest(),
            "text": f"bài tổng hợp {n}",
            "published_at": it.published_at,
            "fetched_at": it.fetched_at,
            "province_codes": list(it.provinces),
            "ward_codes": list(it.wards),
            "category": it.category,
            "story_id": story_ids[it.story],
            "scores": {},
        }
        for n, it in enumerate(stream.items)
    ]
    for start in range(0, len(rows), 2000):
        session.execute(insert(Item), rows[start : start + 2000])
    session.flush()
    return story_ids


@dataclass
class ReplayReport:
    """How the alert passes did on a stream."""

    passes: int
    days: float
    #: spike name → ids of the alerts opened for it
    alerts_per_spike: dict[str, list[int]]
    #: spike name → items of the spike that had arrived when its first alert opened
    delay_items: dict[str, int]
    #: spike name → minutes from the spike's first item to its first alert
    delay_minutes: dict[str, float]
    false_alerts: list[int]

    @property
    def missed(self) -> list[str]:
        """Spikes no alert was opened for."""
        return [name for name, ids in self.alerts_per_spike.items() if not ids]

    @property
    def false_alerts_per_day(self) -> float:
        """Alerts that belong to no spike, per simulated day."""
        return len(self.false_alerts) / self.days if self.days else 0.0


def replay(
    database: Database,
    stream: SyntheticStream,
    settings: Settings,
    *,
    every: timedelta = timedelta(minutes=5),
    run_pass: Callable[[Database, datetime, Settings], object] | None = None,
) -> ReplayReport:
    """Run an alert pass every `every` over the evaluated part of the stream, then judge.

    An alert opened between a spike's start and one window after its end belongs to it;
    any other alert is false.
    """
    from soitin.triage.alerts import run_alert_pass

    def default(db: Database, now: datetime, cfg: Settings) -> object:
        return run_alert_pass(db, now=now, settings=cfg, deliver=False)

    step = run_pass or default
    now = stream.evaluate_from
    passes = 0
    while now <= stream.end:
        step(database, now, settings)
        passes += 1
        now += every
    window = timedelta(minutes=settings.spike_window_minutes)
    with database.session() as session:
        alerts = list(
            session.execute(
                select(Alert.id, Alert.created_at)
                .where(Alert.created_at >= stream.evaluate_from)
                .order_by(Alert.created_at, Alert.id)
            ).all()
        )
    per_spike: dict[str, list[int]] = {s.name: [] for s in stream.spikes}
    false_alerts: list[int] = []
    first_at: dict[str, datetime] = {}
    for alert_id, created in alerts:
        owner = next(
            (s for s in stream.spikes if s.start <= created <= s.end + window + every), None
        )
        if owner is None:
            false_alerts.append(alert_id)
            continue
        per_spike[owner.name].append(alert_id)
        first_at.setdefault(owner.name, created)
    delay_items: dict[str, int] = {}
    delay_minutes: dict[str, float] = {}
    for spike in stream.spikes:
        if spike.name not in first_at:
            continue
        seen = first_at[spike.name]
        delay_items[spike.name] = sum(
            1 for it in stream.items if it.spike == spike.name and it.fetched_at < seen
        )
        delay_minutes[spike.name] = round((seen - spike.start).total_seconds() / 60, 1)
    days = (stream.end - stream.evaluate_from).total_seconds() / 86400
    return ReplayReport(passes, days, per_spike, delay_items, delay_minutes, false_alerts)
