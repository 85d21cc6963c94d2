"""CSRF protection: a per-session token required on every state-changing request."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request

from soitin.errors import PermissionDeniedError

SESSION_KEY = "csrf"
FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"


def csrf_token(request: Request) -> str:
    """This session's token, created on first use."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


class CsrfError(PermissionDeniedError):
    """The request did not carry this session's CSRF token."""


async def verify_csrf(request: Request) -> None:
    """Raise `CsrfError` unless the form field or header carries the session's token."""
    expected = request.session.get(SESSION_KEY)
    given = request.headers.get(HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(FORM_FIELD)
        given = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not given or not hmac.compare_digest(expected, given):
        raise CsrfError("Missing or wrong CSRF token.")
