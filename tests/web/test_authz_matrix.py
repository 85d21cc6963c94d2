"""Every route × every role × own/other unit, checked against the policy table.

Adding a route without listing it here fails `test_every_route_is_in_the_matrix`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select

from soitin.db.engine import Database
from soitin.db.models import CaseStatus, FailedTask, Role, Unit, User
from soitin.review import accounts, tokens
from soitin.review.policies import ROLE_ACTIONS, Action
from tests.review.factories import make_case, make_source, make_story
from tests.web.conftest import PASSWORD_HASH, csrf_of, login


@dataclass(frozen=True)
class Rule:
    """How one route is guarded and how to call it.

    `action`: the policy action (None: any signed-in user). `target`: the object whose unit
    decides the scope ("case", "item", "story", "user", "unit", "source"), or None.
    `public`: no sign-in.
    `owner`: another area owns the route (only listed here; its own tests check it).
    """

    action: Action | None = None
    target: str | None = None
    public: bool = False
    owner: str | None = None
    form: dict[str, str] = field(default_factory=dict)
    json: dict[str, Any] | None = None
    case_status: str = CaseStatus.OPEN.value
    needs_parent: bool = False


PUBLIC = Rule(public=True)
SIGNED_IN = Rule()
A = Action

ROUTES: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("GET", "/health"): PUBLIC,
    ("GET", "/favicon.ico"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("GET", "/admin/failed-tasks"): Rule(A.TASKS_MANAGE),
    ("POST", "/admin/failed-tasks/{task_id}/retry"): Rule(A.TASKS_MANAGE),
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("GET", "/lang/{code}"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("POST", "/logout"): SIGNED_IN,
    ("GET", "/account/password"): SIGNED_IN,
    ("POST", "/account/password"): Rule(form={"current": "wrong", "new": "x" * 12}),
    ("GET", "/"): SIGNED_IN,
    # review: pages
    ("GET", "/queue"): Rule(A.CASE_VIEW),
    ("POST", "/queue/bulk"): Rule(
        A.CASE_BULK, "case", form={"operation": "dismiss", "reason": "duplicate"}
    ),
    ("GET", "/cases/{case_id}"): Rule(A.CASE_VIEW, "case"),
    ("GET", "/stories/{story_id}"): Rule(A.CASE_VIEW, "story"),
    ("GET", "/cases/{case_id}/items/{item_id}/text"): Rule(A.ITEM_TEXT, "item"),
    ("POST", "/cases/{case_id}/confirm"): Rule(A.CASE_DECIDE, "case", form={"category": "scam"}),
    ("POST", "/cases/{case_id}/dismiss"): Rule(A.CASE_DECIDE, "case", form={"reason": "other"}),
    ("POST", "/cases/{case_id}/forward"): Rule(A.CASE_FORWARD, "case", form={"unit_id": "vl"}),
    ("POST", "/cases/{case_id}/escalate"): Rule(A.CASE_ESCALATE, "case", needs_parent=True),
    ("POST", "/cases/{case_id}/comment"): Rule(A.CASE_COMMENT, "case", form={"note": "ghi"}),
    ("POST", "/cases/{case_id}/assign"): Rule(A.CASE_ASSIGN, "case", form={"assignee_id": ""}),
    ("POST", "/cases/{case_id}/reopen"): Rule(
        A.CASE_REOPEN, "case", case_status=CaseStatus.CONFIRMED.value
    ),
    ("GET", "/admin/users"): Rule(A.USER_MANAGE),
    ("POST", "/admin/users"): Rule(A.USER_MANAGE, "unit", form={"role": "viewer"}),
    ("GET", "/admin/users/{user_id}"): Rule(A.USER_MANAGE, "user"),
    ("POST", "/admin/users/{user_id}"): Rule(
        A.USER_MANAGE, "user", form={"role": "viewer", "active": "1"}
    ),
    ("POST", "/admin/users/{user_id}/password"): Rule(A.USER_MANAGE, "user"),
    ("GET", "/admin/units"): Rule(A.UNIT_MANAGE),
    ("POST", "/admin/units"): Rule(A.UNIT_MANAGE, "unit", form={"name": "Đơn vị mới"}),
    ("POST", "/admin/units/{unit_id}"): Rule(A.UNIT_MANAGE, "unit", form={"name": "Tên mới"}),
    ("GET", "/admin/sources"): Rule(A.SOURCE_MANAGE),
    ("POST", "/admin/sources"): Rule(
        A.SOURCE_MANAGE, "unit", form={"kind": "file", "public": "1", "interval": "15"}
    ),
    ("POST", "/admin/sources/{source_id}"): Rule(A.SOURCE_MANAGE, "source", form={"enabled": "1"}),
    ("POST", "/admin/sources/{source_id}/tokens"): Rule(
        A.SOURCE_MANAGE, "source", form={"label": "máy đối tác"}
    ),
    ("POST", "/admin/sources/{source_id}/tokens/revoke"): Rule(A.SOURCE_MANAGE, "source"),
    ("GET", "/admin/audit"): Rule(A.AUDIT_VIEW),
    ("GET", "/admin/audit.csv"): Rule(A.AUDIT_VIEW),
    ("GET", "/guides"): Rule(A.GUIDE_VIEW),
    ("GET", "/guides/{slug}"): Rule(A.GUIDE_VIEW),
    ("GET", "/account/tokens"): Rule(A.TOKEN_OWN),
    ("POST", "/account/tokens"): Rule(A.TOKEN_OWN, form={"name": "t"}),
    ("POST", "/account/tokens/{token_id}/revoke"): Rule(A.TOKEN_OWN),
    # review: API
    ("GET", "/api/v1/cases"): Rule(A.CASE_VIEW),
    ("GET", "/api/v1/cases/{case_id}"): Rule(A.CASE_VIEW, "case"),
    ("GET", "/api/v1/stories/{story_id}"): Rule(A.CASE_VIEW, "story"),
    ("GET", "/api/v1/cases/{case_id}/items/{item_id}/text"): Rule(A.ITEM_TEXT, "item"),
    ("POST", "/api/v1/cases/{case_id}/confirm"): Rule(
        A.CASE_DECIDE, "case", json={"category": "scam"}
    ),
    ("POST", "/api/v1/cases/{case_id}/dismiss"): Rule(
        A.CASE_DECIDE, "case", json={"reason": "other"}
    ),
    ("POST", "/api/v1/cases/{case_id}/forward"): Rule(
        A.CASE_FORWARD, "case", json={"unit_id": "vl"}
    ),
    ("POST", "/api/v1/cases/{case_id}/escalate"): Rule(
        A.CASE_ESCALATE, "case", json={}, needs_parent=True
    ),
    ("POST", "/api/v1/cases/{case_id}/comment"): Rule(A.CASE_COMMENT, "case", json={"note": "ghi"}),
    ("POST", "/api/v1/cases/{case_id}/assign"): Rule(
        A.CASE_ASSIGN, "case", json={"assignee_id": None}
    ),
    ("POST", "/api/v1/cases/{case_id}/reopen"): Rule(
        A.CASE_REOPEN, "case", json={}, case_status=CaseStatus.CONFIRMED.value
    ),
    ("POST", "/api/v1/cases/bulk"): Rule(
        A.CASE_BULK, "case", json={"operation": "dismiss", "reason": "duplicate"}
    ),
    ("GET", "/api/v1/me"): SIGNED_IN,
    ("GET", "/api/v1/users"): Rule(A.USER_MANAGE),
    ("POST", "/api/v1/users"): Rule(A.USER_MANAGE, "unit", json={"role": "viewer"}),
    ("PATCH", "/api/v1/users/{user_id}"): Rule(A.USER_MANAGE, "user", json={"role": "viewer"}),
    ("POST", "/api/v1/users/{user_id}/password"): Rule(A.USER_MANAGE, "user"),
    ("GET", "/api/v1/units"): Rule(A.CASE_VIEW),
    ("POST", "/api/v1/units"): Rule(A.UNIT_MANAGE, "unit", json={"name": "Đơn vị mới"}),
    ("PATCH", "/api/v1/units/{unit_id}"): Rule(A.UNIT_MANAGE, "unit", json={"name": "Tên"}),
    ("GET", "/api/v1/sources"): Rule(A.SOURCE_MANAGE),
    ("POST", "/api/v1/sources"): Rule(
        A.SOURCE_MANAGE, "unit", json={"kind": "api", "public": True}
    ),
    ("PATCH", "/api/v1/sources/{source_id}"): Rule(
        A.SOURCE_MANAGE, "source", json={"enabled": False}
    ),
    ("POST", "/api/v1/sources/{source_id}/tokens"): Rule(
        A.SOURCE_MANAGE, "source", json={"label": "máy đối tác"}
    ),
    ("POST", "/api/v1/sources/{source_id}/tokens/revoke"): Rule(A.SOURCE_MANAGE, "source", json={}),
    ("GET", "/api/v1/audit"): Rule(A.AUDIT_VIEW),
    ("GET", "/api/v1/audit.csv"): Rule(A.AUDIT_VIEW),
    ("GET", "/api/v1/tokens"): Rule(A.TOKEN_OWN),
    ("POST", "/api/v1/tokens"): Rule(A.TOKEN_OWN, json={"name": "t"}),
    ("DELETE", "/api/v1/tokens/{token_id}"): Rule(A.TOKEN_OWN),
}

#: Routes of other areas: listed so that a new route anywhere must be added here.
OTHER_AREAS: dict[tuple[str, str], str] = {
    ("GET", "/alerts"): "alerts",
    ("GET", "/alerts/bell"): "alerts",
    ("POST", "/alerts/read"): "alerts",
    ("GET", "/alerts/rules"): "alerts",
    ("POST", "/alerts/rules"): "alerts",
    ("GET", "/alerts/rules/{rule_id}"): "alerts",
    ("POST", "/alerts/rules/{rule_id}"): "alerts",
    ("POST", "/alerts/rules/{rule_id}/test"): "alerts",
    ("POST", "/alerts/{alert_id}/ack"): "alerts",
    ("POST", "/alerts/{alert_id}/open-case"): "alerts",
    ("GET", "/api/v1/alert-rules"): "alerts",
    ("POST", "/api/v1/alert-rules"): "alerts",
    ("GET", "/api/v1/alert-rules/{rule_id}"): "alerts",
    ("PUT", "/api/v1/alert-rules/{rule_id}"): "alerts",
    ("POST", "/api/v1/alert-rules/{rule_id}/test"): "alerts",
    ("GET", "/api/v1/alerts"): "alerts",
    ("POST", "/api/v1/alerts/read"): "alerts",
    ("GET", "/api/v1/alerts/unread"): "alerts",
    ("POST", "/api/v1/alerts/{alert_id}/ack"): "alerts",
    ("POST", "/api/v1/alerts/{alert_id}/open-case"): "alerts",
    ("GET", "/api/v1/cases/{case_id}/responses"): "respond",
    ("POST", "/api/v1/cases/{case_id}/responses"): "respond",
    ("GET", "/api/v1/claimreview"): "stories",
    ("GET", "/api/v1/claims"): "stories",
    ("POST", "/api/v1/claims"): "stories",
    ("GET", "/api/v1/claims/export"): "stories",
    ("POST", "/api/v1/claims/import"): "stories",
    ("POST", "/api/v1/claims/match"): "stories",
    ("DELETE", "/api/v1/claims/{claim_id}"): "stories",
    ("GET", "/api/v1/claims/{claim_id}"): "stories",
    ("PATCH", "/api/v1/claims/{claim_id}"): "stories",
    ("GET", "/claims"): "stories",
    ("POST", "/claims"): "stories",
    ("POST", "/claims/check"): "stories",
    ("POST", "/claims/import"): "stories",
    ("GET", "/claims/{claim_id}"): "stories",
    ("POST", "/claims/{claim_id}"): "stories",
    ("POST", "/claims/{claim_id}/delete"): "stories",
    ("POST", "/api/v1/items"): "ingest",
    ("GET", "/api/v1/publications"): "respond",
    ("POST", "/api/v1/publications"): "respond",
    ("POST", "/api/v1/publications/import"): "respond",
    ("GET", "/api/v1/publications/{publication_id}"): "respond",
    ("POST", "/api/v1/publications/{publication_id}/snapshots"): "respond",
    ("PATCH", "/api/v1/responses/{action_id}"): "respond",
    ("GET", "/api/v1/stats"): "report",
    ("GET", "/api/v1/stats/{table}.csv"): "report",
    ("POST", "/api/v1/tips"): "ingest",
    ("GET", "/cases/{case_id}/responses"): "respond",
    ("POST", "/cases/{case_id}/responses"): "respond",
    ("GET", "/metrics"): "ops",
    ("GET", "/publications"): "respond",
    ("POST", "/publications"): "respond",
    ("POST", "/publications/import"): "respond",
    ("GET", "/publications/{publication_id}"): "respond",
    ("POST", "/publications/{publication_id}/snapshots"): "respond",
    ("GET", "/reports"): "report",
    ("GET", "/reports/download"): "report",
    ("GET", "/reports/files/{unit_code}/{name}"): "report",
    ("POST", "/responses/{action_id}/outcome"): "respond",
    ("GET", "/tips"): "ingest",
    ("POST", "/tips"): "ingest",
}

ROLES = [r.value for r in Role]


def _app_routes(app: Any) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for route in iter_route_contexts(app.routes):
        if route.path is None or route.path.startswith("/static"):
            continue
        for method in route.methods or ():
            if method != "HEAD":
                out.add((method, route.path))
    return out


def test_every_route_is_in_the_matrix(app_client: TestClient) -> None:
    routes = _app_routes(app_client.app)
    listed = set(ROUTES) | set(OTHER_AREAS)
    assert not routes - listed, f"routes missing from the authorisation matrix: {routes - listed}"
    assert not set(ROUTES) - routes, f"stale matrix entries: {set(ROUTES) - routes}"


@dataclass
class World:
    """Units and helpers to build fresh objects per request."""

    db: Database
    units: dict[str, int]
    src: int

    pool: dict[tuple[str, str], list[tuple[int, int, int]]] = field(default_factory=dict)
    shared: dict[tuple[str, str], tuple[int, int, int]] = field(default_factory=dict)

    def case(self, unit: str, status: str, fresh: bool = True) -> tuple[int, int, int]:
        """A case → (case id, story id, item id); fresh ones for requests that change it."""
        key = (unit, status)
        if not fresh and key in self.shared:
            return self.shared[key]
        if not self.pool.get(key):
            self.pool[key] = self._make(unit, status, 25)
        made = self.pool[key].pop()
        if not fresh:
            self.shared[key] = made
        return made

    def _make(self, unit: str, status: str, count: int) -> list[tuple[int, int, int]]:
        from soitin.db.models import Source

        out = []
        with self.db.transaction() as s:
            source = s.get(Source, self.src)
            assert source is not None
            for _ in range(count):
                story = make_story(s, f"Tin {uuid.uuid4().hex[:6]}", sources=[source], items=1)
                case = make_case(s, story, self.units[unit], status=status)
                assert story.representative_item_id is not None
                out.append((case.id, story.id, story.representative_item_id))
        return out

    def user(self, unit: str) -> int:
        """A fresh viewer of `unit`."""
        with self.db.transaction() as s:
            code = s.get(Unit, self.units[unit]).code  # type: ignore[union-attr]
            return accounts.add_user(
                s,
                f"u{uuid.uuid4().hex[:10]}",
                role="viewer",
                unit_code=code,
                password="",
                password_hash=PASSWORD_HASH,
            ).id

    def token(self, username: str) -> int:
        """A fresh token of `username`."""
        with self.db.transaction() as s:
            user = s.scalar(select(User).where(User.username == username))
            assert user is not None
            return tokens.create_token(s, user, "m")[0].id

    def source(self, unit: str) -> int:
        """A fresh push (api) source of `unit`."""
        from soitin.db.models import Source

        with self.db.transaction() as s:
            source = Source(
                kind="api", name=f"Nguồn {uuid.uuid4().hex[:10]}", unit_id=self.units[unit]
            )
            s.add(source)
            s.flush()
            return source.id

    def failed_task(self) -> int:
        """A task that failed after its retries (the dead-letter page's object)."""
        with self.db.transaction() as s:
            task = FailedTask(
                message_id=uuid.uuid4().hex,
                queue="soitin.pipeline",
                actor="process_item_batch",
                args={"args": [[1]]},
                error="boom",
            )
            s.add(task)
            s.flush()
            return task.id


def _call(
    client: TestClient,
    method: str,
    path: str,
    rule: Rule,
    world: World,
    unit: str,
    username: str,
    csrf: str,
) -> int:
    params: dict[str, Any] = {}
    form = dict(rule.form)
    body = None if rule.json is None else dict(rule.json)
    if (
        "{case_id}" in path
        or "{story_id}" in path
        or "{item_id}" in path
        or (rule.target == "case")
    ):
        case_id, story_id, item_id = world.case(unit, rule.case_status, fresh=method != "GET")
        params.update(case_id=case_id, story_id=story_id, item_id=item_id)
        if path.endswith("/bulk"):
            if body is not None:
                body["case_ids"] = [case_id]
            else:
                form["case_ids"] = str(case_id)
    if "{user_id}" in path:
        params["user_id"] = world.user(unit)
        form.setdefault("unit_id", str(world.units[unit]))
    if "{unit_id}" in path:
        params["unit_id"] = world.units[unit]
    if "{token_id}" in path:
        params["token_id"] = world.token(username)
    if "{task_id}" in path:
        params["task_id"] = world.failed_task()
    if "{source_id}" in path:
        params["source_id"] = world.source(unit)
    if "{slug}" in path:
        params["slug"] = "nhan-dien-lua-dao"
    if "{code}" in path:
        params["code"] = "en"
    if rule.target == "unit" and "{unit_id}" not in path:
        key = "parent_id" if "units" in path else "unit_id"
        if body is not None:
            body[key] = world.units[unit]
            body.setdefault("code", uuid.uuid4().hex[:8])
            body.setdefault("username", f"n{uuid.uuid4().hex[:8]}")
            body.setdefault("name", f"Nguồn {uuid.uuid4().hex[:8]}")
        else:
            form[key] = str(world.units[unit])
            form.setdefault("code", uuid.uuid4().hex[:8])
            form.setdefault("username", f"n{uuid.uuid4().hex[:8]}")
            form.setdefault("name", f"Nguồn {uuid.uuid4().hex[:8]}")
    for data in (form, body or {}):
        if data.get("unit_id") == "vl":
            data["unit_id"] = str(world.units["vl"]) if data is form else world.units["vl"]
    url = path.format(**params)
    headers = {"X-CSRF-Token": csrf} if body is not None else {}
    if method == "GET":
        response = client.get(url)
    elif body is not None:
        response = client.request(method, url, json=body, headers=headers)
    elif method == "POST":
        response = client.post(url, data={**form, "csrf_token": csrf})
    else:
        response = client.request(method, url, headers={"X-CSRF-Token": csrf})
    if response.status_code == 303 and response.headers["location"].startswith("/login"):
        return 401
    return response.status_code


def _expected(role: str, rule: Rule, scope: str) -> str:
    if rule.action is not None and rule.action not in ROLE_ACTIONS[Role(role)]:
        return "forbidden"
    if rule.target is not None and scope == "other":
        return "hidden"
    return "allowed"


def _outcome(status: int) -> str:
    return {401: "anonymous", 403: "forbidden", 404: "hidden"}.get(status, "allowed")


@pytest.fixture
def world(db: Database, units: dict[str, int]) -> World:
    with db.transaction() as s:
        source = make_source(s, "Nguồn ma trận")
        return World(db, units, source.id)


def test_anonymous_is_sent_to_login_everywhere(app_client: TestClient, world: World) -> None:
    csrf = csrf_of(app_client.get("/login").text)
    for (method, path), rule in ROUTES.items():
        if rule.public:
            continue
        status = _call(app_client, method, path, rule, world, "dh", "viewer_dh", csrf)
        assert status == 401, (method, path, status)


def test_role_and_unit_matrix(app_client: TestClient, world: World) -> None:
    """Each role from the commune unit dh: own unit (dh) and another unit (its parent qt, not
    in scope); each role from the province unit qt: its own unit (dh for escalation, which
    needs a parent), for the routes whose target is a unit's object."""
    failures: list[str] = []
    for role in ROLES:
        for home, other in (("dh", "qt"), ("qt", None)):
            username = f"{role}_{home}"
            client = login(TestClient(app_client.app, follow_redirects=False), username)
            csrf = csrf_of(client.get("/account/password").text)
            for (method, path), rule in ROUTES.items():
                if rule.public or path == "/logout" or (other is None and not rule.target):
                    continue
                scopes = ("own", "other") if rule.target and other else ("own",)
                for scope in scopes:
                    unit = home if scope == "own" else str(other)
                    if scope == "own" and rule.needs_parent and home == "qt":
                        unit = "dh"
                    status = _call(client, method, path, rule, world, unit, username, csrf)
                    want = _expected(role, rule, scope)
                    if _outcome(status) != want:
                        failures.append(
                            f"{username} {method} {path} [{scope}]: got {status}, want {want}"
                        )
    assert not failures, "\n".join(failures)
