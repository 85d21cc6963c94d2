"""The statistics service: one set of aggregates for pages, the API and every export.

`compute_statistics` answers, for a unit (rolled up over the units below it), a period, and
optionally a place (2025 province or commune code) and a category: items seen, stories, cases
opened/confirmed/dismissed by category, responses by kind and outcome, median and p90 time to
first response, overdue cases, publications and their reach; broken down by category, period
bucket (day, week, month), unit and place, with the previous period's totals for comparison.

Aggregates only: nothing is ever counted per post author or per staff member.

Definitions (docs/responses-and-reports.md repeats them):
- items: items *fetched* in the period. A top unit (no parent) sees every item; another unit
  sees the items tagged with a place that it or a unit below it covers.
- stories: stories first seen in the period, with the same place rule.
- cases: cases *opened* in the period in the unit or below; confirmed = status confirmed or
  closed, dismissed = status dismissed (their state now). A case's category is its own, else
  its story's; its places are its story's.
- responses: responses dated in the period on such cases; outcomes of platform reports.
- time to first response: over the cases opened in the period that have a response
  (median; p90 = nearest rank), in hours.
- overdue: cases opened in the period that carry the overdue mark (set by the review area's
  deadlines), or are still undecided (open, assigned, escalated) after their due time.
- publications: published in the period by the unit or below; reach = their latest snapshot.
"""

from __future__ import annotations

import json
import math
import statistics as pystats
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, String, and_, cast, false, func, or_, select
from sqlalchemy.orm import Session

from soitin.db.models import (
    Action,
    ActionKind,
    Case,
    CaseStatus,
    Category,
    Item,
    Publication,
    PublicationSnapshot,
    StatsDay,
    Story,
    Unit,
)
from soitin.db.types import utcnow
from soitin.errors import InvalidInputError, NotFoundError
from soitin.report import rollup
from soitin.report.periods import Granularity, Period, bucket_of, buckets

__all__ = [
    "CATEGORIES",
    "CONFIRMED",
    "DISMISSED",
    "NO_CATEGORY",
    "NO_PLACE",
    "RESPONSE_TIME_BUCKETS",
    "Statistics",
    "StatsQuery",
    "UnitScope",
    "compute_statistics",
    "fill_rollup",
    "nearest_rank",
    "pending_rollup",
    "unit_scope",
    "unit_scopes",
]

NO_CATEGORY = "uncategorised"
NO_PLACE = ""
CATEGORIES = [c.value for c in Category] + [NO_CATEGORY]
CONFIRMED = frozenset({CaseStatus.CONFIRMED.value, CaseStatus.CLOSED.value})
DISMISSED = frozenset({CaseStatus.DISMISSED.value})
UNDECIDED = frozenset(
    {CaseStatus.OPEN.value, CaseStatus.ASSIGNED.value, CaseStatus.ESCALATED.value}
)
#: Upper bounds (hours) of the response-time distribution's bars; the last bar is open.
RESPONSE_TIME_BUCKETS: list[tuple[str, float]] = [
    ("< 1h", 1),
    ("1–4h", 4),
    ("4–24h", 24),
    ("1–3d", 72),
    ("> 3d", math.inf),
]
METRICS = ("views", "reactions", "comments", "shares")


@dataclass(frozen=True)
class StatsQuery:
    """What to count: a unit (with the units below it), a period, optional place/category."""

    unit_id: int
    period: Period
    place: str | None = None
    category: str | None = None
    granularity: Granularity | None = None


@dataclass(frozen=True)
class UnitScope:
    """A unit's subtree and the place codes it covers (None: every place, for a top unit)."""

    unit_id: int
    unit_ids: frozenset[int]
    place_codes: frozenset[str] | None

    def covers(self, places: Iterable[str]) -> bool:
        """True when a thing tagged with `places` belongs to this unit."""
        if self.place_codes is None:
            return True
        return any(p in self.place_codes for p in places)


