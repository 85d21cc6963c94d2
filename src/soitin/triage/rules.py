"""Alert rules: what a unit wants to be told about (places, categories, minimum severity),
when to keep quiet, and through which channels.

Stored on `AlertRule` as JSON:

* `channels` = `{"in_app": true, "webhooks": ["https://..."], "emails": ["a@b.vn"]}`;
* `quiet_hours` = `{"start": "22:00", "end": "06:00", "urgent_severity": 3}` (local time,
  `SOITIN_TIMEZONE`); during quiet hours webhooks and e-mails wait until the end, except for
  alerts of `urgent_severity` or more (4 = none breaks through). In-app alerts are silent and
  always appear at once. `{}` means no quiet hours.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import select
from sqlalchemy.orm import Session

from soitin.db.models import AlertRule, Category
from soitin.errors import InvalidInputError, NotFoundError
from soitin.ingest.fetch import FetchRefusedError, check_url
from soitin.messages import ERROR_MESSAGES
from soitin.settings import Settings, get_settings
from soitin.triage.wording import place_name

__all__ = [
    "Channels",
    "QuietHours",
    "RuleSpec",
    "channels_of",
    "check_webhook_urls",
    "create_rule",
    "describe_rule",
    "get_rule",
    "list_rules",
    "parse_rule_spec",
    "quiet_hours_of",
    "quiet_until",
    "rule_spec",
    "update_rule",
]

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_EMAIL = re.compile(r"^[^@\s<>,;\"']+@[^@\s<>,;\"']+$")
MAX_TARGETS = 20


class QuietHours(BaseModel):
    """A daily quiet period in local time; may run over midnight."""

    model_config = ConfigDict(extra="forbid")

    start: str
    end: str
    urgent_severity: int = Field(default=3, ge=1, le=4)

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        value = value.strip()
        if not _HHMM.match(value):
            raise PydanticCustomError("rule.time_of_day", "{value!r}", {"value": value})
        return value

    def bounds(self) -> tuple[time, time]:
        """(start, end) as times."""
        return time.fromisoformat(self.start), time.fromisoformat(self.end)


class Channels(BaseModel):
    """Where alerts of a rule go."""

    model_config = ConfigDict(extra="forbid")

    in_app: bool = True
    webhooks: list[str] = Field(default_factory=list, max_length=MAX_TARGETS)
    emails: list[str] = Field(default_factory=list, max_length=MAX_TARGETS)

    @field_validator("webhooks", "emails")
    @classmethod
    def _strip(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(v.strip() for v in values if v.strip()))

    @field_validator("emails")
    @classmethod
    def _emails(cls, values: list[str]) -> list[str]:
        for value in values:
            if not _EMAIL.match(value) or len(value) > 254:
                raise PydanticCustomError("rule.email", "{value!r}", {"value": value})
        return values


class RuleSpec(BaseModel):
    """Everything a rule says, validated (the API body and the form both become this)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=255)
    place_codes: list[str] = Field(default_factory=list, max_length=200)
    categories: list[str] = Field(default_factory=list)
    min_severity: int = Field(default=1, ge=1, le=3)
    quiet_hours: QuietHours | None = None
    channels: Channels = Field(default_factory=Channels)
    enabled: bool = True

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise PydanticCustomError("rule.needs_name", "a rule needs a name")
        return value

    @field_validator("place_codes")
    @classmethod
    def _places(cls, values: list[str]) -> list[str]:
        codes = list(dict.fromkeys(v.strip() for v in values if v.strip()))
        unknown = [c for c in codes if place_name(c) == c]
        if unknown:
            shown = ", ".join(unknown[:5])
            raise PydanticCustomError("rule.unknown_places", "{codes}", {"codes": shown})
        return codes

    @field_validator("categories")
    @classmethod
    def _categories(cls, values: list[str]) -> list[str]:
        known = {c.value for c in Category}
        cats = list(dict.fromkeys(v.strip() for v in values if v.strip()))
        wrong = [c for c in cats if c not in known]
        if wrong:
            raise PydanticCustomError(
                "rule.unknown_categories",
                "{wrong}",
                {"wrong": ", ".join(wrong), "known": ", ".join(sorted(known))},
            )
        return cats


def parse_rule_spec(data: Mapping[str, Any], settings: Settings | None = None) -> RuleSpec:
    """Validate a rule; webhook URLs must be addresses the safe HTTP client may reach."""
    try:
        spec = RuleSpec.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        if first["type"] in ERROR_MESSAGES:  # ours: said in the reader's language on pages
            params = dict(first.get("ctx") or {})
            raise InvalidInputError(key=first["type"], field=where, **params) from None
        message = str(first.get("msg", exc)).removeprefix("Value error, ")
        raise InvalidInputError(f"{where}: {message}" if where else message) from None
    check_webhook_urls(spec.channels.webhooks, settings)
    return spec


