"""`/api/v1/cases` and `/api/v1/stories`: the queue, the story page, every decision."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from soitin.db.models import Case
from soitin.db.types import utcnow
from soitin.errors import InvalidInputError, NotFoundError
from soitin.review import cases
from soitin.review.policies import Action, authorize, authorize_assign
from soitin.review.queue import CaseRow, QueueFilters, QueuePage, case_row, list_queue
from soitin.review.story_view import StoryView, build_story_view, load_case
from soitin.web.api.auth import ApiScopeDep, ApiUser, api_csrf
from soitin.web.deps import SessionDep, SettingsDep, audit_representative_shown, client_ip
from soitin.web.pages.cases import read_item_text

router = APIRouter(tags=["cases"], dependencies=[Depends(api_csrf)])


class ConfirmIn(BaseModel):
    """Confirm a case as harmful."""

    category: Literal["misinformation", "scam", "toxic", "spam"]
    note: str = Field(default="", max_length=4000)


class DismissIn(BaseModel):
    """Dismiss a case."""

    reason: Literal["not_harmful", "duplicate", "out_of_area", "insufficient", "other"]
    note: str = Field(default="", max_length=4000)


class ForwardIn(BaseModel):
    """Forward a case to another unit."""

    unit_id: int
    note: str = Field(default="", max_length=4000)


class NoteIn(BaseModel):
    """A note (optional for escalate and reopen, required for comment)."""

    note: str = Field(default="", max_length=4000)


class AssignIn(BaseModel):
    """Give the case to someone (null: nobody)."""

    assignee_id: int | None = None
    note: str = Field(default="", max_length=4000)


class BulkIn(BaseModel):
    """Assign or dismiss many cases at once (leads)."""

    operation: Literal["assign", "dismiss"]
    case_ids: list[int] = Field(min_length=1, max_length=500)
    assignee_id: int | None = None
    reason: str = "not_harmful"


class BulkOut(BaseModel):
    """How many cases changed."""

    count: int


class ItemTextOut(BaseModel):
    """The raw text of one item (this read is audited)."""

    id: int
    title: str | None
    text: str | None


@router.get("/cases", response_model=QueuePage)
def get_queue(
    request: Request,
    session: SessionDep,
    user: ApiUser,
    scope: ApiScopeDep,
    settings: SettingsDep,
    filters: Annotated[QueueFilters, Query()],
) -> QueuePage:
    """The queue: cases of your units by priority, with the queue page's filters."""
    authorize(user, Action.CASE_VIEW)
    return list_queue(
        session, user, scope.units, filters, tz=settings.tz, page_size=settings.queue_page_size
    )


@router.get("/cases/{case_id}", response_model=StoryView)
def get_case(
    request: Request,
    session: SessionDep,
    user: ApiUser,
    scope: ApiScopeDep,
    settings: SettingsDep,
    case_id: int,
) -> StoryView:
    """The case with its story: items, timeline, places, claims, scores, events."""
    case = load_case(session, case_id)
    authorize(user, Action.CASE_VIEW, case, scope.units)
    view = build_story_view(session, case, scope.tree, scope.units, tz=settings.tz)
    audit_representative_shown(request, user, view.representative_item_id, case.id, via="api")
    return view


@router.get("/stories/{story_id}", response_model=list[CaseRow])
def get_story_cases(
    session: SessionDep, user: ApiUser, scope: ApiScopeDep, story_id: int
) -> list[CaseRow]:
    """The cases of a story that you may see (most urgent first)."""
    authorize(user, Action.CASE_VIEW)
    rows = session.scalars(
        select(Case)
        .where(Case.story_id == story_id, Case.unit_id.in_(sorted(scope.units)))
        .options(joinedload(Case.story), joinedload(Case.unit), joinedload(Case.assignee))
        .order_by(Case.priority.desc(), Case.id)
    ).all()
    if not rows:
        raise NotFoundError("Not found.")
    now = utcnow()
    return [case_row(c, now) for c in rows]


@router.get("/cases/{case_id}/items/{item_id}/text", response_model=ItemTextOut)
def get_item_text(
    request: Request,
    session: SessionDep,
    user: ApiUser,
    scope: ApiScopeDep,
    case_id: int,
    item_id: int,
) -> ItemTextOut:
    """The raw text of one item of the case's story (audited)."""
    _, item = read_item_text(session, request, user, scope, case_id, item_id)
    purged = item.raw_purged_at is not None
    return ItemTextOut(id=item.id, title=item.title, text=None if purged else item.text)


def _row(session: SessionDep, case_id: int) -> CaseRow:
    return case_row(load_case(session, case_id), utcnow())


def _case(
    session: SessionDep, user: ApiUser, scope: ApiScopeDep, case_id: int, action: Action
) -> Case:
    case = load_case(session, case_id)
    authorize(user, action, case, scope.units)
    return case


