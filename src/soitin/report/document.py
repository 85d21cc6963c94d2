"""A report's content, built once from the statistics service and rendered by every format.

`stats_tables` turns `Statistics` into named tables (also used by the dashboard's table views
and CSV downloads); `build_report` adds the heading, the comparison with the previous period
and the notable stories with their responses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from soitin.db.models import Action, Case, Story, Unit
from soitin.db.types import utcnow
from soitin.report.labels import label
from soitin.report.periods import Granularity, Period, so_far
from soitin.report.placenames import place_names
from soitin.report.stats import (
    CATEGORIES,
    METRICS,
    Statistics,
    StatsQuery,
    compute_statistics,
    unit_scope,
)

__all__ = [
    "SUMMARY_KEYS",
    "NotableStory",
    "ReportDocument",
    "Table",
    "build_report",
    "response_line",
    "stats_tables",
]

SUMMARY_KEYS = (
    "items",
    "stories",
    "cases_opened",
    "cases_confirmed",
    "cases_dismissed",
    "cases_responded",
    "responses",
    "median_first_response_hours",
    "p90_first_response_hours",
    "overdue",
    "publications",
    "views",
    "reactions",
    "comments",
    "shares",
)
NOTABLE_LIMIT = 10
TEXT_LIMIT = 300


@dataclass
class Table:
    """A titled table: what a sheet, a PDF table, a CSV block or a page table shows."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]


@dataclass
class NotableStory:
    """A story behind one of the period's cases, with what was done about it."""

    case_id: int
    unit: str
    category: str
    status: str
    reach: int
    places: str
    text: str
    opened_at: datetime
    responses: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ReportDocument:
    """Everything a periodic report shows."""

    unit_name: str
    parent_name: str | None
    period: Period
    generated_at: datetime
    tz: ZoneInfo
    statistics: Statistics
    tables: list[Table]
    notable: list[NotableStory]

    @property
    def title(self) -> str:
        """`Kết quả ... tháng 10/2026`, `... tháng 12/2026 (đến ngày 01/12/2026)` while the
        month is running."""
        period = self.period.title("vi") + so_far(self.statistics.until)
        return f"Kết quả theo dõi, xử lý thông tin có hại {period}"

    def table(self, key: str) -> Table:
        """The table named `key`."""
        return next(t for t in self.tables if t.key == key)


def response_line(response: dict[str, Any], tz: ZoneInfo) -> str:
    """One response of a notable story as a line: kind (time) where detail."""
    when = response["at"].astimezone(tz).strftime("%d/%m/%Y %H:%M")
    return f"{response['kind']} ({when}) {response['where']} {response['detail']}".strip()


def change(current: float | int | None, previous: float | int | None, lang: str = "vi") -> str:
    """`▲ 12,5%`, `▼ 3,0%`, `0,0%`, `▲ ×115,7` (ten times or more), `mới` (new) or `` for the
    change from the previous period; in English `▲ 12.5%`, `new`."""
    if current is None or previous is None:
        return ""
    if previous == 0:
        return "" if current == 0 else ("mới" if lang == "vi" else "new")
    point = "," if lang == "vi" else "."
    if previous > 0 and current >= 10 * previous:  # "▲ 11466,7%" reads worse than "▲ ×115,7"
        return f"▲ ×{current / previous:.1f}".replace(".", point)
    percent = (current - previous) / previous * 100
    # Arrows, not a leading +/−: a sign would make the cell look like a formula.
    arrow = "▲" if percent > 0 else ("▼" if percent < 0 else "")
    return f"{arrow} {abs(percent):.1f}%".strip().replace(".", point)


def _num(value: float | int | None) -> float | int | str:
    return "" if value is None else value


