"""Who may see alerts, acknowledge them and manage alert rules.

The unit scope comes from `soitin.review.policies` (a user acts on their unit and the units
below it; anything outside is "not found"). The role table below is local because the
policy table has no alert actions yet: SWITCH-OVER — when `soitin.review.policies.Action`
gains `alert.view`, `alert.ack` and `alert_rule.manage`, replace `authorize_alert` with
`policies.authorize` and delete `ALERT_ROLES`.
"""

from __future__ import annotations

import enum

from sqlalchemy.orm import Session

from soitin.db.models import Role, User
from soitin.errors import NotFoundError, PermissionDeniedError
from soitin.review.policies import load_unit_tree

__all__ = ["ALERT_ROLES", "AlertAction", "alert_scope", "authorize_alert", "can_alert"]


class AlertAction(enum.StrEnum):
    """What a handler of the alerts area may ask permission for."""

    VIEW = "alert.view"
    ACK = "alert.ack"
    MANAGE_RULES = "alert_rule.manage"


ALERT_ROLES: dict[AlertAction, frozenset[str]] = {
    AlertAction.VIEW: frozenset(r.value for r in Role),
    AlertAction.ACK: frozenset({Role.REVIEWER.value, Role.LEAD.value, Role.ADMIN.value}),
    AlertAction.MANAGE_RULES: frozenset({Role.LEAD.value, Role.ADMIN.value}),
}


def alert_scope(session: Session, user: User) -> frozenset[int]:
    """The units whose alerts and rules `user` sees: their unit and the units below."""
    return load_unit_tree(session).scope(user)


def can_alert(
    user: User | None,
    action: AlertAction,
    unit_id: int | None = None,
    scope: frozenset[int] | None = None,
) -> bool:
    """True when `user` may do `action` (on something of `unit_id`, inside `scope`)."""
    if user is None or not user.is_active or user.role not in ALERT_ROLES[action]:
        return False
    if unit_id is None:
        return True
    return scope is not None and unit_id in scope


def authorize_alert(
    user: User, action: AlertAction, unit_id: int | None = None, scope: frozenset[int] | None = None
) -> None:
    """Raise `PermissionDeniedError` for the wrong role, `NotFoundError` outside the scope."""
    if not user.is_active or user.role not in ALERT_ROLES[action]:
        raise PermissionDeniedError(f"The role {user.role!r} may not do {action.value}.")
    if unit_id is not None and (scope is None or unit_id not in scope):
        raise NotFoundError("Not found.")
