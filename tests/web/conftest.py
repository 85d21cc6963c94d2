"""An app on the test database (both backends) and signed-in clients per role."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from soitin.db.engine import Database
from soitin.review import accounts
from soitin.settings import load_settings
from soitin.web.app import create_app

PASSWORD = "mat-khau-thu-nghiem"
PASSWORD_HASH = accounts.hash_password(PASSWORD)


def csrf_of(html: str) -> str:
    """The CSRF token embedded in a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def units(db: Database) -> dict[str, int]:
    """A province unit with two commune units."""
    with db.transaction() as s:
        qt = accounts.add_unit(s, "qt", "Tỉnh Quảng Trị", place_codes=["44"])
        dh = accounts.add_unit(s, "dh", "Phường Đồng Hới", parent_code="qt", place_codes=["19123"])
        vl = accounts.add_unit(s, "vl", "Xã Vĩnh Linh", parent_code="qt")
        for role in ("admin", "lead", "reviewer", "viewer"):
            for unit in ("qt", "dh"):
                accounts.add_user(
                    s,
                    f"{role}_{unit}",
                    role=role,
                    unit_code=unit,
                    password="",
                    password_hash=PASSWORD_HASH,
                )
        return {"qt": qt.id, "dh": dh.id, "vl": vl.id}


@pytest.fixture
def app_client(db: Database, units: dict[str, int], tmp_path: Path) -> Iterator[TestClient]:
    """An anonymous client of the app."""
    settings = load_settings(data_dir=tmp_path, env="test")
    with TestClient(create_app(settings, db), follow_redirects=False) as client:
        yield client


def login(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    """Sign `client` in through the login form."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
    )
    assert response.status_code == 303, response.text
    return client


@pytest.fixture
def signed_in(app_client: TestClient) -> Callable[[str], TestClient]:
    """`signed_in("lead_qt")` signs the client in as that user."""
    return lambda username: login(app_client, username)
