"""Alert pages: the bell, the list with acknowledge buttons, and alert-rule management."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from soitin.db.models import AlertRule, Category, User
from soitin.errors import InvalidInputError, SoitinError
from soitin.review import audit
from soitin.review.cases import do_open_from_alert
from soitin.review.policies import Action, authorize, can, load_unit_tree
from soitin.review.story_view import story_cases
from soitin.triage import alerts, rules
from soitin.triage.access import AlertAction, alert_scope, authorize_alert, can_alert
from soitin.triage.delivery import deliver_soon
from soitin.web.csrf import verify_csrf
from soitin.web.deps import (
    CurrentUser,
    DatabaseDep,
    OptionalUser,
    SessionDep,
    SettingsDep,
    client_ip,
)
from soitin.web.i18n import error_text
from soitin.web.pages import alerts_text
from soitin.web.templating import render, request_language

alerts_text.register()

router = APIRouter(include_in_schema=False)

SEVERITIES = (1, 2, 3)
CATEGORIES = tuple(c.value for c in Category)


@router.get("/alerts/bell")
def bell(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    """The bell with the unread count (polled by htmx); nothing when signed out."""
    if user is None:
        return Response(status_code=204)
    return render(request, "alerts/_bell.html", {"unread": alerts.unread_count(session, user)})


@router.get("/alerts")
def alerts_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    show: str = "open",
) -> Response:
    """Alerts of the user's units, newest activity first."""
    authorize_alert(user, AlertAction.VIEW)
    scope = alert_scope(session, user)
    listing = alerts.alert_list(
        session, user, scope, open_only=show != "all", limit=100, settings=settings
    )
    # A story alert links to the story's case; a story with no case the user may see (a
    # debunked claim repeated outside any queue) has no page to open, so it is not linked.
    # An alert about a debunked claim may carry other stories repeating it: their cases too.
    cases = story_cases(session, [sid for v in listing["alerts"] for sid in v["story_ids"]], scope)
    for view in listing["alerts"]:  # the template formats datetimes, the JSON has ISO text
        view["case_id"] = cases.get(view["story_id"]) if view["story_id"] else None
        others = [sid for sid in view["story_ids"] if sid != view["story_id"]]
        view["other_cases"] = sorted({cases[sid] for sid in others if sid in cases})
        view["other_stories"] = len(others)
        for key in ("created_at", "updated_at", "acknowledged_at"):
            view[f"{key}_dt"] = datetime.fromisoformat(view[key]) if view[key] else None
    return render(
        request,
        "alerts/index.html",
        {
            **listing,
            "show": "all" if show == "all" else "open",
            "can_ack": can_alert(user, AlertAction.ACK),
            "can_open": can(user, Action.CASE_OPEN),
            "can_manage": can_alert(user, AlertAction.MANAGE_RULES),
        },
    )


def _back(show: str) -> str:
    return "/alerts?show=all" if show == "all" else "/alerts"


@router.post("/alerts/{alert_id}/ack", dependencies=[Depends(verify_csrf)])
def acknowledge(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    alert_id: int,
    show: Annotated[str, Form(max_length=8)] = "open",
) -> Response:
    """Acknowledge one alert."""
    authorize_alert(user, AlertAction.ACK)
    alert = alerts.get_alert(session, alert_id, alert_scope(session, user))
    alerts.acknowledge_alert(session, alert, user, ip=client_ip(request))
    session.commit()
    return RedirectResponse(_back(show), status_code=303)


@router.post("/alerts/{alert_id}/open-case", dependencies=[Depends(verify_csrf)])
def open_case(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    alert_id: int,
) -> Response:
    """Open a case in the user's unit for the story of an alert (or go to the one there)."""
    authorize(user, Action.CASE_OPEN)
    alert = alerts.get_alert(session, alert_id, alert_scope(session, user))
    case, _created = do_open_from_alert(
        session, alert, user, ip=client_ip(request), settings=settings
    )
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


