"""Signals: what one alert pass found, before any rule is applied.

Three sources of signals:

* **spikes** (`soitin.triage.spikes`) — overlapping spikes are one event: a story that takes
  off usually lifts its place, its category and its source too. Two spikes that share at
  least half of the smaller one's extra posts (those above its normal level) are grouped,
  and a spike that is no spike without the posts of a bigger event joins it; when one story
  carries at least half of the group's posts
  the signal is about that story (fingerprint `story:ID`), else about the most specific
  series (ward, then province, category, source);
* **new story already large** — a story whose first post is at most
  `SOITIN_NEW_STORY_MAX_AGE_MINUTES` old and that already has `SOITIN_NEW_STORY_MIN_ITEMS`;
* **matched a debunked claim** — a story matched (in the last day) a claim of the library
  fact-checked as false or misleading. Its series include `claim:ID` for each such claim, so
  other stories repeating the claim while its alert is active join that alert
  (`soitin.triage.alerts`): a rumour told in five wordings is one alert, not five.

Signals about the same story become one signal. Each carries its severity (1..3), one
sentence saying why, the places and categories it concerns (those of at least a fifth of its
posts) and the details behind the sentence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soitin.db.models import Claim, Item, Source, StoryClaimMatch, Verdict
from soitin.settings import Settings
from soitin.triage import wording
from soitin.triage.spikes import (
    SERIES_KINDS,
    Spike,
    SpikeParams,
    detect_spikes,
    event_time,
    still_a_spike,
)
from soitin.triage.wording import Sentence

__all__ = [
    "DEBUNKED_LOOKBACK",
    "CLAIM_PREFIX",
    "DEBUNKED_VERDICTS",
    "STRONG_CLAIM_MATCH",
    "Signal",
    "claim_fingerprint",
    "story_fingerprint",
    "collect_signals",
    "severity_of_spike",
]

#: Claim matches younger than this are reported (older ones were before this pass's time).
DEBUNKED_LOOKBACK = timedelta(hours=24)
DEBUNKED_VERDICTS = (Verdict.FALSE.value, Verdict.MISLEADING.value)
#: A story matching a debunked claim at least this well is severity 3; a partial match (an
#: advisory on the same topic, a quote in other words) is a lead, severity 2: it does not break
#: quiet hours.
STRONG_CLAIM_MATCH = 0.8
#: Two spikes are one event when they share at least this part of the smaller one's posts
#: above its normal level (a story that takes off lifts its source by a few posts only).
OVERLAP = 0.5
#: A story carrying at least this part of an event's posts is what the event is about.
DOMINANT_SHARE = 0.5
#: The series that names an event must hold at least this part of the biggest spike's count.
LEAD_SHARE = 0.8
#: A place or category belongs to a signal when at least this part of its posts carry it.
CONCERN_SHARE = 0.2
#: Which reason speaks when one signal has several (higher first).
_KIND_RANK = {"debunked": 3, "new_story": 2, "spike": 1}


#: The series of a debunked claim's repeats are `claim:ID`.
CLAIM_PREFIX = "claim:"


def claim_fingerprint(claim_id: int) -> str:
    """The series of a debunked claim's repeats: `claim:ID`."""
    return f"{CLAIM_PREFIX}{claim_id}"


def story_fingerprint(story_id: int) -> str:
    """The series of one story: `story:ID`."""
    return f"story:{story_id}"


@dataclass
class Signal:
    """One event found by a pass: why (one sentence), how bad, where, about what."""

    fingerprint: str
    kind: str
    severity: int
    sentence: Sentence
    story_id: int | None = None
    kinds: set[str] = field(default_factory=set)
    #: Every series involved (`story:12`, `province:44`, ...), the primary one included.
    fingerprints: set[str] = field(default_factory=set)
    place_codes: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    claim_ids: set[int] = field(default_factory=set)
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.kinds.add(self.kind)
        self.fingerprints.add(self.fingerprint)

    def absorb(self, other: Signal) -> None:
        """Fold another signal about the same thing into this one."""
        if (other.severity, _KIND_RANK.get(other.kind, 0)) > (
            self.severity,
            _KIND_RANK.get(self.kind, 0),
        ):
            self.kind, self.sentence = other.kind, other.sentence
        self.severity = max(self.severity, other.severity)
        self.story_id = self.story_id or other.story_id
        self.kinds |= other.kinds
        self.fingerprints |= other.fingerprints
        self.place_codes += [c for c in other.place_codes if c not in self.place_codes]
        self.categories += [c for c in other.categories if c not in self.categories]
        self.claim_ids |= other.claim_ids
        self.details.update(other.details)