@dataclass
class Statistics:
    """Every figure of one query; `to_dict` is the JSON form the API returns."""

    unit: dict[str, Any]
    period: str
    period_title: str
    previous_period: str
    place: str | None
    category: str | None
    granularity: Granularity
    totals: dict[str, float | int | None]
    previous: dict[str, float | int | None]
    items_by_category: dict[str, int]
    stories_by_category: dict[str, int]
    cases_by_category: dict[str, dict[str, int]]
    previous_by_category: dict[str, dict[str, int]]
    responses_by_kind: dict[str, int]
    outcomes: dict[str, int]
    response_time: list[dict[str, Any]]
    series: dict[str, Any]
    by_unit: list[dict[str, Any]]
    by_province: list[dict[str, Any]]
    by_ward: list[dict[str, Any]]
    publications_by_channel: dict[str, dict[str, int]]
    top_publications: list[dict[str, Any]] = field(default_factory=list)
    #: The last local day counted while the period is still running (its series stop
    #: there); None for a period that has ended.
    until: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form."""
        return {
            "unit": self.unit,
            "period": self.period,
            "period_title": self.period_title,
            "previous_period": self.previous_period,
            "place": self.place,
            "category": self.category,
            "granularity": self.granularity,
            "totals": self.totals,
            "previous": self.previous,
            "items_by_category": self.items_by_category,
            "stories_by_category": self.stories_by_category,
            "cases_by_category": self.cases_by_category,
            "previous_by_category": self.previous_by_category,
            "responses_by_kind": self.responses_by_kind,
            "outcomes": self.outcomes,
            "response_time": self.response_time,
            "series": self.series,
            "by_unit": self.by_unit,
            "by_province": self.by_province,
            "by_ward": self.by_ward,
            "publications_by_channel": self.publications_by_channel,
            "top_publications": self.top_publications,
            "until": self.until,
        }


# ---------------------------------------------------------------------------- scope & filters


def unit_scopes(session: Session) -> dict[int, UnitScope]:
    """Every unit's scope, from one read of the unit tree."""
    rows = session.execute(select(Unit.id, Unit.parent_id, Unit.place_codes)).all()
    children: dict[int | None, list[int]] = {}
    places: dict[int, list[str]] = {}
    parents: dict[int, int | None] = {}
    for uid, parent, codes in rows:
        children.setdefault(parent, []).append(uid)
        places[uid] = [str(c) for c in codes or []]
        parents[uid] = parent
    out: dict[int, UnitScope] = {}
    for uid in places:
        ids, stack = set(), [uid]
        while stack:
            current = stack.pop()
            if current not in ids:
                ids.add(current)
                stack.extend(children.get(current, []))
        if parents[uid] is None:
            out[uid] = UnitScope(uid, frozenset(ids), None)
        else:
            covered = frozenset(code for member in ids for code in places[member])
            out[uid] = UnitScope(uid, frozenset(ids), covered)
    return out


def unit_scope(session: Session, unit_id: int) -> UnitScope:
    """The subtree of `unit_id` and the place codes its units cover."""
    scope = unit_scopes(session).get(unit_id)
    if scope is None:
        raise NotFoundError(key="report.no_unit", unit_id=unit_id)
    return scope


def _json_has(column: Any, code: str) -> ColumnElement[bool]:
    """`column` (a JSON list of codes) holds `code`: a text match on the stored JSON.

    Codes are digits only (checked by the caller), so the quoted form `"44"` cannot match
    anything but the element 44; the same text match runs on SQLite and PostgreSQL.
    """
    return cast(column, String).like(f'%"{code}"%')


def _places_clause(prov_col: Any, ward_col: Any, codes: Iterable[str]) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = []
    for code in sorted(codes):
        if not code.isdigit():
            continue
        parts.append(_json_has(prov_col if len(code) <= 2 else ward_col, code))
    return or_(*parts) if parts else false()


def _scope_clause(scope: UnitScope, prov_col: Any, ward_col: Any) -> ColumnElement[bool] | None:
    if scope.place_codes is None:
        return None
    return _places_clause(prov_col, ward_col, scope.place_codes)