def stats_tables(stats: Statistics, lang: str = "vi") -> list[Table]:
    """The statistics as named tables (summary, categories, series, units, places, ...)."""
    vi = lang == "vi"
    tables: list[Table] = []
    tables.append(
        Table(
            "summary",
            "Tổng hợp" if vi else "Summary",
            [
                "Chỉ tiêu" if vi else "Figure",
                "Kỳ này" if vi else "This period",
                "Kỳ trước" if vi else "Previous",
                "Thay đổi" if vi else "Change",
            ],
            [
                [
                    label(k, lang),
                    _num(stats.totals[k]),
                    _num(stats.previous[k]),
                    change(stats.totals[k], stats.previous[k], lang),
                ]
                for k in SUMMARY_KEYS
            ],
        )
    )
    cats = [
        c
        for c in CATEGORIES
        if c in stats.items_by_category
        or c in stats.cases_by_category
        or c in stats.stories_by_category
        or c in stats.previous_by_category
    ]
    tables.append(
        Table(
            "categories",
            "Theo loại" if vi else "By category",
            [
                "Loại" if vi else "Category",
                label("items", lang),
                label("stories", lang),
                label("cases_opened", lang),
                label("cases_confirmed", lang),
                label("cases_dismissed", lang),
                label("cases_responded", lang),
                ("Tin kỳ trước" if vi else "Items, previous"),
                ("Vụ việc kỳ trước" if vi else "Cases, previous"),
            ],
            [
                [
                    label(c, lang),
                    stats.items_by_category.get(c, 0),
                    stats.stories_by_category.get(c, 0),
                    stats.cases_by_category.get(c, {}).get("opened", 0),
                    stats.cases_by_category.get(c, {}).get("confirmed", 0),
                    stats.cases_by_category.get(c, {}).get("dismissed", 0),
                    stats.cases_by_category.get(c, {}).get("responded", 0),
                    stats.previous_by_category.get(c, {}).get("items", 0),
                    stats.previous_by_category.get(c, {}).get("opened", 0),
                ]
                for c in cats
            ],
        )
    )
    series = stats.series
    series_cats = list(series["items"])
    bucket_word = (
        {"day": "Ngày", "week": "Tuần từ", "month": "Tháng"}
        if vi
        else {"day": "Day", "week": "Week of", "month": "Month"}
    )
    tables.append(
        Table(
            "series",
            "Diễn biến theo thời gian" if vi else "Over time",
            [bucket_word[stats.granularity]]
            + [f"{label('items', lang)}: {label(c, lang)}" for c in series_cats]
            + [label("cases_opened", lang), label("responses", lang)],
            [
                [_bucket_label(b, stats.granularity)]
                + [series["items"][c][i] for c in series_cats]
                + [series["cases"][i], series["responses"][i]]
                for i, b in enumerate(series["buckets"])
            ],
        )
    )
    unit_keys = (
        "items",
        "cases_opened",
        "cases_confirmed",
        "cases_dismissed",
        "responses",
        "median_first_response_hours",
        "overdue",
        "publications",
        "views",
    )
    tables.append(
        Table(
            "units",
            "Theo đơn vị" if vi else "By unit",
            ["Đơn vị" if vi else "Unit"] + [label(k, lang) for k in unit_keys],
            [[r["name"]] + [_num(r[k]) for k in unit_keys] for r in stats.by_unit],
        )
    )
    tables.append(
        Table(
            "provinces",
            "Theo tỉnh, thành phố" if vi else "By province",
            [
                "Mã" if vi else "Code",
                "Tỉnh, thành phố" if vi else "Province",
                label("items", lang),
                label("stories", lang),
                label("cases_opened", lang),
            ],
            [
                [
                    r["code"],
                    r["name"] if r["code"] else label("", lang),
                    r["items"],
                    r["stories"],
                    r["cases"],
                ]
                for r in stats.by_province
            ],
        )
    )
    tables.append(
        Table(
            "wards",
            "Theo xã, phường (nhiều tin nhất)" if vi else "By commune (top)",
            ["Mã" if vi else "Code", "Xã, phường" if vi else "Commune", label("items", lang)],
            [[r["code"], r["name"], r["items"]] for r in stats.by_ward],
        )
    )
    tables.append(
        Table(
            "responses",
            "Phản hồi theo hình thức" if vi else "Responses by kind",
            ["Hình thức" if vi else "Kind", "Số lượng" if vi else "Count"],
            [[label(k, lang), n] for k, n in stats.responses_by_kind.items()],
        )
    )
    tables.append(
        Table(
            "outcomes",
            "Kết quả báo cáo nền tảng" if vi else "Platform report outcomes",
            ["Kết quả" if vi else "Outcome", "Số lượng" if vi else "Count"],
            [[label(k, lang), n] for k, n in sorted(stats.outcomes.items())],
        )
    )
    tables.append(
        Table(
            "response_time",
            "Thời gian đến phản hồi đầu tiên" if vi else "Time to first response",
            ["Khoảng" if vi else "Range", "Số vụ việc" if vi else "Cases"],
            [[r["bucket"], r["cases"]] for r in stats.response_time],
        )
    )
    tables.append(
        Table(
            "publications",
            "Bài đăng và lượt tiếp cận theo kênh" if vi else "Publications and reach by channel",
            ["Kênh" if vi else "Channel", "Số bài" if vi else "Posts"]
            + [label(m, lang) for m in METRICS],
            [
                [channel, v["publications"]] + [v[m] for m in METRICS]
                for channel, v in stats.publications_by_channel.items()
            ],
        )
    )
    tables.append(
        Table(
            "top_publications",
            "Bài đăng tiếp cận nhiều nhất" if vi else "Most viewed publications",
            [
                "Tiêu đề" if vi else "Title",
                "Kênh" if vi else "Channel",
                "Liên kết" if vi else "Link",
            ]
            + [label(m, lang) for m in METRICS],
            [
                [p["title"], p["channel"], p["url"] or ""] + [p[m] for m in METRICS]
                for p in stats.top_publications
            ],
        )
    )
    return tables


