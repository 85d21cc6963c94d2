"""`/api/v1/alerts` and `/api/v1/alert-rules`: the same data and checks as the alert pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from soitin.review.cases import do_open_from_alert
from soitin.review.policies import Action, authorize, load_unit_tree
from soitin.triage import alerts, rules
from soitin.triage.access import AlertAction, alert_scope, authorize_alert, can_alert
from soitin.triage.delivery import deliver_soon
from soitin.triage.rules import Channels, QuietHours
from soitin.web.api.auth import ApiUser, api_csrf
from soitin.web.deps import DatabaseDep, SessionDep, SettingsDep, client_ip
from soitin.web.pages.alerts import add_rule, save_rule

router = APIRouter(prefix="/api/v1", tags=["alerts"], dependencies=[Depends(api_csrf)])


class RuleIn(BaseModel):
    """An alert rule: what the unit wants to hear about and how."""

    unit_id: int
    name: str = Field(min_length=1, max_length=255)
    place_codes: list[str] = Field(default_factory=list, max_length=200)
    categories: list[str] = Field(default_factory=list)
    min_severity: int = Field(default=1, ge=1, le=3)
    quiet_hours: QuietHours | None = None
    channels: Channels = Field(default_factory=Channels)
    enabled: bool = True


@router.get("/alerts")
def list_alerts(
    session: SessionDep,
    user: ApiUser,
    settings: SettingsDep,
    open_only: Annotated[bool, Query(alias="open")] = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Alerts of the caller's units (unacknowledged only unless `open=false`), newest first."""
    authorize_alert(user, AlertAction.VIEW)
    return alerts.alert_list(
        session,
        user,
        alert_scope(session, user),
        open_only=open_only,
        limit=limit,
        offset=offset,
        settings=settings,
    )


@router.get("/alerts/unread")
def unread(session: SessionDep, user: ApiUser) -> dict[str, int]:
    """The bell's number: alerts in the caller's in-app inbox not read yet."""
    authorize_alert(user, AlertAction.VIEW)
    return {"unread": alerts.unread_count(session, user)}


@router.post("/alerts/read")
def read_all(session: SessionDep, user: ApiUser) -> dict[str, int]:
    """Mark all of the caller's notifications read."""
    authorize_alert(user, AlertAction.VIEW)
    marked = alerts.mark_read(session, user)
    session.commit()
    return {"marked": marked}


@router.post("/alerts/{alert_id}/ack")
def acknowledge(
    request: Request, session: SessionDep, user: ApiUser, alert_id: int
) -> dict[str, Any]:
    """Acknowledge an alert (409 if it already is)."""
    authorize_alert(user, AlertAction.ACK)
    alert = alerts.get_alert(session, alert_id, alert_scope(session, user))
    rule = rules.get_rule(session, alert.rule_id) if alert.rule_id else None
    alerts.acknowledge_alert(session, alert, user, ip=client_ip(request))
    session.commit()
    assert rule is not None  # noqa: S101 - get_alert only finds alerts with a rule
    return alerts.describe_alert(alert, rule)


@router.post("/alerts/{alert_id}/open-case")
def open_case(
    request: Request, session: SessionDep, user: ApiUser, settings: SettingsDep, alert_id: int
) -> dict[str, Any]:
    """Open a case in the caller's unit for the alert's story; the case already there if
    there is one (`created` false)."""
    authorize(user, Action.CASE_OPEN)
    alert = alerts.get_alert(session, alert_id, alert_scope(session, user))
    case, created = do_open_from_alert(
        session, alert, user, ip=client_ip(request), settings=settings
    )
    return {"case_id": case.id, "created": created, "status": case.status}


@router.get("/alert-rules")
def list_rules(session: SessionDep, user: ApiUser) -> dict[str, Any]:
    """Rules of the caller's units (webhook URLs whole only for leads and admins)."""
    authorize_alert(user, AlertAction.VIEW)
    tree = load_unit_tree(session)
    reveal = can_alert(user, AlertAction.MANAGE_RULES)
    return {
        "rules": [
            rules.describe_rule(r, tree.name(r.unit_id), reveal=reveal)
            for r in rules.list_rules(session, tree.scope(user))
        ]
    }


@router.post("/alert-rules", status_code=201)
def create_rule(
    request: Request, session: SessionDep, user: ApiUser, settings: SettingsDep, body: RuleIn
) -> dict[str, Any]:
    """Create a rule for one of the caller's units (leads and admins)."""
    authorize_alert(user, AlertAction.MANAGE_RULES, body.unit_id, alert_scope(session, user))
    spec = rules.parse_rule_spec(body.model_dump(exclude={"unit_id"}), settings)
    rule = add_rule(request, session, user, body.unit_id, spec)
    return rules.describe_rule(rule, reveal=True)


@router.get("/alert-rules/{rule_id}")
def get_rule(session: SessionDep, user: ApiUser, rule_id: int) -> dict[str, Any]:
    """One rule of the caller's units."""
    authorize_alert(user, AlertAction.VIEW)
    rule = rules.get_rule(session, rule_id)
    authorize_alert(user, AlertAction.VIEW, rule.unit_id, alert_scope(session, user))
    return rules.describe_rule(rule, reveal=can_alert(user, AlertAction.MANAGE_RULES))


@router.put("/alert-rules/{rule_id}")
def update_rule(
    request: Request,
    session: SessionDep,
    user: ApiUser,
    settings: SettingsDep,
    rule_id: int,
    body: RuleIn,
) -> dict[str, Any]:
    """Replace a rule (it may move to another unit of the caller's scope)."""
    scope = alert_scope(session, user)
    rule = rules.get_rule(session, rule_id)
    authorize_alert(user, AlertAction.MANAGE_RULES, rule.unit_id, scope)
    authorize_alert(user, AlertAction.MANAGE_RULES, body.unit_id, scope)
    spec = rules.parse_rule_spec(body.model_dump(exclude={"unit_id"}), settings)
    save_rule(request, session, user, rule, body.unit_id, spec)
    return rules.describe_rule(rule, reveal=True)


@router.post("/alert-rules/{rule_id}/test")
def test_rule(
    request: Request,
    session: SessionDep,
    database: DatabaseDep,
    user: ApiUser,
    settings: SettingsDep,
    rule_id: int,
) -> dict[str, Any]:
    """Send a test alert through every channel of the rule (delivered after the commit)."""
    rule = rules.get_rule(session, rule_id)
    authorize_alert(user, AlertAction.MANAGE_RULES, rule.unit_id, alert_scope(session, user))
    alert, queued = alerts.send_test_alert(
        session, rule, actor=user, settings=settings, ip=client_ip(request)
    )
    session.commit()
    if queued and not settings.broker_url:
        deliver_soon(database, settings)
    return {"alert_id": alert.id, "queued": queued}
