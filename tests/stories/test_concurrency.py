"""Two worker processes ingesting the same near-duplicates at once create one story."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from soitin.db.engine import Database, make_engine
from soitin.db.migrate import upgrade
from soitin.db.models import Item, Source, Story, StoryBandKey, StorySignature, StorySource
from soitin.pipeline import process_items
from soitin.stories.stage import StoryStage
from tests.conftest import PG_URL, require_postgres
from tests.stories.helpers import settings

ROOT = Path(__file__).resolve().parents[2]
BASE = (
    "Cảnh báo: tin nhắn giả mạo ngân hàng yêu cầu bấm vào đường link để cập nhật "
    "thông tin tài khoản, ai bấm vào sẽ bị chiếm đoạt toàn bộ tiền trong tài khoản"
)
WORKER_TEXTS = {
    "a": [BASE + " 🙏", BASE + ", mọi người cẩn thận nhé!", BASE.upper(), "Trời hôm nay đẹp."],
    "b": [BASE, BASE + " https://example.vn/x", "Cảnh báo - " + BASE, "Mai đi học sớm nha."],
}


@pytest.fixture(params=["sqlite", "postgres"])
def shared_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A committed, migrated database both workers can open: (url, schema)."""
    if request.param == "postgres":
        require_postgres()
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
        _prepare(engine)
        yield PG_URL, schema
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    else:
        url = f"sqlite:///{tmp_path / 'shared.db'}"
        engine = make_engine(url)
        _prepare(engine)
        engine.dispose()
        yield url, ""


def _prepare(engine: Engine) -> None:
    upgrade(engine)
    with Database(engine).transaction() as session:
        session.add(Source(kind="api", name="shared"))


def _run_workers(url: str, schema: str, tmp_path: Path, texts_of: dict[str, list[str]]) -> int:
    """Both workers (`_worker.py`) at once, each with its texts; stories merged at insert."""
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = []
    for name, texts in texts_of.items():
        texts_file = tmp_path / f"{name}.json"
        texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.stories._worker",
                    url,
                    schema,
                    str(barrier),
                    name,
                    str(texts_file),
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        )
    merged = 0
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        merged += json.loads(out.decode().strip().splitlines()[-1])["merged"]
    return merged


def _engine(url: str, schema: str) -> Engine:
    kwargs = {"connect_args": {"options": f"-csearch_path={schema}"}} if schema else {}
    return make_engine(url, **kwargs)


def test_two_workers_create_one_story_for_the_same_near_duplicates(
    shared_database: tuple[str, str], tmp_path: Path
) -> None:
    url, schema = shared_database
    merged = _run_workers(url, schema, tmp_path, WORKER_TEXTS)
    print(f"stories merged at insert time: {merged}")

    engine = _engine(url, schema)
    try:
        with Database(engine).session() as session:
            near = [f"{w}-{i}" for w in WORKER_TEXTS for i in range(3)]
            ids = set(
                session.scalars(select(Item.story_id).where(Item.external_id.in_(near))).all()
            )
            assert len(ids) == 1 and None not in ids
            story = session.get(Story, ids.pop())
            assert story is not None and story.item_count == 6
            assert session.scalar(select(func.count()).select_from(Story)) == 3
            total = session.scalar(select(func.sum(Story.item_count)))
            assert total == 8
            assert session.scalar(select(func.sum(StorySource.items))) == 8
            # Every signature and key belongs to a story that exists.
            orphans = session.scalar(
                select(func.count())
                .select_from(StoryBandKey)
                .outerjoin(StorySignature, StorySignature.id == StoryBandKey.signature_id)
                .where(StorySignature.id.is_(None))
            )
            assert orphans == 0
            sig_stories = set(session.scalars(select(StorySignature.story_id)).all())
            assert sig_stories <= set(session.scalars(select(Story.id)).all())
    finally:
        engine.dispose()


FOOTER = (
    "\n———\nTheo dõi trang Tin Nhanh Miền Trung để cập nhật tin tức nhanh nhất mỗi ngày! "
    "Liên hệ quảng cáo: 0912.345.678. Email: toasoan@tinnhanh.vn. Chia sẻ nếu thấy hữu ích."
)


def test_two_workers_keep_a_pages_different_posts_apart_despite_its_footer(
    shared_database: tuple[str, str], tmp_path: Path
) -> None:
    # Three posts of the page stored first: its footer is known. Then each worker adds one
    # more; on PostgreSQL the two new stories' band keys collide (the footer's shingles), and
    # the check at insert time must not merge them either.
    url, schema = shared_database
    engine = _engine(url, schema)
    stored = ["Cháy chợ Đông Ba sáng nay.", "Giá xăng giảm 500 đồng.", "U23 thắng 2-0."]
    try:
        with Database(engine).transaction() as session:
            source_id = session.scalar(select(Source.id).where(Source.name == "shared"))
            items = [
                Item(source_id=source_id, external_id=f"s-{i}", content_hash=f"s-{i}", text=t)
                for i, t in enumerate(t + FOOTER for t in stored)
            ]
            session.add_all(items)
            session.flush()
            process_items(session, items, [StoryStage(settings())])
        _run_workers(
            url,
            schema,
            tmp_path,
            {"a": ["Mưa lớn gây ngập phố." + FOOTER], "b": ["Khai mạc lễ hội pháo hoa." + FOOTER]},
        )
        with Database(engine).session() as session:
            stories = session.scalars(select(Item.story_id)).all()
            assert len(stories) == 5 and None not in stories
            assert len(set(stories)) == 5
            assert session.scalar(select(func.count()).select_from(Story)) == 5
    finally:
        engine.dispose()
