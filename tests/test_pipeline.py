"""The whole pipeline on real databases: normalise → places → stories → detect → triage."""

from __future__ import annotations

from sqlalchemy import select

from soitin.db.engine import Database
from soitin.db.models import Case, Item, Story
from soitin.detect.catalog import PRODUCT
from soitin.ingest.incoming import IncomingItem
from soitin.ingest.sources import add_source
from soitin.ingest.store import store_items
from soitin.review import accounts

SCAM = (
    "Điện lực Quảng Trị thông báo: quý khách nợ tiền điện 2 tháng, sẽ cắt điện trong 2 giờ. "
    "Chuyển khoản ngay 1.250.000đ vào tài khoản 0951234567 ngân hàng ACB hoặc bấm "
    "bit.ly/tiendien-qt để thanh toán."
)
NEWS = "Sở Giáo dục tỉnh Quảng Trị tổ chức lễ khai giảng năm học mới tại thành phố Đông Hà."


def test_items_come_out_scored_placed_grouped_and_triaged(db: Database) -> None:
    with db.transaction() as s:
        accounts.add_unit(s, "qt", "Tỉnh Quảng Trị", place_codes=["44"])
        source = add_source(s, name="Trang công khai (thử)", kind="file")
        store_items(
            s,
            source,
            [
                IncomingItem(external_id="a", text=SCAM),
                IncomingItem(external_id="b", text=SCAM + " 🙏 chia sẻ gấp"),
                IncomingItem(external_id="c", text=NEWS),
            ],
            key="k" * 16,
        )
    with db.session() as s:
        items = {i.external_id: i for i in s.scalars(select(Item))}
        scam, repost, news = items["a"], items["b"], items["c"]
        for item in items.values():
            assert item.processed_at is not None
            assert item.text_folded  # normalised and folded
            assert "44" in item.province_codes  # Quảng Trị, Đông Hà
            assert set(PRODUCT) <= set(item.scores)
            for name in PRODUCT:
                stored = item.scores[name]
                assert stored["model"] and stored["version"]  # every score says its model
                assert 0.0 <= stored["score"] <= 1.0
        assert scam.story_id == repost.story_id != news.story_id
        assert scam.category == "scam"
        assert scam.scores["scam"]["score"] > news.scores["scam"]["score"]
        assert any("0951234567" in v for v in scam.scores["scam"]["evidence"].values())
        story = s.get(Story, scam.story_id)
        assert story is not None and story.item_count == 2
        assert story.max_scores["scam"] == max(
            scam.scores["scam"]["score"], repost.scores["scam"]["score"]
        )
        case = s.scalar(select(Case).where(Case.story_id == story.id))
        assert case is not None and case.priority > 0
