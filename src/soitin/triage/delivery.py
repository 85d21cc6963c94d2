"""Delivery of alerts by webhook and e-mail, through an outbox, after the commit.

An alert and its outbox rows (`alert_outbox`, one per webhook URL or e-mail address) are
written in one transaction: if it rolls back, nothing is ever sent. `deliver_pending` runs
later, from a worker or the scheduler (never inside a web request): it claims due rows with a
short lease, sends them with no transaction open, and records every attempt in the delivery
log (`alert_delivery_log`). A failed attempt is retried after `SOITIN_ALERT_RETRY_SECONDS`,
doubling each time (at most one hour), until `SOITIN_ALERT_MAX_ATTEMPTS`; answers that will
not change (4xx other than 408/429, a refused address, missing configuration) stop at once.

Delivery is at least once: a worker that dies after sending but before recording sends
again when the lease ends, so receivers should ignore a repeated `X-Soitin-Delivery` id.

Webhooks are JSON POSTs through the project's safe HTTP client (public addresses only unless
`SOITIN_FETCH_ALLOWLIST` says otherwise), signed with HMAC-SHA256 over
`"{timestamp}.{body}"` using `SOITIN_WEBHOOK_SECRET`:

    X-Soitin-Timestamp: 1767225600
    X-Soitin-Signature: sha256=<hex digest>
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.header import Header
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.orm import Session

from soitin.db.engine import Database
from soitin.db.models import Alert, AlertDeliveryAttempt, AlertOutbox, AlertRule, Unit
from soitin.db.types import utcnow
from soitin.ingest.fetch import FetchError, FetchRefusedError, FetchResponse, SafeClient
from soitin.settings import Settings, get_settings
from soitin.triage.rules import channels_of, quiet_hours_of, quiet_until

__all__ = [
    "EMAIL",
    "WEBHOOK",
    "DeliveryReport",
    "alert_payload",
    "base_url",
    "deliver_pending",
    "deliver_soon",
    "enqueue_deliveries",
    "render_email",
    "retry_delay",
    "sign",
    "verify_signature",
]

log = logging.getLogger(__name__)

WEBHOOK = "webhook"
EMAIL = "email"
PENDING, SENT, FAILED = "pending", "sent", "failed"
#: How long a claimed row stays reserved for the worker that claimed it.
LEASE = timedelta(minutes=5)
MAX_RETRY_DELAY = timedelta(hours=1)
#: Bytes of a webhook answer read (and kept in the log) at most.
MAX_ANSWER_BYTES = 64 * 1024
SIGNATURE_HEADER = "X-Soitin-Signature"
TIMESTAMP_HEADER = "X-Soitin-Timestamp"
DELIVERY_HEADER = "X-Soitin-Delivery"
EVENT_HEADER = "X-Soitin-Event"
STORY_PATH = "/stories/{id}"
ALERTS_PATH = "/alerts"


# --- enqueue (inside the caller's transaction) ---------------------------------------------


def base_url(settings: Settings) -> str:
    """Where people open soitin (for links)."""
    return (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")


def alert_payload(
    alert: Alert, rule: AlertRule | None, unit: Unit | None, settings: Settings, event: str
) -> dict[str, Any]:
    """The JSON body of a webhook (and the content of an e-mail), fixed when enqueued."""
    root = base_url(settings)
    data = alert.data or {}
    return {
        "event": event,
        "alert": {
            "id": alert.id,
            "kind": alert.kind,
            "kinds": data.get("kinds", [alert.kind]),
            "severity": alert.severity,
            "message": alert.message,
            "message_en": data.get("message_en", alert.message),
            "story_id": alert.story_id,
            "story_url": f"{root}{STORY_PATH.format(id=alert.story_id)}"
            if alert.story_id
            else None,
            "url": f"{root}{ALERTS_PATH}#alert-{alert.id}",
            "places": data.get("places", []),
            "categories": data.get("categories", []),
            "created_at": alert.created_at.isoformat(),
            "details": data.get("details", {}),
        },
        "rule": {"id": rule.id, "name": rule.name} if rule else None,
        "unit": {"id": unit.id, "code": unit.code, "name": unit.name} if unit else None,
    }


def enqueue_deliveries(
    session: Session,
    alert: Alert,
    rule: AlertRule,
    *,
    now: datetime,
    settings: Settings,
    event: str = "alert.created",
    respect_quiet_hours: bool = True,
) -> list[AlertOutbox]:
    """One outbox row per webhook URL and e-mail address of the rule (same transaction).

    During the rule's quiet hours the rows wait until they end, unless the alert is urgent.
    """
    channels = channels_of(rule)
    if not channels.webhooks and not channels.emails:
        return []
    due = now
    quiet = quiet_hours_of(rule)
    if respect_quiet_hours and quiet is not None and alert.severity < quiet.urgent_severity:
        due = quiet_until(quiet, now, settings.tz) or now
    payload = alert_payload(alert, rule, session.get(Unit, rule.unit_id), settings, event)
    rows = [
        AlertOutbox(
            alert_id=alert.id,
            rule_id=rule.id,
            channel=channel,
            target=target,
            payload=payload,
            status=PENDING,
            attempts=0,
            next_attempt_at=due,
            created_at=now,
        )
        for channel, targets in ((WEBHOOK, channels.webhooks), (EMAIL, channels.emails))
        for target in targets
    ]
    session.add_all(rows)
    session.flush()
    return rows


# --- signatures ----------------------------------------------------------------------------


def sign(secret: str | bytes, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256(secret, "{timestamp}." + body)."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    digest = hmac.new(key, timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(
    secret: str | bytes,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    now: datetime | None = None,
    tolerance: timedelta = timedelta(minutes=5),
) -> bool:
    """True when `signature` is ours for this body and the timestamp is recent (for receivers)."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    current = (now or utcnow()).timestamp()
    if abs(current - sent) > tolerance.total_seconds():
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


