"""The story page of a case and its decision forms (confirm, dismiss, forward, ...)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soitin.db.models import Action as LedgerEntry
from soitin.db.models import Case, Category, Item, Role, User
from soitin.errors import NotFoundError
from soitin.respond.publications import publications_of_case
from soitin.review import cases
from soitin.review.guides import guides_for
from soitin.review.policies import Action, authorize, authorize_assign, can
from soitin.review.story_view import build_story_view, load_case, story_cases
from soitin.review.triage import ACTIVE_STATUSES
from soitin.web.api.auth import Scope, ScopeDep
from soitin.web.csrf import verify_csrf
from soitin.web.deps import (
    CurrentUser,
    SessionDep,
    audit_read,
    audit_representative_shown,
    client_ip,
)
from soitin.web.pages.queue import assignable_users
from soitin.web.templating import render

router = APIRouter(include_in_schema=False)
CSRF = [Depends(verify_csrf)]
Note = Annotated[str, Form(max_length=4000)]


def read_item_text(
    session: Session, request: Request, user: User, scope: Scope, case_id: int, item_id: int
) -> tuple[Case, Item]:
    """An item of a visible case's story, its raw-text view recorded in the audit log."""
    case = load_case(session, case_id)
    authorize(user, Action.ITEM_TEXT, case, scope.units)
    item = session.get(Item, item_id)
    if item is None or item.story_id != case.story_id:
        raise NotFoundError("Not found.")
    audit_read(
        request, "item.text_viewed", user, object_type="item", object_id=item.id, case_id=case.id
    )
    return case, item


@router.get("/cases/{case_id}")
def case_page(
    request: Request, session: SessionDep, user: CurrentUser, scope: ScopeDep, case_id: int
) -> Response:
    """Story page: highlighted text, items, timeline, places, claims, scores, case timeline."""
    case = load_case(session, case_id)
    authorize(user, Action.CASE_VIEW, case, scope.units)
    view = build_story_view(
        session, case, scope.tree, scope.units, tz=request.app.state.settings.tz
    )
    if can(user, Action.ITEM_TEXT):
        audit_representative_shown(request, user, view.representative_item_id, case.id)
    assignees = (
        assignable_users(session, scope.tree.ancestors(case.unit_id))
        if can(user, Action.CASE_ASSIGN)
        else []
    )
    active = case.status in ACTIVE_STATUSES
    return render(
        request,
        "review/case.html",
        {
            "view": view,
            "case_obj": case,
            "active": active,
            "responses": session.scalar(
                select(func.count(LedgerEntry.id)).where(LedgerEntry.case_id == case.id)
            ),
            "publications": publications_of_case(session, case.id, scope.units),
            "reopeners": []
            if active or can(user, Action.CASE_REOPEN)
            else reopeners(session, scope.tree.ancestors(case.unit_id)),
            "categories": [c.value for c in Category],
            "reasons": cases.DISMISS_REASONS,
            "guides": {c.value: guides_for(c.value) for c in Category},
            "forward_units": [(n, d) for n, d in scope.tree.ordered() if n.id != case.unit_id],
            "can_escalate": scope.tree.nodes[case.unit_id].parent_id is not None,
            "assignees": assignees,
            "done": request.query_params.get("done"),
            "Action": Action,
        },
    )


def reopeners(session: Session, unit_ids: list[int]) -> list[str]:
    """Names of the active leads of these units (who may reopen a decided case there)."""
    return list(
        session.scalars(
            select(func.coalesce(func.nullif(User.display_name, ""), User.username))
            .where(
                User.unit_id.in_(unit_ids), User.role == Role.LEAD.value, User.is_active.is_(True)
            )
            .order_by(User.display_name, User.id)
            .limit(10)
        )
    )


