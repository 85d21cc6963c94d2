"""Publications and reach snapshots: validation, one snapshot per moment, latest reach."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from soitin.db.models import Publication
from soitin.errors import InvalidInputError, NotFoundError
from soitin.respond.publications import (
    PublicationInput,
    SnapshotInput,
    add_snapshot,
    create_publication,
    find_publication,
    latest_snapshots,
    list_publications,
    publication_to_dict,
    snapshots_of,
)
from tests.report.world import World, local


def _pub(session: Session, world: World, key: str) -> Publication:
    found = session.get(Publication, world.publications[key])
    assert found is not None
    return found


def test_latest_reach_and_snapshot_history(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    p1 = _pub(session, world, "P1")
    assert [s.views for s in snapshots_of(session, p1.id)] == [1000, 2500]
    latest = latest_snapshots(session, [p1.id, world.publications["P3"]])
    assert set(latest) == {p1.id} and latest[p1.id].views == 2500
    data = publication_to_dict(p1, latest[p1.id])
    assert data["reach"]["views"] == 2500 and data["case_ids"] == [world.cases["C1"]]


def test_same_moment_replaces_and_identical_figures_are_skipped(
    world_session: tuple[Session, World],
) -> None:
    session, world = world_session
    p1 = _pub(session, world, "P1")
    moment = local(10, 12, 9)
    first = add_snapshot(session, p1, SnapshotInput(3000, 130, 13, 31, at=moment))
    again = add_snapshot(session, p1, SnapshotInput(3100, 130, 13, 31, at=moment), source="api")
    assert first is not None and again is not None and first.id == again.id
    assert again.views == 3100 and again.source == "api"
    unchanged = add_snapshot(session, p1, SnapshotInput(3100, 130, 13, 31, at=local(10, 13, 9)))
    assert unchanged is None
    assert len(snapshots_of(session, p1.id)) == 3


def test_bad_snapshots_are_refused(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    for snapshot in (
        SnapshotInput(views=-1),
        SnapshotInput(at=datetime(2999, 1, 1, tzinfo=UTC)),
        SnapshotInput(at=datetime(2026, 10, 1)),  # noqa: DTZ001 - naive on purpose
    ):
        with pytest.raises(InvalidInputError):
            add_snapshot(session, _pub(session, world, "P1"), snapshot)
    with pytest.raises(InvalidInputError):
        add_snapshot(session, _pub(session, world, "P1"), SnapshotInput(), source="scraper")


def test_create_validates_and_finds(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    unit = world.units["dhoi"]
    with pytest.raises(InvalidInputError):
        create_publication(session, PublicationInput(unit_id=unit, channel=""), actor=None)
    with pytest.raises(InvalidInputError):
        create_publication(session, PublicationInput(unit_id=unit, channel="web"), actor=None)
    with pytest.raises(InvalidInputError):
        create_publication(
            session, PublicationInput(unit_id=unit, channel="web", url="javascript:x"), actor=None
        )
    with pytest.raises(NotFoundError):
        create_publication(
            session,
            PublicationInput(unit_id=unit, channel="web", title="t", case_ids=[999_999]),
            actor=None,
        )
    made = create_publication(
        session,
        PublicationInput(
            unit_id=unit,
            channel=" Facebook ",
            title="Bài mới",
            external_id="123_456",
            url="https://facebook.com/p/1",
            published_at=local(10, 30, 8),
        ),
        actor=None,
    )
    assert made.channel == "facebook"
    assert find_publication(session, channel="facebook", external_id="123_456") is made
    assert find_publication(session, channel="facebook", url="https://facebook.com/p/1") is made
    assert find_publication(session, channel="youtube", external_id="123_456") is None
    assert (
        find_publication(
            session, channel="facebook", external_id="123_456", unit_ids=[world.units["mhoa"]]
        )
        is None
    )
    newest = list_publications(session, world.units.values(), limit=2)
    assert [p.id for p in newest] == [made.id, world.publications["P3"]]