@dataclass(frozen=True)
class _Row:
    id: int
    story_id: int | None
    source_id: int
    category: str | None
    provinces: tuple[str, ...]
    wards: tuple[str, ...]

    def series(self) -> set[str]:
        out = {f"source:{self.source_id}"}
        if self.story_id is not None:
            out.add(story_fingerprint(self.story_id))
        if self.category:
            out.add(f"category:{self.category}")
        out.update(f"province:{c}" for c in self.provinces)
        out.update(f"ward:{c}" for c in self.wards)
        return out


def _rows(session: Session, *conditions: Any) -> list[_Row]:
    stmt = select(
        Item.id,
        Item.story_id,
        Item.source_id,
        Item.category,
        Item.province_codes,
        Item.ward_codes,
    ).where(*conditions)
    return [
        _Row(i, s, src, cat, tuple(p or ()), tuple(w or ()))
        for i, s, src, cat, p, w in session.execute(stmt)
    ]


def _shares(rows: Sequence[_Row]) -> tuple[list[str], list[str], list[str]]:
    """(places of ≥ CONCERN_SHARE, categories of ≥ CONCERN_SHARE, places for the sentence)."""
    if not rows:
        return [], [], []
    total = len(rows)
    places: Counter[str] = Counter()
    wards: Counter[str] = Counter()
    provinces: Counter[str] = Counter()
    cats: Counter[str] = Counter()
    for row in rows:
        places.update(set(row.provinces) | set(row.wards))
        wards.update(set(row.wards))
        provinces.update(set(row.provinces))
        if row.category:
            cats[row.category] += 1
    concern = [
        c
        for c, n in sorted(places.items(), key=lambda x: (-x[1], x[0]))
        if n >= CONCERN_SHARE * total
    ]
    categories = [
        c
        for c, n in sorted(cats.items(), key=lambda x: (-x[1], x[0]))
        if n >= CONCERN_SHARE * total
    ]
    top_wards = [c for c, n in wards.most_common(1) if n >= DOMINANT_SHARE * total]
    sentence_places = (
        top_wards
        or [
            c
            for c, n in sorted(provinces.items(), key=lambda x: (-x[1], x[0]))
            if n >= DOMINANT_SHARE * total
        ][:2]
    )
    return concern, categories, sentence_places


def severity_of_spike(spike: Spike, params: SpikeParams) -> int:
    """3 when ≥ 10× and ≥ 3× the minimum count; 2 when ≥ 5× or ≥ 3× the minimum count."""
    large = spike.count >= 3 * params.min_count
    if spike.ratio >= 10 and large:
        return 3
    if spike.ratio >= 5 or large:
        return 2
    return 1


