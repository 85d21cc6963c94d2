"""Alerts: signals matched against each unit's rules, deduplicated, acknowledged.

One alert pass (`run_alert_pass`, every minute from the scheduler or `soitin alerts run`)
collects the signals at `now` (`soitin.triage.signals`), and for every enabled rule they
match (severity ≥ the rule's minimum, a category of the rule, a place of the rule — a
commune counts for its province) it either

* updates the rule's alert about the same thing — the one with the same fingerprint
  (`story:12`, `province:44`, ...) that is still active (updated within
  `SOITIN_ALERT_COOLDOWN_MINUTES`, acknowledged or not), or one that saw any of the signal's
  series within the last two windows — which raises its count and refreshes its sentence
  but notifies nobody again; or
* opens a new alert: in-app notifications for the active users of the rule's unit and
  outbox rows for its webhooks and e-mails, all in the same transaction.

So there is one active alert per story (or series) and rule; an alert whose signal has been
quiet for longer than the cool-down has ended, and the next burst is news again. A debunked
claim is such a series too (`claim:ID`): while an alert about it is active, other stories
repeating the claim join that alert (`story_ids_of`), told to nobody again.

"New story already large" and "matched a debunked claim" are said once per story and rule
(once per claim): an alert that already reported them is never reopened for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from soitin.db.engine import Database
from soitin.db.models import Alert, AlertNotification, AlertRule, User
from soitin.db.types import utcnow
from soitin.errors import ConflictError, NotFoundError
from soitin.review import audit
from soitin.settings import Settings, get_settings
from soitin.triage.delivery import deliver_pending, enqueue_deliveries
from soitin.triage.rules import channels_of
from soitin.triage.signals import CLAIM_PREFIX, DEBUNKED_LOOKBACK, Signal, collect_signals
from soitin.triage.wording import province_of, test_sentence

__all__ = [
    "ONE_SHOT_KINDS",
    "PassResult",
    "acknowledge_alert",
    "alert_list",
    "describe_alert",
    "evaluate_alerts",
    "get_alert",
    "list_alerts",
    "mark_read",
    "rule_matches",
    "run_alert_pass",
    "send_test_alert",
    "story_ids_of",
    "unread_alert_ids",
    "unread_count",
]

#: Reasons that are told once per story and rule, however long they stay true.
ONE_SHOT_KINDS = frozenset({"new_story", "debunked"})
TEST_KIND = "test"


@dataclass
class PassResult:
    """What one alert pass found and did."""

    now: datetime
    signals: int = 0
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    outbox: int = 0
    delivery: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "now": self.now.isoformat(),
            "signals": self.signals,
            "created": len(self.created),
            "updated": len(self.updated),
            "outbox": self.outbox,
            "delivery": self.delivery,
        }


def rule_matches(rule: AlertRule, signal: Signal) -> bool:
    """True when the signal is one the rule asks for."""
    if not rule.enabled or signal.severity < rule.min_severity:
        return False
    if rule.categories and not set(rule.categories) & set(signal.categories):
        return False
    if rule.place_codes:
        codes = set(signal.place_codes)
        codes |= {p for p in (province_of(c) for c in signal.place_codes) if p}
        if not set(rule.place_codes) & codes:
            return False
    return True


def _parse(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _existing(
    session: Session, rule: AlertRule, signal: Signal, now: datetime, settings: Settings
) -> Alert | None:
    """The alert of `rule` this signal continues, if any (see the module docstring)."""
    cooldown = timedelta(minutes=settings.alert_cooldown_minutes)
    recent = timedelta(minutes=2 * settings.spike_window_minutes)
    same = session.scalars(
        select(Alert)
        .where(
            Alert.rule_id == rule.id,
            Alert.fingerprint == signal.fingerprint,
            Alert.kind != TEST_KIND,
        )
        .order_by(Alert.updated_at.desc(), Alert.id.desc())
        .limit(1)
    ).first()
    if same is not None and same.updated_at >= now - cooldown:
        return same

    # A related series seen lately: the same event, first told under another fingerprint. A
    # debunked claim's repeats belong to its alert for as long as that alert is active.
    def window(fp: str) -> timedelta:
        return cooldown if fp.startswith(CLAIM_PREFIX) else recent

    horizon = max(window(fp) for fp in signal.fingerprints)
    lately = session.scalars(
        select(Alert)
        .where(
            Alert.rule_id == rule.id,
            Alert.kind != TEST_KIND,
            Alert.updated_at >= now - horizon,
        )
        .order_by(Alert.updated_at.desc(), Alert.id.desc())
    )
    for alert in lately:
        seen = (alert.data or {}).get("fingerprints", {})
        for fp in signal.fingerprints:
            if alert.updated_at < now - window(fp):
                continue
            at = _parse(seen.get(fp)) if isinstance(seen, dict) else None
            if fp == alert.fingerprint or (at is not None and at >= now - window(fp)):
                return alert
    return None


def _already_told(session: Session, rule: AlertRule, signal: Signal, now: datetime) -> set[str]:
    """The one-shot reasons of `signal` some earlier alert of the rule already gave: an alert
    about the same story or series, or one it joined (a debunked claim's alert, whose
    signals are at most `DEBUNKED_LOOKBACK` old)."""
    if not signal.kinds & ONE_SHOT_KINDS:
        return set()
    told: set[str] = set()
    claims: set[int] = set()
    same = Alert.fingerprint == signal.fingerprint
    if signal.story_id is not None:
        same = or_(same, Alert.story_id == signal.story_id)
    if any(fp.startswith(CLAIM_PREFIX) for fp in signal.fingerprints):
        # only through a claim does a signal join another story's alert
        same = or_(same, Alert.updated_at >= now - DEBUNKED_LOOKBACK)
    for fingerprint, story_id, data in session.execute(
        select(Alert.fingerprint, Alert.story_id, Alert.data).where(Alert.rule_id == rule.id, same)
    ):
        seen = (data or {}).get("fingerprints", {})
        if not (
            fingerprint == signal.fingerprint
            or (signal.story_id is not None and story_id == signal.story_id)
            or (isinstance(seen, dict) and signal.fingerprint in seen)
        ):
            continue  # a recent alert about something else
        told |= set((data or {}).get("kinds", []))
        claims |= {int(c) for c in (data or {}).get("claim_ids", [])}
    out = told & {"new_story"}
    if "debunked" in signal.kinds and signal.claim_ids <= claims:
        out.add("debunked")
    return out


def _merge_list(old: Iterable[Any], new: Iterable[Any]) -> list[Any]:
    out = list(old)
    out += [v for v in new if v not in out]
    return out


def _alert_data(signal: Signal, now: datetime, old: dict[str, Any] | None = None) -> dict[str, Any]:
    old = dict(old or {})
    stamp = now.isoformat()
    seen = dict(old.get("fingerprints", {}))
    seen.update(dict.fromkeys(signal.fingerprints, stamp))
    details = dict(old.get("details", {}))
    details.update(signal.details)
    return {
        **old,
        "message_en": signal.sentence.en,
        "kinds": sorted(set(old.get("kinds", [])) | signal.kinds),
        "fingerprints": seen,
        "places": _merge_list(old.get("places", []), signal.place_codes),
        "categories": _merge_list(old.get("categories", []), signal.categories),
        "claim_ids": sorted(set(old.get("claim_ids", [])) | signal.claim_ids),
        "story_ids": _merge_list(
            old.get("story_ids", []), [signal.story_id] if signal.story_id else []
        ),
        "details": details,
        "last_seen": stamp,
    }


def _notify(session: Session, alert: Alert, rule: AlertRule, now: datetime) -> int:
    """In-app notifications for the active users of the rule's unit."""
    if not channels_of(rule).in_app:
        return 0
    user_ids = session.scalars(
        select(User.id).where(User.unit_id == rule.unit_id, User.is_active.is_(True))
    ).all()
    session.add_all(
        AlertNotification(alert_id=alert.id, user_id=uid, created_at=now) for uid in user_ids
    )
    return len(user_ids)


