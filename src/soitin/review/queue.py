"""The queue: cases of the user's units, by priority, with filters and paging.

One data builder serves the page and `/api/v1/cases`; the rows are pydantic models.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import String, and_, cast, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from soitin.db.models import Case, CaseStatus, Category, Story, StorySource, Unit, User
from soitin.db.types import utcnow
from soitin.errors import InvalidInputError
from soitin.review.audit import FilterDate, parse_local_date
from soitin.review.triage import ACTIVE_STATUSES
from soitin.text.search import matching_story_ids, substring_forms

__all__ = [
    "CaseRow",
    "QueueFilters",
    "QueuePage",
    "list_queue",
    "case_row",
    "snippet_of",
    "SNIPPET",
]

SNIPPET = 220
_PLACE = re.compile(r"^\d{1,6}$")
STATUS_CHOICES = ("active", "all", *(s.value for s in CaseStatus))


class QueueFilters(BaseModel):
    """What the queue shows; every field optional, defaults show the open cases."""

    status: str = Field(default="active", description="active, all, or one case status")
    category: str | None = Field(default=None, description="misinformation, scam, toxic, spam")
    unit_id: int | None = Field(default=None, description="only this unit (inside your scope)")
    place: str | None = Field(default=None, description="a 2025 province or ward code")
    source_id: int | None = None
    since: FilterDate | None = Field(default=None, description="opened on or after (local date)")
    until: FilterDate | None = Field(default=None, description="opened on or before (local date)")
    assignee: str | None = Field(default=None, description="me, none, or a user id")
    overdue: bool = False
    q: str | None = Field(default=None, description="search, diacritics optional")
    page: int = Field(default=1, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_none(cls, data: Any) -> Any:
        # HTML forms send empty fields as "": treat them as not given; dates may be dd/mm/yyyy.
        if isinstance(data, dict):
            return {
                k: parse_local_date(v) if k in ("since", "until") else v
                for k, v in data.items()
                if v != ""
            }
        return data

    def cleaned(self) -> QueueFilters:
        """Empty strings from forms become None; unknown values are refused."""
        data = {k: (None if v == "" else v) for k, v in self.model_dump().items()}
        out = QueueFilters(**{k: v for k, v in data.items() if v is not None})
        if out.status not in STATUS_CHOICES:
            raise InvalidInputError(key="queue.unknown_status", value=out.status)
        if out.category is not None and out.category not in {c.value for c in Category}:
            raise InvalidInputError(key="case.unknown_category", value=out.category)
        if out.place is not None and not _PLACE.match(out.place):
            raise InvalidInputError(key="queue.place_code")
        if out.assignee not in (None, "me", "none") and not str(out.assignee).isdigit():
            raise InvalidInputError(key="queue.assignee")
        return out

    def query_string(self, **change: Any) -> str:
        """These filters as a URL query (for paging links), with `change` applied."""
        from urllib.parse import urlencode

        data = self.model_dump()
        data.update(change)
        pairs = [
            (k, "1" if v is True else str(v))
            for k, v in data.items()
            if v not in (None, "", False) and not (k == "page" and v == 1)
        ]
        if ("status", "active") in pairs:
            pairs.remove(("status", "active"))
        return urlencode(pairs)


class CaseRow(BaseModel):
    """One case as the queue shows it."""

    id: int
    story_id: int
    unit_id: int
    unit_name: str
    status: str
    category: str | None
    severity: int
    priority: float
    priority_parts: dict[str, Any]
    assignee_id: int | None
    assignee_name: str | None
    opened_at: datetime
    due_at: datetime | None
    overdue: bool
    first_response_at: datetime | None
    closed_at: datetime | None
    dismiss_reason: str | None
    snippet: str
    item_count: int
    source_count: int
    reach: int
    velocity: float
    last_seen: datetime
    province_codes: list[str]
    ward_codes: list[str]


class QueuePage(BaseModel):
    """One page of the queue."""

    rows: list[CaseRow]
    total: int
    page: int
    pages: int
    page_size: int
    filters: QueueFilters


def case_row(case: Case, now: datetime) -> CaseRow:
    """The row of a case whose story, unit and assignee are loaded."""
    story = case.story
    late = case.overdue or (
        case.due_at is not None and case.due_at < now and case.status in ACTIVE_STATUSES
    )
    return CaseRow(
        id=case.id,
        story_id=case.story_id,
        unit_id=case.unit_id,
        unit_name=case.unit.name,
        status=case.status,
        category=case.category,
        severity=case.severity,
        priority=case.priority,
        priority_parts=case.priority_parts or {},
        assignee_id=case.assignee_id,
        assignee_name=(case.assignee.display_name or case.assignee.username)
        if case.assignee
        else None,
        opened_at=case.opened_at,
        due_at=case.due_at,
        overdue=late,
        first_response_at=case.first_response_at,
        closed_at=case.closed_at,
        dismiss_reason=case.dismiss_reason,
        snippet=snippet_of(story.representative_text),
        item_count=story.item_count,
        source_count=story.source_count,
        reach=story.reach,
        velocity=story.velocity,
        last_seen=story.last_seen,
        province_codes=list(story.province_codes or []),
        ward_codes=list(story.ward_codes or []),
    )


def snippet_of(text: str | None) -> str:
    """The text on one line, cut to the queue's snippet length."""
    flat = " ".join((text or "").split())
    return flat[:SNIPPET] + ("…" if len(flat) > SNIPPET else "")


