"""`soitin ingest ...` (feeds, files) and `soitin source ...` (list, add, tokens)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from soitin.cli_errors import clear_errors
from soitin.db import open_database, require_current_schema
from soitin.db.engine import Database
from soitin.db.models import SourceKind
from soitin.settings import Settings, get_settings

ingest_app = typer.Typer(
    help="Thu thập tin / ingest: news feeds and file imports.", no_args_is_help=True
)
source_app = typer.Typer(help="Nguồn tin / sources: list, add, push tokens.", no_args_is_help=True)

console = Console()
err = Console(stderr=True)
#: Files larger than this get a progress bar (on a terminal).
PROGRESS_MIN_BYTES = 1 << 20


def _settings() -> Settings:
    get_settings.cache_clear()
    return get_settings()


def _database(settings: Settings) -> Database:
    database = open_database(settings)
    require_current_schema(database)
    return database


def _when(value: Any) -> str:
    return value.astimezone(_settings().tz).strftime("%d/%m/%Y %H:%M") if value else "-"


@ingest_app.command("feeds")
@clear_errors
def feeds_cmd(
    loop: Annotated[bool, typer.Option("--loop", help="Keep polling on schedule.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Poll every enabled feed now, due or not.")
    ] = False,
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Only this feed (repeatable).")
    ] = None,
) -> None:
    """Poll the feeds that are due once (or keep polling with --loop)."""
    from soitin.ingest.feeds import PollResult, poll_due_feeds, run_feed_loop
    from soitin.ingest.fetch import SafeClient

    settings = _settings()
    database = _database(settings)

    def show(results: list[PollResult]) -> None:
        if not results:
            if not loop:
                console.print("Không có nguồn nào đến hạn / no feed is due.")
            return
        table = Table("feed", "status", "new", "dup", "refused", "error")
        for r in results:
            table.add_row(
                Text(r.source_name),
                r.status,
                str(r.inserted),
                str(r.duplicates),
                str(len(r.rejected)),
                Text(r.error or (str(r.rejected[0]) if r.rejected else "")),
            )
        console.print(table)

    with SafeClient(settings=settings) as client:
        if loop:
            console.print("Polling feeds on schedule; Ctrl+C stops.")
            try:
                run_feed_loop(database, client, on_results=show)
            except KeyboardInterrupt:
                console.print("Stopped.")
            return
        show(poll_due_feeds(database, client, force=force, names=source or ()))


@ingest_app.command("file")
@clear_errors
def file_cmd(
    path: Annotated[Path, typer.Argument(help="JSONL or CSV file.", show_default=False)],
    source: Annotated[str, typer.Option("--source", help="Name of the source to import into.")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="jsonl or csv (default: from the name).")
    ] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding (default: detected).")] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN, e.g. --map text=message (repeatable)."),
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option(help="CSV delimiter (default: detected).")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000)] = 1000,
) -> None:
    """Import a JSONL or CSV file; refused rows are listed with their line numbers.

    Exit code 0: every row imported (or already there); 2: some rows were refused.
    """
    from soitin.ingest.files import import_file, parse_mapping
    from soitin.ingest.sources import get_source

    settings = _settings()
    database = _database(settings)
    with database.session() as session:
        target = get_source(session, source)
    columns = parse_mapping(mapping or [])
    size = path.stat().st_size if path.is_file() else 0
    show_bar = size >= PROGRESS_MIN_BYTES and err.is_terminal
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not show_bar,
    ) as progress:
        task = progress.add_task(escape(path.name), total=size)
        result = import_file(
            database,
            target,
            path,
            fmt=fmt,
            encoding=encoding,
            mapping=columns,
            delimiter=delimiter,
            batch_size=batch_size,
            on_progress=lambda done: progress.update(task, completed=done),
        )
    console.print(
        f"{path.name} ({result.format}, {result.encoding}): {result.rows:,} rows, "
        f"{result.inserted:,} new, {result.duplicates:,} already there, "
        f"{result.rejected:,} refused.",
        highlight=False,
        markup=False,
    )
    if result.columns:
        used = ", ".join(f"{k}←{v}" for k, v in result.columns.items())
        console.print(f"Columns: {used}", highlight=False, markup=False)
    for error in result.errors[:50]:
        err.print(f"  line {error.line}: {error.reason}", highlight=False, markup=False)
    if result.rejected > 50:
        err.print(f"  ... and {result.rejected - 50:,} more refused rows", highlight=False)
    if result.rejected:
        raise typer.Exit(2)


@source_app.command("list")
@clear_errors
def source_list() -> None:
    """List sources with their health (last attempt/success, failures, items per day)."""
    from soitin.ingest.sources import list_sources

    database = _database(_settings())
    with database.session() as session:
        rows = list_sources(session)
    table = Table(
        "id",
        "kind",
        "name",
        "unit",
        "on",
        "every",
        "last attempt",
        "last success",
        "fails",
        "items",
        "per day",
        "tokens",
        "last error",
    )
    for s in rows:
        table.add_row(
            str(s.id),
            s.kind,
            Text(s.name),
            Text(s.unit_code or "-"),
            "yes" if s.enabled else "no",
            f"{s.poll_interval_s // 60} min" if s.kind == SourceKind.FEED.value else "-",
            _when(s.last_attempt_at),
            _when(s.last_success_at),
            str(s.consecutive_failures),
            f"{s.items_total:,}",
            f"{s.items_per_day:g}",
            str(s.active_tokens),
            Text(s.last_error or ""),
        )
    console.print(table)


@source_app.command("add")
@clear_errors
def source_add(
    name: Annotated[str, typer.Argument(help="Unique name (the outlet or page name).")],
    kind: Annotated[str, typer.Option(help="feed, file, api or tip.")] = "feed",
    url: Annotated[str | None, typer.Option(help="Feed URL (http/https).")] = None,
    unit: Annotated[str | None, typer.Option(help="Code of the owning unit.")] = None,
    interval: Annotated[int, typer.Option(help="Polling interval in minutes (feeds).", min=1)] = 15,
    disabled: Annotated[bool, typer.Option("--disabled", help="Add it switched off.")] = False,
    outlet: Annotated[
        bool, typer.Option("--outlet", help="The source is a news outlet or official page.")
    ] = False,
) -> None:
    """Add a source."""
    from soitin.ingest.sources import add_source

    settings = _settings()
    database = _database(settings)
    with database.transaction() as session:
        source = add_source(
            session,
            allowlist=settings.fetch_allowlist,
            kind=kind,
            name=name,
            url=url,
            unit_code=unit,
            poll_interval_s=interval * 60,
            enabled=not disabled,
            is_outlet=outlet,
        )
        source_id = source.id
    console.print(
        f"Source {name!r} ({kind}) added with id {source_id}.", highlight=False, markup=False
    )


@source_app.command("set")
@clear_errors
def source_set(
    source: Annotated[str, typer.Argument(help="Source name or id.")],
    enable: Annotated[
        bool | None, typer.Option("--enable/--disable", help="Switch the source on or off.")
    ] = None,
    interval: Annotated[
        int | None, typer.Option(help="Polling interval in minutes (feeds).", min=1)
    ] = None,
    url: Annotated[str | None, typer.Option(help="New feed URL (http/https).")] = None,
    name: Annotated[str | None, typer.Option(help="New unique name.")] = None,
) -> None:
    """Change a source: switch it on or off, its polling interval, feed URL or name."""
    from soitin.ingest.sources import get_source, update_source

    settings = _settings()
    database = _database(settings)
    with database.transaction() as session:
        target = get_source(session, source)
        changes = update_source(
            session,
            target,
            name=name,
            url=url,
            enabled=enable,
            poll_interval_s=None if interval is None else interval * 60,
            allowlist=settings.fetch_allowlist,
        )
        shown = target.name
    if not changes:
        console.print(f"Source {shown!r}: nothing to change.", highlight=False, markup=False)
        return
    for field, (before, after) in changes.items():
        console.print(f"{shown}: {field} {before!r} -> {after!r}", highlight=False, markup=False)


@source_app.command("token")
@clear_errors
def source_token(
    source: Annotated[str, typer.Argument(help="Source name or id.")],
    name: Annotated[str, typer.Option(help="A label for the token (who uses it).")] = "",
) -> None:
    """Issue a push-API token for SOURCE; it is printed once and stored only hashed."""
    from soitin.ingest.sources import get_source, issue_token

    database = _database(_settings())
    with database.transaction() as session:
        target = get_source(session, source)
        raw = issue_token(session, target, name=name)
        source_name = target.name
    console.print(
        f"Token for {source_name!r} (printed once, keep it secret):",
        highlight=False,
        markup=False,
    )
    console.print(raw, highlight=False, markup=False, soft_wrap=True)


@source_app.command("revoke-token")
@clear_errors
def source_revoke_token(
    source: Annotated[str, typer.Argument(help="Source name or id.")],
    token_id: Annotated[
        int | None, typer.Option("--id", help="Revoke only this token (default: all).")
    ] = None,
) -> None:
    """Revoke the push tokens of SOURCE (all of them, or one with --id)."""
    from soitin.ingest.sources import get_source, revoke_tokens

    database = _database(_settings())
    with database.transaction() as session:
        target = get_source(session, source)
        count = revoke_tokens(session, target, token_id=token_id)
    console.print(f"{count} token(s) revoked.", highlight=False)
