"""Personal API tokens of the signed-in user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from soitin.review import audit, tokens
from soitin.review.policies import Action, authorize
from soitin.web.csrf import verify_csrf
from soitin.web.deps import CurrentUser, SessionDep, client_ip
from soitin.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/account/tokens")
def tokens_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The user's tokens."""
    authorize(user, Action.TOKEN_OWN)
    return render(
        request, "review/tokens.html", {"tokens": tokens.list_tokens(session, user), "secret": None}
    )


@router.post("/account/tokens", dependencies=[Depends(verify_csrf)])
def create_token(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    name: Annotated[str, Form(max_length=255)],
) -> Response:
    """Create a token; its text is shown once."""
    authorize(user, Action.TOKEN_OWN)
    row, secret = tokens.create_token(session, user, name)
    audit.record(
        session,
        "token.created",
        actor=user,
        object_type="token",
        object_id=row.id,
        ip=client_ip(request),
        name=row.name,
    )
    session.commit()
    return render(
        request,
        "review/tokens.html",
        {"tokens": tokens.list_tokens(session, user), "secret": secret},
    )


@router.post("/account/tokens/{token_id}/revoke", dependencies=[Depends(verify_csrf)])
def revoke_token(
    request: Request, session: SessionDep, user: CurrentUser, token_id: int
) -> Response:
    """Revoke one of the user's tokens."""
    authorize(user, Action.TOKEN_OWN)
    row = tokens.revoke_token(session, user, token_id)
    audit.record(
        session,
        "token.revoked",
        actor=user,
        object_type="token",
        object_id=row.id,
        ip=client_ip(request),
    )
    session.commit()
    return RedirectResponse("/account/tokens", status_code=303)
