"""Tips: `POST /api/v1/tips` (JSON) and the `/tips` form page, for signed-in staff.

Both need a signed-in user and the session's CSRF token (form field or `X-CSRF-Token`).
The tip becomes an item of the sender's unit's `tip` source (see `soitin.ingest.tips`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from soitin.errors import InvalidInputError
from soitin.ingest.incoming import describe_validation_error
from soitin.ingest.tips import MAX_NOTE_CHARS, TIP_FIELDS, TipIn, recent_tips, submit_tip
from soitin.web.api.items import BadJsonError, UnsupportedMediaTypeError, read_json_body
from soitin.web.csrf import verify_csrf
from soitin.web.deps import CurrentUser, SessionDep, SettingsDep, client_ip
from soitin.web.i18n import error_text, validation_messages
from soitin.web.templating import render, request_language

router = APIRouter(prefix="/api/v1", tags=["tips"])
page_router = APIRouter(include_in_schema=False)

MAX_TIP_BODY = 512 * 1024

TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Gửi tin báo",
        "intro": "Gửi đường dẫn và/hoặc nội dung bài viết đáng ngờ, kèm ghi chú cho người xử lý.",
        "url": "Đường dẫn (link)",
        "text": "Nội dung (dán văn bản)",
        "note": "Ghi chú (thấy ở đâu, vì sao đáng ngờ)",
        "submit": "Gửi",
        "sent": "Đã nhận tin báo. Cảm ơn!",
        "again": "Tin này đã có trong hệ thống; ghi chú của bạn đã được lưu.",
        "recent": "Tin báo bạn đã gửi gần đây",
        "none": "Chưa có tin báo nào.",
        "error": "Chưa gửi được",
    },
    "en": {
        "title": "Send a tip",
        "intro": "Send a link and/or the text of a suspicious post, with a note for reviewers.",
        "url": "Link",
        "text": "Text (paste it)",
        "note": "Note (where you saw it, why it is suspicious)",
        "submit": "Send",
        "sent": "Tip received. Thank you!",
        "again": "This was already in soitin; your note has been recorded.",
        "recent": "Tips you sent recently",
        "none": "No tips yet.",
        "error": "Not sent",
    },
}


def _tip_or_errors(values: dict[str, Any], lang: str | None = None) -> TipIn | list[str]:
    """The tip, or what is wrong with it: in English for the API, in `lang` for the page."""
    try:
        return TipIn.model_validate(values)
    except ValidationError as exc:
        if lang is None:
            return describe_validation_error(exc, TIP_FIELDS)
        return validation_messages(exc.errors(include_url=False), lang)


@router.post(
    "/tips",
    summary="Send a tip (link and/or text, with a note)",
    status_code=201,
    responses={
        201: {"description": "Stored (or already known: `created` is false)."},
        401: {"description": "Not signed in."},
        403: {"description": "Missing or wrong X-CSRF-Token."},
        422: {"description": "Neither link nor text, or a value is invalid."},
    },
)
async def post_tip(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    _csrf: Annotated[None, Depends(verify_csrf)],  # after the user: 401 before 403
    settings: SettingsDep,
) -> JSONResponse:
    """Store a tip for the signed-in user's unit (send the `X-CSRF-Token` header)."""
    try:
        payload = await read_json_body(request, MAX_TIP_BODY)
    except UnsupportedMediaTypeError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=415)
    except BadJsonError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=400)
    tip = _tip_or_errors(payload if isinstance(payload, dict) else {"": payload})
    if isinstance(tip, list):
        return JSONResponse({"detail": "; ".join(tip), "errors": tip}, status_code=422)
    result = submit_tip(session, user, tip, ip=client_ip(request), key=settings.pseudonym_key)
    session.commit()
    return JSONResponse(
        {"item_id": result.item_id, "created": result.created, "source_id": result.source_id},
        status_code=201,
    )


def _page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    *,
    errors: list[str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    lang = request_language(request)
    sent = request.query_params.get("sent")
    return render(
        request,
        "tips/index.html",
        {
            "s": TEXTS[lang],
            "errors": errors or [],
            "values": values or {},
            "sent": sent if sent in {"new", "known"} else None,
            "tips": recent_tips(session, user),
            "max_note": MAX_NOTE_CHARS,
        },
        status_code=status_code,
    )


@page_router.get("/tips")
def tips_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The tip form and the user's recent tips."""
    return _page(request, session, user)


@page_router.post("/tips", dependencies=[Depends(verify_csrf)])
def tips_submit(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    url: Annotated[str, Form(max_length=4096)] = "",
    text: Annotated[str, Form(max_length=200_000)] = "",
    note: Annotated[str, Form(max_length=4096)] = "",
) -> Response:
    """Store the tip, then show the page again (post/redirect/get)."""
    values = {"url": url, "text": text, "note": note}
    lang = request_language(request)
    tip = _tip_or_errors(values, lang)
    if isinstance(tip, list):
        return _page(request, session, user, errors=tip, values=values, status_code=422)
    try:
        result = submit_tip(session, user, tip, ip=client_ip(request), key=settings.pseudonym_key)
    except InvalidInputError as exc:
        errors = [error_text(exc, lang)]
        return _page(request, session, user, errors=errors, values=values, status_code=422)
    session.commit()
    return RedirectResponse(f"/tips?sent={'new' if result.created else 'known'}", 303)
