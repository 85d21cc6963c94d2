"""Typed SQLAlchemy 2 models: the nouns of soitin.

Times are timezone-aware UTC (`UTCDateTime`). Lists and maps (place codes, scores,
settings of a source) are JSON so that SQLite and PostgreSQL share one schema.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from soitin.db.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a stable constraint naming convention (for migrations)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[str]: JSON}


class Role(enum.StrEnum):
    """What a user may do; policies in `review/policies.py` read this."""

    ADMIN = "admin"
    LEAD = "lead"
    REVIEWER = "reviewer"
    VIEWER = "viewer"


class SourceKind(enum.StrEnum):
    """Where items come from."""

    FEED = "feed"
    FILE = "file"
    API = "api"
    TIP = "tip"


class Category(enum.StrEnum):
    """Harm categories a case can be confirmed as. No political-opinion category, by design."""

    MISINFORMATION = "misinformation"
    SCAM = "scam"
    TOXIC = "toxic"
    SPAM = "spam"


class CaseStatus(enum.StrEnum):
    """Where a case stands in its unit's queue."""

    OPEN = "open"
    ASSIGNED = "assigned"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    FORWARDED = "forwarded"
    ESCALATED = "escalated"
    CLOSED = "closed"


class Verdict(enum.StrEnum):
    """Fact-check verdicts of the claim library."""

    FALSE = "false"
    MISLEADING = "misleading"
    TRUE = "true"
    UNPROVEN = "unproven"


class ActionKind(enum.StrEnum):
    """Open, attributed responses the team records."""

    FACT_CHECK = "fact_check"
    CORRECTION = "correction"
    PLATFORM_REPORT = "platform_report"
    OFFICIAL_NOTICE = "official_notice"
    REFERRAL = "referral"
    PUBLIC_WARNING = "public_warning"


def _id() -> Mapped[int]:
    return mapped_column(Integer, primary_key=True, autoincrement=True)


def _created() -> Mapped[datetime]:
    return mapped_column(default=utcnow)


class Unit(Base):
    """An organisational unit: province office → commune/department units."""

    __tablename__ = "units"

    id: Mapped[int] = _id()
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    place_codes: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = _created()

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent")


class User(Base):
    """A person who signs in. Staff accounts only; never a profile of a post author."""

    __tablename__ = "users"

    id: Mapped[int] = _id()
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.VIEWER.value)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(8), default="vi")
    created_at: Mapped[datetime] = _created()
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)

    unit: Mapped[Unit] = relationship()


class Source(Base):
    """A feed, file export, push API client or the tip box; with its health."""

    __tablename__ = "sources"

    id: Mapped[int] = _id()
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(255), unique=True)
    url: Mapped[str | None] = mapped_column(Text, default=None)
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    is_outlet: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    poll_interval_s: Mapped[int] = mapped_column(Integer, default=900)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    etag: Mapped[str | None] = mapped_column(String(512), default=None)
    last_modified: Mapped[str | None] = mapped_column(String(128), default=None)
    last_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    last_success_at: Mapped[datetime | None] = mapped_column(default=None)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = _created()

    unit: Mapped[Unit | None] = relationship()