def check_webhook_urls(urls: Iterable[str], settings: Settings | None = None) -> None:
    """Refuse URLs the safe HTTP client would refuse (scheme, private IP literal, length)."""
    allowlist = (settings or get_settings()).fetch_allowlist
    for url in urls:
        try:
            check_url(url, allowlist)
        except FetchRefusedError as exc:
            raise InvalidInputError(
                key="rule.webhook_refused", field="channels.webhooks", reason=str(exc)
            ) from None


def _apply(rule: AlertRule, spec: RuleSpec) -> None:
    rule.name = spec.name
    rule.place_codes = list(spec.place_codes)
    rule.categories = list(spec.categories)
    rule.min_severity = spec.min_severity
    rule.quiet_hours = spec.quiet_hours.model_dump() if spec.quiet_hours else {}
    rule.channels = spec.channels.model_dump()
    rule.enabled = spec.enabled


def create_rule(session: Session, unit_id: int, spec: RuleSpec) -> AlertRule:
    """A new rule of the unit (the caller checked the permission and owns the transaction)."""
    rule = AlertRule(unit_id=unit_id)
    _apply(rule, spec)
    session.add(rule)
    session.flush()
    return rule


def update_rule(session: Session, rule: AlertRule, spec: RuleSpec) -> AlertRule:
    """Replace everything a rule says."""
    _apply(rule, spec)
    session.flush()
    return rule


def rule_spec(rule: AlertRule) -> RuleSpec:
    """The rule as a spec (for forms and the API)."""
    return RuleSpec.model_validate(
        {
            "name": rule.name,
            "place_codes": rule.place_codes,
            "categories": rule.categories,
            "min_severity": rule.min_severity,
            "quiet_hours": rule.quiet_hours or None,
            "channels": rule.channels or {},
            "enabled": rule.enabled,
        }
    )


def get_rule(session: Session, rule_id: int) -> AlertRule:
    """The rule with this id."""
    rule = session.get(AlertRule, rule_id)
    if rule is None:
        raise NotFoundError(key="alert.no_rule", rule_id=rule_id)
    return rule


def list_rules(session: Session, unit_ids: Iterable[int] | None = None) -> list[AlertRule]:
    """Rules of these units (all when None), by unit then name."""
    stmt = select(AlertRule).order_by(AlertRule.unit_id, AlertRule.name, AlertRule.id)
    if unit_ids is not None:
        stmt = stmt.where(AlertRule.unit_id.in_(list(unit_ids)))
    return list(session.scalars(stmt))


def channels_of(rule: AlertRule) -> Channels:
    """The rule's channels (a damaged value reads as in-app only)."""
    try:
        return Channels.model_validate(rule.channels or {})
    except ValidationError:
        return Channels()


def quiet_hours_of(rule: AlertRule) -> QuietHours | None:
    """The rule's quiet hours, if any (a damaged value reads as none)."""
    if not rule.quiet_hours:
        return None
    try:
        return QuietHours.model_validate(rule.quiet_hours)
    except ValidationError:
        return None


def quiet_until(quiet: QuietHours | None, at: datetime, tz: ZoneInfo) -> datetime | None:
    """When the quiet period containing `at` ends (UTC), or None when `at` is not quiet."""
    if quiet is None:
        return None
    start, end = quiet.bounds()
    if start == end:
        return None
    local = at.astimezone(tz)
    now_t = local.time().replace(tzinfo=None)
    today_end = datetime.combine(local.date(), end, tzinfo=tz)
    if start < end:
        inside = start <= now_t < end
        until = today_end
    else:  # over midnight, e.g. 22:00 → 06:00
        inside = now_t >= start or now_t < end
        until = today_end if now_t < end else today_end + timedelta(days=1)
    return until.astimezone(UTC) if inside else None


def describe_rule(rule: AlertRule, unit_name: str = "", *, reveal: bool = False) -> dict[str, Any]:
    """The rule as the page and the JSON API show it.

    Webhook URLs often carry a token in their path, so only people who may manage the rule
    (`reveal`) see them whole; others see the scheme and host.
    """
    spec = rule_spec(rule)
    data = spec.model_dump()
    if not reveal:
        data["channels"]["webhooks"] = [_mask_url(u) for u in spec.channels.webhooks]
    return {
        "id": rule.id,
        "unit_id": rule.unit_id,
        "unit_name": unit_name,
        **data,
        "created_at": rule.created_at.isoformat(),
    }


def _mask_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}/…"
