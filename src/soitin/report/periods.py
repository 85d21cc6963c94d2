"""Reporting periods: a day, an ISO week, a month or a custom range, in local dates.

Periods are written as `2026-11` (month), `2026-W45` (ISO week), `2026-11-03` (day) or
`2026-11-01..2026-11-15` (custom range, both ends included). Their bounds are local dates in
the display time zone; `bounds` turns them into UTC instants for queries. `previous` is the
period just before: the previous month for a month, the previous week for a week, and the
same number of days before a day or a range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from soitin.errors import InvalidInputError

__all__ = [
    "Granularity",
    "Period",
    "PeriodKind",
    "bucket_of",
    "buckets",
    "last_complete",
    "parse_period",
    "quick_periods",
    "so_far",
]

PeriodKind = Literal["day", "week", "month", "range"]
Granularity = Literal["day", "week", "month"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$", re.IGNORECASE)
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MAX_RANGE_DAYS = 3 * 366


MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Period:
    """A span of local dates: `start` included, `end` excluded."""

    kind: PeriodKind
    start: date
    end: date

    @property
    def label(self) -> str:
        """The canonical text form (what `parse_period` reads)."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "day":
            return self.start.isoformat()
        return f"{self.start.isoformat()}..{(self.end - timedelta(days=1)).isoformat()}"

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return (self.end - self.start).days

    def title(self, lang: str = "vi") -> str:
        """A human title: `tháng 11/2026`, `tuần 45/2026`, `ngày 03/11/2026`, ..."""
        last = self.end - timedelta(days=1)
        if self.kind == "month":
            if lang == "vi":
                return f"tháng {self.start:%m/%Y}"
            return f"{MONTHS_EN[self.start.month - 1]} {self.start.year}"  # whatever the locale
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            span = f"{self.start:%d/%m}–{last:%d/%m/%Y}"
            word = "tuần" if lang == "vi" else "week"
            return f"{word} {week}/{year} ({span})"
        if self.kind == "day" or self.days == 1:  # a one-day range too ("so far" of a 1st)
            return f"ngày {self.start:%d/%m/%Y}" if lang == "vi" else f"{self.start:%d/%m/%Y}"
        span = f"{self.start:%d/%m/%Y}–{last:%d/%m/%Y}"
        return f"từ {self.start:%d/%m/%Y} đến {last:%d/%m/%Y}" if lang == "vi" else span

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The UTC instants [start, end) of the period's local dates."""
        return _local_midnight(self.start, tz), _local_midnight(self.end, tz)

    def previous(self) -> Period:
        """The period just before this one, of the same kind."""
        if self.kind == "month":
            prev_end = self.start
            prev_start = (self.start - timedelta(days=1)).replace(day=1)
            return Period("month", prev_start, prev_end)
        span = timedelta(days=self.days)
        return Period(self.kind, self.start - span, self.start)

    def default_granularity(self) -> Granularity:
        """Days for up to two months, weeks up to a year, months beyond."""
        if self.days <= 62:
            return "day"
        return "week" if self.days <= 366 else "month"


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def parse_period(text: str) -> Period:
    """A `Period` from `2026-11`, `2026-W45`, `2026-11-03` or `2026-11-01..2026-11-15`."""
    value = (text or "").strip()
    try:
        if ".." in value:
            first, last = (part.strip() for part in value.split("..", 1))
            start, end_incl = date.fromisoformat(first), date.fromisoformat(last)
            if end_incl < start:
                raise InvalidInputError(key="period.reversed", value=value)
            if (end_incl - start).days >= _MAX_RANGE_DAYS:
                raise InvalidInputError(key="period.too_long", value=value)
            return Period("range", start, end_incl + timedelta(days=1))
        if match := _MONTH.match(value):
            start = date(int(match[1]), int(match[2]), 1)
            end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
            return Period("month", start, end)
        if match := _WEEK.match(value):
            start = date.fromisocalendar(int(match[1]), int(match[2]), 1)
            return Period("week", start, start + timedelta(days=7))
        if _DAY.match(value):
            start = date.fromisoformat(value)
            return Period("day", start, start + timedelta(days=1))
    except ValueError as exc:
        raise InvalidInputError(key="period.bad_date", value=value) from exc
    raise InvalidInputError(key="period.unknown", value=value)


def last_complete(kind: Literal["week", "month"], today: date) -> Period:
    """The last whole week (Monday–Sunday) or calendar month before `today`."""
    if kind == "week":
        monday = today - timedelta(days=today.weekday())
        return Period("week", monday - timedelta(days=7), monday)
    first = today.replace(day=1)
    return Period("month", (first - timedelta(days=1)).replace(day=1), first)


def quick_periods(today: date) -> list[tuple[str, Period]]:
    """The periods people ask for most, as of `today` (a local date), by key: this month, last
    month, this week, last week, the last 7 days and the last 30 days (today included)."""
    iso = today.isocalendar()
    return [
        ("this_month", parse_period(f"{today:%Y-%m}")),
        ("last_month", last_complete("month", today)),
        ("this_week", parse_period(f"{iso.year}-W{iso.week:02d}")),
        ("last_week", last_complete("week", today)),
        ("last_7_days", Period("range", today - timedelta(days=6), today + timedelta(days=1))),
        ("last_30_days", Period("range", today - timedelta(days=29), today + timedelta(days=1))),
    ]


def bucket_of(day: date, granularity: Granularity) -> date:
    """The first day of the bucket `day` falls in."""
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def buckets(period: Period, granularity: Granularity) -> list[date]:
    """Every bucket start of `period`, in order (also the empty ones)."""
    out: list[date] = []
    day = period.start
    while day < period.end:
        start = bucket_of(day, granularity)
        if not out or out[-1] != start:
            out.append(start)
        day += timedelta(days=1)
    return out


def so_far(until: str | None, lang: str = "vi") -> str:
    """What a period's title adds while the period is running (`until`: the ISO date of the
    last day counted, as `Statistics.until` gives it): ` (đến ngày 01/12/2026)`, or ``."""
    if not until:
        return ""
    day = date.fromisoformat(until)
    return f" (đến ngày {day:%d/%m/%Y})" if lang == "vi" else f" (up to {day:%d/%m/%Y})"