class ApiToken(Base):
    """A per-source push token; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = _id()
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = _created()
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)

    source: Mapped[Source] = relationship()


class Story(Base):
    """A cluster of near-duplicate items: what people review."""

    __tablename__ = "stories"

    id: Mapped[int] = _id()
    first_seen: Mapped[datetime] = _created()
    last_seen: Mapped[datetime] = _created()
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    source_count: Mapped[int] = mapped_column(Integer, default=0)
    reach: Mapped[int] = mapped_column(Integer, default=0)
    velocity: Mapped[float] = mapped_column(Float, default=0.0)
    velocity_earlier: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    representative_item_id: Mapped[int | None] = mapped_column(Integer, default=None)
    representative_text: Mapped[str] = mapped_column(Text, default="")
    #: The representative text folded for search (no diacritics, lower case): the review
    #: queue's substring search reads it here, not from one item row per case.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    province_codes: Mapped[list[str]] = mapped_column(default=list)
    ward_codes: Mapped[list[str]] = mapped_column(default=list)
    max_scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    category: Mapped[str | None] = mapped_column(String(32), default=None)
    updated_at: Mapped[datetime] = _created()

    __table_args__ = (
        Index("ix_stories_last_seen", "last_seen"),
        Index("ix_stories_first_seen", "first_seen"),
    )


class Item(Base):
    """One post, article or tip, entered once, keyed by (source, external id)."""

    __tablename__ = "items"

    id: Mapped[int] = _id()
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="RESTRICT"))
    external_id: Mapped[str] = mapped_column(String(512))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str | None] = mapped_column(Text, default=None)
    title: Mapped[str | None] = mapped_column(Text, default=None)
    text: Mapped[str | None] = mapped_column(Text, default=None)
    text_folded: Mapped[str] = mapped_column(Text, default="")
    author_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    platform: Mapped[str | None] = mapped_column(String(32), default=None)
    language: Mapped[str] = mapped_column(String(8), default="vi")
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    fetched_at: Mapped[datetime] = _created()
    likes: Mapped[int] = mapped_column(Integer, default=0)
    comments: Mapped[int] = mapped_column(Integer, default=0)
    shares: Mapped[int] = mapped_column(Integer, default=0)
    views: Mapped[int] = mapped_column(Integer, default=0)
    province_codes: Mapped[list[str]] = mapped_column(default=list)
    ward_codes: Mapped[list[str]] = mapped_column(default=list)
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    category: Mapped[str | None] = mapped_column(String(32), default=None)
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("stories.id", ondelete="SET NULL"), index=True
    )
    processed_at: Mapped[datetime | None] = mapped_column(default=None)
    raw_purged_at: Mapped[datetime | None] = mapped_column(default=None)

    source: Mapped[Source] = relationship()
    story: Mapped[Story | None] = relationship()

    __table_args__ = (
        UniqueConstraint("source_id", "external_id"),
        Index("ix_items_published_at", "published_at"),
        Index("ix_items_fetched_at", "fetched_at"),
        # a source's latest posts, whose repeated lines are its boilerplate (migration 0017)
        Index("ix_items_source_id_id", "source_id", "id"),
        # room for the row's next version on its page (migration 0015)
        {"postgresql_with": {"fillfactor": 50}},
    )

    @property
    def reach(self) -> int:
        """Engagement summed: what a story adds up as its reach."""
        return self.likes + self.comments + self.shares


class Claim(Base):
    """A fact-checked claim of the claim library (schema.org ClaimReview fields)."""

    __tablename__ = "claims"

    id: Mapped[int] = _id()
    text: Mapped[str] = mapped_column(Text)
    text_folded: Mapped[str] = mapped_column(Text, default="")
    verdict: Mapped[str] = mapped_column(String(16))
    url: Mapped[str | None] = mapped_column(Text, default=None)
    publisher: Mapped[str | None] = mapped_column(String(255), default=None)
    reviewed_on: Mapped[str | None] = mapped_column(String(10), default=None)
    language: Mapped[str] = mapped_column(String(8), default="vi")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime | None] = mapped_column(default=utcnow, onupdate=utcnow)


class Case(Base):
    """A story in one unit's review queue."""

    __tablename__ = "cases"

    id: Mapped[int] = _id()
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.OPEN.value)
    category: Mapped[str | None] = mapped_column(String(32), default=None)
    severity: Mapped[int] = mapped_column(Integer, default=1)
    priority: Mapped[float] = mapped_column(Float, default=0.0)
    priority_parts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    dismiss_reason: Mapped[str | None] = mapped_column(String(64), default=None)
    opened_at: Mapped[datetime] = _created()
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    first_response_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)

    story: Mapped[Story] = relationship()
    unit: Mapped[Unit] = relationship()
    assignee: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("story_id", "unit_id"),
        Index("ix_cases_queue", "unit_id", "status", "priority"),
        Index("ix_cases_opened_at", "opened_at"),
    )


class CaseEvent(Base):
    """One step on a case's timeline: decision, comment, forward, escalate, assign."""

    __tablename__ = "case_events"

    id: Mapped[int] = _id()
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = _created()
    note: Mapped[str | None] = mapped_column(Text, default=None)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Action(Base):
    """A response the team made openly, under its own name."""

    __tablename__ = "actions"

    id: Mapped[int] = _id()
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    at: Mapped[datetime] = _created()
    url: Mapped[str | None] = mapped_column(Text, default=None)
    channel: Mapped[str | None] = mapped_column(String(64), default=None)
    platform: Mapped[str | None] = mapped_column(String(64), default=None)
    reference: Mapped[str | None] = mapped_column(String(255), default=None)
    outcome: Mapped[str | None] = mapped_column(String(32), default=None)
    outcome_at: Mapped[datetime | None] = mapped_column(default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    #: Fact-checks: the claim library entry checked, the verdict given and the headline.
    claim_id: Mapped[int | None] = mapped_column(
        ForeignKey("claims.id", ondelete="SET NULL"), default=None
    )
    verdict: Mapped[str | None] = mapped_column(String(16), default=None)
    title: Mapped[str | None] = mapped_column(Text, default=None)

    __table_args__ = (Index("ix_actions_at", "at"),)


class Publication(Base):
    """One of the team's own posts or articles."""

    __tablename__ = "publications"

    id: Mapped[int] = _id()
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    channel: Mapped[str] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(Text, default=None)
    title: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str | None] = mapped_column(String(255), default=None)
    published_at: Mapped[datetime] = _created()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = _created()
    case_ids: Mapped[list[str]] = mapped_column(default=list)
    #: The platform's own id of the post (from an insights export), to match re-imports.
    external_id: Mapped[str | None] = mapped_column(String(255), default=None)

    __table_args__ = (
        Index("ix_publications_channel_external_id", "channel", "external_id"),
        Index("ix_publications_published_at", "published_at"),
    )