@router.get("/stories/{story_id}")
def story_page(session: SessionDep, user: CurrentUser, scope: ScopeDep, story_id: int) -> Response:
    """A story opens on its most urgent case that the user may see."""
    authorize(user, Action.CASE_VIEW)
    case_id = story_cases(session, [story_id], scope.units).get(story_id)
    if case_id is None:
        raise NotFoundError("Not found.")
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/cases/{case_id}/items/{item_id}/text")
def item_text(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    scope: ScopeDep,
    case_id: int,
    item_id: int,
) -> Response:
    """The raw text of one item (an htmx fragment); every view is audited."""
    _, item = read_item_text(session, request, user, scope, case_id, item_id)
    name = (
        "review/_item_text.html"
        if request.headers.get("hx-request")
        else ("review/item_text_page.html")
    )
    return render(request, name, {"item": item, "case_id": case_id})


def _decided(case_id: int, what: str) -> RedirectResponse:
    return RedirectResponse(f"/cases/{case_id}?done={what}", status_code=303)


def _load(session: Session, user: User, scope: Scope, case_id: int, action: Action) -> Case:
    case = load_case(session, case_id)
    authorize(user, action, case, scope.units)
    return case


@router.post("/cases/{case_id}/confirm", dependencies=CSRF)
def confirm(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    scope: ScopeDep,
    case_id: int,
    category: Annotated[str, Form(max_length=32)],
    note: Note = "",
) -> Response:
    """Confirm the case in a category."""
    case = _load(session, user, scope, case_id, Action.CASE_DECIDE)
    cases.do_confirm(session, case, user, category=category, note=note, ip=client_ip(request))
    return _decided(case_id, "confirm")


@router.post("/cases/{case_id}/dismiss", dependencies=CSRF)
def dismiss(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    scope: ScopeDep,
    case_id: int,
    reason: Annotated[str, Form(max_length=32)],
    note: Note = "",
) -> Response:
    """Dismiss the case with a reason."""
    case = _load(session, user, scope, case_id, Action.CASE_DECIDE)
    cases.do_dismiss(session, case, user, reason=reason, note=note, ip=client_ip(request))
    return _decided(case_id, "dismiss")


@router.post("/cases/{case_id}/forward", dependencies=CSRF)
def forward(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    scope: ScopeDep,
    case_id: int,
    unit_id: Annotated[int, Form()],
    note: Note = "",
) -> Response:
    """Forward the case to another unit."""
    case = _load(session, user, scope, case_id, Action.CASE_FORWARD)
    cases.do_forward(
        session,
        case,
        user,
        to_unit_id=unit_id,
        note=note,
        ip=client_ip(request),
        settings=request.app.state.settings,
    )
    return _decided(case_id, "forward")


@router.post("/cases/{case_id}/escalate", dependencies=CSRF)
def escalate(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    scope: ScopeDep,
    case_id: int,
    note: Note = "",
) -> Response:
    """Escalate the case to the parent unit's lead."""
    case = _load(session, user, scope, case_id, Action.CASE_ESCALATE)
    cases.do_escalate(session, case, user, note=note, ip=client_ip(request))
    return _decided(case_id, "escalate")


@router.post("/cases/{case_id}/comment", dependencies=CSRF)
def comment(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    scope: ScopeDep,
    case_id: int,
    note: Note,
) -> Response:
    """Add a comment."""
    case = _load(session, user, scope, case_id, Action.CASE_COMMENT)
    cases.do_comment(session, case, user, note=note, ip=client_ip(request))
    return _decided(case_id, "comment")


@router.post("/cases/{case_id}/assign", dependencies=CSRF)
def assign(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    scope: ScopeDep,
    case_id: int,
    assignee_id: Annotated[str, Form(max_length=16)] = "",
    note: Note = "",
) -> Response:
    """Assign or reassign (leads); reviewers may take an unassigned case."""
    case = load_case(session, case_id)
    target = int(assignee_id) if assignee_id.isdigit() else None
    authorize_assign(user, case, target, scope.units)
    cases.do_assign(session, case, user, assignee_id=target, note=note, ip=client_ip(request))
    return _decided(case_id, "assign")


@router.post("/cases/{case_id}/reopen", dependencies=CSRF)
def reopen(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    scope: ScopeDep,
    case_id: int,
    note: Note = "",
) -> Response:
    """Reopen a decided case (leads)."""
    case = _load(session, user, scope, case_id, Action.CASE_REOPEN)
    cases.do_reopen(session, case, user, note=note, ip=client_ip(request))
    return _decided(case_id, "reopen")