@router.post("/alerts/read", dependencies=[Depends(verify_csrf)])
def read_all(
    session: SessionDep,
    user: CurrentUser,
    show: Annotated[str, Form(max_length=8)] = "open",
) -> Response:
    """Mark every notification of the user as read (the bell goes back to zero)."""
    authorize_alert(user, AlertAction.VIEW)
    alerts.mark_read(session, user)
    session.commit()
    return RedirectResponse(_back(show), status_code=303)


# --- rules ---------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]


def rule_form(
    name: Annotated[str, Form(max_length=255)],
    unit_id: Annotated[int, Form()],
    place_codes: Annotated[str, Form(max_length=4000)] = "",
    categories: Annotated[list[str] | None, Form()] = None,
    min_severity: Annotated[int, Form(ge=1, le=3)] = 1,
    quiet_start: Annotated[str, Form(max_length=5)] = "",
    quiet_end: Annotated[str, Form(max_length=5)] = "",
    urgent_severity: Annotated[int, Form(ge=1, le=4)] = 3,
    in_app: Annotated[str | None, Form(max_length=8)] = None,
    webhooks: Annotated[str, Form(max_length=20_000)] = "",
    emails: Annotated[str, Form(max_length=20_000)] = "",
    enabled: Annotated[str | None, Form(max_length=8)] = None,
) -> dict[str, Any]:
    """The rule form as the dictionary `rules.parse_rule_spec` reads (plus `unit_id`)."""
    quiet = None
    if quiet_start.strip() or quiet_end.strip():
        quiet = {"start": quiet_start, "end": quiet_end, "urgent_severity": urgent_severity}
    return {
        "unit_id": unit_id,
        "name": name,
        "place_codes": _lines(place_codes),
        "categories": categories or [],
        "min_severity": min_severity,
        "quiet_hours": quiet,
        "channels": {
            "in_app": in_app is not None,
            "webhooks": _lines(webhooks),
            "emails": _lines(emails),
        },
        "enabled": enabled is not None,
    }


RuleForm = Annotated[dict[str, Any], Depends(rule_form)]


def _rules_context(session: SessionDep, user: User) -> dict[str, Any]:
    tree = load_unit_tree(session)
    scope = tree.scope(user)
    manage = can_alert(user, AlertAction.MANAGE_RULES)
    rows = [
        rules.describe_rule(r, tree.name(r.unit_id), reveal=manage)
        for r in rules.list_rules(session, scope)
    ]
    return {
        "rules": rows,
        "units": [(node, depth) for node, depth in tree.ordered(scope)],
        "can_manage": manage,
        "severities": SEVERITIES,
        "categories": CATEGORIES,
    }


def _blank_rule(user: User) -> dict[str, Any]:
    return {
        "id": None,
        "unit_id": user.unit_id,
        "name": "",
        "place_codes": [],
        "categories": [],
        "min_severity": 1,
        "quiet_hours": None,
        "channels": {"in_app": True, "webhooks": [], "emails": []},
        "enabled": True,
    }


@router.get("/alerts/rules")
def rules_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The rules of the user's units, and a form for a new one (leads and admins)."""
    authorize_alert(user, AlertAction.VIEW)
    context = _rules_context(session, user)
    return render(
        request,
        "alerts/rules.html",
        {
            **context,
            "form": _blank_rule(user),
            "error": None,
            "saved": request.query_params.get("saved"),
            "tested": request.query_params.get("tested"),
        },
    )


def _audit_rule(
    request: Request, session: Session, action: str, actor: User, rule: AlertRule
) -> None:
    audit.record(
        session,
        action,
        actor=actor,
        object_type="alert_rule",
        object_id=rule.id,
        ip=client_ip(request),
        name=rule.name,
    )


def add_rule(
    request: Request, session: Session, actor: User, unit_id: int, spec: rules.RuleSpec
) -> AlertRule:
    """Create a rule (shared with the JSON API): stored, audited, committed."""
    rule = rules.create_rule(session, unit_id, spec)
    _audit_rule(request, session, "alert_rule.created", actor, rule)
    session.commit()
    return rule


