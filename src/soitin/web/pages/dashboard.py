"""The dashboard: headline figures with the previous period, and filterable charts.

Every chart is a server-rendered SVG (no JavaScript), followed by its table and a CSV link;
figures come from the one statistics service (`soitin.report.stats`).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from soitin.db.models import User
from soitin.db.types import utcnow
from soitin.report import svg
from soitin.report.document import SUMMARY_KEYS, change, stats_tables
from soitin.report.labels import label
from soitin.report.periods import parse_period, quick_periods, so_far
from soitin.report.stats import CATEGORIES
from soitin.review.policies import Action, can
from soitin.web.api.auth import get_scope
from soitin.web.api.stats import resolve_filters, run_statistics
from soitin.web.deps import CurrentUser, SessionDep, SettingsDep
from soitin.web.pages.reports import REPORT_MESSAGES
from soitin.web.pages.sources import failing_in_scope
from soitin.web.templating import render, request_language

__all__ = ["router"]

router = APIRouter()

HEADLINE = (
    "items",
    "stories",
    "cases_opened",
    "responses",
    "median_first_response_hours",
    "overdue",
    "publications",
    "views",
)
assert set(HEADLINE) <= set(SUMMARY_KEYS)  # noqa: S101 - a constant, checked at import
assert REPORT_MESSAGES  # noqa: S101 - registers the strings


def _charts(stats: Any, lang: str, t: Any) -> list[dict[str, Any]]:
    tables = {table.key: table for table in stats_tables(stats, lang)}
    series = stats.series
    bucket_labels = [row[0] for row in tables["series"].rows]
    charts: list[dict[str, Any]] = [
        {
            "key": "series",
            "svg": svg.line_chart(
                t("dash.chart.series"),
                [b[:5] for b in bucket_labels],
                {label(c, lang): v for c, v in series["items"].items()},
            ),
        },
        {
            "key": "categories",
            "svg": svg.bar_chart(
                t("dash.chart.categories"),
                [label(c, lang) for c in stats.items_by_category],
                list(stats.items_by_category.values()),
            ),
        },
        {
            "key": "units",
            "svg": svg.bar_chart(
                t("dash.chart.units"),
                [r["name"] for r in stats.by_unit],
                [r["cases_opened"] for r in stats.by_unit],
                colour=svg.PALETTE[1],
            ),
        },
        {
            "key": "provinces",
            "svg": svg.bar_chart(
                t("dash.chart.provinces"),
                [r["name"] if r["code"] else label("", lang) for r in stats.by_province[:15]],
                [r["items"] for r in stats.by_province[:15]],
            ),
            "map": svg.province_map(
                t("dash.chart.map"),
                {r["code"]: r["items"] for r in stats.by_province if r["code"]},
            ),
        },
        {
            "key": "response_time",
            "svg": svg.column_chart(
                t("dash.chart.response_time"),
                [r["bucket"] for r in stats.response_time],
                [r["cases"] for r in stats.response_time],
                colour=svg.PALETTE[2],
            ),
        },
        {
            "key": "responses",
            "svg": svg.bar_chart(
                t("dash.chart.responses"),
                [label(k, lang) for k in stats.responses_by_kind],
                list(stats.responses_by_kind.values()),
                colour=svg.PALETTE[3],
            ),
        },
        {
            "key": "publications",
            "svg": svg.bar_chart(
                t("dash.chart.reach"),
                list(stats.publications_by_channel),
                [v["views"] for v in stats.publications_by_channel.values()],
                colour=svg.PALETTE[4],
            ),
        },
    ]
    for chart in charts:
        chart["title"] = tables[chart["key"]].title
        chart["table"] = tables[chart["key"]]
        chart["svg"] = Markup(chart["svg"])  # noqa: S704 - built by report.svg, texts escaped
        if "map" in chart:
            chart["map"] = Markup(chart["map"])  # noqa: S704 - same
    return charts


@router.get("/", include_in_schema=False)
def dashboard(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    unit: Annotated[str | None, Query(max_length=64)] = None,
    period: Annotated[str | None, Query(max_length=32)] = None,
    granularity: Annotated[str | None, Query(pattern="^(day|week|month|)$")] = None,
    place: Annotated[str | None, Query(max_length=5)] = None,
    category: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    """Figures and charts of a unit (default: yours) for a period (default: this month)."""
    lang = request_language(request)
    filters = resolve_filters(
        session,
        user,
        settings.tz,
        unit=unit,
        period=period,
        granularity=granularity or None,
        place=place,
        category=category or None,
    )
    stats = run_statistics(request, session, filters, settings.tz)

    def t(key: str) -> str:
        entry = REPORT_MESSAGES.get(key)
        return entry.get(lang, entry["vi"]) if entry else key

    figures = [
        {
            "key": key,
            "label": label(key, lang),
            "value": stats.totals[key],
            "previous": stats.previous[key],
            "change": change(stats.totals[key], stats.previous[key], lang),
        }
        for key in HEADLINE
    ]
    return render(
        request,
        "dashboard/index.html",
        {
            "filters": filters,
            "stats": stats,
            # The statistics carry a Vietnamese title (for the exports); the page speaks its own.
            "period_title": filters.query.period.title(lang) + so_far(stats.until, lang),
            "previous_title": parse_period(stats.previous_period).title(lang),
            "figures": figures,
            "charts": _charts(stats, lang, t),
            "categories": [(c, label(c, lang)) for c in CATEGORIES],
            "query_string": urlencode(filters.params() | {"lang": lang}),
            # one click to the usual periods, the other filters kept
            "quick_periods": [
                {
                    "label": t(f"dash.quick.{key}"),
                    "href": "/?" + urlencode(filters.params() | {"period": quick.label}),
                    "current": quick.label == filters.query.period.label,
                }
                for key, quick in quick_periods(utcnow().astimezone(settings.tz).date())
            ],
            "failing_sources": _failing_sources(session, user),
        },
    )


def _failing_sources(session: Session, user: User) -> int:
    """For an admin: how many switched-on sources of their units failed their last poll
    (the unit tree is read only for admins)."""
    if not can(user, Action.SOURCE_MANAGE):
        return 0
    return failing_in_scope(session, get_scope(session, user))
