"""Reviewers' confirmed / dismissed cases become labelled training rows (SQLite + PostgreSQL)."""

from __future__ import annotations

from soitin.db.engine import Database
from soitin.db.models import Case, Item, Source, Story, Unit
from soitin.detect.decisions import decision_rows, rows_for_model, summary


def _story(
    session: object,
    source: Source,
    unit: Unit,
    texts: list[str],
    status: str,
    category: str | None,
    story_category: str | None = None,
) -> None:
    story = Story(representative_text=texts[0], category=story_category)
    session.add(story)  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    for i, text in enumerate(texts):
        session.add(  # type: ignore[attr-defined]
            Item(
                source_id=source.id,
                external_id=f"{story.id}-{i}",
                content_hash=f"h{story.id}{i}",
                text=text,
                story_id=story.id,
            )
        )
    session.add(Case(story_id=story.id, unit_id=unit.id, status=status, category=category))  # type: ignore[attr-defined]


def test_decisions_become_rows(db: Database) -> None:
    with db.transaction() as s:
        unit = Unit(code="u-detect", name="Đơn vị thử")
        source = Source(kind="file", name="detect-test-source")
        s.add_all([unit, source])
        s.flush()
        _story(
            s,
            source,
            unit,
            ["Trúng thưởng xe SH, nộp phí 500k", "Nhận quà tri ân, gọi ngay"],
            "confirmed",
            "scam",
        )
        _story(
            s, source, unit, ["Công an cảnh báo thủ đoạn giả danh điện lực"], "dismissed", "scam"
        )
        _story(s, source, unit, ["Đồ ngu"], "confirmed", None, story_category="toxic")
        _story(s, source, unit, ["Tin đồn đã bị bác bỏ"], "open", "misinformation")
    rows = decision_rows(db)
    assert ("scam", "Trúng thưởng xe SH, nộp phí 500k", "1") in rows
    assert ("scam", "Công an cảnh báo thủ đoạn giả danh điện lực", "0") in rows
    assert ("toxicity", "Đồ ngu", "1") in rows
    assert not any(det == "misinformation" for det, _, _ in rows)
    assert summary(rows)["scam"] == {"0": 1, "1": 2}
    scam = rows_for_model("scam", rows)
    assert ("Công an cảnh báo thủ đoạn giả danh điện lực", "legit") in scam
    assert ("Nhận quà tri ân, gọi ngay", "scam") in scam
    assert rows_for_model("toxicity", rows) == [("Đồ ngu", "offensive")]
