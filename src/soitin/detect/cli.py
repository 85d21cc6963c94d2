"""CLI: `soitin train`, `soitin evaluate`, `soitin detect`, `soitin shadow` (top-level commands)."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from soitin.detect.catalog import BENCHMARKS, CATALOG, PRODUCT
from soitin.errors import SoitinError

__all__ = ["app", "detect_cmd", "evaluate_cmd", "finetune_cmd", "shadow_cmd", "train_cmd"]

app = typer.Typer(help="Detectors: train, evaluate, detect, shadow.", no_args_is_help=True)
_err = Console(stderr=True)

# steps each model reports while training (for the progress bar)
_STEPS = 7


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


def _fail(exc: Exception) -> typer.Exit:
    _err.print(f"[red]{escape(str(exc))}[/red]")  # messages quote file and user text
    return typer.Exit(code=1)


def train_cmd(
    name: Annotated[str, typer.Argument(help="model name, or 'all'")] = "all",
    from_decisions: Annotated[
        bool, typer.Option("--from-decisions", help="add reviewers' confirmed/dismissed cases")
    ] = False,
    out: Annotated[
        Path | None, typer.Option(help="write artefacts here (a shadow candidate)")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="print one JSON object per model")
    ] = False,
    jobs: Annotated[int, typer.Option(help="models trained at once (processes)")] = 2,
) -> None:
    """Huấn luyện mô hình / train NAME (or all) into detect/models/, card in docs/models/."""
    from soitin.detect.trainer import models_summary, train_model

    names = list(BENCHMARKS + PRODUCT) if name == "all" else [name]
    if from_decisions and name == "all":
        names = list(PRODUCT)
    unknown = [n for n in names if n not in CATALOG]
    if unknown:
        raise _fail(SoitinError(f"unknown model {unknown[0]!r}; known: {', '.join(CATALOG)}"))
    extra: dict[str, list[tuple[str, str]]] = {}
    if from_decisions:
        extra = _decision_rows(names)
    limit = _limit()
    with _progress() as bar:
        task = bar.add_task("train", total=len(names) * _STEPS, step="")
        if jobs > 1 and len(names) > 1:
            _train_parallel(names, extra, out, limit, jobs, bar, task, as_json)
        else:
            for n in names:
                done = 0

                def step(msg: str, n: str = n) -> None:
                    nonlocal done
                    done += 1
                    bar.update(task, advance=1, description=n, step=msg)

                try:
                    outcome = train_model(
                        n, progress=step, extra=extra.get(n, ()), out_dir=out, limit=limit
                    )
                except SoitinError as exc:
                    raise _fail(exc) from exc
                bar.update(task, advance=max(_STEPS - done, 0), step="done")
                _report_outcome(outcome.to_dict(), as_json)
    summary = models_summary(out)
    if as_json:
        _print_json(summary)
    else:
        _err.print(f"artefacts total: {summary['total_bytes'] / 1e6:.2f} MB")


#: Rough training cost, heaviest first, so parallel workers finish together.
_COST = (
    "vispam-type",
    "vihsd",
    "toxicity",
    "vispam",
    "spam",
    "vihos",
    "reintel",
    "misinformation",
    "victsd-toxicity",
    "scam",
    "smishing",
)


def _train_one(
    name: str, extra: list[tuple[str, str]], out: Path | None, limit: int | None
) -> dict[str, Any]:
    from soitin.detect.trainer import train_model

    return train_model(name, extra=extra, out_dir=out, limit=limit).to_dict()


def _train_parallel(
    names: list[str],
    extra: dict[str, list[tuple[str, str]]],
    out: Path | None,
    limit: int | None,
    jobs: int,
    bar: Progress,
    task: Any,
    as_json: bool,
) -> None:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    order = sorted(names, key=lambda n: _COST.index(n) if n in _COST else len(_COST))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_train_one, n, extra.get(n, []), out, limit): n for n in order}
        for fut in as_completed(futures):
            try:
                result = fut.result()
            except SoitinError as exc:
                raise _fail(exc) from exc
            bar.update(task, advance=_STEPS, description=futures[fut], step="done")
            _report_outcome(result, as_json)


def _report_outcome(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        _print_json(result)
        return
    dev = result["dev"]
    figure = dev.get("span_f1", dev.get("roc_auc", dev.get("macro_f1")))
    _err.print(
        f"{result['model']} {result['version']}: dev {figure} "
        f"({result['size_bytes'] / 1024:.0f} KiB, {result['seconds']:.0f} s)"
    )


def finetune_cmd(
    name: Annotated[str, typer.Argument(help="benchmark model, e.g. victsd-toxicity")],
    out: Annotated[
        Path | None, typer.Option(help="write NAME.e5.npz here (default: the models folder)")
    ] = None,
    reblend: Annotated[
        bool,
        typer.Option("--reblend", help="keep the fine-tuned network, choose the blend again"),
    ] = False,
    refit: Annotated[
        bool,
        typer.Option(
            "--refit",
            help="once the blend is chosen, train the network again on every train row",
        ),
    ] = False,
    folds: Annotated[
        int | None,
        typer.Option(
            "--folds",
            min=0,
            help="choose the blend on every train row, held out fold by fold (2 or more), "
            "then refit; 0: one held-out tenth (default: the model's setting)",
        ),
    ] = None,
    seeds: Annotated[
        int | None,
        typer.Option(
            "--seeds",
            min=1,
            help="train that many networks from different seeds, each with its own folds and "
            "refit, and answer their mean (needs --folds; default: the model's setting)",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Tinh chỉnh e5 / fine-tune multilingual-e5-small for benchmark model NAME (torch)."""
    from soitin.detect.finetune import (
        E5_DEFAULTS,
        E5Config,
        dev_report,
        finetune_model,
        write_card,
    )
    from soitin.detect.registry import models_dir
    from soitin.detect.trainer import COMMITTED_MODELS, DOCS_MODELS

    folder = out or models_dir()
    limit = _limit()
    with _progress() as bar:
        task = bar.add_task(name, total=None, step="")

        def step(msg: str) -> None:
            done, _, total = msg.removeprefix("step ").partition(" ")[0].partition("/")
            if msg.startswith("step ") and total.isdigit():
                bar.update(task, total=int(total), completed=int(done), step=msg)
            else:
                bar.update(task, step=msg)

        try:
            if out is not None and not (out / f"{name}.npz").is_file():  # the n-gram part
                out.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(models_dir() / f"{name}.npz", out / f"{name}.npz")
            cfg = E5_DEFAULTS.get(name) or E5Config()
            if refit:
                cfg = dataclasses.replace(cfg, refit=True)
            if folds is not None:
                cfg = dataclasses.replace(cfg, folds=folds)
            if seeds is not None:
                cfg = dataclasses.replace(cfg, seeds=seeds)
            elif folds is not None and folds < 2:  # one held-out tenth: one network
                cfg = dataclasses.replace(cfg, seeds=1)
            outcome = finetune_model(
                name, folder, progress=step, cfg=cfg, limit=limit, reblend=reblend
            )
            step("dev")
            outcome.dev = dev_report(name, folder)
            committed = folder.resolve() == COMMITTED_MODELS.resolve()
            card = DOCS_MODELS if committed and limit is None else folder
            write_card(outcome, card / f"{name}.e5.md")
        except (SoitinError, FileNotFoundError) as exc:
            raise _fail(SoitinError(str(exc))) from exc
    if as_json:
        _print_json(outcome.to_dict())
        return
    dev = outcome.dev
    typer.echo(
        f"{name} e5 {outcome.version}: blend {outcome.blend}, threshold {outcome.threshold}; "
        f"dev macro-F1 {dev.get('macro_f1')} AUC {dev.get('roc_auc')} "
        f"({outcome.size_bytes / 1e6:.2f} MB, {outcome.seconds:.0f} s)"
    )


