"""The "normalise" and "places" pipeline stages, on SQLite and PostgreSQL."""

from __future__ import annotations

from soitin.db.engine import Database
from soitin.db.models import Item, Source
from soitin.pipeline import default_stages, process_items
from soitin.places.stage import PlaceStage
from soitin.text.search import search_items
from soitin.text.stage import TextStage


def test_stages_run_before_stories_in_the_pipeline() -> None:
    names = [stage.name for stage in default_stages()]
    assert names.index("normalise") < names.index("places") < names.index("stories")


def test_items_get_folded_text_and_place_codes(db: Database) -> None:
    with db.session() as session:
        source = Source(kind="feed", name="Nguồn địa danh")
        session.add(source)
        session.flush()
        tagged = Item(
            source_id=source.id,
            external_id="a",
            content_hash="a",
            title="Lũ ở Quảng Bình",
            text="Cháy ở phường Bến Nghé, quận 1.",
        )
        stated = Item(
            source_id=source.id,
            external_id="b",
            content_hash="b",
            text="ko có địa danh nào",
            province_codes=["01"],
        )
        purged = Item(
            source_id=source.id,
            external_id="c",
            content_hash="c",
            text=None,
            text_folded="da xoa",
            province_codes=["48"],
        )
        session.add_all([tagged, stated, purged])
        session.flush()
        process_items(session, [tagged, stated, purged], stages=[TextStage(), PlaceStage()])
        session.flush()
        session.expire_all()
        assert tagged.text_folded == "lu o quang binh\nchay o phuong ben nghe, quan 1."
        assert tagged.province_codes == ["44", "79"]
        assert tagged.ward_codes == ["26740"]
        assert stated.text_folded == "khong co dia danh nao"
        assert stated.province_codes == ["01"] and stated.ward_codes == []
        assert purged.text_folded == "da xoa" and purged.province_codes == ["48"]
        assert [h.item_id for h in search_items(session, "quang binh")] == [tagged.id]
