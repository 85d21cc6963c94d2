"""The claim library pages: list and search, one claim with the stories repeating it, forms
to add, import, change and remove claims (leads and admins), and a check of any text."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from soitin.db.models import User, Verdict
from soitin.errors import InvalidInputError
from soitin.review import claim_library
from soitin.stories import claims as library
from soitin.stories.claim_service import library_matcher
from soitin.stories.claimreview import MAX_FILE_BYTES
from soitin.web.api.auth import Scope, ScopeDep
from soitin.web.csrf import verify_csrf
from soitin.web.deps import CurrentUser, SessionDep, SettingsDep, client_ip
from soitin.web.i18n import error_text
from soitin.web.pages import claims_text
from soitin.web.templating import render, request_language

claims_text.register()

router = APIRouter(include_in_schema=False)
CSRF = [Depends(verify_csrf)]
VERDICTS = tuple(v.value for v in Verdict)
SUMMARY_KEYS = ("stories_scanned", "stories_matched", "cases_opened", "cases_updated")


def claim_form(
    text: Annotated[str, Form(max_length=2000)],
    verdict: Annotated[str, Form(max_length=100)],
    url: Annotated[str, Form(max_length=2000)] = "",
    publisher: Annotated[str, Form(max_length=255)] = "",
    reviewed_on: Annotated[str, Form(max_length=40)] = "",
) -> dict[str, Any]:
    """The claim form as the service reads it (empty optional fields are None)."""
    return {
        "text": text,
        "verdict": verdict,
        "url": url.strip() or None,
        "publisher": publisher.strip() or None,
        "reviewed_on": reviewed_on.strip() or None,
    }


ClaimForm = Annotated[dict[str, Any], Depends(claim_form)]


def _said(request: Request, exc: InvalidInputError) -> str:
    """The error beside the form, in the page's language."""
    return error_text(exc, request_language(request))


def _count(value: str | None) -> int | None:
    """A non-negative count from the query string (at most 9 digits), else None."""
    return (
        int(value) if value and value.isdecimal() and value.isascii() and len(value) <= 9 else None
    )


def _summary(request: Request) -> dict[str, int] | None:
    """The re-match figures a redirect carried in its query string."""
    figures = {}
    for key in SUMMARY_KEYS:
        value = _count(request.query_params.get(key))
        if value is None:
            return None
        figures[key] = value
    return figures


def _with_summary(path: str, summary: dict[str, int], **extra: str) -> str:
    return f"{path}?{urlencode({**summary, **extra})}"


def _list_page(
    request: Request,
    session: Session,
    user: User,
    *,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    imported: dict[str, int] | None = None,
    status_code: int = 200,
) -> Response:
    params = request.query_params
    q = (params.get("q") or "")[:200]
    verdict = params.get("verdict") or ""
    if verdict not in VERDICTS:
        verdict = ""
    page_no = _count(params.get("page")) or 1
    listing = claim_library.claim_list(session, query=q or None, verdict=verdict or None,
                                       page=page_no)  # fmt: skip

    def query_string(**change: Any) -> str:
        values = {"q": q, "verdict": verdict, **change}
        return urlencode({k: v for k, v in values.items() if v})

    return render(
        request,
        "claims/index.html",
        {
            "page": listing,
            "q": q,
            "verdict": verdict,
            "verdicts": VERDICTS,
            "query_string": query_string,
            "can_manage": claim_library.can_manage_claims(user),
            "form": form or {},
            "error": error,
            "imported": imported,
            "summary": _summary(request),
            "deleted": params.get("deleted") == "1",
        },
        status_code=status_code,
    )


