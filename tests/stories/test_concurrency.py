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
from tests.conftest import PG_URL, require_postgres

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


def test_two_workers_create_one_story_for_the_same_near_duplicates(
    shared_database: tuple[str, str], tmp_path: Path
) -> None:
    url, schema = shared_database
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = []
    for name, texts in WORKER_TEXTS.items():
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
    print(f"stories merged at insert time: {merged}")

    kwargs = {"connect_args": {"options": f"-csearch_path={schema}"}} if schema else {}
    engine = make_engine(url, **kwargs)
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
