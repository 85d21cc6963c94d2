"""The known month on both databases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from soitin.db.engine import Database
from soitin.settings import load_settings
from soitin.web.app import create_app
from tests.report.world import PASSWORD, World, build_world
from tests.web.conftest import csrf_of


@pytest.fixture
def world_session(db: Database) -> Iterator[tuple[Session, World]]:
    """A session holding the known month (rolled back after the test)."""
    with db.session() as session:
        world = build_world(session)
        yield session, world


@pytest.fixture
def world(db: Database) -> World:
    """The known month, committed (inside the test's rolled-back transaction)."""
    with db.transaction() as session:
        return build_world(session)


@pytest.fixture
def client(db: Database, world: World, tmp_path: Path) -> Iterator[TestClient]:
    """An anonymous client of the app over the known month."""
    settings = load_settings(data_dir=tmp_path, env="test")
    with TestClient(create_app(settings, db), follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def signed_in(client: TestClient) -> Callable[[str], TestClient]:
    """`signed_in("lead_qtr")` signs the client in as that user of the known month."""

    def sign_in(who: str) -> TestClient:
        page = client.get("/login")
        response = client.post(
            "/login",
            data={"username": f"w_{who}", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        )
        assert response.status_code == 303, response.text
        return client

    return sign_in
