"""Benchmark: p50/p95 of the queue and story pages on a large SQLite database.

Builds (fast, with Core executemany inserts) a database of `--items` items (default 1M) in
near-duplicate stories, `--cases` cases (default items/50 = 20k) over a province office and
20 commune units, then times the queue page (default view, a category filter, a
diacritic-free search, a later page) and the story page of random cases through the real
app (FastAPI TestClient, signed in as the province lead), and a query-free page (`/guides`)
as the baseline cost of one request on the machine. Prints one JSON line per figure.

    .venv/bin/python bench/web.py [--items 1000000] [--cases N] [--runs 40] [--db PATH]

Goal: p95 ≤ 200 ms for both pages at 1M items / 20k cases.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select

from soitin.db.engine import Database, make_engine
from soitin.db.migrate import upgrade
from soitin.db.models import (
    AuditEvent,
    Case,
    CaseEvent,
    Item,
    Source,
    Story,
    StorySource,
    StoryTimelineBucket,
    Unit,
    User,
)
from soitin.review import accounts
from soitin.settings import load_settings
from soitin.text.fold import fold_for_search
from soitin.web.app import create_app

PASSWORD = "mat-khau-bench-123"  # noqa: S105 - a throw-away benchmark database
WORDS = (
    "công an phường gọi điện yêu cầu chuyển tiền vào tài khoản tạm giữ việc nhẹ lương cao "
    "cắt điện toàn xã từ ngày mai ngân hàng khoá thẻ nâng hạn mức đơn hàng shipper giao "
    "nạp tiền làm nhiệm vụ hoàn tiền đầu tư tiền ảo lợi nhuận cam kết lễ hội hoa mùa xuân "
    "trường học nghỉ bão lũ học sinh bệnh viện vắc xin thông báo khẩn chia sẻ ngay"
).split()
CATEGORIES = ("scam", "misinformation", "toxic", "spam")


def emit(**figure: Any) -> None:
    """One JSON line."""
    print(json.dumps(figure, ensure_ascii=False), flush=True)


def _wards(n: int = 20) -> list[str]:
    """`n` communes of Quảng Trị (44) on the 2025 map: a unit's places must lie in its
    parent's area."""
    from soitin.places.gazetteer import get_gazetteer

    wards = get_gazetteer().wards
    return sorted(code for code, unit in wards.items() if unit.province_code == "44")[:n]


