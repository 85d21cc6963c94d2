"""The entry the worker's scheduler calls for the weekly and monthly reports.

`generate_scheduled_reports(database, "weekly")` writes the last complete week's XLSX and PDF
report of every unit into `<SOITIN_DATA_DIR>/reports/<unit>/` (existing files are kept), in
the configured time zone; `soitin report --schedule weekly` does the same from the shell.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from soitin.db.engine import Database
from soitin.report.generate import generate_scheduled
from soitin.settings import Settings, get_settings

__all__ = ["generate_scheduled_reports"]


def generate_scheduled_reports(
    database: Database,
    schedule: Literal["weekly", "monthly"],
    settings: Settings | None = None,
) -> list[Path]:
    """Every unit's report of the last complete week or month; returns the files written."""
    cfg = settings or get_settings()
    return generate_scheduled(database, schedule, out_dir=cfg.data_dir / "reports", tz=cfg.tz)
