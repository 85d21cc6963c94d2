"""Delivery after the commit: signed webhooks to a real receiver, retries with back-off and
their log, e-mail to a real SMTP server, and nothing at all from a rolled-back transaction."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from soitin.db.engine import Database
from soitin.db.models import AlertDeliveryAttempt, AlertOutbox, AlertRule
from soitin.settings import Settings, load_settings
from soitin.triage.alerts import evaluate_alerts, send_test_alert
from soitin.triage.delivery import (
    deliver_pending,
    deliver_soon,
    retry_delay,
    sign,
    verify_signature,
)
from tests.triage.conftest import (
    SMTP_USER,
    T0,
    WEBHOOK_SECRET,
    Mailbox,
    Receiver,
    World,
)


def commit_test_alert(
    db: Database,
    world: World,
    settings: Settings,
    channels: dict[str, object],
    name: str = "Lừa đảo ở Quảng Trị",
) -> int:
    """Commit a test alert of a new rule with these channels; returns the rule id."""
    rule_id = world.rule(name, channels={"in_app": True, **channels})
    with db.transaction() as s:
        rule = s.get(AlertRule, rule_id)
        assert rule is not None
        send_test_alert(s, rule, now=T0, settings=settings)
    return rule_id


def log_of(db: Database) -> list[tuple[int, bool, int | None]]:
    with db.session() as s:
        return [
            (row.attempt, row.ok, row.status_code)
            for row in s.scalars(select(AlertDeliveryAttempt).order_by(AlertDeliveryAttempt.id))
        ]


def outbox(db: Database) -> list[AlertOutbox]:
    with db.session() as s:
        return list(s.scalars(select(AlertOutbox).order_by(AlertOutbox.id)))


def test_webhook_is_signed_and_carries_the_alert(
    db: Database, world: World, settings: Settings, receiver: Receiver
) -> None:
    commit_test_alert(db, world, settings, {"webhooks": [receiver.url()]})
    report = deliver_pending(db, now=T0, settings=settings)
    assert report.as_dict() == {"attempted": 1, "sent": 1, "retrying": 0, "failed": 0}
    [got] = receiver.received
    assert got.signature_ok
    assert got.headers["x-soitin-event"] == "alert.test"
    assert got.headers["content-type"] == "application/json; charset=utf-8"
    body = json.loads(got.body.decode("utf-8"))
    assert body["delivery_id"] == int(got.headers["x-soitin-delivery"])
    assert body["alert"]["message"] == (
        "Cảnh báo thử của quy tắc «Lừa đảo ở Quảng Trị»: các kênh gửi đang hoạt động."
    )
    assert body["alert"]["url"].startswith("https://soitin.test/alerts#alert-")
    assert body["unit"]["name"] == "Tỉnh Quảng Trị"
    # Receivers can check with our helper too (same key, recent timestamp).
    stamp = got.headers["x-soitin-timestamp"]
    assert verify_signature(
        WEBHOOK_SECRET, stamp, got.body, got.headers["x-soitin-signature"], now=T0
    )
    assert not verify_signature(
        "another key", stamp, got.body, got.headers["x-soitin-signature"], now=T0
    )
    assert not verify_signature(
        WEBHOOK_SECRET, stamp, got.body, sign(WEBHOOK_SECRET, stamp, b"x"), now=T0
    )
    assert not verify_signature(
        WEBHOOK_SECRET,
        stamp,
        got.body,
        got.headers["x-soitin-signature"],
        now=T0 + timedelta(hours=1),
    )
    assert log_of(db) == [(1, True, 200)]
    [row] = outbox(db)
    assert row.status == "sent" and row.sent_at == T0
    # Nothing is sent twice.
    assert deliver_pending(db, now=T0 + timedelta(hours=1), settings=settings).attempted == 0
    assert len(receiver.received) == 1


def test_a_failing_receiver_gets_retries_with_back_off(
    db: Database, world: World, settings: Settings, receiver: Receiver
) -> None:
    receiver.script = [500, 503]
    commit_test_alert(db, world, settings, {"webhooks": [receiver.url()]})
    first = deliver_pending(db, now=T0, settings=settings)
    assert first.as_dict()["retrying"] == 1
    [row] = outbox(db)
    assert row.next_attempt_at == T0 + retry_delay(1, settings) == T0 + timedelta(seconds=30)
    assert row.last_error == "HTTP 500 Internal Server Error"
    # Not due yet: nothing is sent.
    assert deliver_pending(db, now=T0 + timedelta(seconds=20), settings=settings).attempted == 0
    second_at = T0 + timedelta(seconds=30)
    assert deliver_pending(db, now=second_at, settings=settings).as_dict()["retrying"] == 1
    [row] = outbox(db)
    assert row.next_attempt_at == second_at + timedelta(seconds=60)  # doubled
    assert (
        deliver_pending(db, now=second_at + timedelta(seconds=59), settings=settings).attempted == 0
    )
    third = deliver_pending(db, now=second_at + timedelta(seconds=60), settings=settings)
    assert third.sent == 1
    assert [r.signature_ok for r in receiver.received] == [True, True, True]
    assert len({r.headers["x-soitin-delivery"] for r in receiver.received}) == 1
    assert log_of(db) == [(1, False, 500), (2, False, 503), (3, True, 200)]


def test_retries_stop_after_the_last_attempt_or_a_refusal(
    db: Database, world: World, settings: Settings, receiver: Receiver
) -> None:
    few = settings.model_copy(update={"alert_max_attempts": 2})
    receiver.script = [500, 500, 500, 404]
    commit_test_alert(db, world, few, {"webhooks": [receiver.url("/flaky")]}, "Hỏng")
    deliver_pending(db, now=T0, settings=few)
    report = deliver_pending(db, now=T0 + timedelta(minutes=5), settings=few)
    assert report.failed == 1
    assert deliver_pending(db, now=T0 + timedelta(days=1), settings=few).attempted == 0
    assert [row.status for row in outbox(db)] == ["failed"]
    # A 4xx answer will not change: no retry at all.
    receiver.script = [404]
    commit_test_alert(db, world, few, {"webhooks": [receiver.url("/gone")]}, "Sai địa chỉ")
    report = deliver_pending(db, now=T0 + timedelta(days=1), settings=few)
    assert report.failed == 1 and report.attempted == 1
    assert log_of(db)[-1] == (1, False, 404)


def test_webhooks_go_only_to_allowed_addresses_and_only_signed(
    db: Database, world: World, settings: Settings, receiver: Receiver
) -> None:
    closed = settings.model_copy(update={"fetch_allowlist": ""})
    by_name = receiver.url().replace("127.0.0.1", "localhost") + "?token=bi-mat"
    commit_test_alert(db, world, closed, {"webhooks": [receiver.url(), by_name]}, "Nội bộ")
    report = deliver_pending(db, now=T0, settings=closed)
    assert report.failed == 2
    assert (
        "Refused the webhook host 127.0.0.1: the host is 127.0.0.1, a loopback address"
        in (report.errors[0])
    )
    assert "Refused the webhook host localhost" in (report.errors[1])
    assert "bi-mat" not in " ".join(report.errors) and "/hook" not in " ".join(report.errors)
    unsigned = settings.model_copy(update={"webhook_secret": SecretStr("")})
    commit_test_alert(db, world, unsigned, {"webhooks": [receiver.url()]}, "Không khóa")
    report = deliver_pending(db, now=T0, settings=unsigned)
    assert report.failed == 1 and "SOITIN_WEBHOOK_SECRET" in report.errors[0]
    assert receiver.received == []


def test_email_arrives_with_the_vietnamese_text_intact(
    db: Database, world: World, settings: Settings, smtp_server: Mailbox
) -> None:
    cfg = settings.model_copy(update={"smtp_port": smtp_server.port})
    commit_test_alert(db, world, cfg, {"emails": ["truc-ban@soitin.test"]}, "Lừa đảo ở Đồng Hới")
    report = deliver_pending(db, now=T0, settings=cfg)
    assert report.as_dict() == {"attempted": 1, "sent": 1, "retrying": 0, "failed": 0}
    [mail] = smtp_server.messages
    assert smtp_server.logins == [SMTP_USER]
    assert smtp_server.envelopes == [("canh-bao@soitin.test", ["truc-ban@soitin.test"])]
    assert mail["Subject"] == (
        "[soitin] Thử: Cảnh báo mức 1: Cảnh báo thử của quy tắc «Lừa đảo ở Đồng Hới»: "
        "các kênh gửi đang hoạt động."
    )
    body = mail.get_content()
    assert "Quy tắc: Lừa đảo ở Đồng Hới" in body
    assert "Đơn vị: Tỉnh Quảng Trị" in body
    assert "— English —" in body and "Test alert of the rule" in body
    assert log_of(db) == [(1, True, 250)]


def test_a_wrong_smtp_password_is_retried_and_never_logged(
    db: Database,
    world: World,
    settings: Settings,
    smtp_server: Mailbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cfg = settings.model_copy(
        update={"smtp_port": smtp_server.port, "smtp_password": SecretStr("sai-mat-khau-bi-mat")}
    )
    commit_test_alert(db, world, cfg, {"emails": ["truc-ban@soitin.test"]})
    report = deliver_pending(db, now=T0, settings=cfg)
    assert report.retrying == 1 and smtp_server.messages == []
    assert "535" in report.errors[0]
    assert "sai-mat-khau-bi-mat" not in caplog.text + " ".join(report.errors)
    assert "sai-mat-khau-bi-mat" not in repr(cfg)


def test_a_rolled_back_transaction_sends_nothing(
    db: Database, world: World, settings: Settings, receiver: Receiver, smtp_server: Mailbox
) -> None:
    cfg = settings.model_copy(update={"smtp_port": smtp_server.port, "spike_baseline_windows": 8})
    story = world.story(at=T0 - timedelta(hours=6))
    world.insert(
        [
            row
            for w in range(1, 11)
            for row in world.rows(2, T0 - timedelta(minutes=30 * w), 29, provinces=["46"])
        ]
    )
    world.items(1, T0 - timedelta(hours=3), 1, story=story)
    world.items(30, T0 - timedelta(minutes=20), 19, story=story)
    world.rule(
        channels={"in_app": True, "webhooks": [receiver.url()], "emails": ["truc-ban@soitin.test"]}
    )

    class Abort(Exception):
        pass

    with pytest.raises(Abort), db.transaction() as s:
        result = evaluate_alerts(s, T0, cfg)
        assert len(result.created) == 1 and result.outbox == 2
        raise Abort
    assert outbox(db) == []
    assert deliver_pending(db, now=T0, settings=cfg).attempted == 0
    assert receiver.received == [] and smtp_server.messages == []

    # The same pass, committed, sends both: the test above could have failed.
    with db.transaction() as s:
        evaluate_alerts(s, T0, cfg)
    assert deliver_pending(db, now=T0, settings=cfg).sent == 2
    assert len(receiver.received) == 1 and len(smtp_server.messages) == 1
    assert "30 bài trong 30 phút" in smtp_server.messages[0]["Subject"]


def test_embedded_mode_delivers_in_the_background_after_the_commit(
    file_db: Database, db: Database, receiver: Receiver
) -> None:
    settings = load_settings()
    rule_id = World(file_db, unit_id=1).rule(channels={"webhooks": [receiver.url()]})
    with file_db.transaction() as s:
        rule = s.get(AlertRule, rule_id)
        assert rule is not None
        send_test_alert(s, rule, settings=settings)
    assert deliver_soon(file_db, settings)
    status = ""
    for _ in range(200):  # the background thread usually needs a few milliseconds
        with file_db.session() as s:
            status = s.scalars(select(AlertOutbox.status)).one()
        if status != "pending":
            break
        time.sleep(0.1)
    assert status == "sent"
    assert [r.signature_ok for r in receiver.received] == [True]
    # One shared connection (the tests' rolled-back transaction) never goes to a thread.
    assert deliver_soon(db, settings) is False
