"""The story page and the decision forms."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from soitin.db.engine import Database
from soitin.db.models import AuditEvent, Case, CaseEvent, Item, User
from soitin.respond.ledger import ResponseInput, record_response
from soitin.respond.publications import PublicationInput, create_publication
from tests.review.factories import make_source, make_story
from tests.web.conftest import csrf_of
from tests.web.review_data import QueryCounter, Workbench, workbench

__all__ = ["workbench"]


def test_story_page_shows_everything(
    signed_in: Callable[[str], TestClient], workbench: Workbench, db: Database
) -> None:
    client = signed_in("reviewer_dh")
    page = client.get(f"/cases/{workbench.scam}")
    assert page.status_code == 200
    html = page.text
    # Highlights: the toxic span (first 3 characters) and the scam evidence.
    assert '<mark class="hl-span" title="toxic">Đồ </mark>' in html
    assert '<mark class="hl-evidence" title="phones">0912 345 678</mark>' in html
    assert '<mark class="hl-evidence" title="organisations">Công an</mark>' in html
    # The words that raised the scam score are marked as such, not as a toxic span.
    assert '<mark class="hl-ngram" title="scam">tài khoản tạm giữ</mark>' in html
    legend = html.split('class="legend small">')[1].split("</p>")[0]
    assert "đoạn độc hại" in legend and "từ ngữ làm tăng điểm" in legend
    # Detector scores and explanations, priority parts.
    assert "tài khoản tạm giữ (+1,20)" in html and "</meter> 0,93</td>" in html  # decimal comma
    assert "Thành phần điểm ưu tiên" in html
    # Detectors by name in the page's language, the technical name beside it.
    assert '<th>Bộ phát hiện lừa đảo <span class="muted small"><code>scam</code>' in html
    assert "Bộ phát hiện · Độc hại / thù ghét" in html and "<th>scam" not in html
    # Items with source, link and engagement; timeline chart; places; claims.
    assert html.count('class="item-text-row"') == 4
    assert "Nhóm Facebook Đồng Hới" in html and "https://tin.example/bai/" in html
    # engagement in words (a machine without an emoji font drew 💬 as an empty box)
    assert re.search(r'class="small engagement">10 thích · \d+ bình luận · 0 chia sẻ', html)
    assert "💬" not in html and "👁" not in html
    assert html.count('class="bar"') >= 4 and "<svg" in html
    assert "Tỉnh Quảng Trị" in html and "(Xã/phường · 19123)" in html
    assert "Sai sự thật" in html and "Công an yêu cầu chuyển tiền" in html
    # Dates are dd/mm/yyyy.
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", html)
    assert "<script>" not in html and " style=" not in html and " onclick" not in html
    with db.session() as s:
        viewed = s.scalars(select(AuditEvent).where(AuditEvent.action == "item.text_viewed")).all()
    assert len(viewed) == 1 and viewed[0].detail["case_id"] == workbench.scam
    assert viewed[0].ip


def test_scores_are_written_in_the_page_language(
    signed_in: Callable[[str], TestClient], workbench: Workbench
) -> None:
    client = signed_in("reviewer_dh")
    vi = client.get(f"/cases/{workbench.scam}").text
    client.get("/lang/en")
    en = client.get(f"/cases/{workbench.scam}").text
    assert "</meter> 0,93</td>" in vi and "</meter> 0.93</td>" in en
    # scam evidence: its kinds and the names it gives are words of the page's language
    assert "Dấu hiệu · Số điện thoại:</span> 0912 345 678" in vi
    assert "Mồi nhử:</span> trúng thưởng" in vi and "Mạo danh:</span> công an" in vi
    assert "Evidence · Phone numbers:</span> 0912 345 678" in en
    assert "Lures:</span> prize" in en and "Impersonating:</span> công an" in en
    # the priority parts: value, weight, points
    part = re.compile(r"</meter> (\d[.,]\d\d)</td>\s*<td>(\d[.,]\d\d)</td><td>(\d[.,]\d{3})</td>")
    assert part.findall(vi) and all("." not in x for row in part.findall(vi) for x in row)
    assert part.findall(en) and all("," not in x for row in part.findall(en) for x in row)


def test_item_text_is_audited_and_scoped(
    signed_in: Callable[[str], TestClient], workbench: Workbench, db: Database
) -> None:
    with db.session() as s:
        item_id = s.scalar(
            select(Item.id).where(Item.story_id == workbench.story_scam).order_by(Item.id.desc())
        )
        other_item = s.scalar(select(Item.id).where(Item.story_id != workbench.story_scam))
    client = signed_in("viewer_dh")
    fragment = client.get(
        f"/cases/{workbench.scam}/items/{item_id}/text", headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200 and "chia sẻ lại" in fragment.text
    assert "<html" not in fragment.text
    assert client.get(f"/cases/{workbench.scam}/items/{other_item}/text").status_code == 404
    assert client.get(f"/cases/{workbench.village}/items/{item_id}/text").status_code == 404
    with db.session() as s:
        rows = s.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "item.text_viewed", AuditEvent.object_id == str(item_id)
            )
        ).all()
    assert len(rows) == 1


def test_other_units_cases_are_not_found(
    signed_in: Callable[[str], TestClient], workbench: Workbench
) -> None:
    client = signed_in("lead_dh")
    assert client.get(f"/cases/{workbench.village}").status_code == 404
    assert client.get(f"/cases/{workbench.province}").status_code == 404
    assert client.get(f"/stories/{workbench.story_scam}").headers["location"] == (
        f"/cases/{workbench.scam}"
    )


def test_decisions_through_the_forms(
    signed_in: Callable[[str], TestClient],
    workbench: Workbench,
    db: Database,
    units: dict[str, int],
) -> None:
    client = signed_in("reviewer_dh")
    page = client.get(f"/cases/{workbench.scam}")
    token = csrf_of(page.text)
    assert 'id="form-confirm"' in page.text and 'id="form-reopen"' not in page.text
    assert "/guides/nhan-dien-lua-dao" in page.text
    assert 'id="form-take"' in page.text and 'id="form-assign"' not in page.text
    url = f"/cases/{workbench.scam}"
    assert (
        client.post(f"{url}/assign", data={"assignee_id": "", "csrf_token": token}).status_code
        == 403
    )
    with db.session() as s:
        me = s.scalar(select(User.id).where(User.username == "reviewer_dh"))
    assert (
        client.post(f"{url}/assign", data={"assignee_id": str(me), "csrf_token": token}).status_code
        == 303
    )
    assert (
        client.post(
            f"{url}/comment", data={"note": "Đã xác minh với công an phường", "csrf_token": token}
        ).status_code
        == 303
    )
    no_csrf = client.post(f"{url}/confirm", data={"category": "scam"})
    assert no_csrf.status_code == 403
    done = client.post(
        f"{url}/confirm", data={"category": "scam", "note": "Lừa đảo rõ", "csrf_token": token}
    )
    assert done.status_code == 303 and done.headers["location"] == f"{url}?done=confirm"
    again = client.post(f"{url}/dismiss", data={"reason": "duplicate", "csrf_token": token})
    assert again.status_code == 409
    forwarded = client.post(
        f"{url}/forward",
        data={"unit_id": str(units["vl"]), "note": "Chuyển VL", "csrf_token": token},
    )
    assert forwarded.status_code == 303
    after = client.get(f"{url}?done=forward").text
    assert "Đã chuyển vụ việc cho đơn vị khác." in after and "Xã Vĩnh Linh" in after
    with db.session() as s:
        case = s.get(Case, workbench.scam)
        assert case is not None and case.status == "forwarded" and case.category == "scam"
        kinds = s.scalars(
            select(CaseEvent.kind).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
        ).all()
        assert kinds == ["assign", "comment", "confirm", "forward"]
        target = s.scalar(
            select(Case).where(Case.story_id == case.story_id, Case.unit_id == units["vl"])
        )
        assert target is not None and target.status == "open"
    # The province lead sees the forwarded case, can reopen the decided one.
    lead = signed_in("lead_qt")
    queue = lead.get(f"/queue?unit_id={units['vl']}").text
    assert f'data-case-id="{target.id}"' in queue
    page = lead.get(url)
    assert 'id="form-reopen"' in page.text
    reopened = lead.post(f"{url}/reopen", data={"csrf_token": csrf_of(page.text)})
    assert reopened.status_code == 303
    escalate = lead.post(f"{url}/escalate", data={"csrf_token": csrf_of(page.text)})
    assert escalate.status_code == 303


def test_viewer_sees_no_forms_and_cannot_post(
    signed_in: Callable[[str], TestClient], workbench: Workbench
) -> None:
    client = signed_in("viewer_dh")
    page = client.get(f"/cases/{workbench.scam}")
    assert page.status_code == 200
    assert "Bạn chỉ có quyền xem." in page.text and 'id="form-confirm"' not in page.text
    token = csrf_of(page.text)
    for action, data in (
        ("confirm", {"category": "scam"}),
        ("dismiss", {"reason": "other"}),
        ("comment", {"note": "x"}),
        ("escalate", {}),
    ):
        response = client.post(
            f"/cases/{workbench.scam}/{action}", data={**data, "csrf_token": token}
        )
        assert response.status_code == 403, action


def test_story_page_query_count_does_not_grow(
    signed_in: Callable[[str], TestClient], workbench: Workbench, db: Database
) -> None:
    client = signed_in("lead_dh")
    url = f"/cases/{workbench.scam}"
    client.get(url)
    with QueryCounter(db) as few:
        assert client.get(url).status_code == 200
    with db.transaction() as s:
        case = s.get(Case, workbench.scam)
        assert case is not None
        extra = make_source(s, "Nguồn khác")
        bigger = make_story(s, "Thêm tin", sources=[extra], items=25)
        for item in s.scalars(select(Item).where(Item.story_id == bigger.id)):
            item.story_id = case.story_id
        lead = s.scalar(select(User).where(User.username == "lead_dh"))
        for i in range(10):
            s.add(
                CaseEvent(
                    case_id=case.id,
                    kind="comment",
                    actor_id=lead.id if lead else None,
                    note=f"ghi chú {i}",
                )
            )
    with QueryCounter(db) as many:
        page = client.get(url)
    assert page.text.count('class="item-text-row"') == 29
    assert many.count == few.count, many.statements
    assert many.count <= 14, many.statements


def test_case_links_its_ledger_and_publications(
    signed_in: Callable[[str], TestClient],
    workbench: Workbench,
    db: Database,
    units: dict[str, int],
) -> None:
    client = signed_in("reviewer_dh")
    url = f"/cases/{workbench.scam}"
    page = client.get(url).text
    assert f'<a href="{url}/responses">Sổ phản hồi (0)</a>' in page
    assert "Chưa có phản hồi." in page and "Bài đăng liên quan" not in page
    with db.transaction() as s:
        case = s.get(Case, workbench.scam)
        assert case is not None
        record_response(s, case, ResponseInput(kind="referral", channel="CA"), actor=None)
        for unit, title, case_ids in (
            ("dh", "Cảnh báo giả danh công an", [workbench.scam, workbench.misinfo]),
            ("vl", "Bài của đơn vị khác", [workbench.scam]),  # a unit the reviewer cannot see
            ("dh", "Bài về vụ khác", [workbench.misinfo]),
        ):
            create_publication(
                s,
                PublicationInput(
                    unit_id=units[unit], channel="facebook", title=title, case_ids=case_ids
                ),
                actor=None,
            )
    page = client.get(url).text
    assert f'<a href="{url}/responses">Sổ phản hồi (1)</a>' in page
    assert "Bài đăng liên quan" in page and "Cảnh báo giả danh công an</a>" in page
    assert "Bài của đơn vị khác" not in page and "Bài về vụ khác" not in page
    client.get("/lang/en")
    assert f'<a href="{url}/responses">Response ledger (1)</a>' in client.get(url).text


def test_a_decided_case_says_who_may_reopen_it(
    signed_in: Callable[[str], TestClient], workbench: Workbench
) -> None:
    url = f"/cases/{workbench.dismissed}"
    reviewer = signed_in("reviewer_dh").get(url).text
    assert 'id="form-reopen"' not in reviewer and "mở lại để thay đổi." not in reviewer
    told = reviewer.split('id="decided-lead-only">')[1].split("</p>")[0]
    assert "Chỉ trưởng nhóm của đơn vị Phường Đồng Hới" in told
    assert "Trưởng nhóm: lead_dh, lead_qt" in told  # the unit's lead and the one above
    lead = signed_in("lead_dh").get(url).text
    assert 'id="form-reopen"' in lead and "mở lại để thay đổi." in lead
    assert 'id="decided-lead-only"' not in lead


def test_a_claim_names_the_other_cases_repeating_it(
    signed_in: Callable[[str], TestClient],
    workbench: Workbench,
    db: Database,
    units: dict[str, int],
) -> None:
    # The same debunked claim in other words: another story of Đồng Hới, one of the province
    # (outside the reviewer's unit) and one with no case at all.
    from soitin.db.models import Claim, StoryClaimMatch
    from tests.review.factories import make_case

    with db.transaction() as s:
        claim = s.scalar(select(Claim).where(Claim.text.startswith("Công an yêu cầu")))
        assert claim is not None
        src = make_source(s, "Trang tin cộng đồng")
        stories = [
            make_story(s, text, sources=[src])
            for text in ("Công an gọi bắt chuyển tiền", "Chuyển tiền cho công an", "Tạm giữ tiền")
        ]
        s.add_all(
            StoryClaimMatch(story_id=st.id, claim_id=claim.id, score=0.8, lexical=0.8)
            for st in stories
        )
        here = make_case(s, stories[0], units["dh"]).id
        province = make_case(s, stories[1], units["qt"]).id
    html = signed_in("reviewer_dh").get(f"/cases/{workbench.scam}").text
    assert "Tin này cũng lặp lại ở các vụ việc:" in html
    # the claim links its page in the library, which lists every case repeating it
    assert f'<a href="/claims/{claim.id}" class="claim-link">Công an yêu cầu' in html
    library = signed_in("reviewer_dh").get(f"/claims/{claim.id}").text
    assert f'href="/cases/{here}"' in library and f'href="/cases/{workbench.scam}"' in library
    assert f'<a href="/cases/{here}">#{here}</a>' in html
    assert f'href="/cases/{province}"' not in html  # not a case the reviewer may open
    # the province's lead sees both, newest first
    lead = signed_in("lead_qt").get(f"/cases/{workbench.scam}").text
    assert f'<a href="/cases/{province}">#{province}</a>, <a href="/cases/{here}">' in lead
    back = signed_in("reviewer_dh").get(f"/cases/{here}").text
    assert f'<a href="/cases/{workbench.scam}">#{workbench.scam}</a>' in back
