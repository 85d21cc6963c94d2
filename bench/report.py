"""Time a month's statistics and the XLSX/PDF report over a large SQLite database.

    .venv/bin/python bench/report.py [--items 1000000] [--months 12] [--repeat 20]

Bulk-generates items (spread evenly over `--months` months ending with the measured month),
stories (one per ten items), cases, responses and publications with reach snapshots, then
prints one JSON line per figure: statistics p50/p95 (goal p95 ≤ 200 ms) for the province unit
and for a commune unit (with the first call, which fills the daily roll-up, and a fully live
count for reference), and the time to build the XLSX and PDF reports (goal ≤ 5 s).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from soitin.db.engine import Database, make_engine
from soitin.db.migrate import upgrade
from soitin.report.generate import render_report
from soitin.report.periods import Period, parse_period
from soitin.report.placenames import place_names
from soitin.report.stats import StatsQuery, compute_statistics
from soitin.review import accounts

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CATEGORIES = ["misinformation", "scam", "toxic", "spam", None]
STATUSES = ["open", "assigned", "confirmed", "confirmed", "dismissed", "closed", "escalated"]
KINDS = [
    "fact_check",
    "correction",
    "platform_report",
    "official_notice",
    "referral",
    "public_warning",
]
BATCH = 50_000


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _emit(figure: str, **values: object) -> None:
    print(json.dumps({"bench": "report", "figure": figure, **values}, ensure_ascii=False))
    sys.stdout.flush()


def build(path: Path, items: int, months: int, month: Period, seed: int) -> dict[str, int]:
    """Create the schema, the unit tree and the bulk data; returns unit ids by code."""
    rng = random.Random(seed)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    names = place_names()
    wards_44 = sorted(c for c, p in names.ward_province.items() if p == "44")[:10]
    others = [c for c in names.provinces if c != "44"]
    with Database(engine).transaction() as session:
        root = accounts.add_unit(session, "tinh", "Tỉnh Quảng Trị", place_codes=["44"])
        units = {"tinh": root.id}
        for i, ward in enumerate(wards_44):
            unit = accounts.add_unit(
                session, f"xa{i}", names.name(ward), parent_code="tinh", place_codes=[ward]
            )
            units[unit.code] = unit.id
        for i in range(3):
            unit = accounts.add_unit(session, f"phong{i}", f"Phòng {i}", parent_code="tinh")
            units[unit.code] = unit.id
    engine.dispose()

    start = datetime.combine(month.end, datetime.min.time(), tzinfo=TZ)
    first = month.end
    for _ in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
    span = (start - datetime.combine(first, datetime.min.time(), tzinfo=TZ)).total_seconds()

    def when() -> datetime:
        return start - timedelta(seconds=rng.random() * span)

    def places() -> tuple[str, str]:
        roll = rng.random()
        if roll < 0.45:
            return '["44"]', json.dumps([rng.choice(wards_44)])
        if roll < 0.7:
            return '["44"]', "[]"
        if roll < 0.9:
            return json.dumps([rng.choice(others)]), "[]"
        return "[]", "[]"

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA journal_mode=WAL")
    now = _ts(datetime.now(UTC))
    conn.executemany(
        "INSERT INTO sources (kind, name, config, is_outlet, enabled, poll_interval_s, "
        "consecutive_failures, created_at) VALUES ('feed', ?, '{}', 0, 1, 900, 0, ?)",
        [(f"nguon-{i}", now) for i in range(20)],
    )
    n_stories = max(1, items // 10)
    rows = []
    for i in range(n_stories):
        prov, ward = places()
        at = _ts(when())
        rows.append(
            (
                at,
                at,
                10,
                2,
                rng.randint(0, 5000),
                0.0,
                0.0,
                f"câu chuyện {i}",
                prov,
                ward,
                "{}",
                rng.choice(CATEGORIES),
                at,
            )
        )
        if len(rows) == BATCH or i == n_stories - 1:
            conn.executemany(
                "INSERT INTO stories (first_seen, last_seen, item_count, source_count, reach, "
                "velocity, velocity_earlier, representative_text, province_codes, ward_codes, "
                "max_scores, category, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            rows = []
    for i in range(items):
        prov, ward = places()
        rows.append(
            (
                rng.randint(1, 20),
                f"x{i}",
                f"h{i}",
                "",
                "vi",
                _ts(when()),
                0,
                0,
                0,
                0,
                prov,
                ward,
                "{}",
                rng.choice(CATEGORIES),
                rng.randint(1, n_stories),
            )
        )
        if len(rows) == BATCH or i == items - 1:
            conn.executemany(
                "INSERT INTO items (source_id, external_id, content_hash, text_folded, language, "
                "fetched_at, likes, comments, shares, views, province_codes, ward_codes, scores, "
                "category, story_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            rows = []
    unit_ids = list(units.values())
    n_cases = max(10, items // 150)
    case_rows, action_rows = [], []
    story_ids = rng.sample(range(1, n_stories + 1), min(n_cases, n_stories))
    for case_id, story_id in enumerate(story_ids, start=1):
        opened = when()
        responded = (
            opened + timedelta(hours=rng.expovariate(1 / 10)) if rng.random() < 0.7 else None
        )
        due = opened + timedelta(hours=24)
        case_rows.append(
            (
                story_id,
                rng.choice(unit_ids),
                rng.choice(STATUSES),
                rng.choice(CATEGORIES),
                1,
                0.5,
                "{}",
                _ts(opened),
                _ts(due),
                int(rng.random() < 0.1),
                _ts(responded) if responded else None,
            )
        )
        if responded:
            for k in range(rng.randint(1, 2)):
                kind = rng.choice(KINDS)
                action_rows.append(
                    (
                        case_id,
                        kind,
                        _ts(responded + timedelta(hours=k)),
                        "pending" if kind == "platform_report" else None,
                        "https://example.vn/x",
                        "web",
                        "facebook",
                    )
                )
    conn.executemany(
        "INSERT INTO cases (story_id, unit_id, status, category, severity, priority, "
        "priority_parts, opened_at, due_at, overdue, first_response_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        case_rows,
    )
    conn.executemany(
        "INSERT INTO actions (case_id, kind, at, outcome, url, channel, platform) "
        "VALUES (?,?,?,?,?,?,?)",
        action_rows,
    )
    pub_rows, snap_rows = [], []
    for pid in range(1, max(10, items // 2000) + 1):
        published = when()
        pub_rows.append(
            (
                rng.choice(unit_ids),
                rng.choice(["facebook", "youtube", "tiktok"]),
                f"https://example.vn/p{pid}",
                f"Bài {pid}",
                _ts(published),
                _ts(published),
                "[]",
            )
        )
        for k in range(3):
            snap_rows.append((pid, _ts(published + timedelta(days=k + 1)), 100 * (k + 1), 10, 1, 1))
    conn.executemany(
        "INSERT INTO publications (unit_id, channel, url, title, published_at, created_at, "
        "case_ids) VALUES (?,?,?,?,?,?,?)",
        pub_rows,
    )
    conn.executemany(
        "INSERT INTO publication_snapshots (publication_id, at, views, reactions, comments, "
        "shares) VALUES (?,?,?,?,?,?)",
        snap_rows,
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    return units


def _units(path: Path) -> dict[str, int]:
    """Unit ids by code of a database built before."""
    conn = sqlite3.connect(path)
    try:
        return {code: uid for uid, code in conn.execute("SELECT id, code FROM units")}
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--db", type=Path, default=None, help="SQLite file to build into or reuse (kept)"
    )
    args = parser.parse_args()
    month = parse_period(args.month)
    with tempfile.TemporaryDirectory(prefix="soitin-bench-") as tmp:
        path = args.db or Path(tmp) / "bench.db"
        if path.exists():
            units = _units(path)
            _emit("reused_database", path=str(path), units=len(units))
        else:
            began = time.perf_counter()
            units = build(path, args.items, args.months, month, args.seed)
            _emit(
                "build_seconds",
                value=round(time.perf_counter() - began, 1),
                items=args.items,
                months=args.months,
                db_mb=round(path.stat().st_size / 2**20, 1),
            )
        engine = make_engine(f"sqlite:///{path}")
        database = Database(engine)
        for code in ("tinh", "xa0"):
            query = StatsQuery(unit_id=units[code], period=month)
            with database.session() as session:
                t0 = time.perf_counter()
                compute_statistics(session, query, tz=TZ, use_rollup=False)
                live_ms = (time.perf_counter() - t0) * 1000
                # First call: counts the closed days of the month and the month before into
                # the daily roll-up (once per day, ever); then every call reads the roll-up.
                t0 = time.perf_counter()
                compute_statistics(session, query, tz=TZ)
                session.commit()
                cold_ms = (time.perf_counter() - t0) * 1000
                timings = []
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    stats = compute_statistics(session, query, tz=TZ)
                    timings.append((time.perf_counter() - t0) * 1000)
            timings.sort()
            p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
            _emit(
                f"statistics_month_{code}_ms",
                p50=round(statistics.median(timings), 1),
                p95=round(p95, 1),
                max=round(timings[-1], 1),
                runs=args.repeat,
                first_call_with_rollup_ms=round(cold_ms, 1),
                live_no_rollup_ms=round(live_ms, 1),
                items_in_month=stats.totals["items"],
                cases_in_month=stats.totals["cases_opened"],
                goal_p95_ms=200,
            )
        for fmt in ("xlsx", "pdf"):
            with database.session() as session:
                t0 = time.perf_counter()
                rendered = render_report(session, units["tinh"], month, fmt, tz=TZ)
                seconds = time.perf_counter() - t0
            _emit(
                f"report_{fmt}_seconds",
                value=round(seconds, 2),
                bytes=len(rendered.content),
                goal_seconds=5,
            )
        engine.dispose()


if __name__ == "__main__":
    main()
