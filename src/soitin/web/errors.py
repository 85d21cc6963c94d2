"""Domain errors → HTTP answers, in one place."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, OperationalError

from soitin.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    SoitinError,
)
from soitin.web.csrf import CsrfError
from soitin.web.deps import NotAuthenticatedError
from soitin.web.templating import render

_STATUS: list[tuple[type[SoitinError], int, str]] = [
    (CsrfError, 403, "error.csrf"),
    (PermissionDeniedError, 403, "error.forbidden"),
    (NotFoundError, 404, "error.not_found"),
    (InvalidInputError, 422, "error.title"),
    (ConflictError, 409, "error.title"),
]


def wants_json(request: Request) -> bool:
    """API paths and clients that ask for JSON get JSON errors."""
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def _out_of_range(request: Request) -> Response:
    message = "A number in the request is out of range."
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=422)
    return render(request, "error.html", {"message_key": "error.title", "detail": message}, 422)


def install_error_handlers(app: FastAPI) -> None:
    """Register the mapping on `app`."""

    @app.exception_handler(NotAuthenticatedError)
    async def _unauthenticated(request: Request, exc: NotAuthenticatedError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=401)
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError) -> Response:
        # SQLite refuses integers beyond 64 bits (e.g. an id of 2**70 in a path).
        return _out_of_range(request)

    @app.exception_handler(DataError)
    async def _data_error(request: Request, exc: DataError) -> Response:
        # PostgreSQL: "integer out of range" and the like, from a value the client sent.
        return _out_of_range(request)

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, exc: OperationalError) -> Response:
        # SQLite: a writer still held the lock after the busy timeout (30 s). Nothing was
        # shown or changed (a read whose audit line cannot be written is not answered:
        # every raw-text view is audited), so the client may simply try again.
        if "database is locked" not in str(exc.orig):
            raise exc
        message = "The database is busy; try again in a few seconds."
        headers = {"Retry-After": "5"}
        if wants_json(request):
            return JSONResponse({"detail": message}, status_code=503, headers=headers)
        page = render(request, "error.html", {"message_key": "error.title", "detail": message}, 503)
        page.headers.update(headers)
        return page

    @app.exception_handler(SoitinError)
    async def _domain(request: Request, exc: SoitinError) -> Response:
        status, key = 400, "error.title"
        for kind, code, message_key in _STATUS:
            if isinstance(exc, kind):
                status, key = code, message_key
                break
        if wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=status)
        return render(
            request, "error.html", {"message_key": key, "detail": str(exc)}, status_code=status
        )
