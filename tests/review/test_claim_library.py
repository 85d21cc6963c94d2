"""A claim added to the library meets the stories already spreading (both backends)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from soitin.db.engine import Database
from soitin.db.models import AuditEvent, Case, StoryClaimMatch
from soitin.db.types import utcnow
from soitin.errors import InvalidInputError
from soitin.review import accounts, claim_library
from soitin.settings import Settings, load_settings
from tests.review.factories import make_source, make_story
from tests.web.conftest import PASSWORD_HASH

RUMOUR = "Đập thủy điện Hòa Bình sắp vỡ, người dân vùng hạ du phải sơ tán ngay trong đêm nay"
CLAIM = {"text": "Đập thủy điện Hòa Bình sắp vỡ, dân hạ du phải sơ tán", "verdict": "false"}


@pytest.fixture
def settings(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("SOITIN_SEMANTIC_MATCHING", "false")  # e5 is covered in test_matching
    return load_settings(env="test")


def _seed(db: Database) -> dict[str, int]:
    now = utcnow()
    with db.transaction() as s:
        unit = accounts.add_unit(s, "qt", "Tỉnh Quảng Trị", place_codes=["44"])
        lead = accounts.add_user(s, "lead_qt", role="lead", unit_code="qt", password="",
                                 password_hash=PASSWORD_HASH)  # fmt: skip
        src = make_source(s, "Nhóm Facebook Quảng Trị", kind="api")
        recent = make_story(s, RUMOUR, sources=[src], province_codes=["44"],
                            start=now - timedelta(days=2))  # fmt: skip
        old = make_story(s, RUMOUR + " (tin cũ)", sources=[src], province_codes=["44"],
                         start=now - timedelta(days=40))  # fmt: skip
        denial = make_story(
            s,
            "Sở Công Thương: thông tin đập thủy điện Hòa Bình sắp vỡ, dân hạ du phải sơ tán là "
            "không chính xác, người dân không nên hoang mang",
            sources=[src],
            province_codes=["44"],
        )
        other = make_story(s, "Giá lúa vụ đông xuân tăng nhẹ tại Hải Lăng", sources=[src],
                           province_codes=["44"])  # fmt: skip
        return {"unit": unit.id, "lead": lead.id, "recent": recent.id, "old": old.id,
                "denial": denial.id, "other": other.id}  # fmt: skip


def _matched(db: Database, claim_id: int) -> set[int]:
    with db.transaction() as s:
        rows = s.scalars(
            select(StoryClaimMatch.story_id).where(StoryClaimMatch.claim_id == claim_id)
        )
        return set(rows)


def test_a_new_claim_matches_the_recent_stories_and_opens_their_cases(
    db: Database, settings: Settings
) -> None:
    ids = _seed(db)
    with db.transaction() as s:
        lead = accounts.get_user(s, "lead_qt")
        assert s.scalar(select(Case.id).where(Case.story_id == ids["recent"])) is None
        change = claim_library.add_claim(s, settings, lead, CLAIM, ip="10.0.0.9")
        claim_id = change.claims[0].id
        # the old story is outside the 14 days; the denial shares the words but denies them
        assert change.rematch.matched_ids == (ids["recent"],)
        assert change.rematch.scanned == 3
        assert ids["denial"] in change.rematch.candidate_ids
        assert change.summary() == {"stories_scanned": 3, "stories_matched": 1,
                                    "cases_opened": 1, "cases_updated": 0}  # fmt: skip
        case = s.scalars(select(Case).where(Case.story_id == ids["recent"])).one()
        assert case.unit_id == ids["unit"] and case.category == "misinformation"
        assert case.priority_parts["claims"]["value"] > 0
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "claim.add")).one()
        assert event.actor_id == lead.id and event.ip == "10.0.0.9"
        assert event.detail["stories_matched"] == 1
    assert _matched(db, claim_id) == {ids["recent"]}

    # Changed to another rumour: the story that matched is matched again and lets go.
    with db.transaction() as s:
        change = claim_library.update_claim(
            s, settings, None, claim_id, {"text": "Cá biển Cửa Tùng nhiễm độc, không được ăn"}
        )
        assert change.rematch.matched_ids == ()
        assert ids["recent"] in change.rematch.candidate_ids
    assert _matched(db, claim_id) == set()

    with db.transaction() as s:
        claim_library.update_claim(s, settings, None, claim_id, {"text": CLAIM["text"]})
    assert _matched(db, claim_id) == {ids["recent"]}
    with db.transaction() as s:
        before = s.scalars(select(Case).where(Case.story_id == ids["recent"])).one().priority
        change = claim_library.remove_claim(s, settings, None, claim_id)
        assert change.rematch.candidate_ids == (ids["recent"],) and change.cases_updated == 1
        after = s.scalars(select(Case).where(Case.story_id == ids["recent"])).one().priority
        assert after < before
        assert s.scalar(select(StoryClaimMatch.id)) is None


def test_rematching_can_be_turned_off_and_bad_claims_change_nothing(
    db: Database, settings: Settings
) -> None:
    ids = _seed(db)
    off = settings.model_copy(update={"claim_rematch_days": 0})
    with db.transaction() as s:
        change = claim_library.add_claim(s, off, None, CLAIM)
        assert change.rematch.scanned == 0 and change.rematch.matched_ids == ()
        assert s.scalar(select(Case.id).where(Case.story_id == ids["recent"])) is None
    with db.transaction() as s, pytest.raises(InvalidInputError, match="http"):
        claim_library.add_claim(s, settings, None, {**CLAIM, "url": "javascript:alert(1)"})


def test_an_imported_file_matches_like_one_claim(db: Database, settings: Settings) -> None:
    ids = _seed(db)
    body = (
        "claim_text,verdict,url\n"
        f'"{CLAIM["text"]}",false,https://factcheck.example.vn/hoa-binh\n'
        "Giá lúa vụ đông xuân tăng nhẹ tại Hải Lăng,true,\n"
    )
    with db.transaction() as s:
        change = claim_library.import_claims(s, settings, None, body.encode(), "claims.csv")
        assert len(change.claims) == 2 and change.skipped == 0
        assert set(change.rematch.matched_ids) == {ids["recent"], ids["other"]}
        again = claim_library.import_claims(s, settings, None, body.encode(), "claims.csv")
        assert again.claims == () and again.skipped == 2 and again.rematch.scanned == 0