def _progress() -> Progress:
    """The training progress bar: model, bar, current step, time taken (on stderr)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[step]}"),
        TimeElapsedColumn(),
        console=_err,
    )


def _limit() -> int | None:
    """SOITIN_DETECT_TRAIN_LIMIT: train on that many rows per label only (quick checks)."""
    value = os.environ.get("SOITIN_DETECT_TRAIN_LIMIT", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def _decision_rows(names: list[str]) -> dict[str, list[tuple[str, str]]]:
    from soitin.db import open_database
    from soitin.detect.decisions import decision_rows, rows_for_model, summary
    from soitin.settings import get_settings

    try:
        database = open_database(get_settings())
    except SoitinError as exc:
        raise _fail(exc) from exc
    rows = decision_rows(database)
    _err.print(f"reviewer decisions: {summary(rows)}")
    return {n: rows_for_model(n, rows) for n in names if n in PRODUCT}


def evaluate_cmd(
    name: Annotated[str, typer.Argument(help="model or detector name")],
    file: Annotated[Path, typer.Argument(help="CSV file with a header row")],
    text_column: Annotated[str, typer.Option(help="column holding the text")] = "text",
    label_column: Annotated[str, typer.Option(help="column holding the label")] = "label",
    spans_column: Annotated[
        str | None, typer.Option(help="ViHOS-style offsets column (span F1 of `vihos`)")
    ] = None,
    only: Annotated[
        str | None, typer.Option(help="keep rows where COLUMN=VALUE, e.g. detector=scam")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Đánh giá / score a labelled CSV: accuracy, macro-F1, per class, ROC-AUC (binary)."""
    from soitin.detect.trainer import evaluate_file, evaluate_spans_file

    try:
        if spans_column:
            report = evaluate_spans_file(file, text_column, spans_column)
        else:
            where = None
            if only:
                if "=" not in only:
                    raise SoitinError("--only takes COLUMN=VALUE")
                col, val = only.split("=", 1)
                where = (col, val)
            report = evaluate_file(name, file, text_column, label_column, where)
    except (SoitinError, OSError, ValueError, SyntaxError) as exc:
        raise _fail(exc) from exc
    if as_json:
        _print_json(report)
        return
    for key, value in report.items():
        if key != "per_class":
            typer.echo(f"{key}: {value}")
    for lab, v in report.get("per_class", {}).items():
        typer.echo(f"  {lab}: P {v['precision']} R {v['recall']} F1 {v['f1']} n {v['support']}")


