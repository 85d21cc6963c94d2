"""The audit log for admins: filterable page and CSV export."""

from __future__ import annotations

import ast
import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from soitin.review import audit
from soitin.review.audit import AuditFilters
from soitin.review.policies import Action, authorize
from soitin.web.api.auth import Scope, ScopeDep
from soitin.web.deps import CurrentUser, SessionDep, audit_read
from soitin.web.i18n import MESSAGES, format_number, translate
from soitin.web.templating import render, request_language

#: A Python repr that entries written before the fix stored: "('reviewer', 'lead')", "False".
_OLD_REPR = re.compile(r"^(True|False|None|\(.{0,400}\))$")


def _old_repr(value: Any) -> Any:
    if isinstance(value, str) and _OLD_REPR.match(value):
        try:
            value = ast.literal_eval(value)  # literals only: never runs code
        except (ValueError, SyntaxError):
            return value
        if isinstance(value, tuple) and len(value) == 2:
            return {"from": value[0], "to": value[1]}
    return value


#: The account changes that entries written before the fix stored as reprs (`changes`).
_OLD_REPR_KEYS = frozenset({"role", "unit_id", "is_active"})


def _readable(key: str, value: Any) -> Any:
    """An entry's detail value, old account-change reprs read back (only there: free text
    such as a note or a display name that reads "True" stays as written)."""
    if key == "changes" and isinstance(value, dict):
        return {k: _old_repr(v) if k in _OLD_REPR_KEYS else v for k, v in value.items()}
    return value


def detail_value(value: Any, lang: str) -> str:
    """One detail value in words: yes/no, a → b, lists joined; never a Python repr."""
    if isinstance(value, bool):
        return ("có" if value else "không") if lang == "vi" else ("yes" if value else "no")
    if value is None:
        return "—"
    if isinstance(value, dict) and set(value) == {"from", "to"}:
        return f"{detail_value(value['from'], lang)} → {detail_value(value['to'], lang)}"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {detail_value(v, lang)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(detail_value(v, lang) for v in value)
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)  # ids and counts: as written, no thousands separator (#1234)
    if isinstance(value, float):
        return format_number(value, 4, lang).rstrip("0").rstrip(",.")
    return json.dumps(value, ensure_ascii=False)


def detail_key(key: str, lang: str) -> str:
    """A detail's name in words of the page's language ("Vụ việc" for `case_id`)."""
    label = f"auditkey.{key}"
    return translate(label, lang) if label in MESSAGES else key


router = APIRouter(include_in_schema=False)


def include_system(scope: Scope, unit_id: int) -> bool:
    """System entries (no actor) are shown to admins of a root unit only."""
    return scope.tree.nodes[unit_id].parent_id is None


@router.get("/admin/audit")
def audit_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    scope: ScopeDep,
    filters: Annotated[AuditFilters, Query()],
) -> Response:
    """Newest entries first, 100 a page."""
    authorize(user, Action.AUDIT_VIEW)
    page = audit.list_events(
        session,
        filters,
        scope=scope.units,
        include_system=include_system(scope, user.unit_id),
        tz=request.app.state.settings.tz,
    )
    lang = request_language(request)
    details = {
        row.id: [
            (detail_key(key, lang), detail_value(_readable(key, value), lang))
            for key, value in row.detail.items()
            if value not in ("", None, [], {})  # an empty detail says nothing
        ]
        for row in page.rows
    }
    return render(
        request,
        "admin/audit.html",
        {"page": page, "filters": page.filters, "details": details},
    )


@router.get("/admin/audit.csv")
def audit_csv(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    scope: ScopeDep,
    filters: Annotated[AuditFilters, Query()],
) -> Response:
    """The filtered log as CSV (formulas neutralised); the export itself is audited."""
    authorize(user, Action.AUDIT_VIEW)
    audit_read(request, "audit.exported", user, filters=filters.cleaned().query_string())
    session.commit()  # a new snapshot: the export lists its own entry
    lines = list(
        audit.export_csv(
            session,
            filters,
            scope=scope.units,
            include_system=include_system(scope, user.unit_id),
            tz=request.app.state.settings.tz,
        )
    )
    return StreamingResponse(
        iter(lines),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="soitin-audit.csv"'},
    )