def _codes(text: Any) -> list[str]:
    if text is None:
        return []
    if isinstance(text, list):
        return [str(c) for c in text]
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return []
    return [str(c) for c in value] if isinstance(value, list) else []


def _local_day(column: Any, dialect: str, tz: ZoneInfo, at: datetime) -> ColumnElement[str]:
    """The local calendar day of a timestamp column, as text YYYY-MM-DD."""
    if dialect == "postgresql":
        return func.to_char(func.timezone(tz.key, column), "YYYY-MM-DD")
    offset = tz.utcoffset(at.replace(tzinfo=None))
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    return func.strftime("%Y-%m-%d", column, f"{minutes:+d} minutes")


def _check_query(query: StatsQuery) -> None:
    if query.place is not None and (not query.place.isdigit() or len(query.place) not in (2, 5)):
        raise InvalidInputError(key="stats.place_code")
    if query.category is not None and query.category not in CATEGORIES:
        raise InvalidInputError(
            key="stats.unknown_category", value=query.category, known=", ".join(CATEGORIES)
        )


def _category_clause(column: Any, category: str | None) -> ColumnElement[bool] | None:
    if category is None:
        return None
    clause: ColumnElement[bool] = (
        column.is_(None) if category == NO_CATEGORY else column == category
    )
    return clause


