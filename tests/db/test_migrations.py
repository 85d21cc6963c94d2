"""Every migration runs up and down on SQLite and PostgreSQL; both give the same schema."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text

from soitin.db.migrate import (
    all_revisions,
    check_known_revision,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)
from soitin.db.models import Base
from soitin.errors import DatabaseError

BOTH = pytest.mark.parametrize("empty_engine", ["sqlite", "postgres"], indirect=True)


def _schema(engine: Engine) -> dict[str, Any]:
    """Tables → columns (name, nullable), unique constraints and index names, dialect-free."""
    insp = inspect(engine)
    out: dict[str, Any] = {}
    for table in sorted(insp.get_table_names()):
        if table == "alembic_version" or table.startswith("items_fts"):
            continue
        out[table] = {
            "columns": sorted((c["name"], bool(c["nullable"])) for c in insp.get_columns(table)),
            "unique": sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(table)),
            "indexes": sorted(
                i["name"] or ""
                for i in insp.get_indexes(table)
                if not i.get("duplicates_constraint")  # PostgreSQL's index behind a UNIQUE
            ),
            "fks": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"])
                for f in insp.get_foreign_keys(table)
            ),
        }
    return out


@BOTH
def test_every_migration_runs_up_and_down(empty_engine: Engine) -> None:
    revisions = all_revisions()
    assert revisions[0] == "0001"
    for rev in revisions:
        upgrade(empty_engine, rev)
        assert current_revision(empty_engine) == rev
    for rev in reversed(revisions[:-1]):
        downgrade(empty_engine, rev)
        assert current_revision(empty_engine) == rev
    downgrade(empty_engine, "base")
    assert current_revision(empty_engine) is None
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()


@BOTH
def test_head_matches_the_models(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    tables = set(inspect(empty_engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


@pytest.mark.parametrize("empty_engine", ["sqlite"], indirect=True)
def test_sqlite_and_postgres_schemas_are_the_same(
    empty_engine: Engine, postgres_engine: Engine
) -> None:
    upgrade(empty_engine)
    assert _schema(empty_engine) == _schema(postgres_engine)


@BOTH
def test_database_from_a_newer_version_is_refused(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(DatabaseError, match="newer version"):
        check_known_revision(empty_engine)
    with pytest.raises(DatabaseError, match="newer version"):
        upgrade(empty_engine)


@BOTH
def test_stories_stored_before_0012_get_their_items_category(empty_engine: Engine) -> None:
    from datetime import UTC, datetime

    from sqlalchemy.orm import Session

    from soitin.db.models import StatsDay, StatsDayDone, Story
    from tests.stories.helpers import item, source

    upgrade(empty_engine)
    with Session(empty_engine) as s:
        src = source(s)
        stories = [Story(), Story(), Story(), Story()]
        s.add_all(stories)
        s.flush()
        rows = [  # (story, category) in item order
            (0, None), (0, "toxic"), (0, "scam"),  # the first harm category
            (1, "spam"), (1, "misinformation"),  # a harm category before spam
            (2, "spam"),
            (3, None),
        ]  # fmt: skip
        for n, (index, category) in enumerate(rows):
            it = item(src, f"tin số {n}")
            it.story_id, it.category = stories[index].id, category
            s.add(it)
        day = {"kind": "story", "tz": "Asia/Ho_Chi_Minh", "day": "2026-10-01"}
        s.add(StatsDay(**day, category=None, province_codes="[]", ward_codes="[]", count=4))
        s.add(StatsDayDone(**day, computed_at=datetime.now(UTC)))
        s.commit()
        ids = [st.id for st in stories]
    downgrade(empty_engine, "0011")
    upgrade(empty_engine, "0012")
    with Session(empty_engine) as s:
        assert [s.get(Story, i).category for i in ids] == ["toxic", "misinformation", "spam", None]  # type: ignore[union-attr]
        assert s.query(StatsDay).count() == 0 and s.query(StatsDayDone).count() == 0


@BOTH
def test_0014_takes_the_first_response_from_the_ledger(empty_engine: Engine) -> None:
    from datetime import timedelta

    from sqlalchemy.orm import Session

    from soitin.db.models import Action, Case, Unit
    from tests.review.factories import make_case, make_source, make_story

    upgrade(empty_engine)
    with Session(empty_engine) as s:
        unit = Unit(code="qt", name="Quảng Trị")
        s.add(unit)
        s.flush()
        src = make_source(s)
        decided, answered = (
            make_case(s, make_story(s, text, sources=[src]), unit.id) for text in ("Một", "Hai")
        )
        opened = decided.opened_at
        # Before 0014 a decision set the time: both cases "responded" after 5 minutes.
        for case in (decided, answered):
            case.first_response_at = opened + timedelta(minutes=5)
        for hours in (7, 3):
            s.add(Action(case_id=answered.id, unit_id=unit.id, kind="referral", channel="CA",
                         at=opened + timedelta(hours=hours)))  # fmt: skip
        s.commit()
        ids = decided.id, answered.id
    downgrade(empty_engine, "0013")
    upgrade(empty_engine, "0014")
    with Session(empty_engine) as s:
        first = [s.get(Case, i).first_response_at for i in ids]  # type: ignore[union-attr]
        assert first == [None, opened + timedelta(hours=3)]


@BOTH
def test_0016_empties_the_band_keys_on_sqlite_only(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0015")
    with empty_engine.begin() as conn:
        conn.execute(
            text("INSERT INTO story_band_keys (band_key, signature_id) VALUES (1, 1), (2, 1)")
        )
    upgrade(empty_engine, "0016")
    with empty_engine.connect() as conn:
        left = conn.scalar(text("SELECT count(*) FROM story_band_keys"))
    assert left == (0 if empty_engine.dialect.name == "sqlite" else 2)