def _row_of(r: Any, now: datetime) -> CaseRow:
    late = r.overdue or (r.due_at is not None and r.due_at < now and r.status in ACTIVE_STATUSES)
    return CaseRow(
        id=r.id,
        story_id=r.story_id,
        unit_id=r.unit_id,
        unit_name=r.unit_name,
        status=r.status,
        category=r.category,
        severity=r.severity,
        priority=r.priority,
        priority_parts=r.priority_parts or {},
        assignee_id=r.assignee_id,
        assignee_name=(r.display_name or r.username) if r.assignee_id else None,
        opened_at=r.opened_at,
        due_at=r.due_at,
        overdue=late,
        first_response_at=r.first_response_at,
        closed_at=r.closed_at,
        dismiss_reason=r.dismiss_reason,
        snippet=snippet_of(r.text),
        item_count=r.item_count,
        source_count=r.source_count,
        reach=r.reach,
        velocity=r.velocity,
        last_seen=r.last_seen,
        province_codes=list(r.province_codes or []),
        ward_codes=list(r.ward_codes or []),
    )


def _local_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(
    f: QueueFilters,
    user: User,
    scope: frozenset[int],
    tz: ZoneInfo,
    now: datetime,
    session: Session | None = None,
) -> list[ColumnElement[bool]]:
    units = scope if f.unit_id is None else scope & {f.unit_id}
    conds: list[ColumnElement[bool]] = [Case.unit_id.in_(sorted(units))]
    if f.status == "active":
        conds.append(Case.status.in_(ACTIVE_STATUSES))
    elif f.status != "all":
        conds.append(Case.status == f.status)
    if f.category:
        conds.append(Case.category == f.category)
    if f.place:
        needle = f'%"{f.place}"%'
        conds.append(
            or_(
                cast(Story.ward_codes, String).like(needle),
                cast(Story.province_codes, String).like(needle),
            )
        )
    if f.source_id is not None:
        conds.append(
            exists().where(
                StorySource.story_id == Case.story_id, StorySource.source_id == f.source_id
            )
        )
    if f.since:
        conds.append(Case.opened_at >= _local_start(f.since, tz))
    if f.until:
        conds.append(Case.opened_at < _local_start(f.until + timedelta(days=1), tz))
    if f.assignee == "me":
        conds.append(Case.assignee_id == user.id)
    elif f.assignee == "none":
        conds.append(Case.assignee_id.is_(None))
    elif f.assignee:
        conds.append(Case.assignee_id == int(f.assignee))
    if f.overdue:
        conds.append(
            or_(
                Case.overdue.is_(True),
                and_(Case.due_at < now, Case.status.in_(ACTIVE_STATUSES)),
            )
        )
    if f.q and f.q.strip():
        forms = substring_forms(f.q)
        if forms:
            # The story's folded text holds grouped numbers joined and as groups: the query
            # is folded the same way (`substring_forms`), and any of its forms matches.
            needles = ["%" + "%".join(_like_escape(p) for p in form) + "%" for form in forms]
            in_representative = or_(*(Story.search_text.like(n, escape="\\") for n in needles))
            stories = _stories_matching(session, f.q) if session is not None else []
            conds.append(
                or_(in_representative, Case.story_id.in_(stories)) if stories else in_representative
            )
    return conds


