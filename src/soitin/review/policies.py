"""Who may do what: one table role → actions, and one unit-scope rule.

Every permission check in soitin goes through `authorize` (raises) or `can` (answers).
A user acts on objects of their own unit and the units below it; an object outside that
scope is answered as "not found", so its existence is not revealed.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from soitin.db.models import Case, Role, Unit, User
from soitin.errors import NotFoundError, PermissionDeniedError

__all__ = [
    "Action",
    "ROLE_ACTIONS",
    "UnitTree",
    "allowed_actions",
    "authorize",
    "authorize_assign",
    "can",
    "load_unit_tree",
]


class Action(enum.StrEnum):
    """Everything a handler may ask permission for."""

    CASE_VIEW = "case.view"
    ITEM_TEXT = "item.text"
    CASE_COMMENT = "case.comment"
    CASE_DECIDE = "case.decide"
    CASE_FORWARD = "case.forward"
    CASE_ESCALATE = "case.escalate"
    CASE_TAKE = "case.take"
    CASE_ASSIGN = "case.assign"
    CASE_REOPEN = "case.reopen"
    CASE_BULK = "case.bulk"
    CASE_OPEN = "case.open"  # open a case by hand for a story of the unit (from an alert)
    GUIDE_VIEW = "guide.view"
    TOKEN_OWN = "token.own"  # noqa: S105 - an action name, not a secret
    USER_MANAGE = "user.manage"
    UNIT_MANAGE = "unit.manage"
    AUDIT_VIEW = "audit.view"
    TASKS_MANAGE = "tasks.manage"
    SOURCE_MANAGE = "source.manage"  # add feeds and other sources, switch them, push tokens
    CLAIM_MANAGE = "claim.manage"  # add, import, change, remove fact-checked claims


_VIEWER = frozenset({Action.CASE_VIEW, Action.ITEM_TEXT, Action.GUIDE_VIEW, Action.TOKEN_OWN})
_REVIEWER = _VIEWER | {
    Action.CASE_COMMENT,
    Action.CASE_DECIDE,
    Action.CASE_FORWARD,
    Action.CASE_ESCALATE,
    Action.CASE_TAKE,
    Action.CASE_OPEN,
}
_LEAD = _REVIEWER | {
    Action.CASE_ASSIGN,
    Action.CASE_REOPEN,
    Action.CASE_BULK,
    Action.CLAIM_MANAGE,
}
_ADMIN = _LEAD | {
    Action.USER_MANAGE,
    Action.UNIT_MANAGE,
    Action.AUDIT_VIEW,
    Action.TASKS_MANAGE,
    Action.SOURCE_MANAGE,
}

#: The policy table: what each role may do (within its unit scope).
ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.VIEWER: _VIEWER,
    Role.REVIEWER: frozenset(_REVIEWER),
    Role.LEAD: frozenset(_LEAD),
    Role.ADMIN: frozenset(_ADMIN),
}

#: Roles that may be given cases (viewers never are).
ASSIGNABLE_ROLES = frozenset({Role.REVIEWER.value, Role.LEAD.value, Role.ADMIN.value})


@dataclass(frozen=True)
class UnitNode:
    """One unit of the tree, without its ORM baggage."""

    id: int
    code: str
    name: str
    parent_id: int | None
    place_codes: tuple[str, ...]


@dataclass
class UnitTree:
    """All units, loaded once per request: scopes, ancestors and names without more queries."""

    nodes: dict[int, UnitNode]
    children: dict[int | None, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for node in sorted(self.nodes.values(), key=lambda n: n.code):
            self.children.setdefault(node.parent_id, []).append(node.id)

    def descendants(self, unit_id: int) -> frozenset[int]:
        """`unit_id` and every unit below it."""
        out: set[int] = set()
        stack = [unit_id]
        while stack:
            uid = stack.pop()
            if uid not in out:
                out.add(uid)
                stack.extend(self.children.get(uid, []))
        return frozenset(out)

    def ancestors(self, unit_id: int) -> list[int]:
        """`unit_id` and its parents up to the root, nearest first."""
        out: list[int] = []
        current: int | None = unit_id
        while current is not None and current not in out and current in self.nodes:
            out.append(current)
            current = self.nodes[current].parent_id
        return out

    def scope(self, user: User) -> frozenset[int]:
        """The units whose cases `user` sees: their unit and its descendants."""
        return self.descendants(user.unit_id)

    def roots(self) -> list[int]:
        """Units without a parent, by code."""
        return list(self.children.get(None, []))

    def ordered(self, within: Iterable[int] | None = None) -> list[tuple[UnitNode, int]]:
        """(unit, depth) in tree order, optionally only those in `within`."""
        keep = None if within is None else set(within)
        out: list[tuple[UnitNode, int]] = []

        def walk(parent: int | None, depth: int) -> None:
            for uid in self.children.get(parent, []):
                if keep is None or uid in keep:
                    out.append((self.nodes[uid], depth))
                walk(uid, depth + 1)

        walk(None, 0)
        return out

    def name(self, unit_id: int | None) -> str:
        """The unit's name ('' for None or unknown)."""
        node = self.nodes.get(unit_id) if unit_id is not None else None
        return node.name if node else ""


