"""Shadow mode on incoming items: the pipeline stores a candidate's results apart, changes
nothing else, and the stored results are compared (also with reviewers' decisions).
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from soitin.cli import app
from soitin.db.engine import Database
from soitin.db.models import Case, Item, ShadowScore, Source, Story, Unit
from soitin.detect.linear import LinearTextModel
from soitin.detect.registry import models_dir, shadow_suite
from soitin.detect.shadow_store import shadow_versions, stored_report
from soitin.detect.stage import DetectStage
from soitin.errors import NotFoundError
from soitin.pipeline import run_stages

TEXTS = [
    "Sale sốc 50% tất cả mặt hàng, inbox shop ngay để nhận mã giảm giá!!!",
    "Lịch họp tổ dân phố chuyển sang tối thứ năm tuần này",
    "Con về ăn cơm chưa, mẹ nấu canh chua rồi",
    "Thông báo cắt điện khu vực phường Đông Hà từ 7h đến 11h sáng mai",
]


@pytest.fixture(scope="module")
def candidate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A spam candidate that flags everything: the active model with a large intercept."""
    folder = tmp_path_factory.mktemp("shadow-candidate")
    model = LinearTextModel.load(models_dir() / "spam.npz")
    model.intercept = model.intercept + 40.0
    model.version = "thu-nghiem-ung-vien"
    model.save(folder / "spam.npz")
    return folder


def _items(db: Database) -> list[int]:
    with db.transaction() as s:
        source = Source(kind="file", name="shadow-live-source")
        s.add(source)
        s.flush()
        items = [
            Item(source_id=source.id, external_id=str(i), content_hash=f"sh{i}", text=t)
            for i, t in enumerate(TEXTS)
        ]
        s.add_all(items)
        s.flush()
        return [it.id for it in items]


def test_the_pipeline_stores_candidate_results_apart(
    db: Database, candidate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _items(db)
    monkeypatch.setenv("SOITIN_SHADOW_MODELS_DIR", str(candidate))
    with db.transaction() as s:
        items = list(s.scalars(select(Item).where(Item.id.in_(ids)).order_by(Item.id)))
        run_stages(s, items)  # the default stages, as ingest runs them
    with db.session() as s:
        rows = s.scalars(select(ShadowScore).order_by(ShadowScore.item_id)).all()
        stored = {it.id: it for it in s.scalars(select(Item).where(Item.id.in_(ids)))}
        active_version = stored[ids[0]].scores["spam"]["version"]
        # Only the candidate folder's detector runs in shadow, once per item.
        assert [(r.item_id, r.detector) for r in rows] == [(i, "spam") for i in ids]
        assert {(r.model, r.version, r.label) for r in rows} == {
            ("spam", "thu-nghiem-ung-vien", "spam")
        }
        assert {r.active_version for r in rows} == {active_version}
        assert active_version != "thu-nghiem-ung-vien"
        for r in rows:  # the active side is what the item keeps, and only that
            assert r.active_label == stored[r.item_id].scores["spam"]["label"]
        assert not any(it.category == "spam" for it in stored.values() if it.id != ids[0])
        assert shadow_versions(s, "spam") == [("thu-nghiem-ung-vien", 4)]


def test_the_report_compares_stored_results_with_decisions(db: Database, candidate: Path) -> None:
    ids = _items(db)
    stage = DetectStage(shadow=shadow_suite(candidate))
    with db.transaction() as s:
        items = list(s.scalars(select(Item).where(Item.id.in_(ids)).order_by(Item.id)))
        stage(s, items)
        stage(s, items)  # a batch run twice stores nothing twice
        unit = Unit(code="u-shadow", name="Đơn vị thử")
        s.add(unit)
        s.flush()
        for item, status in ((items[0], "confirmed"), (items[1], "dismissed")):
            story = Story(representative_text=item.text)
            s.add(story)
            s.flush()
            item.story_id = story.id
            s.add(Case(story_id=story.id, unit_id=unit.id, status=status, category="spam"))
    with db.session() as s:
        report = stored_report(s, "spam")
    assert report.n == 4
    assert report.candidate_version == "thu-nghiem-ung-vien"
    assert report.flag_rate_candidate == 1.0
    assert report.flag_rate_active < 1.0
    assert report.agreement == report.flag_rate_active  # they agree exactly where active flags
    # Two items have reviewers' decisions: confirmed spam (1) and dismissed (0).
    assert report.vs_labels["candidate"]["n"] == 2
    assert report.vs_labels["candidate"]["per_class"]["0"]["recall"] == 0.0


def test_no_stored_results_is_a_clear_error(db: Database) -> None:
    with db.session() as s, pytest.raises(NotFoundError, match="SOITIN_SHADOW_MODELS_DIR"):
        stored_report(s, "toxicity")


def test_cli_reports_stored_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOITIN_DATABASE_URL", f"sqlite:///{tmp_path / 'soitin.db'}")
    monkeypatch.setenv("SOITIN_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    empty = runner.invoke(app, ["shadow", "spam", "--stored", "--json"])
    assert empty.exit_code == 1
    assert "No shadow results stored" in empty.output
    wrong = runner.invoke(app, ["shadow", "spam", "--stored", "--since", "29/11/2026"])
    assert wrong.exit_code == 1 and "YYYY-MM-DD" in wrong.output
    neither = runner.invoke(app, ["shadow", "spam"])
    assert neither.exit_code == 1 and "--candidate" in neither.output
