"""`soitin alerts run|test|deliver|rules` on a migrated SQLite file."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select
from typer.testing import CliRunner

from soitin.cli import app
from soitin.db.engine import Database
from soitin.db.models import Alert, AlertRule
from tests.triage.conftest import T0, Receiver, World

runner = CliRunner()


def test_alerts_test_sends_through_every_channel(file_db: Database, receiver: Receiver) -> None:
    world = World(file_db, unit_id=1)
    rule_id = world.rule("Trực ban", channels={"in_app": True, "webhooks": [receiver.url()]})
    by_name = runner.invoke(app, ["alerts", "test", "Trực ban"])
    assert by_name.exit_code == 0, by_name.output
    assert "Test alert #1 of rule «Trực ban»; 1 message(s) to send." in by_name.output
    assert json.loads(by_name.output.split("send.", 1)[1])["sent"] == 1
    by_number = runner.invoke(app, ["alerts", "test", str(rule_id)])
    assert by_number.exit_code == 0, by_number.output
    assert [r.signature_ok for r in receiver.received] == [True, True]
    missing = runner.invoke(app, ["alerts", "test", "Không có"])
    assert missing.exit_code == 1
    assert "No alert rule 'Không có'" in missing.output
    listed = runner.invoke(app, ["alerts", "rules"])
    assert listed.exit_code == 0 and "Trực ban" in listed.output and "1 webhook(s)" in listed.output


def test_a_failed_delivery_makes_the_test_command_fail(
    file_db: Database, receiver: Receiver
) -> None:
    receiver.script = [500]
    World(file_db, unit_id=1).rule("Hỏng", channels={"webhooks": [receiver.url()]})
    result = runner.invoke(app, ["alerts", "test", "Hỏng"])
    assert result.exit_code == 1
    assert "HTTP 500" in result.output
    # The retry is due 30 s later; `alerts deliver` sends it (receiver now answers 200).
    with file_db.transaction() as s:
        from soitin.db.models import AlertOutbox

        row = s.scalars(select(AlertOutbox)).one()
        row.next_attempt_at = row.next_attempt_at - timedelta(minutes=1)
    delivered = runner.invoke(app, ["alerts", "deliver"])
    assert delivered.exit_code == 0, delivered.output
    assert json.loads(delivered.output)["sent"] == 1


def test_alerts_run_evaluates_one_pass_at_a_given_time(file_db: Database) -> None:
    world = World(file_db, unit_id=1)
    world.rule()
    story = world.story(at=T0 - timedelta(hours=6))
    world.insert(
        [
            row
            for w in range(1, 11)
            for row in world.rows(2, T0 - timedelta(minutes=30 * w), 29, provinces=["46"])
        ]
    )
    world.items(1, T0 - timedelta(hours=3), 1, story=story)
    world.items(25, T0 - timedelta(minutes=20), 19, story=story)
    result = runner.invoke(app, ["alerts", "run", "--now", "2026-03-02T08:00:00+00:00"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["created"] == 1 and summary["signals"] == 1
    with file_db.session() as s:
        alert = s.scalars(select(Alert)).one()
        assert alert.story_id == story
        assert s.get(AlertRule, alert.rule_id) is not None
    bad = runner.invoke(app, ["alerts", "run", "--now", "hôm qua"])
    assert bad.exit_code == 1 and "not an ISO date-time" in bad.output