def _stories_matching(session: Session, query: str) -> list[int]:
    """Stories with an item matching `query` in the full-text index (its newest 2,000)."""
    return matching_story_ids(session, query, limit=2000)


def list_queue(
    session: Session,
    user: User,
    scope: frozenset[int],
    filters: QueueFilters,
    *,
    tz: ZoneInfo,
    page_size: int = 50,
) -> QueuePage:
    """The cases in `scope` matching `filters`, by priority (highest first), one page.

    Two queries: the count, and the page (its ids picked first, then story, unit and
    assignee joined to those only).
    """
    f = filters.cleaned()
    now = utcnow()
    conds = _conditions(f, user, scope, tz, now, session)
    # Join the stories only for filters on them; pick the page's ids before joining the rest.
    picked = select(Case.id).select_from(Case)
    if f.place or (f.q and f.q.strip()):
        picked = picked.join(Story, Story.id == Case.story_id)
    picked = picked.where(*conds)
    order = (Case.priority.desc(), Case.id.desc())
    page_ids: Any
    if f.q and f.q.strip():
        # A text search is the costly filter: evaluate it once, for the count and the page.
        ordered = list(session.scalars(picked.order_by(*order)))
        total = len(ordered)
        pages = max(1, math.ceil(total / page_size))
        page = min(f.page, pages)
        page_ids = ordered[(page - 1) * page_size : page * page_size] or [-1]
    else:
        total = session.scalar(select(func.count()).select_from(picked.subquery())) or 0
        pages = max(1, math.ceil(total / page_size))
        page = min(f.page, pages)
        page_ids = picked.order_by(*order).limit(page_size).offset((page - 1) * page_size)
    # Plain columns, not ORM objects: no identity map, and only the text's beginning.
    rows_q = (
        select(
            Case.id,
            Case.story_id,
            Case.unit_id,
            Unit.name.label("unit_name"),
            Case.status,
            Case.category,
            Case.severity,
            Case.priority,
            Case.priority_parts,
            Case.assignee_id,
            User.display_name,
            User.username,
            Case.opened_at,
            Case.due_at,
            Case.overdue,
            Case.first_response_at,
            Case.closed_at,
            Case.dismiss_reason,
            func.substr(Story.representative_text, 1, SNIPPET + 80).label("text"),
            Story.item_count,
            Story.source_count,
            Story.reach,
            Story.velocity,
            Story.last_seen,
            Story.province_codes,
            Story.ward_codes,
        )
        .join(Story, Story.id == Case.story_id)
        .join(Unit, Unit.id == Case.unit_id)
        .outerjoin(User, User.id == Case.assignee_id)
        .where(Case.id.in_(page_ids))
        .order_by(*order)
    )
    rows = [_row_of(r, now) for r in session.execute(rows_q)]
    f.page = page
    return QueuePage(rows=rows, total=total, page=page, pages=pages, page_size=page_size, filters=f)
