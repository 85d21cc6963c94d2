"""Render a report in one format, and generate the weekly or monthly reports on schedule.

`generate_scheduled` is what the worker's scheduler calls (or `soitin report --schedule
weekly`): for every unit it writes the report of the last complete week or month into
`<data_dir>/reports/<unit>/`, skipping files already there, so running it twice is harmless.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from soitin.db.engine import Database
from soitin.db.models import Unit
from soitin.db.types import utcnow
from soitin.errors import InvalidInputError
from soitin.report.periods import Period, last_complete
from soitin.review.accounts import valid_unit_code

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "RenderedReport",
    "generate_scheduled",
    "render_report",
    "report_filename",
    "unit_folder",
]

Format = Literal["xlsx", "pdf", "csv", "claimreview"]
FORMATS: tuple[Format, ...] = ("xlsx", "pdf", "csv", "claimreview")
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "claimreview": "application/ld+json",
}
_EXTENSIONS = {"xlsx": "xlsx", "pdf": "pdf", "csv": "csv", "claimreview": "json"}


@dataclass
class RenderedReport:
    """A report file: its bytes, a file name and a media type."""

    content: bytes
    filename: str
    media_type: str


def unit_folder(root: Path, unit: Unit) -> Path:
    """The folder of a unit's scheduled reports under `root`: its code, or `unit-ID` for a
    code from before codes were checked that is not a safe folder name (`valid_unit_code`);
    never outside `root`."""
    name = unit.code if valid_unit_code(unit.code) else f"unit-{unit.id}"
    folder = root / name
    if not folder.resolve().is_relative_to(root.resolve()):  # belt and braces
        raise InvalidInputError(key="report.folder_outside", unit_id=unit.id, root=root)
    return folder


def report_filename(unit_code: str, period: Period, fmt: str) -> str:
    """`bao-cao_<unit>_<period>.<ext>` (`kiem-chung_...json` for ClaimReview)."""
    safe_unit = "".join(c if c.isalnum() or c in "-_" else "-" for c in unit_code)
    safe_period = period.label.replace("..", "_")
    stem = "kiem-chung" if fmt == "claimreview" else "bao-cao"
    return f"{stem}_{safe_unit}_{safe_period}.{_EXTENSIONS[fmt]}"


def render_report(
    session: Session,
    unit_id: int,
    period: Period,
    fmt: str,
    *,
    tz: ZoneInfo,
    now: datetime | None = None,
    store_rollup: bool = True,
) -> RenderedReport:
    """The report of `unit_id` for `period` in `fmt` (xlsx, pdf, csv or claimreview).

    `store_rollup=False` for a read-only session (see `compute_statistics`).
    """
    if fmt not in FORMATS:
        raise InvalidInputError(key="report.unknown_format", value=fmt, known=", ".join(FORMATS))
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise InvalidInputError(key="report.no_unit", unit_id=unit_id)
    filename = report_filename(unit.code, period, fmt)
    if fmt == "claimreview":
        from soitin.report.claimreview import claimreview_items, claimreview_json

        items = claimreview_items(session, unit_id, period, tz=tz)
        return RenderedReport(claimreview_json(items), filename, MEDIA_TYPES[fmt])
    from soitin.report.document import build_report

    doc = build_report(session, unit_id, period, tz=tz, now=now, store_rollup=store_rollup)
    if fmt == "xlsx":
        from soitin.report.xlsx import report_xlsx

        content = report_xlsx(doc)
    elif fmt == "pdf":
        from soitin.report.pdf import report_pdf

        content = report_pdf(doc)
    else:
        from soitin.report.csv_export import report_csv

        content = report_csv(doc)
    return RenderedReport(content, filename, MEDIA_TYPES[fmt])


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def generate_scheduled(
    database: Database,
    schedule: Literal["weekly", "monthly"],
    *,
    out_dir: Path,
    tz: ZoneInfo,
    today: date | None = None,
    unit_codes: Sequence[str] | None = None,
    formats: Sequence[str] = ("xlsx", "pdf"),
) -> list[Path]:
    """Write the last complete week's or month's reports of every unit (or of `unit_codes`).

    Files already present are kept (the scheduler may call this more than once per period);
    returns the paths written now.
    """
    if schedule not in ("weekly", "monthly"):
        raise InvalidInputError(key="report.schedule")
    for fmt in formats:
        if fmt not in FORMATS:
            raise InvalidInputError(key="report.unknown_format_short", value=fmt)
    now = utcnow()
    period = last_complete(
        "week" if schedule == "weekly" else "month", today or now.astimezone(tz).date()
    )
    written: list[Path] = []
    with database.session() as session:
        stmt = select(Unit).order_by(Unit.code)
        if unit_codes:
            stmt = stmt.where(Unit.code.in_(list(unit_codes)))
        units = list(session.scalars(stmt))
        if unit_codes and len(units) != len(set(unit_codes)):
            missing = sorted(set(unit_codes) - {u.code for u in units})
            raise InvalidInputError(key="unit.no_code", code=missing[0])
        for unit in units:
            for fmt in formats:
                path = unit_folder(out_dir, unit) / report_filename(unit.code, period, fmt)
                if path.exists():
                    continue
                rendered = render_report(session, unit.id, period, fmt, tz=tz, now=now)
                session.commit()  # keeps the roll-up days computed
                _write_atomically(path, rendered.content)
                written.append(path)
    return written
