"""One typed settings object, read once (environment over `.env` over defaults)."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError, field_validator, model_validator
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
    #: Comma-separated IP networks (CIDR) the safe HTTP client may reach although private.
    fetch_allowlist: str = ""

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