def _open(
    session: Session,
    rule: AlertRule,
    signal: Signal,
    now: datetime,
    settings: Settings,
    *,
    event: str = "alert.created",
) -> tuple[Alert, int]:
    alert = Alert(
        rule_id=rule.id,
        story_id=signal.story_id,
        kind=signal.kind,
        fingerprint=signal.fingerprint[:255],
        severity=signal.severity,
        message=signal.sentence.vi,
        data=_alert_data(signal, now),
        count=1,
        created_at=now,
        updated_at=now,
    )
    session.add(alert)
    session.flush()
    _notify(session, alert, rule, now)
    rows = enqueue_deliveries(
        session,
        alert,
        rule,
        now=now,
        settings=settings,
        event=event,
        respect_quiet_hours=event != "alert.test",
    )
    return alert, len(rows)


def _continue(alert: Alert, signal: Signal, now: datetime) -> None:
    alert.count += 1
    alert.updated_at = now
    if signal.severity >= alert.severity:
        alert.message, alert.kind = signal.sentence.vi, signal.kind
        data = _alert_data(signal, now, alert.data)
    else:  # keep the stronger sentence (and its English twin)
        data = _alert_data(signal, now, alert.data)
        data["message_en"] = (alert.data or {}).get("message_en", alert.message)
    alert.severity = max(alert.severity, signal.severity)
    alert.story_id = alert.story_id or signal.story_id
    alert.data = data


