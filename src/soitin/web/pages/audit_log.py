"""The audit log for admins: filterable page and CSV export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from soitin.review import audit
from soitin.review.audit import AuditFilters
from soitin.review.policies import Action, authorize
from soitin.web.api.auth import Scope, ScopeDep
from soitin.web.deps import CurrentUser, SessionDep, audit_read
from soitin.web.templating import render

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
    return render(request, "admin/audit.html", {"page": page, "filters": page.filters})


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
