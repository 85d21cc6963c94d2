"""Audit CSV neutralises formulas; personal tokens are hashed and revocable."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from sqlalchemy import select

from soitin.db.engine import Database
from soitin.db.models import User, UserToken
from soitin.review import audit, tokens
from soitin.review.audit import AuditFilters, neutralise_cell
from soitin.review.policies import load_unit_tree

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_neutralise_cell() -> None:
    for bad in ('=HYPERLINK("x")', "+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"):
        assert neutralise_cell(bad) == "'" + bad
    assert neutralise_cell("Đồng Hới") == "Đồng Hới"
    assert neutralise_cell("") == ""


def test_csv_export_is_filtered_and_safe(db: Database, units: dict[str, int]) -> None:
    with db.session() as s:
        admin = s.scalar(select(User).where(User.username == "admin_qt"))
        other = s.scalar(select(User).where(User.username == "lead_dh"))
        assert admin and other
        audit.record(
            s,
            "=cmd|' /C calc'!A0",
            actor=other,
            object_type="case",
            object_id=1,
            ip="10.1.1.1",
            note="+danger",
        )
        audit.record(s, "case.confirm", actor=admin, object_type="case", object_id=2)
        s.flush()
        scope = load_unit_tree(s).scope(admin)
        lines = "".join(
            audit.export_csv(s, AuditFilters(), scope=scope, include_system=True, tz=TZ)
        )
        assert lines.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(lines.lstrip("\ufeff"))))
        assert rows[0] == list(audit.CSV_COLUMNS)
        by_action = {r[3]: r for r in rows[1:]}
        assert "'=cmd|' /C calc'!A0" in by_action
        assert by_action["'=cmd|' /C calc'!A0"][2] == "lead_dh"
        only = "".join(
            audit.export_csv(
                s, AuditFilters(action="case."), scope=scope, include_system=True, tz=TZ
            )
        )
        assert "case.confirm" in only and "calc" not in only
        # An admin of dh does not see what qt people did.
        dh_scope = load_unit_tree(s).scope(other)
        page = audit.list_events(s, AuditFilters(), scope=dh_scope, include_system=False, tz=TZ)
        assert {r.actor for r in page.rows} == {"lead_dh"}


def test_tokens_are_hashed_and_revocable(db: Database, units: dict[str, int]) -> None:
    with db.session() as s:
        user = s.scalar(select(User).where(User.username == "reviewer_dh"))
        assert user
        row, secret = tokens.create_token(s, user, "kịch bản báo cáo")
        assert secret.startswith("stn_") and secret not in row.token_hash
        stored = s.scalar(select(UserToken.token_hash).where(UserToken.id == row.id))
        assert stored and secret not in stored
        assert tokens.user_for_token(s, secret) is user
        assert row.last_used_at is not None
        assert tokens.user_for_token(s, secret + "x") is None
        assert tokens.user_for_token(s, "not-a-token") is None
        tokens.revoke_token(s, user, row.id)
        assert tokens.user_for_token(s, secret) is None
        _, again = tokens.create_token(s, user, "khác")
        user.is_active = False
        assert tokens.user_for_token(s, again) is None


def test_generated_passwords_are_unambiguous_letters_and_digits() -> None:
    # printed once for a person to read and type: no 0/O, 1/l/I, and no "-" or "_" that
    # looked like a hyphen at the end of a printed line
    from soitin.review.accounts import generate_password

    passwords = [generate_password() for _ in range(2000)]
    assert len(set(passwords)) == len(passwords)
    assert {len(p) for p in passwords} == {16}
    used = set("".join(passwords))
    assert used.isdisjoint("0O1lI-_") and all(c.isascii() and c.isalnum() for c in used)
    assert len(used) == 57  # every character of the alphabet turns up
