"""`soitin review ...`: triage, overdue escalation and decision labels from the shell."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from soitin.cli_errors import clear_errors

app = typer.Typer(help="Xử lý vụ việc / review: triage, escalation, labels.", no_args_is_help=True)


@app.command("triage")
def triage_cmd(
    hours: Annotated[int, typer.Option(help="Stories seen in the last N hours.")] = 24,
) -> None:
    """(Re)triage the stories seen recently: open or refresh their cases."""
    from soitin.cli import console, db_session
    from soitin.db.models import Story
    from soitin.review.triage import triage_stories

    @clear_errors
    def run() -> None:
        since = datetime.now(UTC) - timedelta(hours=hours)
        with db_session() as session:
            ids = list(session.scalars(select(Story.id).where(Story.last_seen >= since)))
            result = triage_stories(session, ids)
        console.print(
            f"Triage: {len(result.created)} new, {len(result.updated)} refreshed, "
            f"{result.skipped} without a case.",
            highlight=False,
        )

    run()


@app.command("escalate-overdue")
def escalate_cmd() -> None:
    """Mark overdue cases and escalate them to the parent unit's lead."""
    from soitin.cli import console, db_session
    from soitin.review.triage import escalate_overdue

    @clear_errors
    def run() -> None:
        with db_session() as session:
            ids = escalate_overdue(session)
        console.print(f"{len(ids)} overdue case(s) escalated.", highlight=False)

    run()


@app.command("labels")
def labels_cmd(
    out: Annotated[Path | None, typer.Option(help="JSONL file (default: standard output).")] = None,
) -> None:
    """Write the reviewers' decisions as training labels (JSON lines)."""
    from soitin.cli import db_session
    from soitin.review.labels import decided_labels

    @clear_errors
    def run() -> None:
        with db_session() as session:
            lines = [
                json.dumps(lab.to_json(), ensure_ascii=False) for lab in decided_labels(session)
            ]
        text = "".join(line + "\n" for line in lines)
        if out is None:
            sys.stdout.write(text)
        else:
            out.write_text(text, encoding="utf-8")

    run()
