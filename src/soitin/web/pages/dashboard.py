"""The dashboard shell: headline figures for the user's units."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from soitin.db.models import Case, CaseStatus, Item, Source, Story
from soitin.review.accounts import descendant_unit_ids
from soitin.web.deps import CurrentUser, SessionDep
from soitin.web.templating import render

router = APIRouter()


@router.get("/", include_in_schema=False)
def dashboard(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Headline counts; the charts come with the statistics layer."""
    units = descendant_unit_ids(session, user.unit_id)
    open_statuses = [CaseStatus.OPEN.value, CaseStatus.ASSIGNED.value, CaseStatus.ESCALATED.value]
    figures = {
        "dash.items": session.scalar(select(func.count(Item.id))) or 0,
        "dash.stories": session.scalar(select(func.count(Story.id))) or 0,
        "dash.open_cases": session.scalar(
            select(func.count(Case.id)).where(
                Case.unit_id.in_(units), Case.status.in_(open_statuses)
            )
        )
        or 0,
        "dash.sources": session.scalar(select(func.count(Source.id))) or 0,
    }
    return render(request, "dashboard/index.html", {"figures": figures})
