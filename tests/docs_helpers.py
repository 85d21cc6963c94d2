"""Walk the Typer app and the settings, for the documentation tests."""

from __future__ import annotations

import typer
from typer.main import get_command

from soitin.cli import app
from soitin.settings import Settings


def all_commands() -> list[str]:
    """Every leaf command as `soitin a b`."""
    root = get_command(app)
    out: list[str] = []

    def walk(cmd: object, prefix: str) -> None:
        sub = getattr(cmd, "commands", None)
        if sub:
            for name, child in sub.items():
                walk(child, f"{prefix} {name}")
        else:
            out.append(prefix)

    walk(root, "soitin")
    return sorted(out)


def all_setting_names() -> list[str]:
    """Every setting as its environment variable."""
    return sorted(f"SOITIN_{name.upper()}" for name in Settings.model_fields)


__all__ = ["all_commands", "all_setting_names", "typer"]
