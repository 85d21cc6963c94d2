"""Admin page of failed tasks (the dead-letter place) with a retry button."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from soitin.ops.failed import list_failed, retry_failed
from soitin.review.policies import Action, authorize
from soitin.web.csrf import verify_csrf
from soitin.web.deps import CurrentUser, SessionDep, SettingsDep, client_ip
from soitin.web.templating import render

router = APIRouter()


@router.get("/admin/failed-tasks", include_in_schema=False)
def failed_tasks_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Tasks that failed after all retries."""
    authorize(user, Action.TASKS_MANAGE)
    return render(request, "ops/failed_tasks.html", {"tasks": list_failed(session)})


@router.post(
    "/admin/failed-tasks/{task_id}/retry",
    include_in_schema=False,
    dependencies=[Depends(verify_csrf)],
)
def retry_task(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    task_id: int,
) -> Response:
    """Send one failed task to its queue again."""
    authorize(user, Action.TASKS_MANAGE)
    retry_failed(session, settings, task_id, user, client_ip(request))
    session.commit()
    return RedirectResponse("/admin/failed-tasks", status_code=303)
