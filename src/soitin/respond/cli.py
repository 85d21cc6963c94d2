"""`soitin publications ...`: the team's own publications and their reach."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from soitin.cli_errors import clear_errors
from soitin.errors import InvalidInputError

__all__ = ["publications_app"]

publications_app = typer.Typer(
    help="Bài đăng của đơn vị / the team's own publications and reach.", no_args_is_help=True
)


@publications_app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="Insights export (CSV, or YouTube Studio ZIP).")],
    platform: Annotated[str, typer.Option(help="facebook, youtube or tiktok.")],
    unit: Annotated[str, typer.Option(help="Code of the unit whose publications these are.")],
    at: Annotated[
        str | None,
        typer.Option(help="When the figures were exported (ISO 8601 with zone; default now)."),
    ] = None,
    day_first: Annotated[
        bool | None,
        typer.Option("--day-first/--month-first", help="How numeric dates are written."),
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option(help="FIELD=Header for a column the importer does not know; repeatable."),
    ] = None,
) -> None:
    """Nhập số liệu tiếp cận / import a platform's insights export as reach snapshots."""

    clear_errors(_import)(file, platform, unit, at, day_first, column or [])


def _import(
    file: Path,
    platform: str,
    unit: str,
    at: str | None,
    day_first: bool | None,
    columns: list[str],
) -> None:
    from soitin.cli import console, db_session, settings
    from soitin.respond.insights import import_insights
    from soitin.review.accounts import get_unit

    overrides: dict[str, str] = {}
    for entry in columns:
        name, sep, header = entry.partition("=")
        if not sep or not name.strip() or not header.strip():
            raise InvalidInputError(f"--column needs FIELD=Header, not {entry!r}.")
        overrides[name.strip()] = header.strip()
    moment = None
    if at:
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            raise InvalidInputError(f"--at {at!r} is not an ISO 8601 time.") from None
        if moment.tzinfo is None:
            raise InvalidInputError("--at needs a time zone, e.g. 2026-11-03T08:00+07:00.")
    if not file.is_file():
        raise InvalidInputError(f"No file {file}.")
    cfg = settings()
    with db_session() as session:
        result = import_insights(
            session,
            file.read_bytes(),
            platform=platform,
            unit_id=get_unit(session, unit).id,
            at=moment,
            day_first=day_first,
            tz=cfg.tz,
            column_overrides=overrides,
        )
    console.print(
        f"rows {result.rows}, new publications {result.created}, matched {result.matched}, "
        f"snapshots {result.snapshots}, unchanged {result.unchanged}, "
        f"skipped {len(result.skipped)}",
        highlight=False,
    )
    for line, reason in result.skipped[:20]:
        console.print(f"  line {line}: {reason}", highlight=False, markup=False)
