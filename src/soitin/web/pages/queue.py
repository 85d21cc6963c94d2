"""The queue page: cases by priority, filters, search, paging, bulk assign/dismiss."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from soitin.db.models import Case, Category, Source, User
from soitin.errors import ConflictError, InvalidInputError, SoitinError
from soitin.review.cases import DISMISS_REASONS, do_bulk_assign, do_bulk_dismiss
from soitin.review.policies import ASSIGNABLE_ROLES, Action, authorize, can
from soitin.review.queue import STATUS_CHOICES, QueueFilters, list_queue
from soitin.web.api.auth import Scope, ScopeDep
from soitin.web.csrf import verify_csrf
from soitin.web.deps import CurrentUser, SessionDep, SettingsDep, audit_read, client_ip
from soitin.web.errors import status_of
from soitin.web.i18n import error_text
from soitin.web.templating import place_label, render, request_language

router = APIRouter(include_in_schema=False)


def assignable_users(session: Session, unit_ids: frozenset[int] | list[int]) -> list[User]:
    """Active reviewers, leads and admins of these units (who may be given cases)."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.unit_id.in_(sorted(unit_ids)),
                User.is_active.is_(True),
                User.role.in_(sorted(ASSIGNABLE_ROLES)),
            )
            .order_by(User.display_name, User.username)
        )
    )


def assignable_to_all(session: Session, scope: Scope, case_unit_ids: Iterable[int]) -> list[User]:
    """Who may be given every one of these units' cases: an assignee works in the case's unit
    or a unit above it (the rule of `review.cases`), so only the units above all of them count.
    """
    allowed: set[int] | None = None
    for unit_id in set(case_unit_ids):
        above = set(scope.tree.ancestors(unit_id))
        allowed = above if allowed is None else allowed & above
    if not allowed:
        return []
    return assignable_users(session, [u for u in allowed if u in scope.units])


def _places(scope: Scope, lang: str) -> list[tuple[str, str]]:
    """(code, label) of the places the units cover, named on the 2025 map ("Quảng Trị (44)");
    a code the map does not know is labelled with its unit's name."""
    labels: dict[str, str] = {}
    for node, _ in scope.tree.ordered(scope.units):
        for code in node.place_codes:
            label = place_label(code, lang)
            labels[code] = label if label != code else f"{node.name} ({code})"
    return sorted(labels.items())


def queue_context(
    request: Request,
    session: Session,
    user: User,
    scope: Scope,
    filters: QueueFilters,
    page_size: int,
) -> dict[str, object]:
    """The template context of the queue (page and htmx fragment)."""
    tz = request.app.state.settings.tz
    page = list_queue(session, user, scope.units, filters, tz=tz, page_size=page_size)
    audit_read(
        request,
        "queue.viewed",
        user,
        cases=[r.id for r in page.rows],
        filters=page.filters.query_string(),
    )
    bulk = can(user, Action.CASE_BULK)
    return {
        "page": page,
        "filters": page.filters,
        "default_filters": QueueFilters(),  # nothing chosen: an empty queue is not "no match"
        "statuses": STATUS_CHOICES,
        "categories": [c.value for c in Category],
        "reasons": DISMISS_REASONS,
        "units": scope.tree.ordered(scope.units),
        "places": _places(scope, request_language(request)),
        "sources": session.execute(select(Source.id, Source.name).order_by(Source.name)).all(),
        "assignees": assignable_users(session, scope.units) if bulk else [],
        # the bulk form offers only people who may take every case shown
        "bulk_assignees": (
            assignable_to_all(session, scope, (r.unit_id for r in page.rows)) if bulk else []
        ),
        "can_bulk": bulk,
        "bulk": {},
    }


@router.get("/queue")
def queue_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    scope: ScopeDep,
    settings: SettingsDep,
    filters: Annotated[QueueFilters, Query()],
) -> Response:
    """The queue; htmx requests get only the results table."""
    authorize(user, Action.CASE_VIEW)
    ctx = queue_context(request, session, user, scope, filters, settings.queue_page_size)
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "queue-results":
        return render(request, "review/_queue_results.html", ctx)
    return render(request, "review/queue.html", ctx)


@router.post("/queue/bulk", dependencies=[Depends(verify_csrf)])
def queue_bulk(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    scope: ScopeDep,
    settings: SettingsDep,
    operation: Annotated[str, Form(max_length=16)],
    case_ids: Annotated[list[int], Form()] = [],  # noqa: B006 - FastAPI form default
    assignee_id: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=32)] = "",
    back: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Assign or dismiss the ticked cases (leads); on an error, the queue again with the
    ticks, the choices and the error beside the bulk form."""
    authorize(user, Action.CASE_BULK)
    try:
        if not case_ids:
            raise InvalidInputError(key="queue.tick_one")
        cases = list(
            session.scalars(
                select(Case).where(Case.id.in_(case_ids[:500])).options(joinedload(Case.assignee))
            )
        )
        if len(cases) != len(set(case_ids[:500])):
            raise InvalidInputError(key="queue.cases_missing")
        for case in cases:
            authorize(user, Action.CASE_BULK, case, scope.units)
        if operation == "assign":
            target = int(assignee_id) if assignee_id.isdigit() else None
            count = do_bulk_assign(session, cases, user, assignee_id=target, ip=client_ip(request))
        elif operation == "dismiss":
            count = do_bulk_dismiss(session, cases, user, reason=reason, ip=client_ip(request))
        else:
            raise InvalidInputError(key="queue.unknown_bulk")
    except (InvalidInputError, ConflictError) as exc:
        session.rollback()
        filters = _filters_from(back)
        ctx = queue_context(request, session, user, scope, filters, settings.queue_page_size)
        ctx["bulk"] = {
            "error": error_text(exc, request_language(request)),
            "ticked": set(case_ids),
            "assignee_id": assignee_id,
            "reason": reason,
        }
        return render(request, "review/queue.html", ctx, status_code=status_of(exc))
    query = back if back and not back.startswith(("/", "\\")) and "://" not in back else ""
    sep = "&" if query else ""
    return RedirectResponse(f"/queue?{query}{sep}done={operation}&count={count}", status_code=303)


def _filters_from(back: str) -> QueueFilters:
    """The filters the bulk form came from (its `back` query); the defaults if unreadable."""
    try:
        return QueueFilters.model_validate(dict(parse_qsl(back))).cleaned()
    except (ValidationError, SoitinError):
        return QueueFilters()