def build(database: Database, n_items: int, n_cases: int, seed: int = 7) -> dict[str, Any]:
    """Fill an empty database; returns what was made."""
    rng = random.Random(seed)
    wards = _wards()
    now = datetime.now(UTC)
    started = time.perf_counter()
    password_hash = accounts.hash_password(PASSWORD)
    with database.transaction() as s:
        accounts.add_unit(s, "qt", "Tỉnh Quảng Trị", place_codes=["44"])
        for i in range(20):
            accounts.add_unit(
                s, f"x{i:02d}", f"Xã số {i}", parent_code="qt", place_codes=[wards[i]]
            )
        for unit in ["qt", *(f"x{i:02d}" for i in range(20))]:
            for role in ("lead", "reviewer"):
                accounts.add_user(
                    s,
                    f"{role}_{unit}",
                    role=role,
                    unit_code=unit,
                    password="",
                    password_hash=password_hash,
                )
        for i in range(50):
            s.add(Source(kind="feed", name=f"Nguồn {i}", url=f"https://nguon{i}.example/rss"))
    with database.transaction() as s:
        unit_ids = [u for (u,) in s.execute(select(Unit.id).order_by(Unit.id))]
        source_ids = [u for (u,) in s.execute(select(Source.id).order_by(Source.id))]
        reviewers = [u for (u,) in s.execute(select(User.id).where(User.role == "reviewer"))]
    n_stories = max(n_cases, n_items // 10)
    conn = database.engine.connect()
    with conn.begin():
        stories = []
        for sid in range(1, n_stories + 1):
            words = rng.sample(WORDS, 14)
            first = now - timedelta(hours=rng.randint(1, 24 * 60))
            ward = rng.randrange(20)
            stories.append(
                {
                    "id": sid,
                    "first_seen": first,
                    "last_seen": first + timedelta(hours=6),
                    "item_count": 0,
                    "source_count": 3,
                    "reach": rng.randint(0, 50_000),
                    "velocity": rng.random() * 30,
                    "velocity_earlier": 0.0,
                    "representative_item_id": None,
                    "representative_text": " ".join(words),
                    "search_text": fold_for_search(" ".join(words)),
                    "province_codes": ["44"],
                    "ward_codes": [wards[ward]],
                    "max_scores": {"scam": round(rng.random(), 3), "toxic": round(rng.random(), 3)},
                    "category": rng.choice(CATEGORIES),
                    "updated_at": now,
                }
            )
        for start in range(0, len(stories), 20_000):
            conn.execute(insert(Story), stories[start : start + 20_000])
        # Items: the case stories get bigger clusters; every story gets at least one item.
        sizes = [1] * n_stories
        for _ in range(n_items - n_stories):
            sid = rng.randrange(n_cases) if rng.random() < 0.5 else rng.randrange(n_stories)
            sizes[sid] += 1
        rep: dict[int, int] = {}
        batch: list[dict[str, Any]] = []
        item_id = 0
        for index, size in enumerate(sizes):
            sid = index + 1
            base = stories[index]["representative_text"]
            folded = fold_for_search(base)
            for k in range(size):
                item_id += 1
                at = stories[index]["first_seen"] + timedelta(minutes=k % 360)
                batch.append(
                    {
                        "id": item_id,
                        "source_id": source_ids[(sid + k) % len(source_ids)],
                        "external_id": f"e{item_id}",
                        "content_hash": f"{item_id:064x}",
                        "url": f"https://nguon.example/p/{item_id}",
                        "title": None,
                        "text": base if k == 0 else f"{base} #{k}",
                        "text_folded": folded,
                        "author_hash": None,
                        "platform": "facebook",
                        "language": "vi",
                        "published_at": at,
                        "fetched_at": at,
                        "likes": k % 97,
                        "comments": k % 13,
                        "shares": k % 7,
                        "views": 0,
                        "province_codes": ["44"],
                        "ward_codes": stories[index]["ward_codes"],
                        "scores": {},
                        "category": None,
                        "story_id": sid,
                        "processed_at": at,
                        "raw_purged_at": None,
                    }
                )
                if k == 0:
                    rep[sid] = item_id
            if len(batch) >= 20_000:
                conn.execute(insert(Item), batch)
                batch = []
        if batch:
            conn.execute(insert(Item), batch)
        for start in range(0, n_stories, 20_000):
            conn.execute(
                Story.__table__.update()
                .values(
                    representative_item_id=select(func.min(Item.id))
                    .where(Item.story_id == Story.__table__.c.id)
                    .scalar_subquery(),
                    item_count=select(func.count(Item.id))
                    .where(Item.story_id == Story.__table__.c.id)
                    .scalar_subquery(),
                )
                .where(Story.__table__.c.id.between(start + 1, start + 20_000))
            )
        cases, events, audits, buckets, story_sources = [], [], [], [], []
        for cid in range(1, n_cases + 1):
            sid = cid
            ward = wards.index(stories[sid - 1]["ward_codes"][0])
            unit = unit_ids[1 + ward]
            priority = round(rng.random(), 4)
            status = rng.choices(("open", "assigned", "confirmed", "dismissed"), (60, 15, 15, 10))[
                0
            ]
            opened = stories[sid - 1]["first_seen"]
            cases.append(
                {
                    "id": cid,
                    "story_id": sid,
                    "unit_id": unit,
                    "status": status,
                    "category": stories[sid - 1]["category"],
                    "severity": 1 + int(priority * 2.99),
                    "priority": priority,
                    "priority_parts": {
                        "detector": {
                            "value": priority,
                            "weight": 1.0,
                            "points": priority,
                            "detail": "scam",
                        }
                    },
                    "assignee_id": rng.choice(reviewers) if status == "assigned" else None,
                    "dismiss_reason": "duplicate" if status == "dismissed" else None,
                    "opened_at": opened,
                    "due_at": opened + timedelta(hours=24),
                    "overdue": False,
                    "first_response_at": None,
                    "closed_at": None,
                }
            )
            events.append(
                {
                    "case_id": cid,
                    "kind": "opened",
                    "actor_id": None,
                    "at": opened,
                    "note": None,
                    "data": {"priority": priority},
                }
            )
            audits.append(
                {
                    "at": opened,
                    "actor_id": None,
                    "action": "case.opened",
                    "object_type": "case",
                    "object_id": str(cid),
                    "ip": None,
                    "detail": {"story_id": sid},
                }
            )
            for h in range(min(sizes[sid - 1], 24)):
                buckets.append(
                    {
                        "story_id": sid,
                        "bucket_start": opened + timedelta(hours=h),
                        "items": 1 + h % 5,
                        "reach": 10 * h,
                    }
                )
            for j in range(3):
                story_sources.append(
                    {
                        "story_id": sid,
                        "source_id": source_ids[(sid + j) % len(source_ids)],
                        "items": 1,
                        "first_seen": opened,
                    }
                )
        for table, rows in (
            (Case, cases),
            (CaseEvent, events),
            (AuditEvent, audits),
            (StoryTimelineBucket, buckets),
            (StorySource, story_sources),
        ):
            for start in range(0, len(rows), 20_000):
                conn.execute(insert(table), rows[start : start + 20_000])
    conn.close()
    return {
        "stories": n_stories,
        "items": item_id,
        "cases": n_cases,
        "build_s": round(time.perf_counter() - started, 1),
    }


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "n": len(ordered),
    }