def save_rule(
    request: Request,
    session: Session,
    actor: User,
    rule: AlertRule,
    unit_id: int,
    spec: rules.RuleSpec,
) -> None:
    """Replace a rule, maybe moving it to another unit (shared with the JSON API)."""
    rule.unit_id = unit_id
    rules.update_rule(session, rule, spec)
    _audit_rule(request, session, "alert_rule.updated", actor, rule)
    session.commit()


def _said(request: Request, exc: Exception) -> str:
    """An error beside the rule form, in the page's language when it has a message key."""
    if isinstance(exc, SoitinError):
        return error_text(exc, request_language(request))
    return str(exc)


def _form_error(
    request: Request,
    session: SessionDep,
    user: User,
    form: dict[str, Any],
    exc: Exception,
    rule_id: int | None = None,
) -> Response:
    session.rollback()
    context = _rules_context(session, user)
    shown = {**form, "id": rule_id}
    template = "alerts/rule_edit.html" if rule_id else "alerts/rules.html"
    return render(
        request,
        template,
        {**context, "form": shown, "error": _said(request, exc), "saved": None, "tested": None},
        status_code=422,
    )


@router.post("/alerts/rules", dependencies=[Depends(verify_csrf)])
def create_rule(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    form: RuleForm,
) -> Response:
    """Create a rule for one of the user's units."""
    scope = alert_scope(session, user)
    authorize_alert(user, AlertAction.MANAGE_RULES, form["unit_id"], scope)
    try:
        spec = rules.parse_rule_spec({k: v for k, v in form.items() if k != "unit_id"}, settings)
    except InvalidInputError as exc:
        return _form_error(request, session, user, form, exc)
    add_rule(request, session, user, form["unit_id"], spec)
    return RedirectResponse("/alerts/rules?saved=1", status_code=303)


def _managed_rule(session: SessionDep, user: User, rule_id: int) -> AlertRule:
    rule = rules.get_rule(session, rule_id)
    authorize_alert(user, AlertAction.MANAGE_RULES, rule.unit_id, alert_scope(session, user))
    return rule


@router.get("/alerts/rules/{rule_id}")
def edit_rule_page(
    request: Request, session: SessionDep, user: CurrentUser, rule_id: int
) -> Response:
    """The form of one rule."""
    rule = _managed_rule(session, user, rule_id)
    context = _rules_context(session, user)
    return render(
        request,
        "alerts/rule_edit.html",
        {**context, "form": rules.describe_rule(rule, reveal=True), "error": None},
    )


@router.post("/alerts/rules/{rule_id}", dependencies=[Depends(verify_csrf)])
def update_rule(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    rule_id: int,
    form: RuleForm,
) -> Response:
    """Change a rule (it may move to another unit of the user's scope)."""
    rule = _managed_rule(session, user, rule_id)
    authorize_alert(user, AlertAction.MANAGE_RULES, form["unit_id"], alert_scope(session, user))
    try:
        spec = rules.parse_rule_spec({k: v for k, v in form.items() if k != "unit_id"}, settings)
    except InvalidInputError as exc:
        return _form_error(request, session, user, form, exc, rule_id)
    save_rule(request, session, user, rule, form["unit_id"], spec)
    return RedirectResponse("/alerts/rules?saved=1", status_code=303)


@router.post("/alerts/rules/{rule_id}/test", dependencies=[Depends(verify_csrf)])
def test_rule(
    request: Request,
    session: SessionDep,
    database: DatabaseDep,
    user: CurrentUser,
    settings: SettingsDep,
    rule_id: int,
) -> Response:
    """Send a test alert through the rule's channels (delivered after the commit)."""
    rule = _managed_rule(session, user, rule_id)
    _, queued = alerts.send_test_alert(
        session, rule, actor=user, settings=settings, ip=client_ip(request)
    )
    session.commit()
    if queued and not settings.broker_url:
        deliver_soon(database, settings)  # embedded mode; with a broker the worker sends
    return RedirectResponse(f"/alerts/rules?tested={rule.id}", status_code=303)
