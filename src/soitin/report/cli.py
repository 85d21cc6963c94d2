"""`soitin report`: periodic reports (XLSX, PDF, CSV, ClaimReview), once or on schedule."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from soitin.cli_errors import clear_errors
from soitin.errors import InvalidInputError

__all__ = ["report_cmd"]


def report_cmd(
    unit: Annotated[
        str | None, typer.Option(help="Unit code (with --schedule: only this unit).")
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            help="2026-11 (month), 2026-W45 (week), 2026-11-03 or 2026-11-01..2026-11-15."
        ),
    ] = None,
    format: Annotated[
        str | None, typer.Option("--format", help="xlsx, pdf, csv or claimreview.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="File (or, with --schedule, folder) to write.")
    ] = None,
    schedule: Annotated[
        str | None,
        typer.Option(help="weekly or monthly: every unit's report of the last complete period."),
    ] = None,
    refresh_stats: Annotated[
        bool,
        typer.Option(
            "--refresh-stats",
            help="Drop the daily statistics cache (from --since) so it is counted again.",
        ),
    ] = False,
    since: Annotated[
        str | None, typer.Option(help="With --refresh-stats: first day to drop (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Báo cáo định kỳ / write a unit's report for a period, or the scheduled reports."""

    if refresh_stats:
        clear_errors(_refresh)(since)
        return
    clear_errors(_run)(unit, period, format, out, schedule)


def _refresh(since: str | None) -> None:
    from datetime import date

    from soitin.cli import console, db_session
    from soitin.report.rollup import refresh

    try:
        first = date.fromisoformat(since) if since else None
    except ValueError:
        raise InvalidInputError(f"--since {since!r} is not a date (YYYY-MM-DD).") from None
    with db_session() as session:
        dropped = refresh(session, first)
    console.print(f"{dropped} cached statistics day(s) dropped.", highlight=False)


def _run(
    unit: str | None,
    period: str | None,
    fmt: str | None,
    out: Path | None,
    schedule: str | None,
) -> None:
    from soitin.cli import console, db_session, settings
    from soitin.db import open_database, require_current_schema
    from soitin.report.generate import generate_scheduled, render_report
    from soitin.report.periods import parse_period
    from soitin.review.accounts import get_unit

    cfg = settings()
    if schedule is not None:
        if schedule not in ("weekly", "monthly"):
            raise InvalidInputError("--schedule is weekly or monthly.")
        if period is not None:
            raise InvalidInputError("--schedule chooses the period itself; leave out --period.")
        database = open_database(cfg)
        require_current_schema(database)
        written = generate_scheduled(
            database,
            "weekly" if schedule == "weekly" else "monthly",
            out_dir=out or cfg.data_dir / "reports",
            tz=cfg.tz,
            unit_codes=[unit] if unit else None,
            formats=[fmt] if fmt else ("xlsx", "pdf"),
        )
        for path in written:
            console.print(str(path), highlight=False, markup=False)
        console.print(f"{len(written)} report file(s) written.", highlight=False)
        return
    if unit is None or period is None:
        raise InvalidInputError("Give --unit and --period (or --schedule weekly|monthly).")
    with db_session() as session:
        rendered = render_report(
            session, get_unit(session, unit).id, parse_period(period), fmt or "xlsx", tz=cfg.tz
        )
    target = out or Path(rendered.filename)
    if target.is_dir():
        target = target / rendered.filename
    target.write_bytes(rendered.content)
    console.print(f"{target} ({len(rendered.content)} bytes)", highlight=False, markup=False)