def measure(database: Database, data_dir: Path, runs: int, info: dict[str, Any]) -> None:
    """Time the pages through the app, signed in as the province lead."""
    settings = load_settings(data_dir=data_dir, env="test")
    with TestClient(create_app(settings, database), follow_redirects=False) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        done = client.post(
            "/login",
            data={"username": "lead_qt", "password": PASSWORD, "csrf_token": token.group(1)},
        )
        assert done.status_code == 303, done.text
        with database.session() as s:
            case_ids = [c for (c,) in s.execute(select(Case.id))]
        rng = random.Random(3)
        queue_urls = [
            "/queue",
            "/queue?category=scam",
            "/queue?q=tai+khoan+tam+giu",
            "/queue?page=5",
            "/queue?status=all&overdue=1",
        ]
        for url in queue_urls + [f"/cases/{case_ids[0]}"]:  # warm-up
            assert client.get(url).status_code == 200, url
        timings: dict[str, list[float]] = {"queue": [], "story": [], "baseline": []}
        by_url: dict[str, list[float]] = {}
        for i in range(runs):
            # A page without queries: the fixed cost of a request on this machine right now.
            t = time.perf_counter()
            assert client.get("/guides").status_code == 200
            timings["baseline"].append(time.perf_counter() - t)
            url = queue_urls[i % len(queue_urls)]
            t = time.perf_counter()
            response = client.get(url)
            timings["queue"].append(time.perf_counter() - t)
            by_url.setdefault(url, []).append(timings["queue"][-1])
            assert response.status_code == 200
            t = time.perf_counter()
            response = client.get(f"/cases/{rng.choice(case_ids)}")
            timings["story"].append(time.perf_counter() - t)
            assert response.status_code == 200
    load = round(os.getloadavg()[0], 1)
    for name, samples in timings.items():
        goal = {} if name == "baseline" else {"goal_p95_ms": 200}
        emit(
            bench="web",
            page=name,
            database="sqlite",
            **info,
            **_percentiles(samples),
            load_average=load,
            **goal,
        )
    for url, samples in by_url.items():
        emit(bench="web", page="queue", variant=url, **_percentiles(samples))


def main() -> None:
    """Build (or reuse) the database, then measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=None)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="SQLite file to build into or reuse (default: a temporary one)",
    )
    args = parser.parse_args()
    n_cases = args.cases or max(200, args.items // 50)
    tmp = tempfile.TemporaryDirectory(prefix="soitin-bench-web-")
    path = args.db or Path(tmp.name) / "bench.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    database = Database(engine)
    with database.session() as s:
        existing = s.scalar(select(func.count(Item.id))) or 0
        existing_cases = s.scalar(select(func.count(Case.id))) or 0
    if existing:
        info = {"items": existing, "cases": existing_cases, "reused": True}
    else:
        info = build(database, args.items, n_cases)
        emit(bench="web", step="build", **info)
    measure(database, path.parent, args.runs, {"items": info["items"], "cases": info["cases"]})
    engine.dispose()
    tmp.cleanup()


if __name__ == "__main__":
    main()
