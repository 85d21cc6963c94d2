"""`/api/v1/stats`: the statistics service as JSON and CSV, and the ClaimReview export.

The dashboard's tables and CSV links and the report page use the same query parsing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from soitin.db.models import Unit, User
from soitin.db.types import utcnow
from soitin.errors import InvalidInputError, NotFoundError
from soitin.report.claimreview import claimreview_items, claimreview_json
from soitin.report.csv_export import table_csv
from soitin.report.document import stats_tables
from soitin.report.periods import Granularity, Period, parse_period
from soitin.report.stats import (
    Statistics,
    StatsQuery,
    compute_statistics,
    fill_rollup,
    pending_rollup,
)
from soitin.respond.access import require_view_unit, visible_unit_ids
from soitin.web.api.auth import ApiUser
from soitin.web.deps import SessionDep, SettingsDep, side_writes

__all__ = ["StatsFilters", "prepare_rollup", "resolve_filters", "router", "run_statistics"]

router = APIRouter(prefix="/api/v1", tags=["statistics"])

UnitParam = Annotated[str | None, Query(max_length=64, description="Unit code (default: yours).")]
PeriodParam = Annotated[
    str | None,
    Query(max_length=32, description="2026-11, 2026-W45, 2026-11-03 or 2026-11-01..2026-11-15."),
]
GranularityParam = Annotated[str | None, Query(pattern="^(day|week|month)$")]
PlaceParam = Annotated[str | None, Query(max_length=5, description="Province or commune code.")]
CategoryParam = Annotated[str | None, Query(max_length=32)]


@dataclass
class StatsFilters:
    """A parsed, permitted statistics query and what the filter form needs."""

    query: StatsQuery
    unit: Unit
    units: list[Unit]

    def params(self) -> dict[str, str]:
        """The query string parameters that reproduce this query."""
        out = {"unit": self.unit.code, "period": self.query.period.label}
        if self.query.granularity:
            out["granularity"] = self.query.granularity
        if self.query.place:
            out["place"] = self.query.place
        if self.query.category:
            out["category"] = self.query.category
        return out


def current_month(tz: ZoneInfo, now: datetime | None = None) -> Period:
    """The month containing today (local)."""
    today = (now or utcnow()).astimezone(tz).date()
    return parse_period(f"{today:%Y-%m}")


def resolve_filters(
    session: Session,
    user: User,
    tz: ZoneInfo,
    *,
    unit: str | None,
    period: str | None,
    granularity: str | None = None,
    place: str | None = None,
    category: str | None = None,
) -> StatsFilters:
    """Parse the filters, defaulting to the user's unit and this month; check permission."""
    visible = visible_unit_ids(session, user)
    units = list(session.scalars(select(Unit).where(Unit.id.in_(visible)).order_by(Unit.code)))
    if unit:
        chosen = next((u for u in units if u.code == unit), None)
        if chosen is None:
            raise NotFoundError(key="stats.no_such_unit")
    else:
        chosen = next(u for u in units if u.id == user.unit_id)
    require_view_unit(session, user, chosen.id)
    parsed = parse_period(period) if period else current_month(tz)
    gran: Granularity | None = None
    if granularity in ("day", "week", "month"):
        gran = granularity  # type: ignore[assignment]
    elif granularity:
        raise InvalidInputError(key="stats.granularity")
    query = StatsQuery(
        unit_id=chosen.id,
        period=parsed,
        place=(place or "").strip() or None,
        category=(category or "").strip() or None,
        granularity=gran,
    )
    return StatsFilters(query, chosen, units)


def prepare_rollup(request: Request, session: Session, query: StatsQuery, tz: ZoneInfo) -> None:
    """Store the roll-up days `query` still lacks (once per day, in a short write)."""
    if pending_rollup(session, query, tz=tz):
        with side_writes(request) as writer:
            fill_rollup(writer, query, tz=tz)
        session.commit()  # a new snapshot that sees them


def run_statistics(
    request: Request, session: Session, filters: StatsFilters, tz: ZoneInfo
) -> Statistics:
    """The statistics for parsed filters, read from the roll-up where it can."""
    prepare_rollup(request, session, filters.query, tz)
    return compute_statistics(session, filters.query, tz=tz, store_rollup=False)


@router.get("/stats", summary="Statistics of a unit for a period")
def stats_json(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: ApiUser,
    unit: UnitParam = None,
    period: PeriodParam = None,
    granularity: GranularityParam = None,
    place: PlaceParam = None,
    category: CategoryParam = None,
) -> dict[str, Any]:
    """Every figure of the statistics service (aggregates only), with the previous period."""
    filters = resolve_filters(
        session,
        user,
        settings.tz,
        unit=unit,
        period=period,
        granularity=granularity,
        place=place,
        category=category,
    )
    return run_statistics(request, session, filters, settings.tz).to_dict()


@router.get("/stats/{table}.csv", summary="One statistics table as CSV")
def stats_csv(
    table: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: ApiUser,
    unit: UnitParam = None,
    period: PeriodParam = None,
    granularity: GranularityParam = None,
    place: PlaceParam = None,
    category: CategoryParam = None,
    lang: Annotated[str, Query(pattern="^(vi|en)$")] = "vi",
) -> Response:
    """The table behind one chart (series, units, provinces, ...), formulas neutralised."""
    filters = resolve_filters(
        session,
        user,
        settings.tz,
        unit=unit,
        period=period,
        granularity=granularity,
        place=place,
        category=category,
    )
    stats = run_statistics(request, session, filters, settings.tz)
    found = next((t for t in stats_tables(stats, lang) if t.key == table), None)
    if found is None:
        raise NotFoundError(key="stats.no_table", value=table)
    name = f"{table}_{filters.unit.code}_{filters.query.period.label.replace('..', '_')}.csv"
    return Response(
        table_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/claimreview", summary="ClaimReview (JSON-LD) of the team's fact-checks")
def claimreview(
    session: SessionDep,
    settings: SettingsDep,
    user: ApiUser,
    unit: UnitParam = None,
    period: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    """schema.org ClaimReview objects of the published fact-checks (all time without period)."""
    filters = resolve_filters(session, user, settings.tz, unit=unit, period=period)
    items = claimreview_items(
        session, filters.unit.id, filters.query.period if period else None, tz=settings.tz
    )
    return Response(claimreview_json(items), media_type="application/ld+json")