# --- sending -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    status_code: int | None = None
    error: str | None = None
    permanent: bool = False


def _webhook_body(row_id: int, payload: Mapping[str, Any]) -> bytes:
    return json.dumps(
        {"delivery_id": row_id, **payload}, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return ""


def _post(client: SafeClient, url: str, body: bytes, headers: dict[str, str]) -> FetchResponse:
    """POST through the safe client (addresses checked on connect); messages name the host only,
    since webhook URLs often carry a token in their path."""
    host = urlsplit(url).hostname or "?"
    try:
        return client.post(url, content=body, headers=headers, raise_for_status=False)
    except FetchRefusedError as exc:
        reason = str(exc).replace(url, host)
        if reason.startswith("Refused ") and ": " in reason:
            reason = reason.split(": ", 1)[1]
        raise FetchRefusedError(f"Refused the webhook host {host}: {reason}") from None
    except FetchError as exc:
        reason = str(exc).replace(url, host)
        raise FetchError(f"Cannot deliver to the webhook host {host}: {reason}") from None


def _send_webhook(
    client: SafeClient,
    row: AlertOutbox,
    settings: Settings,
    now: datetime,
) -> _Outcome:
    secret = settings.webhook_secret.get_secret_value()
    if not secret:
        return _Outcome(
            False,
            error="SOITIN_WEBHOOK_SECRET is not set; webhooks are never sent unsigned.",
            permanent=True,
        )
    body = _webhook_body(row.id, row.payload)
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        EVENT_HEADER: str(row.payload.get("event", "alert.created")),
        DELIVERY_HEADER: str(row.id),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
    try:
        response = _post(client, row.target, body, headers)
    except FetchRefusedError as exc:
        return _Outcome(False, error=str(exc), permanent=True)
    except FetchError as exc:
        return _Outcome(False, error=str(exc))
    code = response.status_code
    if 200 <= code < 300:
        return _Outcome(True, status_code=code)
    transient = code in (408, 429) or code >= 500
    return _Outcome(
        False,
        status_code=code,
        error=f"HTTP {code} {_phrase(code)}".strip(),
        permanent=not transient,
    )


def render_email(payload: Mapping[str, Any], to: str, settings: Settings) -> MIMEText:
    """The e-mail of an alert: Vietnamese first, then English; UTF-8 throughout."""
    alert = payload.get("alert", {})
    rule = payload.get("rule") or {}
    unit = payload.get("unit") or {}
    message = str(alert.get("message", ""))
    severity = alert.get("severity", 1)
    test = payload.get("event") == "alert.test"
    subject = f"[soitin] {'Thử: ' if test else ''}Cảnh báo mức {severity}: {message}"
    lines = [
        message,
        "",
        f"Mức độ: {severity}/3",
        f"Quy tắc: {rule.get('name', '')}",
        f"Đơn vị: {unit.get('name', '')}",
    ]
    if alert.get("story_url"):
        lines.append(f"Câu chuyện: {alert['story_url']}")
    lines += [
        f"Xem và xác nhận: {alert.get('url', '')}",
        "",
        "— English —",
        str(alert.get("message_en", message)),
        f"Severity: {severity}/3 · Rule: {rule.get('name', '')} · Unit: {unit.get('name', '')}",
        "",
        "soitin — thư tự động, vui lòng không trả lời / automatic message, do not reply.",
    ]
    mail = MIMEText("\n".join(lines), "plain", "utf-8")
    # The legacy Header encoder: Python 3.11's default policy drops the space where it folds
    # a long Vietnamese subject between two encoded words ("Cảnh báo" → "Cảnhbáo").
    mail["Subject"] = Header(" ".join(subject.split())[:200], "utf-8")  # type: ignore[assignment]
    mail["From"] = settings.smtp_from
    mail["To"] = to
    mail["Date"] = format_datetime(utcnow())
    mail["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
    return mail


def _send_email(row: AlertOutbox, settings: Settings) -> _Outcome:
    if not settings.smtp_host:
        return _Outcome(False, error="SOITIN_SMTP_HOST is not set.", permanent=True)
    mail = render_email(row.payload, row.target, settings)
    context = ssl.create_default_context()
    try:
        smtp: smtplib.SMTP
        if settings.smtp_tls == "ssl":
            smtp = smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, timeout=20, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20)
        with smtp:
            if settings.smtp_tls == "starttls":
                smtp.starttls(context=context)
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            smtp.send_message(mail)
    except smtplib.SMTPRecipientsRefused as exc:
        refused = ", ".join(
            f"{code} {msg.decode(errors='replace')}" for code, msg in exc.recipients.values()
        )
        return _Outcome(False, error=f"recipient refused: {refused}", permanent=True)
    except smtplib.SMTPResponseException as exc:
        text = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return _Outcome(
            False,
            status_code=exc.smtp_code,
            error=f"SMTP {exc.smtp_code} {text}",
            permanent=500 <= exc.smtp_code < 600 and exc.smtp_code != 535,
        )
    except (smtplib.SMTPException, OSError) as exc:
        return _Outcome(False, error=f"SMTP: {type(exc).__name__}: {exc}")
    return _Outcome(True, status_code=250)


# --- the delivery loop ---------------------------------------------------------------------


@dataclass
class DeliveryReport:
    """What one `deliver_pending` call did."""

    attempted: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        """Counts only (for logs and the CLI)."""
        return {
            "attempted": self.attempted,
            "sent": self.sent,
            "retrying": self.retrying,
            "failed": self.failed,
        }


def retry_delay(attempts: int, settings: Settings) -> timedelta:
    """The pause after the `attempts`-th failure: base, 2×base, 4×base… at most one hour."""
    seconds = settings.alert_retry_seconds * 2 ** max(0, attempts - 1)
    return min(timedelta(seconds=seconds), MAX_RETRY_DELAY)


def _claim(database: Database, now: datetime, limit: int) -> list[AlertOutbox]:
    """Reserve due rows for this worker (a conditional UPDATE per row: one winner each)."""
    with database.transaction() as session:
        free = or_(AlertOutbox.locked_until.is_(None), AlertOutbox.locked_until < now)
        stmt = (
            select(AlertOutbox.id)
            .where(AlertOutbox.status == PENDING, AlertOutbox.next_attempt_at <= now, free)
            .order_by(AlertOutbox.next_attempt_at, AlertOutbox.id)
            .limit(limit)
        )
        if database.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        ids = list(session.scalars(stmt))
        mine = []
        for row_id in ids:
            result = session.execute(
                update(AlertOutbox)
                .where(AlertOutbox.id == row_id, AlertOutbox.status == PENDING, free)
                .values(locked_until=now + LEASE)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                mine.append(row_id)
        rows = list(
            session.scalars(
                select(AlertOutbox).where(AlertOutbox.id.in_(mine)).order_by(AlertOutbox.id)
            )
        )
        for row in rows:
            session.expunge(row)
        return rows


def _record(
    database: Database,
    row_id: int,
    outcome: _Outcome,
    now: datetime,
    took_ms: int,
    settings: Settings,
) -> str:
    """Log the attempt and move the row on; quietly skip a row someone else finished."""
    with database.transaction() as session:
        stmt = select(AlertOutbox).where(AlertOutbox.id == row_id)
        if database.dialect == "postgresql":
            stmt = stmt.with_for_update()
        row = session.scalar(stmt.execution_options(populate_existing=True))
        if row is None or row.status != PENDING:
            return "stale"
        row.attempts += 1
        session.add(
            AlertDeliveryAttempt(
                outbox_id=row.id,
                attempt=row.attempts,
                at=now,
                ok=outcome.ok,
                status_code=outcome.status_code,
                error=outcome.error[:2000] if outcome.error else None,
                duration_ms=took_ms,
            )
        )
        row.locked_until = None
        if outcome.ok:
            row.status, row.sent_at, row.last_error = SENT, now, None
        elif outcome.permanent or row.attempts >= settings.alert_max_attempts:
            row.status, row.last_error = FAILED, outcome.error
        else:
            row.next_attempt_at = now + retry_delay(row.attempts, settings)
            row.last_error = outcome.error
        return row.status


def deliver_pending(
    database: Database,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    limit: int = 100,
    client: SafeClient | None = None,
) -> DeliveryReport:
    """Send every due outbox row (webhooks and e-mails); returns what happened.

    Call it after the commit that wrote the rows, from a worker or the scheduler. `now` lets
    tests and replays decide which rows are due; `client` defaults to a `SafeClient` that
    follows `SOITIN_FETCH_ALLOWLIST`.
    """
    settings = settings or get_settings()
    now = now or utcnow()
    report = DeliveryReport()
    rows = _claim(database, now, limit)
    if not rows:
        return report
    own_client = client is None and any(r.channel == WEBHOOK for r in rows)
    http = SafeClient(settings=settings, timeout=10.0, deadline=30.0) if own_client else client
    try:
        for row in rows:
            started = time.monotonic()
            if row.channel == WEBHOOK:
                assert http is not None  # noqa: S101 - created above for webhook rows
                outcome = _send_webhook(http, row, settings, now)
            elif row.channel == EMAIL:
                outcome = _send_email(row, settings)
            else:
                outcome = _Outcome(False, error=f"unknown channel {row.channel!r}", permanent=True)
            took = int((time.monotonic() - started) * 1000)
            status = _record(database, row.id, outcome, now, took, settings)
            report.attempted += 1
            if status == SENT:
                report.sent += 1
            elif status == FAILED:
                report.failed += 1
            elif status == PENDING:
                report.retrying += 1
            if not outcome.ok:
                report.errors.append(f"#{row.id} {row.channel}: {outcome.error}")
                # Host only: webhook URLs may carry tokens in their path or query.
                where = urlsplit(row.target).hostname if row.channel == WEBHOOK else "smtp"
                log.warning(
                    "alert delivery #%s (%s to %s) failed: %s",
                    row.id,
                    row.channel,
                    where,
                    outcome.error,
                )
    finally:
        if own_client and http is not None:
            http.close()
    return report


_soon_lock = threading.Lock()


def deliver_soon(database: Database, settings: Settings | None = None) -> bool:
    """Embedded mode: deliver in a background thread now (after a commit); False if skipped.

    A `Database` bound to one connection (the tests' rolled-back transaction) cannot be
    shared with another thread, so it is skipped; the scheduler delivers within a minute
    anyway.
    """
    if not isinstance(database.bind, Engine):
        return False

    def run() -> None:
        if not _soon_lock.acquire(blocking=False):
            return  # one is running already; it will pick these rows up
        try:
            deliver_pending(database, settings=settings)
        except Exception:  # a background helper must never die loudly
            log.exception("background alert delivery failed")
        finally:
            _soon_lock.release()

    threading.Thread(target=run, name="soitin-alert-delivery", daemon=True).start()
    return True
