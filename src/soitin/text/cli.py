"""`soitin search ...`: the state of the stored search text, and re-indexing it."""

from __future__ import annotations

from typing import Annotated

import typer

from soitin.cli_errors import clear_errors

app = typer.Typer(
    help="Tìm kiếm / search: stored folded text and its full-text index.", no_args_is_help=True
)


@app.command("status")
def status_cmd() -> None:
    """Print the folding version of the stored search text and this code's."""
    from soitin.cli import console, db_session
    from soitin.text.reindex import reindex_status

    @clear_errors
    def run() -> None:
        with db_session() as session:
            status = reindex_status(session)
        state = (
            "đang chạy / under way"
            if status.under_way
            else "cần chạy / needed"
            if status.needed
            else "hiện hành / current"
        )
        console.print(
            f"folding: stored {status.stored_version}, code {status.code_version} — {state}; "
            f"rows {status.done:,}/{status.total:,}",
            highlight=False,
        )

    run()


@app.command("reindex")
def reindex_cmd(
    batch_size: Annotated[int, typer.Option(min=10, help="Rows per transaction.")] = 1000,
    force: Annotated[
        bool, typer.Option("--force", help="Re-fold everything even if the version is current.")
    ] = False,
) -> None:
    """Re-fold items' and stories' search text to this code's folding (resumable)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from soitin.cli import console, settings
    from soitin.db import open_database, require_current_schema
    from soitin.text.reindex import reindex_search, reindex_status

    @clear_errors
    def run() -> None:
        database = open_database(settings())
        require_current_schema(database)
        with database.session() as session:
            status = reindex_status(session)
        if not (force or status.needed or status.under_way):
            console.print(
                f"Đã hiện hành / already current (folding version {status.code_version}).",
                highlight=False,
            )
            return
        start = 0 if force and not status.under_way else status.done
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
        ) as bar:
            task = bar.add_task("re-index", total=status.total, completed=start)

            def advance(table: str, rows: int) -> None:
                bar.update(task, advance=rows, description=table)

            result = reindex_search(database, batch_size=batch_size, force=force, on_batch=advance)
        rate = (result.items_seen + result.stories_seen) / result.seconds if result.seconds else 0
        console.print(
            f"Re-index: {result.items_seen:,} items ({result.items_changed:,} changed), "
            f"{result.stories_seen:,} stories ({result.stories_changed:,} changed) "
            f"in {result.seconds:.1f} s ({rate:,.0f} rows/s); folding version "
            f"{status.code_version}.",
            highlight=False,
        )

    run()
