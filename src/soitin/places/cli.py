"""`soitin places ...`: tag places in a text or a CSV file, and evaluate the tagger."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from soitin.places.evaluate import evaluate, read_examples
from soitin.places.tagger import PlaceTags, get_tagger

app = typer.Typer(
    help="Địa danh / places: tag provinces and communes (2025 map) in Vietnamese text.",
    no_args_is_help=True,
)

#: The labelled sentences shipped with the repository (tests/data/places_eval.csv).
DEFAULT_EVAL_FILE = Path(__file__).resolve().parents[3] / "tests" / "data" / "places_eval.csv"


def _line(tags: PlaceTags, row_id: str | None = None) -> str:
    data: dict[str, object] = {} if row_id is None else {"id": row_id}
    data.update(tags.to_dict())
    return json.dumps(data, ensure_ascii=False)


@app.command("tag")
def tag_command(
    text: Annotated[str, typer.Argument(help="Vietnamese text (with or without diacritics).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Tag the places of one text."""
    tagger = get_tagger()
    tags = tagger.tag(text)
    if as_json:
        typer.echo(_line(tags))
        return
    if not tags.mentions:
        typer.echo("Không tìm thấy địa danh / no place found.")
        return
    for m in tags.mentions:
        typer.echo(f"{m.start}-{m.end}\t{m.text}\t{m.level}\t{m.code}\t{m.name}")
    typer.echo(f"provinces: {' '.join(tags.province_codes)}")
    if tags.ward_codes:
        typer.echo(f"wards: {' '.join(tags.ward_codes)}")


@app.command("tag-file")
def tag_file_command(
    file: Annotated[Path, typer.Argument(help="CSV file (UTF-8, header row).")],
    text_column: Annotated[str, typer.Option(help="Column holding the text.")] = "text",
    id_column: Annotated[str, typer.Option(help="Column holding the row id.")] = "id",
) -> None:
    """Tag every row of a CSV file; print one JSON line per row."""
    tagger = get_tagger()
    csv.field_size_limit(1 << 26)
    try:
        handle = file.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        typer.echo(f"Không mở được tệp / cannot open {file}: {exc.strerror}", err=True)
        raise typer.Exit(1) from None
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in (text_column, id_column) if c not in (reader.fieldnames or [])]
        if missing:
            typer.echo(
                f"Thiếu cột / missing column(s): {', '.join(missing)}; "
                f"the file has: {', '.join(reader.fieldnames or [])}",
                err=True,
            )
            raise typer.Exit(1)
        out = sys.stdout
        for row in reader:
            out.write(_line(tagger.tag(row[text_column] or ""), row[id_column]) + "\n")


@app.command("evaluate")
def evaluate_command(
    file: Annotated[
        Path, typer.Option(help="Labelled CSV: id, text, province_codes, ward_codes.")
    ] = DEFAULT_EVAL_FILE,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    show_errors: Annotated[bool, typer.Option("--errors", help="List wrong sentences.")] = False,
) -> None:
    """Province- and ward-level precision, recall and F1 on a labelled set."""
    if not file.is_file():
        typer.echo(f"Không thấy tệp / no such file: {file}", err=True)
        raise typer.Exit(1)
    report = evaluate(read_examples(file))
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        typer.echo(f"{report.sentences} sentences ({file.name})")
        typer.echo(f"{'':10}{'level':10}{'P':>8}{'R':>8}{'F1':>8}{'TP':>6}{'FP':>5}{'FN':>5}")
        rows = [("all", report.province, report.ward)]
        rows += [(name, p, w) for name, (p, w) in sorted(report.by_split.items())]
        for name, p_counts, w_counts in rows:
            for level, c in (("province", p_counts), ("ward", w_counts)):
                typer.echo(
                    f"{name:10}{level:10}{c.precision:8.3f}{c.recall:8.3f}{c.f1:8.3f}"
                    f"{c.tp:6d}{c.fp:5d}{c.fn:5d}"
                )
    if show_errors:
        for error in report.errors:
            typer.echo(json.dumps(error, ensure_ascii=False))
