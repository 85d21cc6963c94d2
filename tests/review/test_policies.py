"""The policy table and the unit scope."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from soitin.db.engine import Database
from soitin.db.models import Role, User
from soitin.errors import NotFoundError, PermissionDeniedError
from soitin.review.policies import ROLE_ACTIONS, Action, authorize, can, load_unit_tree
from tests.review.factories import make_case, make_source, make_story


def test_the_table_grows_with_the_role() -> None:
    viewer, reviewer, lead, admin = (
        ROLE_ACTIONS[r] for r in (Role.VIEWER, Role.REVIEWER, Role.LEAD, Role.ADMIN)
    )
    assert viewer < reviewer < lead < admin
    assert Action.CASE_DECIDE not in viewer and Action.CASE_COMMENT not in viewer
    assert Action.CASE_ASSIGN not in reviewer and Action.CASE_BULK not in reviewer
    assert Action.CASE_BULK in lead and Action.USER_MANAGE not in lead
    assert {Action.USER_MANAGE, Action.UNIT_MANAGE, Action.AUDIT_VIEW} <= admin
    assert set(Action) == admin


def test_scope_is_own_unit_and_below(db: Database, units: dict[str, int]) -> None:
    with db.session() as s:
        tree = load_unit_tree(s)
        assert tree.descendants(units["qt"]) == {units["qt"], units["dh"], units["vl"]}
        assert tree.ancestors(units["dh"]) == [units["dh"], units["qt"]]
        src = make_source(s)
        vl_case = make_case(s, make_story(s, "A", sources=[src]), units["vl"])
        lead_dh = s.scalar(select(User).where(User.username == "lead_dh"))
        lead_qt = s.scalar(select(User).where(User.username == "lead_qt"))
        viewer_qt = s.scalar(select(User).where(User.username == "viewer_qt"))
        assert lead_dh and lead_qt and viewer_qt
        authorize(lead_qt, Action.CASE_DECIDE, vl_case, tree.scope(lead_qt))
        with pytest.raises(NotFoundError):
            authorize(lead_dh, Action.CASE_VIEW, vl_case, tree.scope(lead_dh))
        with pytest.raises(PermissionDeniedError):
            authorize(viewer_qt, Action.CASE_DECIDE, vl_case, tree.scope(viewer_qt))
        assert can(viewer_qt, Action.CASE_VIEW, vl_case, tree.scope(viewer_qt))
        assert not can(None, Action.CASE_VIEW)
        lead_qt.is_active = False
        assert not can(lead_qt, Action.CASE_VIEW)