class PublicationSnapshot(Base):
    """Reach of a publication at one moment."""

    __tablename__ = "publication_snapshots"

    id: Mapped[int] = _id()
    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = _created()
    views: Mapped[int] = mapped_column(Integer, default=0)
    reactions: Mapped[int] = mapped_column(Integer, default=0)
    comments: Mapped[int] = mapped_column(Integer, default=0)
    shares: Mapped[int] = mapped_column(Integer, default=0)
    #: How the figures came in: form, api or import.
    source: Mapped[str] = mapped_column(String(16), default="form", server_default="form")

    __table_args__ = (
        Index("ix_publication_snapshots_publication_id_at", "publication_id", "at", unique=True),
    )


class AlertRule(Base):
    """What a unit wants to be told about, and how."""

    __tablename__ = "alert_rules"

    id: Mapped[int] = _id()
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    place_codes: Mapped[list[str]] = mapped_column(default=list)
    categories: Mapped[list[str]] = mapped_column(default=list)
    min_severity: Mapped[int] = mapped_column(Integer, default=1)
    quiet_hours: Mapped[dict[str, Any]] = mapped_column(default=dict)
    channels: Mapped[dict[str, Any]] = mapped_column(default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = _created()


class Alert(Base):
    """A raised alert; one open alert per (rule, fingerprint), updated rather than repeated."""

    __tablename__ = "alerts"

    id: Mapped[int] = _id()
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert_rules.id", ondelete="SET NULL"), index=True
    )
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(32))
    fingerprint: Mapped[str] = mapped_column(String(255))
    severity: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    count: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _created()
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    __table_args__ = (Index("ix_alerts_rule_fingerprint", "rule_id", "fingerprint"),)


class AlertNotification(Base):
    """An alert in one user's in-app inbox (the bell); `read_at` None means unread."""

    __tablename__ = "alert_notifications"

    id: Mapped[int] = _id()
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = _created()
    read_at: Mapped[datetime | None] = mapped_column(default=None)

    __table_args__ = (
        UniqueConstraint("alert_id", "user_id"),
        Index("ix_alert_notifications_inbox", "user_id", "read_at"),
    )


