"""Spike detection: is the count in the last window far above this series' own normal?

A *series* is the stream of items of one story, one place (2025 province or commune/ward),
one category or one source. For each series the database counts items per window
(`SOITIN_SPIKE_WINDOW_MINUTES`, default 30) with one `GROUP BY`: the current window ends at
the pass's `now`, the baseline is the mean of the `SOITIN_SPIKE_BASELINE_WINDOWS` windows
before it (default 48, i.e. one day), never below `SOITIN_SPIKE_BASELINE_FLOOR`.

The current window is a spike when all three hold, so that the reason fits one sentence:

* it has at least `SOITIN_SPIKE_MIN_COUNT` items,
* it is at least `SOITIN_SPIKE_MIN_RATIO` times the baseline, and
* a Poisson count with the baseline as its mean would reach it with probability below
  `SOITIN_SPIKE_P_VALUE` (the upper tail P(X ≥ count)).

An item counts at its publication time, never later than when it was fetched, and only once
it has been fetched (`fetched_at < now`), so a pass can be replayed at any past `now`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Integer, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session

from soitin.db.models import Item
from soitin.settings import Settings

__all__ = [
    "SERIES_KINDS",
    "SeriesKind",
    "Spike",
    "SpikeParams",
    "assess",
    "baseline",
    "bucket_counts",
    "detect_spikes",
    "event_time",
    "negbin_tail",
    "poisson_tail",
    "still_a_spike",
    "window_counts",
]

SeriesKind = Literal["story", "province", "ward", "category", "source"]
#: Every kind of series, most specific first (the order signals prefer when they overlap).
SERIES_KINDS: tuple[SeriesKind, ...] = ("story", "ward", "province", "category", "source")

#: Keys per `IN (...)` list (well under SQLite's bound-parameter limit).
_CHUNK = 500


@dataclass(frozen=True)
class SpikeParams:
    """The thresholds of one pass (see the module docstring)."""

    window: timedelta = timedelta(minutes=30)
    baseline_windows: int = 48
    p_value: float = 1e-5
    min_ratio: float = 3.0
    min_count: int = 10
    floor: float = 0.5

    @classmethod
    def from_settings(cls, settings: Settings) -> SpikeParams:
        """The thresholds configured in `settings`."""
        return cls(
            window=timedelta(minutes=settings.spike_window_minutes),
            baseline_windows=settings.spike_baseline_windows,
            p_value=settings.spike_p_value,
            min_ratio=settings.spike_min_ratio,
            min_count=settings.spike_min_count,
            floor=settings.spike_baseline_floor,
        )

    @property
    def baseline_span(self) -> timedelta:
        """How far back the baseline reaches before the current window."""
        return self.window * self.baseline_windows


@dataclass(frozen=True)
class Spike:
    """One series whose last window is far above its baseline."""

    kind: SeriesKind
    key: str
    count: int
    #: The normal level: items per window (see `baseline`), before the floor.
    mean: float
    ratio: float
    p_value: float
    window_start: datetime
    window_end: datetime
    #: Variance of the baseline windows (the busiest tenth left out).
    variance: float = 0.0

    @property
    def series(self) -> str:
        """`kind:key`, e.g. `province:44` (the series' fingerprint)."""
        return f"{self.kind}:{self.key}"


def poisson_tail(k: int, lam: float) -> float:
    """P(X ≥ k) for X ~ Poisson(lam), accurate far into the tail (no 1 − small)."""
    if k <= 0:
        return 1.0
    if lam <= 0.0:
        return 0.0
    log_lam = math.log(lam)
    if k <= lam:
        lower = sum(math.exp(-lam + j * log_lam - math.lgamma(j + 1)) for j in range(k))
        return min(1.0, max(0.0, 1.0 - lower))
    term = math.exp(-lam + k * log_lam - math.lgamma(k + 1))
    return _sum_tail(term, lambda j: lam / (j + 1), k)


def negbin_tail(k: int, mean: float, variance: float) -> float:
    """P(X ≥ k) for a negative binomial with this mean and variance (> mean).

    Bursty series (posts come in clumps) have a variance above their mean; the Poisson tail
    would call their ordinary clumps spikes.
    """
    if variance <= mean:
        return poisson_tail(k, mean)
    if k <= 0:
        return 1.0
    size = mean * mean / (variance - mean)
    q = mean / (size + mean)  # chance of a "failure" step; p = 1 - q
    log_pmf = (
        math.lgamma(k + size)
        - math.lgamma(size)
        - math.lgamma(k + 1)
        + size * math.log1p(-q)
        + k * math.log(q)
    )
    if k <= mean:
        lower = sum(
            math.exp(
                math.lgamma(j + size)
                - math.lgamma(size)
                - math.lgamma(j + 1)
                + size * math.log1p(-q)
                + j * math.log(q)
            )
            for j in range(k)
        )
        return min(1.0, max(0.0, 1.0 - lower))
    return _sum_tail(math.exp(log_pmf), lambda j: (j + size) / (j + 1) * q, k)


def _sum_tail(term: float, step: Callable[[int], float], k: int) -> float:
    """Sum pmf(k) + pmf(k+1) + ... given pmf(k) and pmf(j+1)/pmf(j) = step(j)."""
    total, j = 0.0, k
    # Past the mode the terms shrink geometrically; stop once they no longer count.
    while term > 0.0 and term > total * 1e-16 and j < k + 100_000:
        total += term
        term *= step(j)
        j += 1
    return min(1.0, total)


#: Windows just before the current one that make the recent level (3 hours of 30 minutes).
RECENT_WINDOWS = 6


def baseline(history: Sequence[int], trim: float = 0.1) -> tuple[float, float]:
    """(normal level, variance) of the windows before the current one.

    The normal level is the higher of the mean over all of them (a day by default) and the
    mean of the last `RECENT_WINDOWS` (the time of day: afternoons are busier than nights).
    The variance leaves out the busiest tenth of the windows, so that an earlier burst does
    not make the series look bursty for a whole day.
    """
    if not history:
        return 0.0, 0.0
    long_mean = sum(history) / len(history)
    recent = history[-RECENT_WINDOWS:]
    level = max(long_mean, sum(recent) / len(recent))
    kept = sorted(history)[: max(1, len(history) - math.ceil(trim * len(history)))]
    kept_mean = sum(kept) / len(kept)
    variance = sum((c - kept_mean) ** 2 for c in kept) / max(1, len(kept) - 1)
    return level, variance


def assess(count: int, history: Sequence[int], params: SpikeParams) -> tuple[float, float, float]:
    """(normal level, ratio to the floored level, tail probability) of `count` after `history`.

    The tail is Poisson, or negative binomial when the history varies more than a Poisson
    count would (its variance above its mean).
    """
    level, variance = baseline(history)
    lam = max(level, params.floor)
    return level, count / lam, negbin_tail(count, lam, max(variance, lam))


def is_spike(count: int, ratio: float, p_value: float, params: SpikeParams) -> bool:
    """True when all three thresholds hold."""
    return count >= params.min_count and ratio >= params.min_ratio and p_value < params.p_value


def still_a_spike(spike: Spike, count: int, params: SpikeParams) -> bool:
    """Would the series still be a spike with only `count` of its posts?"""
    lam = max(spike.mean, params.floor)
    p = negbin_tail(count, lam, max(spike.variance, lam))
    return is_spike(count, count / lam, p, params)


def event_time() -> ColumnElement[datetime]:
    """When an item counts: published, but never later than fetched."""
    return case(
        (
            and_(Item.published_at.is_not(None), Item.published_at <= Item.fetched_at),
            Item.published_at,
        ),
        else_=Item.fetched_at,
    )


def _key_column(session: Session, kind: SeriesKind) -> tuple[Any, Any]:
    """The SQL expression of a series key, and the extra FROM it needs (JSON arrays)."""
    if kind == "story":
        return Item.story_id, None
    if kind == "source":
        return Item.source_id, None
    if kind == "category":
        return Item.category, None
    column = Item.province_codes if kind == "province" else Item.ward_codes
    if session.get_bind().dialect.name == "postgresql":
        elements = func.json_array_elements_text(column).table_valued(
            "value", joins_implicitly=True
        )
    else:
        elements = func.json_each(column).table_valued("value", joins_implicitly=True)
    return elements.c.value, elements


def _bucket_index(session: Session, origin: datetime, width: timedelta) -> ColumnElement[int]:
    """The window an item's event time falls in, counted from `origin` (0, 1, ...)."""
    seconds = int(width.total_seconds())
    origin_epoch = int(origin.timestamp())
    if session.get_bind().dialect.name == "postgresql":
        epoch = func.extract("epoch", event_time())
        return cast(func.floor((epoch - origin_epoch) / seconds), Integer)
    # SQLite keeps naive UTC text; strftime('%s') reads it as UTC seconds.
    epoch_s = cast(func.strftime("%s", event_time()), Integer)
    # Integer division: both sides are integers and never negative (event ≥ origin).
    return (epoch_s - literal(origin_epoch)) // literal(seconds)


def _in_window(start: datetime, end: datetime) -> ColumnElement[bool]:
    # fetched_at ≥ event time, so the fetched_at bounds are an index-friendly superset.
    return and_(
        Item.fetched_at >= start,
        Item.fetched_at < end,
        event_time() >= start,
        event_time() < end,
    )


def window_counts(
    session: Session, kind: SeriesKind, start: datetime, end: datetime, min_count: int = 1
) -> dict[str, int]:
    """Items per series of `kind` with event time in [start, end), only those ≥ min_count."""
    key, extra = _key_column(session, kind)
    stmt = select(key, func.count()).select_from(Item)
    if extra is not None:
        stmt = stmt.select_from(extra)
    stmt = (
        stmt.where(_in_window(start, end), key.is_not(None))
        .group_by(key)
        .having(func.count() >= min_count)
    )
    return {str(k): int(n) for k, n in session.execute(stmt) if k not in ("", None)}


def _key_filter(kind: SeriesKind, key: ColumnElement[Any], keys: list[str]) -> Any:
    if kind in ("story", "source"):
        return key.in_([int(k) for k in keys])
    return key.in_(keys)


def bucket_counts(
    session: Session,
    kind: SeriesKind,
    keys: Iterable[str],
    origin: datetime,
    width: timedelta,
    buckets: int,
) -> dict[str, list[int]]:
    """Items per window for each series in `keys`: `buckets` windows from `origin` on."""
    key, extra = _key_column(session, kind)
    end = origin + width * buckets
    index = _bucket_index(session, origin, width)
    out: dict[str, list[int]] = {}
    key_list = sorted(set(keys))
    for start in range(0, len(key_list), _CHUNK):
        chunk = key_list[start : start + _CHUNK]
        stmt = select(key, index, func.count()).select_from(Item)
        if extra is not None:
            stmt = stmt.select_from(extra)
        stmt = stmt.where(_in_window(origin, end), _key_filter(kind, key, chunk)).group_by(
            key, index
        )
        for k, i, n in session.execute(stmt):
            series = out.setdefault(str(k), [0] * buckets)
            if 0 <= int(i) < buckets:
                series[int(i)] += int(n)
    for k in key_list:
        out.setdefault(k, [0] * buckets)
    return out


def has_history(session: Session, before: datetime) -> bool:
    """True when any item was fetched before `before` (no baseline exists otherwise)."""
    return session.scalar(select(Item.id).where(Item.fetched_at < before).limit(1)) is not None


def detect_spikes(
    session: Session,
    now: datetime,
    params: SpikeParams,
    kinds: Sequence[SeriesKind] = SERIES_KINDS,
) -> list[Spike]:
    """Every series whose window ending at `now` is a spike, most significant first.

    Nothing is reported while the database holds no item older than the baseline span
    (a fresh install has no "normal" to compare with). A story without items before the
    window is new, not spiking: `new story already large` covers it.
    """
    start = now - params.window
    origin = start - params.baseline_span
    if not has_history(session, origin):
        return []
    spikes: list[Spike] = []
    for kind in kinds:
        current = window_counts(session, kind, start, now, params.min_count)
        if not current:
            continue
        series = bucket_counts(
            session, kind, current, origin, params.window, params.baseline_windows + 1
        )
        for key, counts in series.items():
            history, count = counts[:-1], counts[-1]
            if kind == "story" and not any(history):
                continue
            mean, ratio, p = assess(count, history, params)
            if is_spike(count, ratio, p, params):
                variance = baseline(history)[1]
                spikes.append(Spike(kind, key, count, mean, ratio, p, start, now, variance))
    spikes.sort(key=lambda s: (s.p_value, -s.count, SERIES_KINDS.index(s.kind), s.key))
    return spikes