def nearest_rank(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile (the smallest value with `fraction` of values at or below)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


# ---------------------------------------------------------------------------- the computation


@dataclass
class _Rows:
    """Small per-period row sets (cases, responses, publications) aggregated in Python."""

    cases: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    publications: list[dict[str, Any]]


class _Computer:
    def __init__(
        self,
        session: Session,
        query: StatsQuery,
        tz: ZoneInfo,
        now: datetime,
        use_rollup: bool = True,
        store_rollup: bool = True,
    ) -> None:
        self.session = session
        self.store_rollup = store_rollup
        self.conn = session.connection()
        self.use_rollup = use_rollup
        self.query = query
        self.tz = tz
        self.now = now
        self.dialect = session.get_bind().dialect.name
        self.scopes = unit_scopes(session)
        if query.unit_id not in self.scopes:
            raise NotFoundError(key="report.no_unit", unit_id=query.unit_id)
        self.scope = self.scopes[query.unit_id]

    # -- filters shared by items and stories
    def _place_filters(self, prov_col: Any, ward_col: Any, cat_col: Any) -> list[Any]:
        clauses: list[Any] = []
        scoped = _scope_clause(self.scope, prov_col, ward_col)
        if scoped is not None:
            clauses.append(scoped)
        if self.query.place:
            clauses.append(_places_clause(prov_col, ward_col, [self.query.place]))
        category = _category_clause(cat_col, self.query.category)
        if category is not None:
            clauses.append(category)
        return clauses

    def _matches_place(self, provinces: list[str], wards: list[str]) -> bool:
        place = self.query.place
        return place is None or place in provinces or place in wards

    def _matches_category(self, category: str | None) -> bool:
        wanted = self.query.category
        return wanted is None or (category or NO_CATEGORY) == wanted

    # -- items and stories
    def _rollup_where(self, kind: str, first: date, end: date) -> list[Any]:
        return [
            StatsDay.kind == kind,
            StatsDay.tz == self.tz.key,
            StatsDay.day >= first.isoformat(),
            StatsDay.day < end.isoformat(),
            *self._place_filters(StatsDay.province_codes, StatsDay.ward_codes, StatsDay.category),
        ]

    def _split(self, kind: str, period: Period) -> tuple[date, date]:
        """[period.start, closed_end) comes from the roll-up (computed if missing)."""
        if not self.use_rollup:
            return period.start, period.start
        closed_end = min(period.end, rollup.closed_before(kind, self.now, self.tz))
        if period.start >= closed_end:
            return period.start, period.start
        if self.store_rollup:
            rollup.ensure_days(self.session, kind, self.tz, period.start, closed_end, _local_day)
        elif rollup.missing_days(self.session, kind, self.tz, period.start, closed_end):
            return period.start, period.start  # not rolled up yet: count it all live
        return period.start, closed_end

    def grouped(
        self, model: type[Item] | type[Story], period: Period
    ) -> tuple[list[tuple[str, str, int]], list[tuple[list[str], list[str], int]]]:
        """The period's rows counted by (local day, category) and by (provinces, wards).

        Closed days come from the daily roll-up (`soitin.report.rollup`), summed in SQL; the
        last days from a live pass over the rows. Place sets are grouped on their JSON text.
        """
        kind = "item" if model is Item else "story"
        first, closed_end = self._split(kind, period)
        by_day: Counter[tuple[str, str]] = Counter()
        by_places: Counter[tuple[str | None, str | None]] = Counter()
        if first < closed_end:
            where = self._rollup_where(kind, first, closed_end)
            total = func.sum(StatsDay.count)
            for day, rolled_cat, n in self.conn.execute(
                select(StatsDay.day, StatsDay.category, total)
                .where(*where)
                .group_by(StatsDay.day, StatsDay.category)
            ):
                by_day[(day, rolled_cat or NO_CATEGORY)] += int(n)
            for prov, ward, n in self.conn.execute(
                select(StatsDay.province_codes, StatsDay.ward_codes, total)
                .where(*where)
                .group_by(StatsDay.province_codes, StatsDay.ward_codes)
            ):
                by_places[(prov, ward)] += int(n)
        live_start = max(closed_end, period.start)
        if live_start < period.end:
            live = self._live(model, Period("range", live_start, period.end))
            for live_day, live_cat, live_prov, live_ward, n in live:
                by_day[(live_day, live_cat or NO_CATEGORY)] += n
                by_places[(live_prov, live_ward)] += n
        day_rows = [(day, cat, n) for (day, cat), n in by_day.items()]
        place_rows = [(_codes(p), _codes(w), n) for (p, w), n in by_places.items()]
        return day_rows, place_rows

    def _live(
        self, model: type[Item] | type[Story], period: Period
    ) -> list[tuple[str, str | None, str | None, str | None, int]]:
        time_col = Item.fetched_at if model is Item else Story.first_seen
        start, end = period.bounds(self.tz)
        day = _local_day(time_col, self.dialect, self.tz, start).label("day")
        prov = cast(model.province_codes, String).label("prov")
        ward = cast(model.ward_codes, String).label("ward")
        stmt = (
            select(day, model.category, prov, ward, func.count())
            .where(time_col >= start, time_col < end)
            .where(*self._place_filters(model.province_codes, model.ward_codes, model.category))
            .group_by(day, model.category, prov, ward)
        )
        return [(d, c, p, w, n) for d, c, p, w, n in self.conn.execute(stmt)]

    def counts_by_category(self, model: type[Item] | type[Story], period: Period) -> Counter[str]:
        """The period's rows counted by category only."""
        kind = "item" if model is Item else "story"
        first, closed_end = self._split(kind, period)
        out: Counter[str] = Counter()
        if first < closed_end:
            for cat, n in self.conn.execute(
                select(StatsDay.category, func.sum(StatsDay.count))
                .where(*self._rollup_where(kind, first, closed_end))
                .group_by(StatsDay.category)
            ):
                out[cat or NO_CATEGORY] += int(n)
        live_start = max(closed_end, period.start)
        if live_start < period.end:
            for _, cat, _p, _w, n in self._live(model, Period("range", live_start, period.end)):
                out[cat or NO_CATEGORY] += n
        return out

    # -- cases, responses, publications
    def rows(self, period: Period) -> _Rows:
        start, end = period.bounds(self.tz)
        units = list(self.scope.unit_ids)
        category = func.coalesce(Case.category, Story.category)
        case_stmt = (
            select(
                Case.id,
                Case.unit_id,
                Case.status,
                category,
                Case.opened_at,
                Case.first_response_at,
                Case.due_at,
                Case.closed_at,
                Case.overdue,
                Story.province_codes,
                Story.ward_codes,
            )
            .join(Story, Story.id == Case.story_id)
            .where(Case.opened_at >= start, Case.opened_at < end, Case.unit_id.in_(units))
        )
        cases = []
        for row in self.conn.execute(case_stmt):
            provinces, wards = _codes(row[9]), _codes(row[10])
            if not self._matches_place(provinces, wards) or not self._matches_category(row[3]):
                continue
            cases.append(
                {
                    "id": row[0],
                    "unit_id": row[1],
                    "status": row[2],
                    "category": row[3] or NO_CATEGORY,
                    "opened_at": row[4],
                    "first_response_at": row[5],
                    "due_at": row[6],
                    "closed_at": row[7],
                    "overdue": bool(row[8]),
                    "provinces": provinces,
                }
            )
        action_stmt = (
            select(
                Action.kind,
                Action.outcome,
                Action.at,
                Case.unit_id,
                category,
                Story.province_codes,
                Story.ward_codes,
            )
            .join(Case, Case.id == Action.case_id)
            .join(Story, Story.id == Case.story_id)
            .where(Action.at >= start, Action.at < end, Case.unit_id.in_(units))
        )
        actions = []
        for kind, outcome, at, unit_id, cat, prov, ward in self.conn.execute(action_stmt):
            if not self._matches_place(_codes(prov), _codes(ward)) or not self._matches_category(
                cat
            ):
                continue
            actions.append({"kind": kind, "outcome": outcome, "at": at, "unit_id": unit_id})
        pub_rows = self.conn.execute(
            select(
                Publication.id,
                Publication.unit_id,
                Publication.channel,
                Publication.title,
                Publication.url,
                Publication.published_at,
            ).where(
                Publication.published_at >= start,
                Publication.published_at < end,
                Publication.unit_id.in_(units),
            )
        ).all()
        reach = self._latest_reach([r[0] for r in pub_rows])
        publications = [
            {
                "id": pid,
                "unit_id": unit_id,
                "channel": channel,
                "title": title,
                "url": url,
                "published_at": published_at,
                **reach.get(pid, dict.fromkeys(METRICS, 0)),
            }
            for pid, unit_id, channel, title, url, published_at in pub_rows
        ]
        return _Rows(cases, actions, publications)

    def _latest_reach(self, ids: list[int]) -> dict[int, dict[str, int]]:
        out: dict[int, dict[str, int]] = {}
        for chunk_start in range(0, len(ids), 500):
            chunk = ids[chunk_start : chunk_start + 500]
            newest = (
                select(
                    PublicationSnapshot.publication_id.label("pid"),
                    func.max(PublicationSnapshot.at).label("at"),
                )
                .where(PublicationSnapshot.publication_id.in_(chunk))
                .group_by(PublicationSnapshot.publication_id)
                .subquery()
            )
            stmt = select(
                PublicationSnapshot.publication_id,
                PublicationSnapshot.views,
                PublicationSnapshot.reactions,
                PublicationSnapshot.comments,
                PublicationSnapshot.shares,
            ).join(
                newest,
                and_(
                    PublicationSnapshot.publication_id == newest.c.pid,
                    PublicationSnapshot.at == newest.c.at,
                ),
            )
            for pid, views, reactions, comments, shares in self.conn.execute(stmt):
                out[pid] = {
                    "views": views,
                    "reactions": reactions,
                    "comments": comments,
                    "shares": shares,
                }
        return out

    # -- summaries
    def _is_overdue(self, case: dict[str, Any]) -> bool:
        if case["overdue"]:
            return True
        due = case["due_at"]
        return case["status"] in UNDECIDED and due is not None and bool(due < self.now)

    def totals(self, rows: _Rows, items: int, stories: int) -> dict[str, float | int | None]:
        hours = _response_hours(rows.cases)
        totals: dict[str, float | int | None] = {
            "items": items,
            "stories": stories,
            "cases_opened": len(rows.cases),
            "cases_confirmed": sum(1 for c in rows.cases if c["status"] in CONFIRMED),
            "cases_dismissed": sum(1 for c in rows.cases if c["status"] in DISMISSED),
            "cases_responded": len(hours),
            "responses": len(rows.actions),
            "median_first_response_hours": _round(pystats.median(hours)) if hours else None,
            "p90_first_response_hours": _round(nearest_rank(hours, 0.9)),
            "overdue": sum(1 for c in rows.cases if self._is_overdue(c)),
            "publications": len(rows.publications),
        }
        for metric in METRICS:
            totals[metric] = sum(int(p[metric]) for p in rows.publications)
        return totals


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _response_hours(cases: list[dict[str, Any]]) -> list[float]:
    out = []
    for case in cases:
        if case["first_response_at"] is None:
            continue
        delta = max(case["first_response_at"] - case["opened_at"], timedelta(0))
        out.append(delta.total_seconds() / 3600)
    return out


def _cases_by_category(cases: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for case in cases:
        entry = out.setdefault(
            case["category"], {"opened": 0, "confirmed": 0, "dismissed": 0, "responded": 0}
        )
        entry["opened"] += 1
        entry["confirmed"] += case["status"] in CONFIRMED
        entry["dismissed"] += case["status"] in DISMISSED
        entry["responded"] += case["first_response_at"] is not None
    return _ordered(out)


def _ordered(mapping: dict[str, Any]) -> dict[str, Any]:
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return dict(sorted(mapping.items(), key=lambda kv: (order.get(kv[0], 99), kv[0])))


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _compared_with(period: Period, today: date) -> Period:
    """What a running `period` is compared with: as many days of the previous period as have
    passed of this one, today included ("so với cùng kỳ"). Against the whole of the previous
    month, every figure of a month a few days old read as a fall."""
    previous = period.previous()
    elapsed = timedelta(days=(today - period.start).days + 1)
    return Period("range", previous.start, min(previous.end, previous.start + elapsed))


def compute_statistics(
    session: Session,
    query: StatsQuery,
    *,
    tz: ZoneInfo | None = None,
    now: datetime | None = None,
    use_rollup: bool = True,
    store_rollup: bool = True,
) -> Statistics:
    """Every figure for `query`, with the previous period's totals for comparison (for a
    period still running on `now`'s day, the same number of days of the previous period).

    Closed days of items and stories are read from the daily roll-up, computing missing days
    on first use in the caller's session: commit it afterwards to keep them for the next call.
    A read-only caller passes `store_rollup=False` (missing days are then counted live, see
    `fill_rollup` to store them from a writer). `use_rollup=False` counts everything live.
    """
    _check_query(query)
    tz = tz or ZoneInfo("Asia/Ho_Chi_Minh")
    now = now or utcnow()
    comp = _Computer(session, query, tz, now, use_rollup, store_rollup)
    period = query.period
    today = now.astimezone(tz).date()
    running = period.start <= today < period.end
    previous = _compared_with(period, today) if running else period.previous()
    granularity: Granularity = query.granularity or period.default_granularity()

    item_days, item_places = comp.grouped(Item, period)
    story_days, story_places = comp.grouped(Story, period)
    items_by_category: Counter[str] = Counter()
    for _, cat, n in item_days:
        items_by_category[cat] += n
    stories_by_category: Counter[str] = Counter()
    for _, cat, n in story_days:
        stories_by_category[cat] += n
    rows = comp.rows(period)
    totals = comp.totals(rows, sum(items_by_category.values()), sum(stories_by_category.values()))

    prev_items = comp.counts_by_category(Item, previous)
    prev_stories = comp.counts_by_category(Story, previous)
    prev_rows = comp.rows(previous)
    prev_totals = comp.totals(prev_rows, sum(prev_items.values()), sum(prev_stories.values()))
    prev_by_category = _cases_by_category(prev_rows.cases)
    for cat, n in prev_items.items():
        prev_by_category.setdefault(cat, {"opened": 0, "confirmed": 0, "dismissed": 0})
        prev_by_category[cat]["items"] = n
    prev_by_category = _ordered(prev_by_category)

    # Time series: every bucket of the period, also empty ones, up to today: the days of a
    # running period still to come are not drawn as days with nothing.
    bucket_list = buckets(period, granularity)
    if running:
        bucket_list = [b for b in bucket_list if b <= today]
    index = {b: i for i, b in enumerate(bucket_list)}
    series_items: dict[str, list[int]] = {}
    for day_text, cat, n in item_days:
        slot = index.get(bucket_of(_day(day_text), granularity))
        if slot is not None:
            series_items.setdefault(cat, [0] * len(bucket_list))[slot] += n
    series_cases = [0] * len(bucket_list)
    for case in rows.cases:
        slot = index.get(bucket_of(case["opened_at"].astimezone(tz).date(), granularity))
        if slot is not None:
            series_cases[slot] += 1
    series_responses = [0] * len(bucket_list)
    for action in rows.actions:
        slot = index.get(bucket_of(action["at"].astimezone(tz).date(), granularity))
        if slot is not None:
            series_responses[slot] += 1

    # Places.
    names = _place_names()
    by_province: dict[str, dict[str, Any]] = {}

    def province_entry(code: str) -> dict[str, Any]:
        return by_province.setdefault(
            code,
            {"code": code, "name": names.get(code, code), "items": 0, "stories": 0, "cases": 0},
        )

    for provs, _, n in item_places:
        for code in sorted(set(provs)) or [NO_PLACE]:
            province_entry(code)["items"] += n
    for provs, _, n in story_places:
        for code in sorted(set(provs)) or [NO_PLACE]:
            province_entry(code)["stories"] += n
    for case in rows.cases:
        for code in sorted(set(case["provinces"])) or [NO_PLACE]:
            province_entry(code)["cases"] += 1
    province_rows = sorted(
        by_province.values(), key=lambda r: (r["code"] == NO_PLACE, -r["items"], r["code"])
    )
    ward_counter: Counter[str] = Counter()
    ward_province = _ward_provinces()
    for _, wards, n in item_places:
        for code in set(wards):
            if query.place and len(query.place) == 2 and ward_province.get(code) != query.place:
                continue
            ward_counter[code] += n
    ward_rows = [
        {"code": code, "name": names.get(code, code), "items": n}
        for code, n in sorted(ward_counter.items(), key=lambda kv: (-kv[1], kv[0]))[:30]
    ]

    # Units: the unit itself (all of it) and each unit just below, rolled up.
    unit = session.get(Unit, query.unit_id)
    assert unit is not None  # noqa: S101 - unit_scope checked it exists
    children = list(
        session.scalars(select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.code))
    )
    by_unit = [_unit_row(unit, comp.scope, rows, item_places, totals, comp)]
    for child in children:
        by_unit.append(_unit_row(child, comp.scopes[child.id], rows, item_places, None, comp))

    # Responses and publications.
    responses_by_kind = {k.value: 0 for k in ActionKind}
    outcomes: dict[str, int] = {}
    for action in rows.actions:
        responses_by_kind[action["kind"]] = responses_by_kind.get(action["kind"], 0) + 1
        if action["kind"] == ActionKind.PLATFORM_REPORT.value:
            key = action["outcome"] or "pending"
            outcomes[key] = outcomes.get(key, 0) + 1
    hours = _response_hours(rows.cases)
    response_time = []
    lower = 0.0
    for label, upper in RESPONSE_TIME_BUCKETS:
        count = sum(1 for h in hours if lower <= h < upper)
        response_time.append({"bucket": label, "cases": count})
        lower = upper
    by_channel: dict[str, dict[str, int]] = defaultdict(
        lambda: {"publications": 0, **dict.fromkeys(METRICS, 0)}
    )
    for pub in rows.publications:
        entry = by_channel[pub["channel"]]
        entry["publications"] += 1
        for metric in METRICS:
            entry[metric] += int(pub[metric])
    top = sorted(rows.publications, key=lambda p: (-int(p["views"]), p["id"]))[:10]

    return Statistics(
        unit={"id": unit.id, "code": unit.code, "name": unit.name},
        period=period.label,
        period_title=period.title("vi"),
        previous_period=previous.label,
        place=query.place,
        category=query.category,
        granularity=granularity,
        totals=totals,
        previous=prev_totals,
        items_by_category=_ordered(dict(items_by_category)),
        stories_by_category=_ordered(dict(stories_by_category)),
        cases_by_category=_cases_by_category(rows.cases),
        previous_by_category=prev_by_category,
        responses_by_kind=responses_by_kind,
        outcomes=outcomes,
        response_time=response_time,
        series={
            "buckets": [b.isoformat() for b in bucket_list],
            "items": _ordered(series_items),
            "cases": series_cases,
            "responses": series_responses,
        },
        by_unit=by_unit,
        by_province=province_rows,
        by_ward=ward_rows,
        publications_by_channel=dict(sorted(by_channel.items())),
        top_publications=[
            {
                "title": p["title"],
                "channel": p["channel"],
                "url": p["url"],
                "published_at": p["published_at"].astimezone(UTC).isoformat(),
                **{m: int(p[m]) for m in METRICS},
            }
            for p in top
        ],
        until=today.isoformat() if running else None,
    )


def _rollup_spans(query: StatsQuery, tz: ZoneInfo, now: datetime) -> list[tuple[str, date, date]]:
    """The (kind, first, end) day ranges of the roll-up that `query` reads."""
    spans = []
    for period in (query.period, query.period.previous()):
        for kind in ("item", "story"):
            end = min(period.end, rollup.closed_before(kind, now, tz))
            if period.start < end:
                spans.append((kind, period.start, end))
    return spans


def pending_rollup(
    session: Session, query: StatsQuery, *, tz: ZoneInfo, now: datetime | None = None
) -> bool:
    """True when some closed day that `query` reads is not in the roll-up yet."""
    spans = _rollup_spans(query, tz, now or utcnow())
    return any(rollup.missing_days(session, kind, tz, a, b) for kind, a, b in spans)


def fill_rollup(
    session: Session, query: StatsQuery, *, tz: ZoneInfo, now: datetime | None = None
) -> bool:
    """Store the missing roll-up days `query` reads (in a writer); True when any were."""
    stored = False
    for kind, first, end in _rollup_spans(query, tz, now or utcnow()):
        stored |= rollup.ensure_days(session, kind, tz, first, end, _local_day)
    return stored


def _unit_row(
    unit: Unit,
    scope: UnitScope,
    rows: _Rows,
    item_places: list[tuple[list[str], list[str], int]],
    totals: dict[str, float | int | None] | None,
    comp: _Computer,
) -> dict[str, Any]:
    cases = [c for c in rows.cases if c["unit_id"] in scope.unit_ids]
    actions = [a for a in rows.actions if a["unit_id"] in scope.unit_ids]
    pubs = [p for p in rows.publications if p["unit_id"] in scope.unit_ids]
    if totals is not None:
        items = int(totals["items"] or 0)
    else:
        items = sum(n for provs, wards, n in item_places if scope.covers([*provs, *wards]))
    hours = _response_hours(cases)
    return {
        "unit_id": unit.id,
        "code": unit.code,
        "name": unit.name,
        "items": items,
        "cases_opened": len(cases),
        "cases_confirmed": sum(1 for c in cases if c["status"] in CONFIRMED),
        "cases_dismissed": sum(1 for c in cases if c["status"] in DISMISSED),
        "responses": len(actions),
        "median_first_response_hours": _round(pystats.median(hours)) if hours else None,
        "overdue": sum(1 for c in cases if comp._is_overdue(c)),
        "publications": len(pubs),
        "views": sum(int(p["views"]) for p in pubs),
    }


def _place_names() -> dict[str, str]:
    from soitin.report.placenames import place_names

    names = place_names()
    return {**names.provinces, **names.wards}


def _ward_provinces() -> dict[str, str]:
    from soitin.report.placenames import place_names

    return place_names().ward_province