def _clusters(
    spikes: Sequence[Spike], members: Sequence[set[int]], params: SpikeParams
) -> list[list[int]]:
    """Groups of spike indexes that are one event (see `OVERLAP`)."""
    parent = list(range(len(spikes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # What each spike has above its normal level: the posts the event brought.
    excess = [max(1.0, s.count - s.mean) for s in spikes]
    for i in range(len(spikes)):
        for j in range(i + 1, len(spikes)):
            shared = len(members[i] & members[j])
            if shared and shared >= OVERLAP * min(excess[i], excess[j]):
                parent[find(j)] = find(i)
    found: dict[int, list[int]] = {}
    for i in range(len(spikes)):
        found.setdefault(find(i), []).append(i)
    # Biggest events first; a smaller group that is no spike without the posts of a bigger
    # one (a source that carried a few posts of a category surge) belongs to it.
    groups = sorted(found.values(), key=lambda g: -sum(excess[i] for i in g))
    kept: list[list[int]] = []
    for group in groups:
        home, best = None, 0
        claimed_all: set[int] = set()
        for other in kept:
            claimed = set().union(*(members[i] for i in other))
            claimed_all |= claimed
            shared = len(claimed & set().union(*(members[i] for i in group)))
            if shared > best:
                home, best = other, shared
        alone = any(still_a_spike(spikes[i], len(members[i] - claimed_all), params) for i in group)
        if home is not None and not alone:
            home.extend(group)
        else:
            kept.append(group)
    return kept


def _spike_signals(
    session: Session, spikes: Sequence[Spike], now: datetime, params: SpikeParams
) -> list[Signal]:
    if not spikes:
        return []
    start = now - params.window
    rows = _rows(
        session,
        Item.fetched_at >= start,
        Item.fetched_at < now,
        event_time() >= start,
        event_time() < now,
    )
    series_of = {row.id: row.series() for row in rows}
    members = [{r.id for r in rows if s.series in series_of[r.id]} for s in spikes]
    by_id = {row.id: row for row in rows}
    source_ids = {int(s.key) for s in spikes if s.kind == "source"}
    source_names = (
        dict(session.execute(select(Source.id, Source.name).where(Source.id.in_(source_ids))).all())
        if source_ids
        else {}
    )
    window_minutes = int(params.window.total_seconds() // 60)
    baseline_hours = params.baseline_span.total_seconds() / 3600

    signals = []
    for group in _clusters(spikes, members, params):
        group_spikes = sorted(
            (spikes[i] for i in group), key=lambda s: (SERIES_KINDS.index(s.kind), s.p_value)
        )
        ids = set().union(*(members[i] for i in group))
        group_rows = [by_id[i] for i in sorted(ids)]
        stories = Counter(r.story_id for r in group_rows if r.story_id is not None)
        top = stories.most_common(1)
        story_id = top[0][0] if top and top[0][1] >= DOMINANT_SHARE * len(group_rows) else None
        if story_id is not None:
            fingerprint = story_fingerprint(story_id)
            own = [s for s in group_spikes if s.series == fingerprint]
            # Without a spike of its own, the place spike speaks (it has a place to name).
            lead = own[0] if own else min(group_spikes, key=lambda s: (s.p_value, s.kind))
        else:
            # The most specific series that still explains most of the event.
            biggest = max(s.count for s in group_spikes)
            lead = next(s for s in group_spikes if s.count >= LEAD_SHARE * biggest)
            fingerprint = lead.series
        concern, categories, sentence_places = _shares(group_rows)
        if lead.kind in ("province", "ward"):
            sentence_places = [lead.key]
        sentence = wording.spike_sentence(
            lead.count,
            window_minutes,
            lead.mean,
            lead.ratio,
            sentence_places,
            category=lead.key if lead.kind == "category" else None,
            source=source_names.get(int(lead.key)) if lead.kind == "source" else None,
            baseline_hours=baseline_hours,
        )
        signals.append(
            Signal(
                fingerprint=fingerprint,
                kind="spike",
                severity=max(severity_of_spike(s, params) for s in group_spikes),
                sentence=sentence,
                story_id=story_id,
                fingerprints={s.series for s in group_spikes},
                place_codes=concern,
                categories=categories,
                details={
                    "spike": {
                        "window_minutes": window_minutes,
                        "window_start": start.isoformat(),
                        "window_end": now.isoformat(),
                        "baseline_hours": baseline_hours,
                        "series": [
                            {
                                "series": s.series,
                                "count": s.count,
                                "mean": round(s.mean, 3),
                                "ratio": round(s.ratio, 2),
                                "p_value": s.p_value,
                            }
                            for s in group_spikes
                        ],
                        "items": len(group_rows),
                        "top_stories": [[sid, n] for sid, n in stories.most_common(5)],
                    }
                },
            )
        )
    return signals


def _story_rows(session: Session, story_ids: Iterable[int], now: datetime) -> dict[int, list[_Row]]:
    out: dict[int, list[_Row]] = {}
    ids = sorted(set(story_ids))
    for start in range(0, len(ids), 500):
        for row in _rows(
            session, Item.story_id.in_(ids[start : start + 500]), Item.fetched_at < now
        ):
            assert row.story_id is not None  # noqa: S101 - filtered on story_id
            out.setdefault(row.story_id, []).append(row)
    return out


def _new_story_signals(session: Session, now: datetime, settings: Settings) -> list[Signal]:
    age = timedelta(minutes=settings.new_story_max_age_minutes)
    threshold = settings.new_story_min_items
    since = now - age
    recent = (
        select(Item.story_id)
        .where(
            Item.story_id.is_not(None),
            Item.fetched_at >= since,
            Item.fetched_at < now,
            event_time() >= since,
        )
        .distinct()
    )
    first = func.min(event_time())
    stmt = (
        select(Item.story_id, func.count(), first)
        .where(Item.story_id.in_(recent), Item.fetched_at < now)
        .group_by(Item.story_id)
        .having(func.count() >= threshold, first >= since)
    )
    found = [
        (int(sid), int(n), started) for sid, n, started in session.execute(stmt) if sid is not None
    ]
    if not found:
        return []
    rows = _story_rows(session, (sid for sid, _, _ in found), now)
    signals = []
    for story_id, count, started in found:
        concern, categories, sentence_places = _shares(rows.get(story_id, []))
        minutes = int((now - started).total_seconds() // 60)
        signals.append(
            Signal(
                fingerprint=story_fingerprint(story_id),
                kind="new_story",
                severity=3 if count >= 3 * threshold else 2,
                sentence=wording.new_story_sentence(count, minutes, sentence_places),
                story_id=story_id,
                place_codes=concern,
                categories=categories,
                details={
                    "new_story": {
                        "items": count,
                        "first_seen": started.isoformat(),
                        "age_minutes": minutes,
                    }
                },
            )
        )
    return signals


def _debunked_signals(session: Session, now: datetime) -> list[Signal]:
    stmt = (
        select(StoryClaimMatch.story_id, StoryClaimMatch.score, Claim.id, Claim.text, Claim.verdict)
        .join(Claim, Claim.id == StoryClaimMatch.claim_id)
        .where(
            Claim.verdict.in_(DEBUNKED_VERDICTS),
            StoryClaimMatch.matched_at > now - DEBUNKED_LOOKBACK,
            StoryClaimMatch.matched_at <= now,
        )
        # The newest match speaks: when a story repeats a second claim, that is the news.
        .order_by(
            StoryClaimMatch.story_id,
            StoryClaimMatch.matched_at.desc(),
            StoryClaimMatch.score.desc(),
            Claim.id,
        )
    )
    best: dict[int, tuple[float, int, str, str]] = {}
    claims: dict[int, set[int]] = {}
    for story_id, score, claim_id, text, verdict in session.execute(stmt):
        best.setdefault(story_id, (float(score), claim_id, text, verdict))
        claims.setdefault(story_id, set()).add(claim_id)
    if not best:
        return []
    rows = _story_rows(session, best, now)
    signals = []
    for story_id, (score, claim_id, text, verdict) in best.items():
        concern, categories, sentence_places = _shares(rows.get(story_id, []))
        if "misinformation" not in categories:
            categories.append("misinformation")
        signals.append(
            Signal(
                fingerprint=story_fingerprint(story_id),
                kind="debunked",
                fingerprints={claim_fingerprint(c) for c in claims[story_id]},
                severity=3 if score >= STRONG_CLAIM_MATCH else 2,
                sentence=wording.debunked_sentence(text, verdict, score, sentence_places),
                story_id=story_id,
                place_codes=concern,
                categories=categories,
                claim_ids=claims[story_id],
                details={
                    "debunked": {
                        "claim_id": claim_id,
                        "verdict": verdict,
                        "score": round(score, 3),
                        "claim_ids": sorted(claims[story_id]),
                    }
                },
            )
        )
    return signals


def collect_signals(session: Session, now: datetime, settings: Settings) -> list[Signal]:
    """Every signal at `now`, one per thing it is about, most severe first."""
    params = SpikeParams.from_settings(settings)
    found = _spike_signals(session, detect_spikes(session, now, params), now, params)
    found += _new_story_signals(session, now, settings)
    found += _debunked_signals(session, now)
    merged: dict[str, Signal] = {}
    for signal in found:
        if signal.fingerprint in merged:
            merged[signal.fingerprint].absorb(signal)
        else:
            merged[signal.fingerprint] = signal
    return sorted(merged.values(), key=lambda s: (-s.severity, s.fingerprint))
