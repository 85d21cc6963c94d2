"""Who may see and record responses, publications and statistics.

The few checks of this area, delegated to the review area's policy table
(`soitin.review.policies`): recording responses and publications needs the right to act on a
case (`case.decide`: reviewers, leads, admins), reading statistics and reports needs
`case.view` (every role); both only within the user's unit and the units below it. Objects
outside that scope are answered as "not found".
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from soitin.db.models import Case, Unit, User
from soitin.errors import NotFoundError
from soitin.review.policies import Action, authorize, load_unit_tree

__all__ = [
    "require_manage_publications",
    "require_respond",
    "require_view_unit",
    "visible_unit_ids",
]

#: The policy actions this area asks for.
RESPOND = Action.CASE_DECIDE
VIEW = Action.CASE_VIEW


def visible_unit_ids(session: Session, user: User) -> frozenset[int]:
    """The user's unit and every unit below it."""
    return load_unit_tree(session).scope(user)


def _unit(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFoundError("No such unit.")
    return unit


def require_view_unit(session: Session, user: User, unit_id: int) -> None:
    """Statistics and reports of `unit_id` are for users of that unit or a unit above it."""
    authorize(user, VIEW, _unit(session, unit_id), visible_unit_ids(session, user))


def require_respond(session: Session, user: User, case: Case) -> None:
    """Recording a response on `case` needs an acting role over the case's unit."""
    authorize(user, RESPOND, case, visible_unit_ids(session, user))


def require_manage_publications(session: Session, user: User, unit_id: int) -> None:
    """Adding publications or reach figures for `unit_id` needs an acting role over it."""
    authorize(user, RESPOND, _unit(session, unit_id), visible_unit_ids(session, user))