@router.post("/cases/{case_id}/confirm", response_model=CaseRow)
def post_confirm(
    request: Request,
    session: SessionDep,
    user: ApiUser,
    scope: ApiScopeDep,
    case_id: int,
    body: ConfirmIn,
) -> CaseRow:
    """Confirm the case in a category."""
    case = _case(session, user, scope, case_id, Action.CASE_DECIDE)
    cases.do_confirm(
        session, case, user, category=body.category, note=body.note, ip=client_ip(request)
    )
    return _row(session, case_id)


@router.post("/cases/{case_id}/dismiss", response_model=CaseRow)
def post_dismiss(
    request: Request,
    session: SessionDep,
    user: ApiUser,
    scope: ApiScopeDep,
    case_id: int,
    body: DismissIn,
) -> CaseRow:
    """Dismiss the case with a reason."""
    case = _case(session, user, scope, case_id, Action.CASE_DECIDE)
    cases.do_dismiss(session, case, user, reason=body.reason, note=body.note, ip=client_ip(request))
    return _row(session, case_id)


@router.post("/cases/{case_id}/forward", response_model=CaseRow)
def post_forward(
    request: Request,
    session: SessionDep,
    user: ApiUser,
    scope: ApiScopeDep,
    settings: SettingsDep,
    case_id: int,
    body: ForwardIn,
) -> CaseRow:
    """Forward the case to another unit; answers the receiving unit's case."""
    case = _case(session, user, scope, case_id, Action.CASE_FORWARD)
    target = cases.do_forward(
        session,
        case,
        user,
        to_unit_id=body.unit_id,
        note=body.note,
        ip=client_ip(request),
        settings=settings,
    )
    return _row(session, target.id)


@router.post("/cases/{case_id}/escalate", response_model=CaseRow)
def post_escalate(
    request: Request,
    session: SessionDep,
    user: ApiUser,
    scope: ApiScopeDep,
    case_id: int,
    body: NoteIn,
) -> CaseRow:
    """Escalate the case to the parent unit's lead."""
    case = _case(session, user, scope, case_id, Action.CASE_ESCALATE)
    cases.do_escalate(session, case, user, note=body.note, ip=client_ip(request))
    return _row(session, case_id)


@router.post("/cases/{case_id}/comment", response_model=CaseRow)
def post_comment(
    request: Request,
    session: SessionDep,
    user: ApiUser,
    scope: ApiScopeDep,
    case_id: int,
    body: NoteIn,
) -> CaseRow:
    """Add a comment to the case timeline."""
    case = _case(session, user, scope, case_id, Action.CASE_COMMENT)
    cases.do_comment(session, case, user, note=body.note, ip=client_ip(request))
    return _row(session, case_id)


@router.post("/cases/{case_id}/assign", response_model=CaseRow)
def post_assign(
    request: Request,
    session: SessionDep,
    user: ApiUser,
    scope: ApiScopeDep,
    case_id: int,
    body: AssignIn,
) -> CaseRow:
    """Assign or reassign (leads); reviewers may take an unassigned case themselves."""
    case = load_case(session, case_id)
    authorize_assign(user, case, body.assignee_id, scope.units)
    cases.do_assign(
        session, case, user, assignee_id=body.assignee_id, note=body.note, ip=client_ip(request)
    )
    return _row(session, case_id)


@router.post("/cases/{case_id}/reopen", response_model=CaseRow)
def post_reopen(
    request: Request,
    session: SessionDep,
    user: ApiUser,
    scope: ApiScopeDep,
    case_id: int,
    body: NoteIn,
) -> CaseRow:
    """Reopen a decided case (leads)."""
    case = _case(session, user, scope, case_id, Action.CASE_REOPEN)
    cases.do_reopen(session, case, user, note=body.note, ip=client_ip(request))
    return _row(session, case_id)


@router.post("/cases/bulk", response_model=BulkOut)
def post_bulk(
    request: Request, session: SessionDep, user: ApiUser, scope: ApiScopeDep, body: BulkIn
) -> BulkOut:
    """Assign or dismiss many cases (leads); all or nothing."""
    authorize(user, Action.CASE_BULK)
    found = list(session.scalars(select(Case).where(Case.id.in_(body.case_ids))))
    if len(found) != len(set(body.case_ids)):
        raise NotFoundError("Not found.")
    for case in found:
        authorize(user, Action.CASE_BULK, case, scope.units)
    if body.operation == "assign":
        count = cases.do_bulk_assign(
            session, found, user, assignee_id=body.assignee_id, ip=client_ip(request)
        )
    elif body.operation == "dismiss":
        count = cases.do_bulk_dismiss(
            session, found, user, reason=body.reason, ip=client_ip(request)
        )
    else:  # pragma: no cover - Literal makes this unreachable
        raise InvalidInputError(key="case.unknown_operation")
    return BulkOut(count=count)
