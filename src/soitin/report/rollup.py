"""Daily roll-up of items and stories for the statistics: closed days are counted once.

A month of items is summed from `stats_days` (one row per local day, category and place set)
instead of scanning every item; only the last days, which may still change (items are scored
and tagged in the minutes after they arrive, stories grow and may change category for days),
are counted live. Days are computed on first use and marked in `stats_days_done`; another
process computing the same day at the same time is harmless (the marker's key decides).

If old items are re-scored or re-tagged, `refresh` (or `soitin report --refresh-stats`) drops
the cached days so that they are counted again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soitin.db.models import Item, StatsDay, StatsDayDone, Story
from soitin.db.types import utcnow
from soitin.report.periods import Period

__all__ = ["GRACE_DAYS", "closed_before", "ensure_days", "refresh"]

#: Days still counted live: the last two for items, the last week for stories.
GRACE_DAYS = {"item": 2, "story": 7}

LocalDay = Callable[[Any, str, ZoneInfo, datetime], Any]


def closed_before(kind: str, now: datetime, tz: ZoneInfo) -> date:
    """The first local day that is still counted live for `kind`."""
    return now.astimezone(tz).date() - timedelta(days=GRACE_DAYS[kind] - 1)


def _model(kind: str) -> tuple[type[Item] | type[Story], Any]:
    return (Item, Item.fetched_at) if kind == "item" else (Story, Story.first_seen)


def missing_days(
    session: Session, kind: str, tz: ZoneInfo, first: date, end: date
) -> list[tuple[date, date]]:
    """The runs of days in [first, end) not in the roll-up yet, as [start, stop) pairs."""
    done = set(
        session.scalars(
            select(StatsDayDone.day).where(
                StatsDayDone.kind == kind,
                StatsDayDone.tz == tz.key,
                StatsDayDone.day >= first.isoformat(),
                StatsDayDone.day < end.isoformat(),
            )
        )
    )
    runs: list[tuple[date, date]] = []
    day = first
    while day < end:
        if day.isoformat() not in done:
            if runs and runs[-1][1] == day:
                runs[-1] = (runs[-1][0], day + timedelta(days=1))
            else:
                runs.append((day, day + timedelta(days=1)))
        day += timedelta(days=1)
    return runs


def ensure_days(
    session: Session, kind: str, tz: ZoneInfo, first: date, end: date, local_day: LocalDay
) -> bool:
    """Compute the missing days of [first, end); True when something was stored."""
    runs = missing_days(session, kind, tz, first, end)
    model, time_col = _model(kind)
    dialect = session.get_bind().dialect.name
    stored = False
    for start, stop in runs:
        lower, upper = Period("range", start, stop).bounds(tz)
        day_col = local_day(time_col, dialect, tz, lower).label("day")
        prov = cast(model.province_codes, String).label("prov")
        ward = cast(model.ward_codes, String).label("ward")
        rows = session.execute(
            select(day_col, model.category, prov, ward, func.count())
            .where(time_col >= lower, time_col < upper)
            .group_by(day_col, model.category, prov, ward)
        ).all()
        try:
            with session.begin_nested():
                now = utcnow()
                session.execute(
                    insert(StatsDayDone),
                    [
                        {
                            "kind": kind,
                            "tz": tz.key,
                            "day": (start + timedelta(days=i)).isoformat(),
                            "computed_at": now,
                        }
                        for i in range((stop - start).days)
                    ],
                )
                if rows:
                    session.execute(
                        insert(StatsDay),
                        [
                            {
                                "kind": kind,
                                "tz": tz.key,
                                "day": d,
                                "category": c,
                                "province_codes": p or "[]",
                                "ward_codes": w or "[]",
                                "count": n,
                            }
                            for d, c, p, w, n in rows
                        ],
                    )
            stored = True
        except IntegrityError:
            continue  # another process stored these days meanwhile
    return stored


def refresh(session: Session, since: date | None = None) -> int:
    """Drop the cached days (from `since` on, or all); returns how many days were dropped."""
    days = delete(StatsDayDone)
    rows = delete(StatsDay)
    if since is not None:
        days = days.where(StatsDayDone.day >= since.isoformat())
        rows = rows.where(StatsDay.day >= since.isoformat())
    session.execute(rows)
    result = session.execute(days)
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)
