"""Retention: old raw text goes, everything counted stays (both databases).

The known month of tests/report/world.py plus item texts, titles, links, decisions and
a recent item; `purge_expired(days=30)` at the world's "now" (15 Nov 2026) must blank the
raw fields of items fetched before 16 Oct and leave stories, cases, decisions, responses
and every statistic exactly as they were.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soitin.db.engine import Database
from soitin.db.models import Action, Case, CaseEvent, Item, Source, Story
from soitin.ops.retention import purge_expired
from soitin.report.periods import parse_period
from soitin.report.stats import StatsQuery, compute_statistics
from tests.report.world import NOW, TZ, World, build_world, local

CUTOFF = NOW - timedelta(days=30)
#: A stored result quoting its text: words, a span and evidence (a phone number).
SCAM_RESULT = {
    "model": "scam",
    "version": "v1",
    "label": "scam",
    "score": 0.91,
    "probabilities": {"legit": 0.09, "scam": 0.91},
    "explanation": [["chuyển khoản", 1.2]],
    "highlights": [{"start": 0, "end": 10, "text": "0912345678", "weight": 1.0, "source": "x"}],
    "evidence": {"phones": ["0912345678"]},
    "frames": ["warning"],
}


def _world(db: Database) -> World:
    with db.transaction() as session:
        world = build_world(session)
        source = session.scalars(select(Source).where(Source.name == "world-source")).one()
        for item in session.scalars(select(Item)).all():
            item.title = f"Tiêu đề {item.external_id}"
            item.url = f"https://tin.example/{item.external_id}"
            item.text_folded = f"tin {item.external_id}"
            item.scores = {**(item.scores or {}), "scam": SCAM_RESULT}
        session.add(
            Item(
                source_id=source.id,
                external_id="moi",
                content_hash="moi",
                text="tin mới",
                title="Tiêu đề mới",
                url="https://tin.example/moi",
                text_folded="tin moi",
                category="scam",
                scores={"scam": SCAM_RESULT},
                # a recent repost of an old story: that story keeps its text
                story_id=session.scalars(select(Story.id).order_by(Story.id)).first(),
                fetched_at=NOW - timedelta(days=2),
            )
        )
        for key, case_id in world.cases.items():
            session.add(
                CaseEvent(
                    case_id=case_id, kind="comment", note=f"ghi chú {key}", at=local(10, 25, 9)
                )
            )
            session.add(
                CaseEvent(
                    case_id=case_id, kind="confirm", data={"category": "scam"}, at=local(10, 25, 10)
                )
            )
    return world


def _snapshot(session: Session, world: World) -> dict[str, Any]:
    figures = {}
    for unit in ("qtr", "dhoi", "mhoa"):
        for month in ("2026-09", "2026-10", "2026-11"):
            query = StatsQuery(unit_id=world.units[unit], period=parse_period(month))
            for rollup in (True, False):
                stats = compute_statistics(session, query, tz=TZ, now=NOW, use_rollup=rollup)
                figures[f"{unit}/{month}/{rollup}"] = stats.to_dict()

    def rows(model: Any, *cols: str) -> list[tuple[Any, ...]]:
        found = session.scalars(select(model).order_by(model.id)).all()
        return [tuple(getattr(r, c) for c in cols) for r in found]

    return {
        "stats": figures,
        "stories": rows(Story, "id", "representative_text", "item_count", "reach", "category"),
        "cases": rows(Case, "id", "story_id", "status", "category", "opened_at", "closed_at"),
        "events": rows(CaseEvent, "id", "case_id", "kind", "note", "data"),
        "actions": rows(Action, "id", "case_id", "kind", "url", "outcome", "title", "at"),
        "items": rows(
            Item,
            "id",
            "category",
            "fetched_at",
            "content_hash",
            "story_id",
            "province_codes",
            "ward_codes",
            "likes",
            "shares",
        ),
    }


def test_purge_blanks_old_raw_text_and_keeps_every_figure(db: Database) -> None:
    world = _world(db)
    with db.session() as session:
        before = _snapshot(session, world)
        old = session.scalars(select(Item.id).where(Item.fetched_at < CUTOFF)).all()
        new = session.scalars(select(Item.id).where(Item.fetched_at >= CUTOFF)).all()
    assert len(old) >= 10 and len(new) >= 4  # both halves exist
    assert before["events"] and before["actions"] and before["cases"] and before["stories"]

    assert purge_expired(db, days=30, now=NOW) == len(old)
    assert purge_expired(db, days=30, now=NOW) == 0  # already purged

    with db.session() as session:
        for item in session.scalars(select(Item).where(Item.id.in_(old))).all():
            assert (item.text, item.title, item.url, item.text_folded) == (None, None, None, "")
            assert item.raw_purged_at is not None
            # the label and score stay; no word, span or number quoted from the text does
            assert item.scores["scam"] == {
                k: SCAM_RESULT[k]
                for k in ("model", "version", "label", "score", "probabilities", "frames")
            }
            assert "0912345678" not in str(item.scores)
        for item in session.scalars(select(Item).where(Item.id.in_(new))).all():
            assert item.text and item.title and item.url and item.text_folded
            assert item.raw_purged_at is None
            assert item.scores["scam"] == SCAM_RESULT
        live = set(
            session.scalars(
                select(Item.story_id).where(
                    Item.raw_purged_at.is_(None), Item.story_id.is_not(None)
                )
            )
        )
        stories = {st.id: st for st in session.scalars(select(Story)).all()}
        after = _snapshot(session, world)
    assert after["stats"] == before["stats"]
    for key in ("cases", "events", "actions", "items"):
        assert after[key] == before[key], key
    # a story keeps its text while one of its items does; then it goes too
    gone = [sid for sid in stories if sid not in live]
    assert gone and live
    for (sid, text, *rest), (sid_b, text_b, *rest_b) in zip(
        after["stories"], before["stories"], strict=True
    ):
        assert (sid, rest) == (sid_b, rest_b)
        assert text == ("" if sid in gone else text_b)
        assert stories[sid].search_text == "" or sid not in gone
    assert before["stats"]["qtr/2026-10/False"]["totals"]["items"] == 11


def test_zero_days_keeps_everything(db: Database) -> None:
    _world(db)
    assert purge_expired(db, days=0, now=NOW) == 0
    with db.session() as session:
        assert session.scalars(select(Item).where(Item.text.is_(None))).all() == []
