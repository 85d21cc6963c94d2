"""The training guides."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from soitin.review.guides import GUIDES, get_guide
from soitin.review.policies import Action, authorize
from soitin.web.deps import CurrentUser
from soitin.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/guides")
def guides_index(request: Request, user: CurrentUser) -> Response:
    """The list of guides."""
    authorize(user, Action.GUIDE_VIEW)
    return render(request, "guides/index.html", {"guides": GUIDES})


@router.get("/guides/{slug}")
def guide_page(request: Request, user: CurrentUser, slug: str) -> Response:
    """One guide."""
    authorize(user, Action.GUIDE_VIEW)
    guide = get_guide(slug)
    return render(request, guide.template, {"guide": guide, "guides": GUIDES})
