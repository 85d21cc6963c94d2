"""Pages of the response ledger (per case) and of the team's publications."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from soitin.db.models import (
    ActionKind,
    Case,
    Claim,
    Publication,
    StoryClaimMatch,
    Unit,
    User,
    Verdict,
)
from soitin.errors import InvalidInputError, NotFoundError, PermissionDeniedError, SoitinError
from soitin.respond import ledger, publications
from soitin.respond.access import (
    require_manage_publications,
    require_respond,
    require_view_unit,
    visible_unit_ids,
)
from soitin.respond.insights import MAX_FILE_BYTES, import_insights
from soitin.review.accounts import get_unit
from soitin.web.csrf import verify_csrf
from soitin.web.deps import CurrentUser, SessionDep, SettingsDep
from soitin.web.i18n import error_text
from soitin.web.pages.reports import REPORT_MESSAGES
from soitin.web.templating import render, request_language

__all__ = ["local_time", "router"]

router = APIRouter(include_in_schema=False)
assert REPORT_MESSAGES  # noqa: S101 - registers the strings

OptionalText = Annotated[str, Form(max_length=4000)]


#: "05/10/2026 14:30", "5/10/2026 14h30", "05/10/2026" (midnight), as people write them.
_DMY_TIME = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T,]+(\d{1,2})[:hH](\d{2})?)?")


def local_time(value: str | None, tz: ZoneInfo) -> datetime | None:
    """A time typed in a form as dd/mm/yyyy hh:mm (or ISO, as the API and older pages send
    it), in Vietnam time unless it names its offset, as an aware datetime; empty → None."""
    if not value or not value.strip():
        return None
    text = value.strip()
    match = _DMY_TIME.fullmatch(text)
    try:
        if match:
            day, month, year, hour, minute = (int(g or 0) for g in match.groups())
            return datetime(year, month, day, hour, minute, tzinfo=tz)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(key="input.not_datetime", value=value) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def _duration(case: Case, lang: str) -> str | None:
    """Time to the first response in words: `1 ngày 2 giờ 5 phút`, `1 d 2 h 5 min`."""
    delta = ledger.time_to_first_response(case)
    if delta is None:
        return None
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    day, hour, minute = ("ngày", "giờ", "phút") if lang == "vi" else ("d", "h", "min")
    return (f"{days} {day} " if days else "") + f"{hours} {hour} {mins} {minute}"


def _can(check: Any, *args: Any) -> bool:
    try:
        check(*args)
    except (PermissionDeniedError, NotFoundError):
        return False
    return True


def _load_case(session: Session, user: User, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None or case.unit_id not in visible_unit_ids(session, user):
        raise NotFoundError("No such case.")
    return case


def _shown(request: Request, exc: SoitinError) -> str:
    return error_text(exc, request_language(request))


#: Claims offered in the form's list: the story's matches first, then the newest of the library.
CLAIM_CHOICES = 30


def claim_choices(session: Session, story_id: int) -> tuple[list[Claim], list[Claim]]:
    """The claims the response form offers: those the case's story matches (best first),
    and the newest of the library, up to `CLAIM_CHOICES` in all. Any claim of the library
    may still be typed by its id."""
    matched = list(
        session.scalars(
            select(Claim)
            .join(StoryClaimMatch, StoryClaimMatch.claim_id == Claim.id)
            .where(StoryClaimMatch.story_id == story_id)
            .order_by(StoryClaimMatch.score.desc(), Claim.id)
            .limit(CLAIM_CHOICES)
        )
    )
    seen = [c.id for c in matched]
    newest = list(
        session.scalars(
            select(Claim)
            .where(Claim.id.not_in(seen))
            .order_by(Claim.id.desc())
            .limit(max(0, CLAIM_CHOICES - len(matched)))
        )
    )
    return matched, newest


def _case_page(
    request: Request,
    session: Any,
    user: User,
    case: Case,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    actions = ledger.case_responses(session, case.id)
    matched, newest = claim_choices(session, case.story_id)
    names: dict[int | None, str] = dict(
        session.execute(
            select(User.id, User.display_name).where(
                User.id.in_([a.actor_id for a in actions if a.actor_id])
            )
        ).all()
    )
    return render(
        request,
        "respond/case.html",
        {
            "case": case,
            "actions": [(a, names.get(a.actor_id)) for a in actions],
            "first_response": _duration(case, request_language(request)),
            "may_respond": _can(require_respond, session, user, case),
            "kinds": [k.value for k in ActionKind],
            "verdicts": [v.value for v in Verdict],
            "outcomes": [o.value for o in ledger.Outcome],
            "error": error,
            "form": form or {},
            "claims_matched": matched,
            "claims_newest": newest,
        },
        status_code=422 if error else 200,
    )


@router.get("/cases/{case_id}/responses")
def case_responses(
    request: Request, case_id: int, session: SessionDep, user: CurrentUser
) -> Response:
    """The response ledger of a case, with the form to add one."""
    return _case_page(request, session, user, _load_case(session, user, case_id))


@router.post("/cases/{case_id}/responses", dependencies=[Depends(verify_csrf)])
def add_response(
    request: Request,
    case_id: int,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    kind: Annotated[str, Form(max_length=32)],
    at: Annotated[str, Form(max_length=40)] = "",
    url: Annotated[str, Form(max_length=2048)] = "",
    channel: Annotated[str, Form(max_length=64)] = "",
    platform: Annotated[str, Form(max_length=64)] = "",
    reference: Annotated[str, Form(max_length=255)] = "",
    title: Annotated[str, Form(max_length=500)] = "",
    verdict: Annotated[str, Form(max_length=16)] = "",
    claim_id: Annotated[str, Form(max_length=12)] = "",
    note: OptionalText = "",
) -> Response:
    """Record one response, then show the ledger again (or the form, filled, with the error)."""
    form = {
        "kind": kind,
        "at": at,
        "url": url,
        "channel": channel,
        "platform": platform,
        "reference": reference,
        "title": title,
        "verdict": verdict,
        "claim_id": claim_id,
        "note": note,
    }
    case = _load_case(session, user, case_id)
    require_respond(session, user, case)
    try:
        data = ledger.ResponseInput(
            kind=kind,
            at=local_time(at, settings.tz),
            url=url,
            channel=channel,
            platform=platform,
            reference=reference,
            title=title,
            verdict=verdict or None,
            claim_id=int(claim_id) if claim_id.strip().isdigit() else None,
            note=note,
        )
        ledger.record_response(session, case, data, actor=user)
    except (InvalidInputError, NotFoundError) as exc:
        session.rollback()
        case = _load_case(session, user, case_id)
        return _case_page(request, session, user, case, _shown(request, exc), form)
    session.commit()
    return RedirectResponse(f"/cases/{case_id}/responses", status_code=303)


@router.post("/responses/{action_id}/outcome", dependencies=[Depends(verify_csrf)])
def set_outcome(
    action_id: int,
    session: SessionDep,
    user: CurrentUser,
    outcome: Annotated[str, Form(max_length=32)],
) -> Response:
    """Record what the platform did with a report."""
    action = ledger.get_action(session, action_id)
    case = _load_case(session, user, action.case_id)
    require_respond(session, user, case)
    ledger.set_outcome(session, action, outcome, actor=user)
    session.commit()
    return RedirectResponse(f"/cases/{case.id}/responses", status_code=303)


def _units(session: Any, user: User) -> list[Unit]:
    visible = visible_unit_ids(session, user)
    return list(session.scalars(select(Unit).where(Unit.id.in_(visible)).order_by(Unit.code)))


def _publications_page(
    request: Request,
    session: Any,
    user: User,
    *,
    error: str | None = None,
    imported: Any = None,
    form: dict[str, str] | None = None,
) -> Response:
    units = _units(session, user)
    names = {u.id: u.name for u in units}
    items = publications.list_publications(session, names)
    latest = publications.latest_snapshots(session, [p.id for p in items])
    may_manage = [u for u in units if _can(require_manage_publications, session, user, u.id)]
    return render(
        request,
        "respond/publications.html",
        {
            "publications": [(p, latest.get(p.id), names.get(p.unit_id)) for p in items],
            "units": may_manage,
            "may_manage": bool(may_manage),
            "error": error,
            "imported": imported,
            "form": form or {},
        },
        status_code=422 if error else 200,
    )


@router.get("/publications")
def publications_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The units' publications with their latest reach; forms to add and import."""
    return _publications_page(request, session, user)


