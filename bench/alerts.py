"""Benchmark: spike alerts on a synthetic stream with planted spikes and calm periods.

Replays alert passes (every 5 minutes by default) over several simulated days per seed and
prints one JSON line per figure: detection delay (items of the spike that had arrived when
its alert opened, and minutes), false alerts per simulated day, missed and repeated spikes,
and the time of one pass. Usage:

    .venv/bin/python bench/alerts.py [--days 3] [--seeds 1 2 3] [--every 5] [--p-value 1e-4]
        [--postgres-url URL]

The default database is a throw-away SQLite file; with --postgres-url a throw-away schema.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from soitin.db.engine import Database, make_engine
from soitin.db.migrate import upgrade
from soitin.db.models import AlertRule
from soitin.review import accounts
from soitin.settings import Settings, load_settings
from soitin.triage.alerts import run_alert_pass
from soitin.triage.simulate import load_stream, make_stream, replay


def emit(**figure: Any) -> None:
    print(json.dumps(figure, ensure_ascii=False), flush=True)


@contextmanager
def database(postgres_url: str | None, folder: Path) -> Iterator[Engine]:
    if not postgres_url:
        engine = make_engine(f"sqlite:///{folder / f'alerts-{uuid.uuid4().hex[:6]}.db'}")
        yield engine
        engine.dispose()
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(postgres_url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run_seed(
    engine: Engine, seed: int, args: argparse.Namespace, settings: Settings
) -> dict[str, Any]:
    upgrade(engine)
    db = Database(engine)
    stream = make_stream(
        seed=seed,
        days=args.days,
        warmup=timedelta(minutes=settings.spike_window_minutes * settings.spike_baseline_windows),
    )
    with db.transaction() as session:
        unit = accounts.add_unit(session, "qt", "Tỉnh Quảng Trị", place_codes=["44"])
        session.add(AlertRule(unit_id=unit.id, name="Mọi cảnh báo", channels={"in_app": True}))
        load_stream(session, stream)
    timings: list[float] = []

    def timed(db: Database, now: datetime, cfg: Settings) -> object:
        started = time.perf_counter()
        result = run_alert_pass(db, now=now, settings=cfg, deliver=False)
        timings.append(time.perf_counter() - started)
        return result

    report = replay(db, stream, settings, every=timedelta(minutes=args.every), run_pass=timed)
    return {
        "seed": seed,
        "items": len(stream.items),
        "spikes": len(stream.spikes),
        "days": report.days,
        "missed": report.missed,
        "repeated": {k: len(v) for k, v in report.alerts_per_spike.items() if len(v) > 1},
        "false_alerts": len(report.false_alerts),
        "delay_items": report.delay_items,
        "delay_minutes": report.delay_minutes,
        "pass_ms": statistics.median(timings) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=3.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--every", type=float, default=5.0, help="minutes between passes")
    parser.add_argument("--p-value", type=float, default=None)
    parser.add_argument("--postgres-url", default=None)
    args = parser.parse_args()
    overrides: dict[str, Any] = {}
    if args.p_value is not None:
        overrides["spike_p_value"] = args.p_value
    backend = "postgresql" if args.postgres_url else "sqlite"
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(env="test", data_dir=Path(tmp), **overrides)
        results = []
        for seed in args.seeds:
            with database(args.postgres_url, Path(tmp)) as engine:
                result = run_seed(engine, seed, args, settings)
            results.append(result)
            emit(figure="alerts.seed", backend=backend, **result)
    delays = [n for r in results for n in r["delay_items"].values()]
    minutes = [m for r in results for m in r["delay_minutes"].values()]
    days = sum(r["days"] for r in results)
    common = {
        "backend": backend,
        "seeds": args.seeds,
        "pass_every_min": args.every,
        "p_value": settings.spike_p_value,
        "window_min": settings.spike_window_minutes,
    }
    emit(
        figure="alerts.detection_delay_items",
        median=statistics.median(delays),
        mean=round(statistics.fmean(delays), 1),
        max=max(delays),
        spikes=len(delays),
        **common,
    )
    emit(
        figure="alerts.detection_delay_minutes",
        median=statistics.median(minutes),
        mean=round(statistics.fmean(minutes), 1),
        max=max(minutes),
        **common,
    )
    emit(
        figure="alerts.false_alerts_per_day",
        value=round(sum(r["false_alerts"] for r in results) / days, 3),
        simulated_days=round(days, 2),
        **common,
    )
    emit(
        figure="alerts.missed_spikes",
        value=sum(len(r["missed"]) for r in results),
        planted=sum(r["spikes"] for r in results),
        **common,
    )
    emit(figure="alerts.repeated_spikes", value=sum(len(r["repeated"]) for r in results), **common)
    emit(
        figure="alerts.pass_ms_median",
        value=round(statistics.median(r["pass_ms"] for r in results), 1),
        items_per_seed=round(statistics.fmean(r["items"] for r in results)),
        **common,
    )


if __name__ == "__main__":
    main()
