"""The queue's search over the stories' folded text meets grouped numbers however written."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select

from soitin.db.engine import Database
from soitin.db.models import User
from soitin.review.queue import QueueFilters, list_queue
from soitin.text.fold import fold_for_search, fold_item_text
from soitin.text.search import substring_forms
from tests.review.factories import make_case, make_source, make_story

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_story_search_folds_the_query_as_the_story_text(
    db: Database, units: dict[str, int]
) -> None:
    with db.transaction() as s:
        source = make_source(s)
        # As the pipeline writes it now (and the re-index): joined number, then its groups.
        new_text = "Chuyển 1.500.000đ vào số 0912 345 678 ở TP.HCM để nhận quà"
        new = make_story(s, new_text, sources=[source], items=1)
        new.search_text = fold_item_text(None, new_text)
        # Folded before grouped numbers were joined, not re-indexed yet.
        old_text = "Liên hệ 0987.654.321 nhận thưởng"
        old = make_story(s, old_text, sources=[source], items=1)
        old.search_text = fold_for_search(old_text)
        cases = {
            "new": make_case(s, new, units["qt"]).id,
            "old": make_case(s, old, units["qt"]).id,
        }
        user = s.scalar(select(User).where(User.username == "admin_qt"))
        assert user is not None

        def found(query: str) -> set[str]:
            page = list_queue(s, user, frozenset(units.values()), QueueFilters(q=query), tz=TZ)
            back = {v: k for k, v in cases.items()}
            return {back[row.id] for row in page.rows}

        for query in (
            "0912.345.678",
            "+84 912 345 678",
            "0912-345-678",
            "0912345678",
            "0912 345 678",
            "số 0912.345.678 ở tp.hcm",
            "TP.HCM",
            "tphcm",
            "1.500.000đ",
        ):
            assert found(query) == {"new"}, query
        assert found("0987.654.321") == {"old"}  # the form as written meets old text
        assert found("0912.345.679") == set()
        assert found("100%") == set()


def test_substring_forms_cut_after_joined_numbers() -> None:
    assert substring_forms("số 0912.345.678 ở TP.HCM") == [
        ["so 0912345678", " o tphcm"],
        ["so 0912.345.678 o tp.hcm"],
    ]
    assert substring_forms("lừa đảo") == [["lua dao"]]
    assert substring_forms("   ") == []
