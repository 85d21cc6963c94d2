"""First start: migrate, create the admin account, load the demo data into a new database."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from soitin.db import Database, make_engine
from soitin.db.engine import check_connection
from soitin.db.migrate import is_new_database, upgrade
from soitin.db.models import Role, Unit, User
from soitin.review import accounts, audit
from soitin.settings import Settings

ADMIN_USERNAME = "admin"


@dataclass
class InitResult:
    """What `initialise` did; passwords are only here, once, in clear."""

    database_was_new: bool
    admin_password: str | None = None
    demo_loaded: bool = False
    demo_password: str | None = None
    demo_users: list[str] = field(default_factory=list)


def initialise(settings: Settings, *, demo: bool = False) -> tuple[Database, InitResult]:
    """Migrate to head; on a new database create the admin and (optionally) the demo data."""
    engine = make_engine(settings.database_url)
    check_connection(engine)
    new = is_new_database(engine)
    upgrade(engine)
    database = Database(engine)
    result = InitResult(database_was_new=new)
    if new:  # nothing stored yet: no search text of an older folding to re-index
        from soitin.text.reindex import mark_current

        mark_current(database)
    if demo and new:
        from soitin.demo.load import load_demo

        report = load_demo(database, settings)
        result.demo_loaded = True
        result.demo_password = report.password
        result.demo_users = report.usernames
    with database.transaction() as session:
        # The printed `admin` login must exist whatever else the demo created.
        has_admin = session.scalar(
            select(func.count(User.id)).where(User.username == ADMIN_USERNAME)
        )
        if not has_admin:
            root = session.scalar(
                select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id).limit(1)
            )
            if root is None:
                root = accounts.add_unit(session, "root", "Đơn vị gốc")
            result.admin_password = accounts.generate_password()
            user = accounts.add_user(
                session,
                ADMIN_USERNAME,
                role=Role.ADMIN.value,
                unit_code=root.code,
                password=result.admin_password,
                display_name="Quản trị viên",
            )
            audit.record(
                session,
                "user.created",
                actor=None,
                object_type="user",
                object_id=user.id,
                role=user.role,
                by="init",
            )
    return database, result