def _bucket_label(bucket: str, granularity: Granularity) -> str:
    year, month, day = bucket.split("-")
    if granularity == "month":
        return f"{month}/{year}"
    return f"{day}/{month}/{year}"


def _notable(
    session: Session, stats_unit_id: int, period: Period, tz: ZoneInfo, lang: str
) -> list[NotableStory]:
    scope = unit_scope(session, stats_unit_id)
    start, end = period.bounds(tz)
    rows = session.execute(
        select(Case, Story, Unit.name)
        .join(Story, Story.id == Case.story_id)
        .join(Unit, Unit.id == Case.unit_id)
        .where(Case.opened_at >= start, Case.opened_at < end, Case.unit_id.in_(scope.unit_ids))
        .order_by(Story.reach.desc(), Case.id)
        .limit(NOTABLE_LIMIT)
    ).all()
    names = place_names()
    out = []
    for case, story, unit_name in rows:
        text = " ".join((story.representative_text or "").split())
        if len(text) > TEXT_LIMIT:
            text = text[: TEXT_LIMIT - 1] + "…"
        places = ", ".join(names.name(c) for c in [*story.province_codes, *story.ward_codes])
        notable = NotableStory(
            case_id=case.id,
            unit=unit_name,
            category=label(case.category or story.category or "uncategorised", lang),
            status=label(case.status, lang),
            reach=story.reach,
            places=places,
            text=text,
            opened_at=case.opened_at,
        )
        for action in session.scalars(
            select(Action).where(Action.case_id == case.id).order_by(Action.at, Action.id)
        ):
            where = action.url or action.channel or action.platform or ""
            notable.responses.append(
                {
                    "kind": label(action.kind, lang),
                    "at": action.at,
                    "where": where,
                    "detail": " · ".join(
                        p
                        for p in (
                            action.title,
                            action.platform if action.platform != where else None,
                            action.reference,
                            label(action.outcome, lang) if action.outcome else None,
                        )
                        if p
                    ),
                }
            )
        out.append(notable)
    return out


def build_report(
    session: Session,
    unit_id: int,
    period: Period,
    *,
    tz: ZoneInfo,
    now: datetime | None = None,
    lang: str = "vi",
    granularity: Granularity | None = None,
    store_rollup: bool = True,
) -> ReportDocument:
    """The content of the periodic report of `unit_id` for `period`."""
    stats = compute_statistics(
        session,
        StatsQuery(unit_id=unit_id, period=period, granularity=granularity),
        tz=tz,
        now=now,
        store_rollup=store_rollup,
    )
    unit = session.get(Unit, unit_id)
    assert unit is not None  # noqa: S101 - compute_statistics checked it
    parent = session.get(Unit, unit.parent_id) if unit.parent_id else None
    return ReportDocument(
        unit_name=unit.name,
        parent_name=parent.name if parent else None,
        period=period,
        generated_at=now or utcnow(),
        tz=tz,
        statistics=stats,
        tables=stats_tables(stats, lang),
        notable=_notable(session, unit_id, period, tz, lang),
    )