def _enabled_rules(session: Session) -> list[AlertRule]:
    stmt = select(AlertRule).where(AlertRule.enabled.is_(True)).order_by(AlertRule.id)
    if session.get_bind().dialect.name == "postgresql":
        # Two passes at once serialise here, so the second sees the first one's alerts.
        stmt = stmt.with_for_update()
    return list(session.scalars(stmt))


def evaluate_alerts(
    session: Session, now: datetime | None = None, settings: Settings | None = None
) -> PassResult:
    """One pass inside the caller's transaction (nothing is sent here)."""
    settings = settings or get_settings()
    now = now or utcnow()
    result = PassResult(now=now)
    rules = _enabled_rules(session)
    if not rules:
        return result
    signals = collect_signals(session, now, settings)
    result.signals = len(signals)
    for signal in signals:
        for rule in rules:
            if not rule_matches(rule, signal):
                continue
            told = _already_told(session, rule, signal, now)
            if told and not signal.kinds - told:
                continue
            alert = _existing(session, rule, signal, now, settings)
            if alert is not None:
                _continue(alert, signal, now)
                result.updated.append(alert.id)
            else:
                alert, queued = _open(session, rule, signal, now, settings)
                result.created.append(alert.id)
                result.outbox += queued
            session.flush()
    return result


def run_alert_pass(
    database: Database,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    deliver: bool = True,
) -> PassResult:
    """Evaluate and commit; then (after the commit) deliver what is due."""
    settings = settings or get_settings()
    now = now or utcnow()
    with database.transaction() as session:
        result = evaluate_alerts(session, now, settings)
    if deliver and result.outbox:
        result.delivery = deliver_pending(database, now=now, settings=settings).as_dict()
    return result


def send_test_alert(
    session: Session,
    rule: AlertRule,
    *,
    actor: User | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
    ip: str | None = None,
) -> tuple[Alert, int]:
    """A test alert through every channel of the rule (ignores quiet hours and filters).

    Returns the alert and how many webhook/e-mail messages wait in the outbox; they go out
    after the caller commits, when `deliver_pending` runs.
    """
    settings = settings or get_settings()
    now = now or utcnow()
    sentence = test_sentence(rule.name)
    signal = Signal(
        fingerprint=f"test:{rule.id}:{now.isoformat()}",
        kind=TEST_KIND,
        severity=max(1, rule.min_severity),
        sentence=sentence,
        details={"test": {"by": actor.username if actor else "cli"}},
    )
    alert, queued = _open(session, rule, signal, now, settings, event="alert.test")
    audit.record(
        session,
        "alert_rule.tested",
        actor=actor,
        object_type="alert_rule",
        object_id=rule.id,
        ip=ip,
        alert_id=alert.id,
        queued=queued,
    )
    return alert, queued


def get_alert(session: Session, alert_id: int, scope: frozenset[int] | None) -> Alert:
    """The alert, if its rule belongs to a unit in `scope` (None: any)."""
    row = session.execute(
        select(Alert, AlertRule.unit_id)
        .join(AlertRule, AlertRule.id == Alert.rule_id)
        .where(Alert.id == alert_id)
    ).first()
    if row is None or (scope is not None and row[1] not in scope):
        raise NotFoundError(key="alert.not_found", alert_id=alert_id)
    alert: Alert = row[0]
    return alert


