"""Domain errors → HTTP answers, in one place.

The API and clients asking for JSON get `{"detail": ...}` in English; pages get the message in
the page's language (`soitin.messages`). An htmx request gets only the message, as a fragment
with status 422 that htmx swaps (see `responseHandling` in base.html).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, OperationalError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from soitin.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    SoitinError,
)
from soitin.web.csrf import CsrfError
from soitin.web.deps import NotAuthenticatedError, get_optional_user
from soitin.web.i18n import error_text, translate, validation_messages
from soitin.web.templating import render, request_language

_STATUS: list[tuple[type[SoitinError], int, str]] = [
    (CsrfError, 403, "error.csrf"),
    (PermissionDeniedError, 403, "error.forbidden"),
    (NotFoundError, 404, "error.not_found"),
    (InvalidInputError, 422, "error.title"),
    (ConflictError, 409, "error.title"),
]


_HTTP_KEYS = {404: "error.no_page", 405: "error.method", 403: "error.forbidden"}


def wants_json(request: Request) -> bool:
    """API paths and clients that ask for JSON get JSON errors."""
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def status_of(exc: SoitinError) -> int:
    """The HTTP status of a domain error (a form shown again with it answers the same)."""
    for kind, code, _key in _STATUS:
        if isinstance(exc, kind):
            return code
    return 400


def error_page(request: Request, messages: list[str], status_code: int, key: str) -> Response:
    """The messages as a page, or as a fragment for htmx (which swaps it in place)."""
    if request.headers.get("hx-request"):
        return render(request, "_errors.html", {"messages": messages}, status_code=status_code)
    return render(
        request, "error.html", {"message_key": key, "messages": messages}, status_code=status_code
    )


def _out_of_range(request: Request) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": "A number in the request is out of range."}, 422)
    text = translate("error.out_of_range", request_language(request))
    return error_page(request, [text], 422, "error.title")


def install_error_handlers(app: FastAPI) -> None:
    """Register the mapping on `app`."""

    @app.exception_handler(NotAuthenticatedError)
    async def _unauthenticated(request: Request, exc: NotAuthenticatedError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=401)
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        # Routing's own answers (no such address, a method the address does not take) and
        # static files: a browser gets a page in its language, not `{"detail":"Not Found"}`.
        if wants_json(request):
            return await http_exception_handler(request, exc)
        key, lang = _HTTP_KEYS.get(exc.status_code, "error.title"), request_language(request)
        text = translate(key, lang) if key != "error.title" else str(exc.detail)
        heading = "error.not_found" if exc.status_code == 404 else "error.title"
        # No handler ran, so nobody looked up who is signed in: do it here, so that the page
        # keeps the navigation of a signed-in user (its links lead back into the app).
        try:
            with request.app.state.database.session(read_only=True) as session:
                if "session" in request.scope:
                    get_optional_user(request, session)
                page = error_page(request, [text], exc.status_code, heading)
        except SQLAlchemyError:  # the database is down: the page still answers, without a user
            request.state.user = None
            page = error_page(request, [text], exc.status_code, heading)
        page.headers.update(exc.headers or {})
        return page

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError) -> Response:
        # SQLite refuses integers beyond 64 bits (e.g. an id of 2**70 in a path).
        return _out_of_range(request)

    @app.exception_handler(DataError)
    async def _data_error(request: Request, exc: DataError) -> Response:
        # PostgreSQL: "integer out of range" and the like, from a value the client sent.
        return _out_of_range(request)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
        # A page's query or form that cannot be read (a date like 31/02/2026): say so in the
        # page's language instead of FastAPI's JSON, which a browser shows raw.
        if wants_json(request):
            return await request_validation_exception_handler(request, exc)
        messages = validation_messages(exc.errors(), request_language(request))
        return error_page(request, messages, 422, "error.title")

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, exc: OperationalError) -> Response:
        # SQLite: a writer still held the lock after the busy timeout (30 s). Nothing was
        # shown or changed (a read whose audit line cannot be written is not answered:
        # every raw-text view is audited), so the client may simply try again.
        if "database is locked" not in str(exc.orig):
            raise exc
        headers = {"Retry-After": "5"}
        if wants_json(request):
            detail = translate("error.busy", "en")
            return JSONResponse({"detail": detail}, status_code=503, headers=headers)
        text = translate("error.busy", request_language(request))
        page = error_page(request, [text], 503, "error.title")
        page.headers.update(headers)
        return page

    @app.exception_handler(SoitinError)
    async def _domain(request: Request, exc: SoitinError) -> Response:
        status = status_of(exc)
        key = next((k for kind, _code, k in _STATUS if isinstance(exc, kind)), "error.title")
        if wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=status)
        lang = request_language(request)
        text = error_text(exc, lang) if exc.key or key == "error.title" else translate(key, lang)
        return error_page(request, [text], status, "error.title")
