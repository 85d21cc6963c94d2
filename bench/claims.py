"""Benchmark: adding a fact-checked claim when many stories are recent.

A claim added to the library is matched at once against the stories seen in the last
`SOITIN_CLAIM_REMATCH_DAYS` days (`soitin.review.claim_library.add_claim`): a cheap prefilter
with the new claim over every story text, full matching of the few that pass, triage. The
reference, measured in the same run, is the plain way: full lexical matching of every story
of the window against the whole library.

Prints one JSON line per figure. Usage:
    .venv/bin/python bench/claims.py [--stories 50000] [--claims 5] [--reference 10000]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from soitin.db.engine import Database, make_engine  # noqa: E402
from soitin.db.migrate import upgrade  # noqa: E402
from soitin.db.models import Story  # noqa: E402
from soitin.db.types import utcnow  # noqa: E402
from soitin.review import accounts, claim_library  # noqa: E402
from soitin.settings import REPO_ROOT, Settings  # noqa: E402
from soitin.stories import claims as library  # noqa: E402
from soitin.stories.claim_service import library_matcher  # noqa: E402
from soitin.text.fold import fold_for_search  # noqa: E402
from stories import base_texts  # noqa: E402

CLAIMS_CSV = REPO_ROOT / "tests" / "data" / "claims_eval" / "claims.csv"


def emit(**fields: Any) -> None:
    """One JSON line."""
    print(json.dumps(fields, ensure_ascii=False), flush=True)


def _claims() -> list[tuple[str, str]]:
    with CLAIMS_CSV.open(encoding="utf-8") as fh:
        return [(row["claim_text"], row["verdict"]) for row in csv.DictReader(fh)]


def _stories(database: Database, count: int, repeats: list[str]) -> None:
    """`count` stories seen over the last 13 days, from real texts; `repeats` among them."""
    texts = base_texts()
    now = utcnow()
    rows = []
    for i in range(count):
        text = (
            repeats[i // 500] if i % 500 == 0 and i // 500 < len(repeats) else texts[i % len(texts)]
        )
        seen = now - timedelta(minutes=(i * 13 * 24 * 60) // max(count, 1))
        rows.append({
            "first_seen": seen, "last_seen": seen, "item_count": 1, "source_count": 1,
            "reach": 0, "velocity": 0.0, "velocity_earlier": 0.0,
            "representative_text": text, "search_text": fold_for_search(text),
            "province_codes": ["44"], "ward_codes": [],
            "max_scores": {}, "updated_at": seen,
        })  # fmt: skip
    with database.engine.begin() as conn:
        for start in range(0, len(rows), 10_000):
            conn.execute(cast(Table, Story.__table__).insert(), rows[start : start + 10_000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=50_000)
    parser.add_argument("--claims", type=int, default=5, help="claims added, one at a time")
    parser.add_argument("--reference", type=int, default=10_000, help="stories the plain way")
    args = parser.parse_args()
    settings = Settings(
        secret_key="s" * 32, pseudonym_key="p" * 32, semantic_matching=False,
        claim_rematch_stories=max(args.stories, 1),
    )  # fmt: skip
    claims = _claims()
    library_rows, added_rows = claims[: -args.claims], claims[-args.claims :]
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'claims.db'}")
        upgrade(engine)
        database = Database(engine)
        with database.transaction() as s:
            accounts.add_unit(s, "qt", "Tỉnh Quảng Trị", place_codes=["44"])
            for text, verdict in library_rows:
                library.add_claim(s, text=text, verdict=verdict)
        # each added claim has a story repeating it word for word, among the others
        _stories(database, args.stories, [text for text, _ in added_rows])
        emit(bench="claims", backend="sqlite", stories=args.stories, library=len(library_rows))
        cpu_ms, wall_ms, matched = [], [], 0
        for text, verdict in added_rows:
            with database.transaction() as s:
                t_cpu, t_wall = time.process_time(), time.perf_counter()
                change = claim_library.add_claim(
                    s, settings, None, {"text": text, "verdict": verdict}
                )
                cpu_ms.append((time.process_time() - t_cpu) * 1000)
                wall_ms.append((time.perf_counter() - t_wall) * 1000)
                matched += len(change.rematch.matched_ids)
                scanned = change.rematch.scanned
                candidates = len(change.rematch.candidate_ids)
        emit(figure="add_claim_ms_cpu", value=round(sorted(cpu_ms)[len(cpu_ms) // 2], 1),
             runs=[round(v, 1) for v in cpu_ms], stories_scanned=scanned,
             last_candidates=candidates, matched_total=matched)  # fmt: skip
        emit(figure="add_claim_ms_wall", value=round(sorted(wall_ms)[len(wall_ms) // 2], 1))
        # The plain way: every story of the window through the full matcher.
        with database.transaction() as s:
            matcher = library_matcher(s, settings, semantic=False)
            texts = list(
                s.scalars(
                    select(Story.representative_text)
                    .order_by(Story.last_seen.desc())
                    .limit(args.reference)
                )
            )
        t_cpu = time.process_time()
        matcher.match_many(texts)
        per_story = (time.process_time() - t_cpu) / max(len(texts), 1)
        reference_ms = per_story * scanned * 1000
        emit(figure="reference_full_match_ms_cpu", value=round(reference_ms, 1),
             measured_on=len(texts), scaled_to=scanned)  # fmt: skip
        median = sorted(cpu_ms)[len(cpu_ms) // 2]
        emit(figure="ratio_vs_reference", value=round(reference_ms / max(median, 1e-9), 1))
        engine.dispose()


if __name__ == "__main__":
    main()