def acknowledge_alert(
    session: Session,
    alert: Alert,
    user: User,
    *,
    now: datetime | None = None,
    ip: str | None = None,
) -> Alert:
    """Mark the alert handled (by `user`) and read for everyone it notified; audited."""
    if alert.acknowledged_at is not None:
        raise ConflictError(key="alert.already_acknowledged")
    now = now or utcnow()
    alert.acknowledged_at = now
    alert.acknowledged_by_id = user.id
    session.execute(
        update(AlertNotification)
        .where(AlertNotification.alert_id == alert.id, AlertNotification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    audit.record(
        session, "alert.acknowledged", actor=user, object_type="alert", object_id=alert.id, ip=ip
    )
    session.flush()
    return alert


def list_alerts(
    session: Session,
    scope: frozenset[int] | None,
    *,
    open_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[tuple[Alert, AlertRule]]:
    """Alerts of the rules of units in `scope`, newest activity first."""
    stmt = select(Alert, AlertRule).join(AlertRule, AlertRule.id == Alert.rule_id)
    if scope is not None:
        stmt = stmt.where(AlertRule.unit_id.in_(sorted(scope)))
    if open_only:
        stmt = stmt.where(Alert.acknowledged_at.is_(None))
    stmt = stmt.order_by(Alert.updated_at.desc(), Alert.id.desc()).limit(limit).offset(offset)
    return [(a, r) for a, r in session.execute(stmt).all()]


def unread_count(session: Session, user: User) -> int:
    """Alerts in the user's in-app inbox not read yet (the bell's number)."""
    return int(
        session.scalar(
            select(func.count(AlertNotification.id)).where(
                AlertNotification.user_id == user.id, AlertNotification.read_at.is_(None)
            )
        )
        or 0
    )


def unread_alert_ids(session: Session, user: User, alert_ids: Iterable[int]) -> set[int]:
    """Which of these alerts the user has not read yet."""
    ids = list(alert_ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            select(AlertNotification.alert_id).where(
                AlertNotification.user_id == user.id,
                AlertNotification.read_at.is_(None),
                AlertNotification.alert_id.in_(ids),
            )
        )
    )


def mark_read(
    session: Session,
    user: User,
    alert_ids: Iterable[int] | None = None,
    *,
    now: datetime | None = None,
) -> int:
    """Mark the user's notifications read (all, or those of `alert_ids`); returns how many."""
    stmt = (
        update(AlertNotification)
        .where(AlertNotification.user_id == user.id, AlertNotification.read_at.is_(None))
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    if alert_ids is not None:
        stmt = stmt.where(AlertNotification.alert_id.in_(list(alert_ids)))
    result = session.execute(stmt)
    return int(result.rowcount)  # type: ignore[attr-defined]


def story_ids_of(alert: Alert) -> list[int]:
    """The stories an alert is about: its own first, then those whose signals joined it (a
    debunked claim repeated by other stories), in the order they came."""
    out = [alert.story_id] if alert.story_id is not None else []
    for value in (alert.data or {}).get("story_ids", []):
        if isinstance(value, int) and value not in out:
            out.append(value)
    return out


def describe_alert(
    alert: Alert, rule: AlertRule, *, unread: bool = False, unit_name: str = ""
) -> dict[str, Any]:
    """The alert as the page and the JSON API both show it."""
    data = alert.data or {}
    return {
        "id": alert.id,
        "story_ids": story_ids_of(alert),
        "kind": alert.kind,
        "kinds": data.get("kinds", [alert.kind]),
        "severity": alert.severity,
        "message": alert.message,
        "message_en": data.get("message_en", alert.message),
        "story_id": alert.story_id,
        "fingerprint": alert.fingerprint,
        "count": alert.count,
        "places": data.get("places", []),
        "categories": data.get("categories", []),
        "created_at": alert.created_at.isoformat(),
        "updated_at": alert.updated_at.isoformat(),
        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
        "acknowledged_by_id": alert.acknowledged_by_id,
        "unread": unread,
        "rule": {"id": rule.id, "name": rule.name, "unit_id": rule.unit_id, "unit_name": unit_name},
        "details": data.get("details", {}),
    }


def alert_list(
    session: Session,
    user: User,
    scope: frozenset[int],
    *,
    open_only: bool = False,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """The alerts the user sees and their bell count: one builder for the page and the API."""
    from soitin.db.models import Unit

    settings = settings or get_settings()
    now = now or utcnow()
    rows = list_alerts(session, scope, open_only=open_only, limit=limit, offset=offset)
    unread = unread_alert_ids(session, user, (a.id for a, _ in rows))
    units: dict[int, str] = {
        row.id: row.name for row in session.execute(select(Unit.id, Unit.name))
    }
    active_since = now - timedelta(minutes=settings.alert_cooldown_minutes)
    alerts = []
    for alert, rule in rows:
        view = describe_alert(
            alert, rule, unread=alert.id in unread, unit_name=units.get(rule.unit_id, "")
        )
        view["active"] = alert.kind != TEST_KIND and alert.updated_at >= active_since
        alerts.append(view)
    return {"alerts": alerts, "unread": unread_count(session, user), "open_only": open_only}