def load_unit_tree(session: Session) -> UnitTree:
    """The whole unit tree in one query."""
    rows = session.execute(
        select(Unit.id, Unit.code, Unit.name, Unit.parent_id, Unit.place_codes)
    ).all()
    return UnitTree(
        {
            r.id: UnitNode(r.id, r.code, r.name, r.parent_id, tuple(r.place_codes or ()))
            for r in rows
        }
    )


def _role(user: User) -> Role:
    try:
        return Role(user.role)
    except ValueError:
        return Role.VIEWER


def allowed_actions(user: User) -> frozenset[Action]:
    """What `user`'s role may do (before unit scope)."""
    return ROLE_ACTIONS[_role(user)] if user.is_active else frozenset()


def _unit_of(obj: object) -> int | None:
    if isinstance(obj, Case):
        return obj.unit_id
    if isinstance(obj, Unit):
        return obj.id
    if isinstance(obj, User):
        return obj.unit_id
    if isinstance(obj, UnitNode):
        return obj.id
    return None


def can(
    user: User | None,
    action: Action | str,
    obj: object | None = None,
    scope: frozenset[int] | None = None,
) -> bool:
    """True when `user` may do `action` (on `obj`, inside `scope`)."""
    if user is None or not user.is_active:
        return False
    if Action(action) not in ROLE_ACTIONS[_role(user)]:
        return False
    if obj is None:
        return True
    unit_id = _unit_of(obj)
    return scope is not None and unit_id is not None and unit_id in scope


def authorize(
    user: User,
    action: Action | str,
    obj: object | None = None,
    scope: frozenset[int] | None = None,
) -> None:
    """Raise unless `user` may do `action` on `obj`.

    Role not allowed → `PermissionDeniedError` (403); object outside the user's unit scope →
    `NotFoundError` (404), so that other units' cases stay invisible.
    """
    if not user.is_active or Action(action) not in ROLE_ACTIONS[_role(user)]:
        raise PermissionDeniedError(f"The role {user.role!r} may not do {action}.")
    if obj is None:
        return
    unit_id = _unit_of(obj)
    if scope is None or unit_id is None or unit_id not in scope:
        raise NotFoundError("Not found.")


def authorize_assign(
    user: User, case: Case, assignee_id: int | None, scope: frozenset[int]
) -> None:
    """Leads assign anyone (or nobody); reviewers may only take an unassigned case themselves."""
    if can(user, Action.CASE_ASSIGN):
        authorize(user, Action.CASE_ASSIGN, case, scope)
        return
    if assignee_id == user.id and case.assignee_id in (None, user.id):
        authorize(user, Action.CASE_TAKE, case, scope)
        return
    authorize(user, Action.CASE_ASSIGN, case, scope)