@router.get("/claims")
def claims_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The library: search, verdict filter, story counts; forms for leads and admins."""
    return _list_page(request, session, user)


@router.post("/claims", dependencies=CSRF)
def add_claim(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    form: ClaimForm,
) -> Response:
    """Add a claim; the recent stories are matched against it at once."""
    claim_library.require_claim_editor(user)
    try:
        change = claim_library.add_claim(session, settings, user, form, ip=client_ip(request))
    except InvalidInputError as exc:
        session.rollback()
        return _list_page(
            request, session, user, form=form, error=_said(request, exc), status_code=422
        )
    session.commit()
    return RedirectResponse(
        _with_summary(f"/claims/{change.claims[0].id}", change.summary(), saved="1"),
        status_code=303,
    )


@router.post("/claims/import", dependencies=CSRF)
async def import_claims(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Import a ClaimReview JSON-LD or CSV file; shows what was added and matched."""
    claim_library.require_claim_editor(user)
    data = await file.read(MAX_FILE_BYTES + 1)
    try:
        if len(data) > MAX_FILE_BYTES:
            raise InvalidInputError(key="input.file_too_large")
        change = claim_library.import_claims(
            session, settings, user, data, file.filename or "", ip=client_ip(request)
        )
    except InvalidInputError as exc:
        session.rollback()
        return _list_page(request, session, user, error=_said(request, exc), status_code=422)
    session.commit()
    imported = {"added": len(change.claims), "skipped": change.skipped, **change.summary()}
    return _list_page(request, session, user, imported=imported)


@router.post("/claims/check", dependencies=CSRF)
def check_text(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    text: Annotated[str, Form(max_length=20_000)],
) -> Response:
    """The claims a pasted text repeats (nothing is stored); an htmx fragment or a page."""
    matcher = library_matcher(session, settings, semantic=True)
    session.commit()  # claim vectors computed for new claims are kept
    matches = matcher.match(text) if text.strip() else []
    shown = [(m, library.get_claim(session, int(m.claim_id))) for m in matches]
    name = "claims/_check.html" if request.headers.get("hx-request") else "claims/check.html"
    return render(request, name, {"matches": shown, "checked": text})


def _detail_page(
    request: Request,
    session: Session,
    user: User,
    scope: Scope,
    claim_id: int,
    *,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    claim = library.get_claim(session, claim_id)
    stories, total = claim_library.matched_stories(session, claim_id, scope.units)
    return render(
        request,
        "claims/detail.html",
        {
            "claim": claim,
            "stories": stories,
            "total": total,
            "verdicts": VERDICTS,
            "can_manage": claim_library.can_manage_claims(user),
            "summary": None if error else _summary(request),
            "saved": error is None and request.query_params.get("saved") == "1",
            "error": error,
            "form": form,
        },
        status_code=status_code,
    )


@router.get("/claims/{claim_id}")
def claim_page(
    request: Request, session: SessionDep, user: CurrentUser, scope: ScopeDep, claim_id: int
) -> Response:
    """One claim, the stories repeating it (in the user's units), and the edit form."""
    return _detail_page(request, session, user, scope, claim_id)


@router.post("/claims/{claim_id}", dependencies=CSRF)
def update_claim(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    scope: ScopeDep,
    claim_id: int,
    form: ClaimForm,
) -> Response:
    """Change a claim; the stories that matched it and the recent ones are matched again."""
    claim_library.require_claim_editor(user)
    try:
        change = claim_library.update_claim(
            session, settings, user, claim_id, form, ip=client_ip(request)
        )
    except InvalidInputError as exc:
        session.rollback()
        return _detail_page(
            request,
            session,
            user,
            scope,
            claim_id,
            form=form,
            error=_said(request, exc),
            status_code=422,
        )
    session.commit()
    return RedirectResponse(
        _with_summary(f"/claims/{claim_id}", change.summary(), saved="1"), status_code=303
    )


@router.post("/claims/{claim_id}/delete", dependencies=CSRF)
def delete_claim(
    request: Request, session: SessionDep, settings: SettingsDep, user: CurrentUser, claim_id: int
) -> Response:
    """Remove a claim and its matches."""
    claim_library.require_claim_editor(user)
    claim_library.remove_claim(session, settings, user, claim_id, ip=client_ip(request))
    session.commit()
    return RedirectResponse("/claims?deleted=1", status_code=303)
