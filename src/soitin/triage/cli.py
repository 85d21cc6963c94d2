"""`soitin alerts ...`: one evaluation pass, delivery, test alerts, the list of rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select

from soitin.cli_errors import clear_errors
from soitin.db import open_database, require_current_schema
from soitin.db.engine import Database
from soitin.db.models import AlertRule, Unit
from soitin.errors import InvalidInputError, NotFoundError
from soitin.settings import Settings, get_settings

alerts_app = typer.Typer(
    help="Cảnh báo / alerts: evaluate spikes, deliver, test a rule.", no_args_is_help=True
)

console = Console()
err = Console(stderr=True)


def _open() -> tuple[Settings, Database]:
    get_settings.cache_clear()
    settings = get_settings()
    database = open_database(settings)
    require_current_schema(database)
    return settings, database


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(f"--now {value!r} is not an ISO date-time.") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@alerts_app.command("run")
@clear_errors
def run(
    now: Annotated[
        str | None, typer.Option(help="Evaluate as of this ISO time (UTC if no offset).")
    ] = None,
    deliver: Annotated[
        bool, typer.Option(help="Send what the pass queued, after its commit.")
    ] = True,
) -> None:
    """One alert pass: detect spikes and other signals, update alerts, then deliver."""
    from soitin.triage.alerts import run_alert_pass

    settings, database = _open()
    result = run_alert_pass(database, now=_parse_now(now), settings=settings, deliver=deliver)
    console.print_json(json.dumps(result.as_dict(), ensure_ascii=False))


@alerts_app.command("deliver")
@clear_errors
def deliver_cmd() -> None:
    """Send the webhooks and e-mails that are due (retries included)."""
    from soitin.triage.delivery import deliver_pending

    settings, database = _open()
    report = deliver_pending(database, settings=settings)
    console.print_json(json.dumps(report.as_dict()))
    for line in report.errors:
        err.print(line, highlight=False, markup=False)


def _find_rule(database: Database, rule: str) -> int:
    with database.session() as session:
        stmt = select(AlertRule.id)
        stmt = (
            stmt.where(AlertRule.id == int(rule))
            if rule.isdigit()
            else stmt.where(AlertRule.name == rule)
        )
        ids = list(session.scalars(stmt))
    if not ids:
        raise NotFoundError(f"No alert rule {rule!r} (give its number or its exact name).")
    if len(ids) > 1:
        raise InvalidInputError(f"Several rules are named {rule!r}; give the rule's number.")
    return ids[0]


@alerts_app.command("test")
@clear_errors
def test_cmd(
    rule: Annotated[str, typer.Argument(help="The rule's number or exact name.")],
) -> None:
    """Send a test alert through every channel of RULE (in-app, webhooks, e-mail)."""
    from soitin.triage.alerts import send_test_alert
    from soitin.triage.delivery import deliver_pending

    settings, database = _open()
    rule_id = _find_rule(database, rule)
    with database.transaction() as session:
        row = session.get(AlertRule, rule_id)
        assert row is not None  # noqa: S101 - found just above
        alert, queued = send_test_alert(session, row, settings=settings)
        alert_id, name = alert.id, row.name
    console.print(
        f"Test alert #{alert_id} of rule «{name}»; {queued} message(s) to send.",
        highlight=False,
        markup=False,
    )
    if queued:
        report = deliver_pending(database, settings=settings)
        console.print_json(json.dumps(report.as_dict()))
        for line in report.errors:
            err.print(line, highlight=False, markup=False)
        if report.failed or report.retrying:
            raise typer.Exit(1)


@alerts_app.command("rules")
@clear_errors
def rules_cmd() -> None:
    """List the alert rules of every unit, one per line."""
    _, database = _open()
    with database.session() as session:
        rows = session.execute(
            select(AlertRule, Unit.code)
            .join(Unit, Unit.id == AlertRule.unit_id)
            .order_by(Unit.code, AlertRule.name)
        ).all()
        if not rows:
            console.print("No alert rules yet (leads and admins add them at /alerts/rules).")
        for rule, unit in rows:
            ch = rule.channels or {}
            channels = ", ".join(
                part
                for part in (
                    "in-app" if ch.get("in_app", True) else "",
                    f"{len(ch.get('webhooks', []))} webhook(s)" if ch.get("webhooks") else "",
                    f"{len(ch.get('emails', []))} e-mail(s)" if ch.get("emails") else "",
                )
                if part
            )
            console.print(
                f"#{rule.id}  {unit}  {rule.name}  places={','.join(rule.place_codes) or '*'}  "
                f"categories={','.join(rule.categories) or '*'}  min={rule.min_severity}  "
                f"[{channels or 'no channel'}]  {'on' if rule.enabled else 'off'}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
