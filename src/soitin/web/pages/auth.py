"""Sign in, sign out, password change, language switch."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from starlette.routing import Match

from soitin.db.models import AuditEvent, User
from soitin.db.types import utcnow
from soitin.review import accounts, audit
from soitin.web.csrf import verify_csrf
from soitin.web.deps import (
    SESSION_STAMP_KEY,
    CurrentUser,
    SessionDep,
    client_ip,
    password_stamp,
    start_session,
)
from soitin.web.templating import render

router = APIRouter()

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect off-site after login."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _back(request: Request) -> str:
    """The page the referer names, with its query (the queue's filters), on this site only; a
    form's address that answers only POST (`/queue/bulk`) gives the nearest page above it."""
    referer = urlsplit(request.headers.get("referer", ""))
    path = referer.path or "/"
    while path != "/" and not _answers_get(request, path):
        path = path.rsplit("/", 1)[0] or "/"
    query = referer.query if referer.path == path and len(referer.query) <= 2000 else ""
    return _safe_next(f"{path}?{query}" if query else path)


def _answers_get(request: Request, path: str) -> bool:
    scope = {"type": "http", "path": path, "method": "GET", "root_path": ""}
    return any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes)


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str = "/") -> Response:
    """The sign-in form."""
    return render(request, "auth/login.html", {"next": _safe_next(next), "error_key": None})


@router.post("/login", include_in_schema=False, dependencies=[Depends(verify_csrf)])
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2048)] = "/",
) -> Response:
    """Check the credentials; lock the account after repeated failures.

    An address with too many failed sign-ins in the window (any accounts) is refused before
    any password is checked, until its failures age out; each refusal is audited.
    """
    now = utcnow()
    ip = client_ip(request)
    settings = request.app.state.settings
    if ip is not None:
        since = now - timedelta(minutes=settings.login_ip_window_minutes)
        failures = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.ip == ip, AuditEvent.at >= since, AuditEvent.action == "login.failed")
        )
        if (failures or 0) >= settings.login_ip_max_failures:
            audit.record(session, "login.rate_limited", ip=ip, username=username[:64])
            session.commit()
            return render(
                request, "auth/login.html", {"next": next, "error_key": "login.rate_limited"}, 429
            )
    user = session.scalar(select(User).where(User.username == username))
    if user is not None and user.locked_until is not None and user.locked_until > now:
        audit.record(session, "login.locked", actor=user, ip=client_ip(request))
        session.commit()
        return render(request, "auth/login.html", {"next": next, "error_key": "login.locked"}, 429)
    ok = accounts.authenticate(session, username, password)
    if ok is None:
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILED_LOGINS:
                user.locked_until = now + LOCKOUT
                user.failed_logins = 0
                audit.record(session, "login.lockout", actor=user, ip=client_ip(request))
        audit.record(
            session, "login.failed", actor=user, ip=client_ip(request), username=username[:64]
        )
        session.commit()
        return render(request, "auth/login.html", {"next": next, "error_key": "login.failed"}, 401)
    ok.failed_logins = 0
    ok.locked_until = None
    ok.last_login_at = now
    audit.record(session, "login", actor=ok, ip=client_ip(request))
    session.commit()
    start_session(request, ok)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie("lang", ok.language, samesite="lax", httponly=True)
    return response


@router.post("/logout", include_in_schema=False, dependencies=[Depends(verify_csrf)])
def logout(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """End the session."""
    audit.record(session, "logout", actor=user, ip=client_ip(request))
    session.commit()
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/account/password", include_in_schema=False)
def password_page(request: Request, user: CurrentUser) -> Response:
    """The password change form."""
    return render(request, "auth/password.html", {"message_key": None})


@router.post("/account/password", include_in_schema=False, dependencies=[Depends(verify_csrf)])
def change_password(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    current: Annotated[str, Form(max_length=1024)],
    new: Annotated[str, Form(max_length=1024)],
) -> Response:
    """Replace the signed-in user's password after checking the current one."""
    if not accounts.verify_password(user.password_hash, current):
        return render(request, "auth/password.html", {"message_key": "password.wrong"}, 400)
    accounts.set_password(session, user, new)
    audit.record(session, "user.password_changed", actor=user, ip=client_ip(request))
    session.commit()
    # this browser stays signed in (its stamp follows); every other session of the user ends
    request.session[SESSION_STAMP_KEY] = password_stamp(user)
    return render(request, "auth/password.html", {"message_key": "password.done"})


@router.get("/lang/{code}", include_in_schema=False)
def switch_language(request: Request, code: str) -> Response:
    """Switch the interface language (vi/en) and go back."""
    code = code if code in ("vi", "en") else "vi"
    response = RedirectResponse(_back(request), status_code=303)
    response.set_cookie("lang", code, samesite="lax", httponly=True, max_age=365 * 86400)
    return response
