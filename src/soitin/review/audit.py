"""The append-only audit log."""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from soitin.db.models import AuditEvent, User
from soitin.messages import ERROR_MESSAGES
from soitin.report.safe_cell import csv_writer, neutralise
from soitin.text.wellformed import well_formed_data


def record(
    session: Session,
    action: str,
    *,
    actor: User | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    ip: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Append one audit entry in the caller's transaction."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor else None,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        ip=ip,
        detail=detail,
    )
    session.add(event)
    return event


# --- reading the log (admins) ---------------------------------------------------------

_DMY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def parse_local_date(value: Any) -> Any:
    """'29/11/2026' → date(2026, 11, 29); anything else is left for pydantic (ISO dates)."""
    if isinstance(value, str):
        match = _DMY.match(value)
        if match:
            day, month, year = (int(g) for g in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                return value
    return value


#: The dates a filter may name: their local midnight must stay a storable time.
FIRST_FILTER_DATE, LAST_FILTER_DATE = date(1970, 1, 1), date(2100, 12, 31)


def _plausible_date(value: date) -> date:
    if not FIRST_FILTER_DATE <= value <= LAST_FILTER_DATE:
        # the key names the words pages show (soitin.messages); the API shows the English
        raise PydanticCustomError(
            "request.date_out_of_range",
            ERROR_MESSAGES["request.date_out_of_range"]["en"],
            {
                "value": f"{value:%d/%m/%Y}",
                "first": f"{FIRST_FILTER_DATE:%d/%m/%Y}",
                "last": f"{LAST_FILTER_DATE:%d/%m/%Y}",
            },
        )
    return value


#: A since/until filter date (dd/mm/yyyy or ISO), between 1970 and 2100.
FilterDate = Annotated[date, AfterValidator(_plausible_date)]


CSV_COLUMNS = ("id", "at", "actor", "action", "object_type", "object_id", "ip", "detail")


class AuditFilters(BaseModel):
    """Filters of the audit page and `/api/v1/audit`."""

    actor: str | None = Field(default=None, description="username")
    action: str | None = Field(default=None, description="action, or its prefix like 'case.'")
    object_type: str | None = None
    object_id: str | None = None
    ip: str | None = None
    since: FilterDate | None = None
    until: FilterDate | None = None
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

    def cleaned(self) -> AuditFilters:
        """Empty strings become None."""
        data = {k: v for k, v in self.model_dump().items() if v not in ("", None)}
        return AuditFilters(**data)

    def query_string(self, **change: Any) -> str:
        """The filters as a URL query."""
        data = self.model_dump()
        data.update(change)
        return urlencode(
            [
                (k, str(v))
                for k, v in data.items()
                if v not in (None, "") and not (k == "page" and v == 1)
            ]
        )


class AuditRow(BaseModel):
    """One audit entry as shown and exported."""

    id: int
    at: datetime
    actor: str | None
    action: str
    object_type: str | None
    object_id: str | None
    ip: str | None
    detail: dict[str, Any]


class AuditPage(BaseModel):
    """One page of the audit log, newest first."""

    rows: list[AuditRow]
    total: int
    page: int
    pages: int
    filters: AuditFilters


def _audit_conditions(
    f: AuditFilters, scope: frozenset[int], include_system: bool, tz: ZoneInfo
) -> list[ColumnElement[bool]]:
    in_scope = User.unit_id.in_(sorted(scope))
    conds: list[ColumnElement[bool]] = [
        or_(in_scope, AuditEvent.actor_id.is_(None)) if include_system else in_scope
    ]
    if f.actor:
        conds.append(User.username == f.actor)
    if f.action:
        if f.action.endswith("."):
            escaped = f.action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conds.append(AuditEvent.action.like(escaped + "%", escape="\\"))
        else:
            conds.append(AuditEvent.action == f.action)
    if f.object_type:
        conds.append(AuditEvent.object_type == f.object_type)
    if f.object_id:
        conds.append(AuditEvent.object_id == f.object_id)
    if f.ip:
        conds.append(AuditEvent.ip == f.ip)
    if f.since:
        conds.append(AuditEvent.at >= datetime.combine(f.since, time.min, tzinfo=tz))
    if f.until:
        end = datetime.combine(f.until + timedelta(days=1), time.min, tzinfo=tz)
        conds.append(AuditEvent.at < end)
    return conds


def _rows(session: Session, stmt: Select[AuditEvent, str | None]) -> list[AuditRow]:
    # Entries stored before input was made well-formed may hold lone surrogates, which
    # neither JSON nor UTF-8 CSV can carry: they are shown as U+FFFD, never dropped.
    return [
        AuditRow(
            id=e.id,
            at=e.at,
            actor=well_formed_data(username),
            action=well_formed_data(e.action),
            object_type=well_formed_data(e.object_type),
            object_id=well_formed_data(e.object_id),
            ip=well_formed_data(e.ip),
            detail=well_formed_data(e.detail or {}),
        )
        for e, username in session.execute(stmt)
    ]


def list_events(
    session: Session,
    filters: AuditFilters,
    *,
    scope: frozenset[int],
    include_system: bool,
    tz: ZoneInfo,
    page_size: int = 100,
) -> AuditPage:
    """Entries by people of `scope` (and system entries when `include_system`), newest first."""
    f = filters.cleaned()
    conds = _audit_conditions(f, scope, include_system, tz)
    base = select(AuditEvent, User.username).outerjoin(User, User.id == AuditEvent.actor_id)
    total = (
        session.scalar(
            select(func.count(AuditEvent.id))
            .select_from(AuditEvent)
            .outerjoin(User, User.id == AuditEvent.actor_id)
            .where(*conds)
        )
        or 0
    )
    pages = max(1, math.ceil(total / page_size))
    page = min(f.page, pages)
    stmt = (
        base.where(*conds)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    f.page = page
    return AuditPage(rows=_rows(session, stmt), total=total, page=page, pages=pages, filters=f)


def neutralise_cell(value: str) -> str:
    """A cell a spreadsheet will not run: text starting with = + - @ tab or CR gets a '."""
    return str(neutralise(value))


def export_csv(
    session: Session,
    filters: AuditFilters,
    *,
    scope: frozenset[int],
    include_system: bool,
    tz: ZoneInfo,
    limit: int = 100_000,
) -> Iterator[str]:
    """The filtered log as CSV lines (UTF-8 with BOM for spreadsheets), newest first."""
    f = filters.cleaned()
    conds = _audit_conditions(f, scope, include_system, tz)
    stmt = (
        select(AuditEvent, User.username)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(*conds)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    for row in _rows(session, stmt):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(
            [
                str(row.id),
                row.at.astimezone(tz).strftime("%d/%m/%Y %H:%M:%S"),
                row.actor,
                row.action,
                row.object_type,
                row.object_id,
                row.ip,
                json.dumps(row.detail, ensure_ascii=False, sort_keys=True),
            ]
        )
        yield buffer.getvalue()