def _case_ids(text: str) -> list[int]:
    out = []
    for part in text.replace(";", ",").split(","):
        part = part.strip().lstrip("#")
        if not part:
            continue
        if not part.isdigit():
            raise InvalidInputError(key="pub.not_case_number", value=part)
        out.append(int(part))
    return out


@router.post("/publications", dependencies=[Depends(verify_csrf)])
def add_publication(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    unit: Annotated[str, Form(max_length=64)],
    channel: Annotated[str, Form(max_length=64)],
    title: Annotated[str, Form(max_length=1000)] = "",
    url: Annotated[str, Form(max_length=2048)] = "",
    topic: Annotated[str, Form(max_length=255)] = "",
    published_at: Annotated[str, Form(max_length=40)] = "",
    case_ids: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Add a publication (or show the form again, filled, with the error)."""
    form = {
        "unit": unit,
        "channel": channel,
        "title": title,
        "url": url,
        "topic": topic,
        "published_at": published_at,
        "case_ids": case_ids,
    }
    target = get_unit(session, unit)
    require_manage_publications(session, user, target.id)
    try:
        cases = _case_ids(case_ids)
        visible = visible_unit_ids(session, user)
        for case_id in cases:
            case = session.get(Case, case_id)
            if case is None or case.unit_id not in visible:
                raise NotFoundError(key="case.no_case", case_id=case_id)
        created = publications.create_publication(
            session,
            publications.PublicationInput(
                unit_id=target.id,
                channel=channel,
                title=title,
                url=url or None,
                topic=topic or None,
                published_at=local_time(published_at, settings.tz),
                case_ids=cases,
            ),
            actor=user,
        )
    except (InvalidInputError, NotFoundError) as exc:
        session.rollback()
        return _publications_page(request, session, user, error=_shown(request, exc), form=form)
    session.commit()
    return RedirectResponse(f"/publications/{created.id}", status_code=303)


@router.post("/publications/import", dependencies=[Depends(verify_csrf)])
async def import_publications(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    unit: Annotated[str, Form(max_length=64)],
    platform: Annotated[str, Form(max_length=16)],
    file: Annotated[UploadFile, File()],
) -> Response:
    """Import an insights export (CSV or YouTube Studio ZIP)."""
    target = get_unit(session, unit)
    require_manage_publications(session, user, target.id)
    data = await file.read(MAX_FILE_BYTES + 1)
    try:
        result = import_insights(
            session, data, platform=platform, unit_id=target.id, actor=user, tz=settings.tz
        )
    except InvalidInputError as exc:
        session.rollback()
        return _publications_page(request, session, user, error=_shown(request, exc))
    session.commit()
    return _publications_page(request, session, user, imported=result)


def _publication(session: Session, user: User, publication_id: int) -> Publication:
    found = session.get(Publication, publication_id)
    if found is None:
        raise NotFoundError("No such publication.")
    require_view_unit(session, user, found.unit_id)
    return found


def _publication_page(
    request: Request,
    session: Any,
    user: User,
    found: Publication,
    error: str | None = None,
    form: dict[str, Any] | None = None,
) -> Response:
    unit = session.get(Unit, found.unit_id)
    return render(
        request,
        "respond/publication.html",
        {
            "publication": found,
            "unit_name": unit.name if unit else "",
            "snapshots": publications.snapshots_of(session, found.id),
            "may_manage": _can(require_manage_publications, session, user, found.unit_id),
            "error": error,
            "form": form or {},
        },
        status_code=422 if error else 200,
    )


@router.get("/publications/{publication_id}")
def publication_page(
    request: Request, publication_id: int, session: SessionDep, user: CurrentUser
) -> Response:
    """One publication and its reach over time."""
    return _publication_page(request, session, user, _publication(session, user, publication_id))


@router.post("/publications/{publication_id}/snapshots", dependencies=[Depends(verify_csrf)])
def add_snapshot(
    request: Request,
    publication_id: int,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    at: Annotated[str, Form(max_length=40)] = "",
    views: Annotated[int, Form(ge=0)] = 0,
    reactions: Annotated[int, Form(ge=0)] = 0,
    comments: Annotated[int, Form(ge=0)] = 0,
    shares: Annotated[int, Form(ge=0)] = 0,
) -> Response:
    """Add reach figures by hand."""
    found = _publication(session, user, publication_id)
    require_manage_publications(session, user, found.unit_id)
    try:
        publications.add_snapshot(
            session,
            found,
            publications.SnapshotInput(
                views, reactions, comments, shares, at=local_time(at, settings.tz)
            ),
            source="form",
            actor=user,
        )
    except InvalidInputError as exc:
        session.rollback()
        form = {
            "at": at,
            "views": views,
            "reactions": reactions,
            "comments": comments,
            "shares": shares,
        }
        return _publication_page(request, session, user, found, _shown(request, exc), form)
    session.commit()
    return RedirectResponse(f"/publications/{publication_id}", status_code=303)