class AlertOutbox(Base):
    """One message to send (webhook or e-mail), written in the alert's own transaction."""

    __tablename__ = "alert_outbox"

    id: Mapped[int] = _id()
    alert_id: Mapped[int | None] = mapped_column(
        ForeignKey("alerts.id", ondelete="SET NULL"), index=True
    )
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("alert_rules.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = _created()
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = _created()
    sent_at: Mapped[datetime | None] = mapped_column(default=None)

    __table_args__ = (Index("ix_alert_outbox_due", "status", "next_attempt_at"),)


class AlertDeliveryAttempt(Base):
    """The delivery log: one row per attempt to send an outbox message."""

    __tablename__ = "alert_delivery_log"

    id: Mapped[int] = _id()
    outbox_id: Mapped[int] = mapped_column(
        ForeignKey("alert_outbox.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = _created()
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class AuditEvent(Base):
    """Append-only record of every state change and every view of raw item text."""

    __tablename__ = "audit_events"

    id: Mapped[int] = _id()
    at: Mapped[datetime] = _created()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(32), default=None)
    object_id: Mapped[str | None] = mapped_column(String(64), default=None)
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (
        Index("ix_audit_events_at", "at"),
        Index("ix_audit_events_actor_id_at", "actor_id", "at"),
        Index("ix_audit_events_object", "object_type", "object_id"),
        Index("ix_audit_events_ip_at", "ip", "at"),
    )


class UserToken(Base):
    """A personal API token of a user (for scripts); only its hash is stored, revocable."""

    __tablename__ = "user_tokens"

    id: Mapped[int] = _id()
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    prefix: Mapped[str] = mapped_column(String(16), default="")
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = _created()
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship()


class StorySignature(Base):
    """A MinHash signature of one variant of a story (its first item, then each new variant)."""

    __tablename__ = "story_signatures"

    id: Mapped[int] = _id()
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(Integer, default=None)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = _created()


class StoryBandKey(Base):
    """One LSH band key (or exact-text key) → the signature that owns it; shared by workers.

    PostgreSQL only: SQLite's single writer makes it unneeded there, and it stays empty.

    `signature_id` has no foreign key and no index (migration 0011): keys are inserted by the
    tens of thousands and only looked up by `band_key`; signatures are never deleted.
    """

    __tablename__ = "story_band_keys"

    band_key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    signature_id: Mapped[int] = mapped_column(Integer)


class StoryTimelineBucket(Base):
    """Items and reach of a story in one hour (UTC): the story page's timeline."""

    __tablename__ = "story_timeline"

    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )
    bucket_start: Mapped[datetime] = mapped_column(primary_key=True)
    items: Mapped[int] = mapped_column(Integer, default=0)
    reach: Mapped[int] = mapped_column(Integer, default=0)


class StorySource(Base):
    """A source that carried items of a story."""

    __tablename__ = "story_sources"

    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    items: Mapped[int] = mapped_column(Integer, default=0)
    first_seen: Mapped[datetime] = _created()


class StoryClaimQueue(Base):
    """A new story waiting for (semantic) claim matching."""

    __tablename__ = "story_claim_queue"

    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    queued_at: Mapped[datetime] = _created()


class StoryClaimMatch(Base):
    """A claim of the library that a story's representative repeats, with score and passage."""

    __tablename__ = "story_claim_matches"

    id: Mapped[int] = _id()
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    lexical: Mapped[float] = mapped_column(Float, default=0.0)
    semantic: Mapped[float | None] = mapped_column(Float, default=None)
    passage: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(String(16), default="lexical")
    matched_at: Mapped[datetime] = _created()

    __table_args__ = (UniqueConstraint("story_id", "claim_id"),)


class ClaimEmbedding(Base):
    """The multilingual-e5 vector of a claim's text (float32 bytes), keyed by model and text."""

    __tablename__ = "claim_embeddings"

    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    model: Mapped[str] = mapped_column(String(64))
    text_hash: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = _created()


class FailedTask(Base):
    """A broker task that failed after all its retries: the dead-letter place an admin sees."""

    __tablename__ = "failed_tasks"

    id: Mapped[int] = _id()
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    queue: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(128))
    args: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    retries: Mapped[int] = mapped_column(Integer, default=0)
    failed_at: Mapped[datetime] = _created()
    retried_at: Mapped[datetime | None] = mapped_column(default=None)
    retried_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ScheduleRun(Base):
    """One run of a scheduled job per time slot; the unique key makes it happen exactly once."""

    __tablename__ = "schedule_runs"

    id: Mapped[int] = _id()
    job: Mapped[str] = mapped_column(String(64))
    slot: Mapped[int] = mapped_column(Integer)
    claimed_at: Mapped[datetime] = _created()
    claimed_by: Mapped[str] = mapped_column(String(128), default="")

    __table_args__ = (UniqueConstraint("job", "slot"),)


class StatsDay(Base):
    """Items or stories of one closed local day, counted by category and place set.

    A cache kept by the statistics service (`soitin.report.rollup`) so that a month is summed
    from a few thousand rows instead of scanning every item; `StatsDayDone` marks the days
    computed. Place sets are the stored JSON text of the rows counted.
    """

    __tablename__ = "stats_days"

    id: Mapped[int] = _id()
    kind: Mapped[str] = mapped_column(String(8))
    tz: Mapped[str] = mapped_column(String(64))
    day: Mapped[str] = mapped_column(String(10))
    category: Mapped[str | None] = mapped_column(String(32), default=None)
    province_codes: Mapped[str] = mapped_column(Text, default="[]")
    ward_codes: Mapped[str] = mapped_column(Text, default="[]")
    count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_stats_days_kind_tz_day", "kind", "tz", "day"),)


class ShadowScore(Base):
    """A candidate model version's result on one item, stored beside the active version's.

    Written by the detect stage when a shadow folder is configured; never used for
    categories, queues or alerts — only for the comparison report before switching.
    """

    __tablename__ = "shadow_scores"
    __table_args__ = (
        UniqueConstraint("item_id", "detector", "version"),
        Index("ix_shadow_scores_detector_version", "detector", "version"),
    )

    id: Mapped[int] = _id()
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    detector: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(32))
    score: Mapped[float] = mapped_column(Float)
    active_version: Mapped[str] = mapped_column(String(64))
    active_label: Mapped[str] = mapped_column(String(32))
    active_score: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = _created()


class StatsDayDone(Base):
    """One day of `StatsDay` rows computed (per kind and time zone)."""

    __tablename__ = "stats_days_done"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    tz: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    computed_at: Mapped[datetime] = _created()


class MetaValue(Base):
    """One fact about the stored data, by key (`soitin.db.meta`): e.g. the search folding
    version the stored text was written with."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = _created()
