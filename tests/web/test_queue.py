"""The queue page: order, filters, search without diacritics, paging, bulk actions, N+1."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from soitin.db.engine import Database
from soitin.db.models import AuditEvent, Case, User
from tests.review.factories import make_case, make_source, make_story
from tests.web.conftest import csrf_of
from tests.web.review_data import QueryCounter, Workbench, workbench

__all__ = ["workbench"]


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-case-id="(\d+)"', html)]


def test_queue_orders_by_priority_within_scope(
    signed_in: Callable[[str], TestClient], workbench: Workbench
) -> None:
    page = signed_in("reviewer_dh").get("/queue")
    assert page.status_code == 200
    assert "Hàng đợi xử lý" in page.text
    w = workbench
    assert _ids(page.text) == [w.scam, w.misinfo, w.overdue, w.other_source]
    assert "Quá hạn" in page.text
    qt = signed_in("viewer_qt").get("/queue")
    assert _ids(qt.text) == [w.scam, w.province, w.village, w.misinfo, w.overdue, w.other_source]


def test_queue_filters(
    signed_in: Callable[[str], TestClient],
    workbench: Workbench,
    units: dict[str, int],
    db: Database,
) -> None:
    client = signed_in("lead_qt")
    w = workbench

    def ids(query: str) -> list[int]:
        response = client.get(f"/queue?{query}")
        assert response.status_code == 200, response.text
        return _ids(response.text)

    assert ids("status=dismissed") == [w.dismissed]
    assert w.dismissed in ids("status=all")
    assert ids("category=misinformation") == [w.village, w.misinfo]
    assert ids(f"unit_id={units['vl']}") == [w.village]
    assert ids("place=19123") == [w.scam, w.misinfo]
    assert ids("place=44") == [w.scam, w.province]
    assert ids(f"source_id={w.source_b}") == [w.scam, w.other_source]
    assert ids("overdue=1") == [w.overdue]
    assert ids("assignee=none&category=misinformation") == [w.village]
    with db.session() as s:
        rid = s.scalar(select(User.id).where(User.username == "reviewer_dh"))
    assert ids(f"assignee={rid}") == [w.misinfo]
    assert ids("since=2000-01-01&until=02/01/2000") == []
    assert client.get("/queue?since=29/02/2001").status_code == 422
    assert len(ids("since=01/01/2000")) == 6
    assert len(ids("since=2000-01-01")) == 6
    # Diacritic-free search and search with diacritics find the same case.
    assert ids("q=tai+khoan+tam+giu") == [w.scam]
    assert ids("q=TÀI+KHOẢN+tạm") == [w.scam]
    assert ids("q=100%25") == []
    # Words found only in a later item of the story (full-text index), not the representative.
    assert ids("q=chia+se+lai+3") == [w.scam]
    assert ids("unit_id=&category=&q=") == ids("")
    assert client.get("/queue?status=bogus").status_code == 422
    assert client.get("/queue?place=1%25").status_code == 422


def test_htmx_gets_only_the_results(
    signed_in: Callable[[str], TestClient], workbench: Workbench
) -> None:
    client = signed_in("reviewer_dh")
    fragment = client.get(
        "/queue?category=spam", headers={"HX-Request": "true", "HX-Target": "queue-results"}
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and _ids(fragment.text) == [workbench.other_source]
    client.get("/lang/en")
    english = client.get("/queue").text
    assert "Review queue" in english and "Spam" in english and "Hàng đợi xử lý" not in english


def test_paging(
    signed_in: Callable[[str], TestClient], db: Database, units: dict[str, int]
) -> None:
    with db.transaction() as s:
        src = make_source(s)
        for i in range(60):
            make_case(
                s,
                make_story(s, f"Tin số {i}", sources=[src], items=1),
                units["dh"],
                priority=i / 100,
            )
    client = signed_in("viewer_dh")
    first = client.get("/queue")
    second = client.get("/queue?page=2")
    assert len(_ids(first.text)) == 50 and len(_ids(second.text)) == 10
    assert not set(_ids(first.text)) & set(_ids(second.text))
    assert 'rel="next"' in first.text and 'rel="prev"' in second.text
    assert _ids(client.get("/queue?page=99").text) == _ids(second.text)


def test_bulk_assign_and_dismiss_for_leads_only(
    signed_in: Callable[[str], TestClient], workbench: Workbench, db: Database
) -> None:
    w = workbench
    reviewer = signed_in("reviewer_dh")
    page = reviewer.get("/queue")
    assert 'action="/queue/bulk"' not in page.text
    refused = reviewer.post(
        "/queue/bulk",
        data={
            "operation": "dismiss",
            "case_ids": [w.scam],
            "reason": "duplicate",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert refused.status_code == 403
    lead = signed_in("lead_dh")
    page = lead.get("/queue")
    assert 'action="/queue/bulk"' in page.text
    token = csrf_of(page.text)
    with db.session() as s:
        rid = s.scalar(select(User.id).where(User.username == "reviewer_dh"))
    done = lead.post(
        "/queue/bulk",
        data={
            "operation": "assign",
            "case_ids": [w.scam, w.overdue],
            "assignee_id": str(rid),
            "csrf_token": token,
            "back": "category=scam",
        },
    )
    assert done.status_code == 303 and done.headers["location"].startswith("/queue?category=scam")
    outside = lead.post(
        "/queue/bulk",
        data={
            "operation": "dismiss",
            "case_ids": [w.province],
            "reason": "duplicate",
            "csrf_token": token,
        },
    )
    assert outside.status_code == 404
    dismissed = lead.post(
        "/queue/bulk",
        data={
            "operation": "dismiss",
            "case_ids": [w.other_source],
            "reason": "duplicate",
            "csrf_token": token,
        },
    )
    assert dismissed.status_code == 303
    with db.session() as s:
        assert s.get(Case, w.scam).assignee_id == rid  # type: ignore[union-attr]
        assert s.get(Case, w.overdue).status == "assigned"  # type: ignore[union-attr]
        assert s.get(Case, w.other_source).status == "dismissed"  # type: ignore[union-attr]
        assert s.get(Case, w.province).status == "open"  # type: ignore[union-attr]
        actions = s.scalars(select(AuditEvent.action)).all()
    assert actions.count("case.assign") == 2 and "case.dismiss" in actions
    assert "queue.viewed" in actions


def test_queue_query_count_does_not_grow_with_rows(
    signed_in: Callable[[str], TestClient],
    db: Database,
    units: dict[str, int],
    workbench: Workbench,
) -> None:
    client = signed_in("lead_qt")
    client.get("/queue")
    with QueryCounter(db) as few:
        assert client.get("/queue").status_code == 200
    with db.transaction() as s:
        src = make_source(s, "Nguồn thêm")
        users = s.scalars(select(User).where(User.role == "reviewer")).all()
        for i in range(30):
            make_case(
                s,
                make_story(s, f"Thêm {i}", sources=[src], items=1),
                units["dh"] if i % 2 else units["vl"],
                priority=0.5,
                assignee_id=users[i % len(users)].id if i % 2 else None,
            )
    with QueryCounter(db) as many:
        page = client.get("/queue")
    assert len(_ids(page.text)) == 36
    assert many.count == few.count, many.statements
    # user, units, count, page, sources, assignees, audit insert
    assert many.count <= 8, many.statements


def test_queue_groups_thousands_in_the_page_language(
    signed_in: Callable[[str], TestClient], workbench: Workbench
) -> None:
    client = signed_in("reviewer_dh")
    assert "5.400 " in client.get("/queue").text  # Vietnamese: a dot between thousands
    client.get("/lang/en")
    page = client.get("/queue").text
    assert "5,400 " in page and "5.400" not in page


def test_a_bulk_action_with_nothing_ticked_says_so_at_the_top(
    signed_in: Callable[[str], TestClient], workbench: Workbench
) -> None:
    lead = signed_in("lead_dh")
    token = csrf_of(lead.get("/queue").text)
    empty = lead.post(
        "/queue/bulk", data={"operation": "dismiss", "reason": "duplicate", "csrf_token": token}
    )
    assert empty.status_code == 422
    top = empty.text.index('id="bulk-error-top"')
    assert top < empty.text.index('id="queue-results"')  # above the results, seen on arrival
    assert "Hãy chọn ít nhất một vụ việc" in empty.text[top : top + 300]


def test_one_item_from_one_source_is_singular_in_english(
    signed_in: Callable[[str], TestClient], db: Database, units: dict[str, int]
) -> None:
    with db.transaction() as s:
        story = make_story(s, "Tin lẻ một bài", sources=[make_source(s, "Nguồn lẻ")], items=1)
        make_case(s, story, units["dh"])
    client = signed_in("reviewer_dh")
    client.get("/lang/en")
    page = client.get("/queue").text
    assert "1 item · 1 source · " in page and "1 items" not in page


def test_the_place_filter_names_places_on_the_2025_map(
    signed_in: Callable[[str], TestClient], workbench: Workbench
) -> None:
    page = signed_in("lead_qt").get("/queue").text
    options = page.split('name="place"')[1].split("</select>")[0]
    assert '<option value="44" >Quảng Trị (44)</option>' in options  # was "44 · unit"


def test_an_empty_queue_without_filters_does_not_speak_of_filters(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("viewer_dh")  # no case anywhere
    page = client.get("/queue").text
    assert "Đơn vị của bạn chưa có vụ việc nào đang mở." in page
    filtered = client.get("/queue?category=scam").text
    assert "Không có vụ việc nào khớp bộ lọc." in filtered
