"""Speed of the search re-index (`soitin search reindex`) on SQLite.

    .venv/bin/python bench/reindex.py [--items 50000] [--batch-size 1000]

Builds a SQLite database of `--items` 120-character posts (one story per ten items) whose
folded text is of the old folding (grouped numbers not joined; about a third of the posts
hold a phone number, an account or an amount in groups, or TP.HCM), then prints one JSON line
per figure: the re-index (items per second, wall and CPU time, rows changed, FTS5 triggers
included) and a second, forced pass over text already current (read and fold only, nothing
written), with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from soitin.db.engine import Database, make_engine
from soitin.db.meta import write_value
from soitin.db.migrate import upgrade
from soitin.db.models import Source
from soitin.text.fold import fold_for_search
from soitin.text.reindex import VERSION_KEY, reindex_search

POST_CHARS = 120
_PLAIN = [
    "Người dân phản ánh tình trạng ngập úng kéo dài ở khu dân cư sau trận mưa lớn đêm qua",
    "Cơ quan chức năng khuyến cáo bà con ko nên chia sẻ thông tin chưa được kiểm chứng",
    "Hội nghị tổng kết công tác phòng chống thiên tai năm nay được tổ chức tại trụ sở tỉnh",
    "Mn ơi cho hỏi đường vào bệnh viện tỉnh giờ có bị cấm xe ko vậy, cần đi gấp lắm",
    "Trường học tổ chức ngày hội đọc sách cho học sinh, phụ huynh hào hứng tham gia",
]
_GROUPED = [
    "Liên hệ ngay {phone} để nhận quà tri ân khách hàng, số lượng có hạn",
    "Chuyển khoản {amount}đ vào stk {account} để được giải ngân khoản vay trong ngày",
    "Cảnh báo chiêu lừa đảo mới tại TP.HCM, kẻ gian gọi từ số {phone} giả danh công an",
]


def _posts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    posts = []
    for i in range(count):
        if i % 3 == 0:
            phone = f"09{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
            amount = f"{rng.randint(1, 99)}.{rng.randint(100, 999)}.000"
            account = f"{rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(10, 99)}"
            head = rng.choice(_GROUPED).format(phone=phone, amount=amount, account=account)
        else:
            head = rng.choice(_PLAIN)
        posts.append(f"{head}. {rng.choice(_PLAIN)} (tin {i})"[:POST_CHARS])
    return posts


def build(path: Path, items: int, seed: int) -> None:
    """The schema, a source, the items (old folding) and one story per ten items."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with Database(engine).transaction() as session:
        session.add(Source(id=1, kind="feed", name="bench"))
    engine.dispose()
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    posts = _posts(items, seed)
    conn = sqlite3.connect(path)
    with conn:
        stories = [
            (n // 10 + 1, posts[n], fold_for_search(posts[n]), n + 1, now)
            for n in range(0, items, 10)
        ]
        conn.executemany(
            "INSERT INTO stories (id, representative_text, search_text, representative_item_id, "
            "first_seen, last_seen, updated_at, item_count, source_count, reach, velocity, "
            "velocity_earlier, province_codes, ward_codes, max_scores) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?5, 10, 1, 0, 0, 0, '[]', '[]', '{}')",
            stories,
        )
        conn.executemany(
            "INSERT INTO items (id, source_id, external_id, content_hash, text, text_folded, "
            "language, fetched_at, likes, comments, shares, views, province_codes, ward_codes, "
            "scores, story_id) VALUES (?, 1, ?, ?, ?, ?, 'vi', ?, 0, 0, 0, 0, '[]', '[]', '{}', ?)",
            (
                (n + 1, f"b{n}", f"{n:064d}", text, fold_for_search(text), now, n // 10 + 1)
                for n, text in enumerate(posts)
            ),
        )
    conn.close()


def _emit(figure: str, **values: object) -> None:
    print(json.dumps({"bench": "reindex", "figure": figure, **values}, ensure_ascii=False))
    sys.stdout.flush()


def _timed(database: Database, batch_size: int, force: bool) -> dict[str, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = reindex_search(database, batch_size=batch_size, force=force)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "items": result.items_seen,
        "items_changed": result.items_changed,
        "stories": result.stories_seen,
        "stories_changed": result.stories_changed,
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "items_per_s": round(result.items_seen / wall),
        "items_per_cpu_s": round(result.items_seen / cpu) if cpu else None,
        "rows_per_s": round((result.items_seen + result.stories_seen) / wall),
        "load_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    """Build, re-index, re-index again (forced), print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reindex.db"
        build(path, args.items, args.seed)
        engine = make_engine(f"sqlite:///{path}")
        database = Database(engine)
        with database.transaction() as session:
            write_value(session, VERSION_KEY, "1")
        _emit(
            "reindex_sqlite", batch_size=args.batch_size, **_timed(database, args.batch_size, False)
        )
        _emit(
            "reindex_sqlite_current",
            batch_size=args.batch_size,
            **_timed(database, args.batch_size, True),
        )
        engine.dispose()


if __name__ == "__main__":
    main()