def detect_cmd(
    text: Annotated[str, typer.Argument(help="the text to score ('-' reads standard input)")],
    detector: Annotated[
        list[str] | None, typer.Option("--detector", "-d", help="only these detectors")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Chấm một văn bản / score one text with every product detector, with explanations."""
    from soitin.detect.registry import product_suite

    if text == "-":
        text = sys.stdin.read()
    try:
        suite = product_suite(detector or PRODUCT)
    except SoitinError as exc:
        raise _fail(exc) from exc
    if not suite.detectors:
        raise _fail(SoitinError("no detector artefacts found; run `soitin train all`"))
    results = {name: res[0].to_dict() for name, res in suite.score([text]).items()}
    if as_json:
        _print_json({"text_length": len(text), "detectors": results})
        return
    for name, r in results.items():
        typer.echo(f"{name:15s} {r['label']:11s} {r['score']:.3f}  ({r['model']} {r['version']})")
        if r["explanation"]:
            typer.echo("    " + ", ".join(e["feature"] for e in r["explanation"]))
        if r["evidence"]:
            typer.echo("    " + json.dumps(r["evidence"], ensure_ascii=False))


def shadow_cmd(
    name: Annotated[str, typer.Argument(help="detector name")],
    candidate: Annotated[
        Path | None, typer.Option(help="folder with the candidate artefacts")
    ] = None,
    file: Annotated[
        Path | None, typer.Option(help="CSV of texts (and labels) to compare on")
    ] = None,
    text_column: Annotated[str, typer.Option(help="text column of --file")] = "text",
    label_column: Annotated[
        str | None, typer.Option(help="0/1 label column of --file (optional)")
    ] = None,
    from_decisions: Annotated[
        bool, typer.Option("--from-decisions", help="compare on reviewers' decided cases")
    ] = False,
    stored: Annotated[
        bool,
        typer.Option(
            "--stored",
            help="report on the results stored from live traffic (SOITIN_SHADOW_MODELS_DIR)",
        ),
    ] = False,
    version: Annotated[
        str | None, typer.Option(help="candidate version for --stored (default: newest)")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="--stored: rows stored from this day on (YYYY-MM-DD)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Chạy thử song song / run a candidate version beside the active one; print the comparison.

    With --stored, compare the candidate results the pipeline stored on incoming items (and
    reviewers' decisions on their stories) instead of scoring again.
    """
    from soitin.detect.datasets import read_csv_columns
    from soitin.detect.registry import load_detector
    from soitin.detect.shadow import ShadowRunner

    if stored:
        _print_report(_stored_report(name, version, since), as_json)
        return
    if candidate is None:
        raise _fail(SoitinError("Give --candidate DIR (or --stored for live results)."))
    try:
        runner = ShadowRunner(load_detector(name), load_detector(name, candidate))
        if file is not None:
            rows = read_csv_columns(file, text_column, label_column or text_column)
            texts = [r.text for r in rows]
            if label_column:
                runner.observe_decisions(texts, [r.label for r in rows])
            else:
                runner.score(texts)
        if from_decisions:
            decided = _decision_rows([name]).get(name, [])
            spec = CATALOG[name]
            runner.observe_decisions(
                [t for t, _ in decided],
                ["0" if lab == spec.labels[0] else "1" for _, lab in decided],
            )
    except SoitinError as exc:
        raise _fail(exc) from exc
    _print_report(runner.report().to_dict(), as_json)


def _print_report(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        _print_json(report)
        return
    for key, value in report.items():
        if key != "disagreements":
            typer.echo(f"{key}: {value}")


def _stored_report(name: str, version: str | None, since: str | None) -> dict[str, Any]:
    from soitin.db import open_database
    from soitin.detect.shadow_store import stored_report
    from soitin.settings import get_settings

    try:
        start = datetime.fromisoformat(since).replace(tzinfo=UTC) if since else None
    except ValueError as exc:
        raise _fail(SoitinError(f"--since wants YYYY-MM-DD, not {since!r}.")) from exc
    try:
        database = open_database(get_settings())
        with database.session() as session:
            return stored_report(session, name, version=version, since=start).to_dict()
    except SoitinError as exc:
        raise _fail(exc) from exc
