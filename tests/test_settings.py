"""Settings: defaults, secrets refused in production, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from soitin.errors import ConfigError
from soitin.settings import load_settings


def test_defaults_are_vietnamese_and_local(tmp_path: Path) -> None:
    cfg = load_settings(data_dir=tmp_path)
    assert cfg.timezone == "Asia/Ho_Chi_Minh"
    assert cfg.language == "vi"
    assert cfg.database_url == f"sqlite:///{tmp_path / 'soitin.db'}"
    assert len(cfg.secret_key) >= 32
    # development keeps the generated secret across restarts
    assert load_settings(data_dir=tmp_path).secret_key == cfg.secret_key


@pytest.mark.parametrize("secret", ["", "changeme", "short"])
def test_production_refuses_missing_or_placeholder_secret(tmp_path: Path, secret: str) -> None:
    with pytest.raises(ConfigError, match="SOITIN_SECRET_KEY"):
        load_settings(
            env="production", data_dir=tmp_path, secret_key=secret, pseudonym_key="p" * 32
        )


def test_production_accepts_real_secrets(tmp_path: Path) -> None:
    cfg = load_settings(
        env="production", data_dir=tmp_path, secret_key="s" * 40, pseudonym_key="p" * 40
    )
    assert cfg.secret_key == "s" * 40


def test_unknown_time_zone_is_one_clear_sentence(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SOITIN_TIMEZONE: unknown time zone"):
        load_settings(data_dir=tmp_path, timezone="Mars/Olympus")


def test_environment_variables_use_the_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOITIN_LANGUAGE", "en")
    monkeypatch.setenv("SOITIN_DATA_DIR", str(tmp_path))
    assert load_settings().language == "en"
