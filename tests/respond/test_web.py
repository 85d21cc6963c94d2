"""Responses and publications through the pages and the JSON API."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from httpx import Response

from soitin.db.engine import Database
from soitin.db.models import Case, Claim, StoryClaimMatch
from tests.report.world import World
from tests.web.conftest import csrf_of


def _csrf(client: TestClient) -> str:
    return csrf_of(client.get("/publications").text)


def test_ledger_page_and_form(signed_in: Callable[[str], TestClient], world: World) -> None:
    client = signed_in("reviewer_dhoi")
    case_id = world.cases["C5"]
    page = client.get(f"/cases/{case_id}/responses")
    assert page.status_code == 200 and "Thông cáo báo chí số 5" in page.text
    assert "1 giờ 0 phút" in page.text
    posted = client.post(
        f"/cases/{case_id}/responses",
        data={
            "csrf_token": csrf_of(page.text),
            "kind": "platform_report",
            "platform": "tiktok",
            "reference": "TT-77",
            "at": "2026-10-05T14:30",
        },
    )
    assert posted.status_code == 303
    page = client.get(f"/cases/{case_id}/responses")
    assert "TT-77" in page.text and "30 phút" in page.text  # 14:30 is now the first response
    bad = client.post(
        f"/cases/{case_id}/responses",
        data={
            "csrf_token": csrf_of(page.text),
            "kind": "fact_check",
            "url": "javascript:alert(1)",
            "channel": "web",
        },
    )
    assert bad.status_code == 422 and "http" in bad.text
    no_csrf = client.post(f"/cases/{case_id}/responses", data={"kind": "referral"})
    assert no_csrf.status_code == 403


def test_times_are_typed_day_first_as_vietnamese_write_them(
    signed_in: Callable[[str], TestClient], world: World, db: Database
) -> None:
    # a browser's own picker showed mm/dd/yyyy in an English browser; the field takes what a
    # Vietnamese user writes (ISO too, as the API sends it)
    from sqlalchemy import select

    from soitin.db.models import Action

    client = signed_in("reviewer_dhoi")
    case_id = world.cases["C5"]
    page = client.get(f"/cases/{case_id}/responses").text
    assert 'type="datetime-local"' not in page and 'placeholder="dd/mm/yyyy hh:mm"' in page

    def report(at: str, reference: str) -> Response:
        return client.post(
            f"/cases/{case_id}/responses",
            data={
                "csrf_token": csrf_of(page),
                "kind": "platform_report",
                "platform": "tiktok",
                "reference": reference,
                "at": at,
            },
        )

    for typed, reference in (
        ("05/10/2026 14:30", "R-1"),
        ("5/10/2026 14h30", "R-2"),
        ("2026-10-05T14:30", "R-3"),
    ):
        posted = report(typed, reference)
        assert posted.status_code == 303, (typed, posted.text[-300:])
    with db.session() as s:
        times = s.scalars(
            select(Action.at).where(Action.reference.in_(["R-1", "R-2", "R-3"]))
        ).all()
    assert len(times) == 3 and {t.isoformat() for t in times} == {"2026-10-05T07:30:00+00:00"}
    bad = report("31/02/2026 10:00", "R-4")
    assert bad.status_code == 422
    assert "&#39;31/02/2026 10:00&#39; không phải ngày giờ hợp lệ." in bad.text
    assert 'value="31/02/2026 10:00"' in bad.text  # kept for the user to mend


def test_the_form_offers_the_claims_the_story_matches_first(
    signed_in: Callable[[str], TestClient], world: World, db: Database
) -> None:
    case_id = world.cases["C5"]
    with db.transaction() as s:
        case = s.get(Case, case_id)
        assert case is not None
        hostile = Claim(text='<script>alert("x")</script> Đập thủy điện sắp vỡ', verdict="false")
        other = Claim(text="Ăn tỏi chữa khỏi cúm", verdict="misleading")
        s.add_all([hostile, other])
        s.flush()
        s.add(StoryClaimMatch(story_id=case.story_id, claim_id=hostile.id, score=0.9))
        matched_id, other_id = hostile.id, other.id
    client = signed_in("reviewer_dhoi")
    page = client.get(f"/cases/{case_id}/responses").text
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    choices = page.split('<datalist id="claim-choices">')[1].split("</datalist>")[0]
    values = [int(v.split('"')[0]) for v in choices.split('<option value="')[1:]]
    # the match first, then the newest of the library (the other new claim, the world's)
    assert values == [matched_id, other_id, world.claim_id]
    hint = page.split('class="claims-matched"')[1].split("</div>")[0]
    assert f"<strong>#{matched_id}</strong>" in hint and f"<strong>#{other_id}</strong>" not in hint
    chosen = client.post(
        f"/cases/{case_id}/responses",
        data={
            "csrf_token": csrf_of(page),
            "kind": "fact_check",
            "url": "https://qtr.gov.vn/kiem-chung/thuy-dien",
            "channel": "web",
            "claim_id": str(matched_id),
        },
    )
    assert chosen.status_code == 303
    # a case whose story matches nothing lists no match, and still offers the library
    other_page = client.get(f"/cases/{world.cases['C1']}/responses").text
    assert 'class="claims-matched"' not in other_page
    assert f'<option value="{world.claim_id}">' in other_page


def test_response_form_errors_keep_the_input_in_vietnamese(
    signed_in: Callable[[str], TestClient], world: World
) -> None:
    client = signed_in("reviewer_dhoi")
    case_id = world.cases["C5"]
    token = csrf_of(client.get(f"/cases/{case_id}/responses").text)
    form = {"csrf_token": token, "kind": "fact_check", "title": "Sự thật về X", "note": "Đã gọi"}
    missing = client.post(f"/cases/{case_id}/responses", data=form)
    assert missing.status_code == 422
    assert "Phản hồi loại «Bài kiểm chứng» cần điền: liên kết, kênh." in missing.text
    assert "needs" not in missing.text
    assert 'value="Sự thật về X"' in missing.text and ">Đã gọi</textarea>" in missing.text
    assert '<option value="fact_check" selected>' in missing.text
    complete = {**form, "url": "https://example.vn/kc", "channel": "web"}
    future = client.post(f"/cases/{case_id}/responses", data={**complete, "at": "2099-01-01T10:00"})
    assert "Thời điểm phản hồi không được ở tương lai." in future.text
    assert 'value="2099-01-01T10:00"' in future.text
    claim = client.post(f"/cases/{case_id}/responses", data={**complete, "claim_id": "999999"})
    assert claim.status_code == 422
    assert "Không có tin đã kiểm chứng mã 999999 trong thư viện." in claim.text
    publication = client.post(
        "/publications",
        data={
            "csrf_token": token,
            "unit": "dhoi",
            "channel": "facebook",
            "title": "Bài cảnh báo",
            "case_ids": "99999",
        },
    )
    assert publication.status_code == 422 and "Không có vụ việc số 99999." in publication.text
    assert 'value="Bài cảnh báo"' in publication.text and 'value="99999"' in publication.text
    client.get("/lang/en")
    english = client.post(f"/cases/{case_id}/responses", data=form)
    assert "A fact_check response needs: url, channel." in english.text


def test_english_pages_speak_english(signed_in: Callable[[str], TestClient], world: World) -> None:
    client = signed_in("reviewer_dhoi")
    case_id = world.cases["C5"]
    page = client.get(f"/cases/{case_id}/responses")
    client.post(
        f"/cases/{case_id}/responses",
        data={"csrf_token": csrf_of(page.text), "kind": "platform_report", "platform": "tiktok"},
    )
    client.get("/lang/en")
    ledger = client.get(f"/cases/{case_id}/responses").text
    assert "Platform report" in ledger and "Pending" in ledger and "1 h 0 min" in ledger
    for vietnamese in ("Báo cáo nền tảng", "Đang chờ", "giờ", "phút"):
        assert vietnamese not in ledger, vietnamese
    timeline = client.get(f"/cases/{case_id}").text  # the case's events name the response
    assert "event.response" not in timeline
    assert "<strong>Response</strong>" in timeline and "Platform report" in timeline
    client.get("/lang/vi")
    timeline = client.get(f"/cases/{case_id}").text
    assert "<strong>Phản hồi</strong>" in timeline and "Báo cáo nền tảng" in timeline
    lead = signed_in("lead_qtr")  # the province: changes from the previous period, in English
    lead.get("/lang/en")
    dashboard = lead.get("/?period=2026-10").text
    assert "(new)" in dashboard and "▲ 266.7%" in dashboard and "(mới)" not in dashboard
    assert "October 2026 (previous: September 2026)" in dashboard and "tháng 10" not in dashboard
    lead.get("/lang/vi")
    assert "tháng 10/2026 (kỳ trước: tháng 09/2026)" in lead.get("/?period=2026-10").text


def test_a_dismissed_case_reads_the_same_everywhere(
    signed_in: Callable[[str], TestClient], world: World
) -> None:
    # "Đã bỏ qua" in the queue, the ledger and the reports; "bác bỏ" is a denial of a rumour.
    client = signed_in("lead_qtr")
    ledger = client.get(f"/cases/{world.cases['C3']}/responses").text
    assert "Đã bỏ qua" in ledger and "Bác bỏ" not in ledger
    dashboard = client.get("/?period=2026-10").text
    assert "Vụ việc đã bỏ qua" in dashboard and "bác bỏ" not in dashboard.lower()


def test_viewers_and_other_units(signed_in: Callable[[str], TestClient], world: World) -> None:
    viewer = signed_in("viewer_qtr")
    case_id = world.cases["C1"]
    page = viewer.get(f"/cases/{case_id}/responses")
    assert page.status_code == 200 and "Ghi nhận phản hồi" not in page.text
    refused = viewer.post(
        f"/cases/{case_id}/responses",
        data={"csrf_token": csrf_of(page.text), "kind": "referral", "channel": "CA"},
    )
    assert refused.status_code == 403
    commune = signed_in("lead_dhoi")
    assert commune.get(f"/cases/{world.cases['C3']}/responses").status_code == 404


def test_responses_api(signed_in: Callable[[str], TestClient], world: World) -> None:
    client = signed_in("lead_qtr")
    token = _csrf(client)
    case_id = world.cases["C3"]
    ledger = client.get(f"/api/v1/cases/{case_id}/responses").json()
    assert ledger["responses"] == [] and ledger["time_to_first_response_seconds"] is None
    made = client.post(
        f"/api/v1/cases/{case_id}/responses",
        headers={"X-CSRF-Token": token},
        json={
            "kind": "platform_report",
            "platform": "facebook",
            "reference": "FB-9",
            "at": "2026-10-10T15:00:00+07:00",
        },
    )
    assert made.status_code == 201, made.text
    assert made.json()["outcome"] == "pending" and made.json()["actor"] == "w_lead_qtr"
    ledger = client.get(f"/api/v1/cases/{case_id}/responses").json()
    assert ledger["time_to_first_response_seconds"] == 2 * 3600
    patched = client.patch(
        f"/api/v1/responses/{made.json()['id']}",
        headers={"X-CSRF-Token": token},
        json={"outcome": "removed", "at": "2026-10-11T09:00:00+07:00"},
    )
    assert patched.status_code == 200 and patched.json()["outcome"] == "removed"
    missing = client.post(
        f"/api/v1/cases/{case_id}/responses",
        headers={"X-CSRF-Token": token},
        json={"kind": "referral"},
    )
    assert missing.status_code == 422
    no_csrf = client.post(f"/api/v1/cases/{case_id}/responses", json={"kind": "referral"})
    assert no_csrf.status_code == 403


def test_publications_pages_and_api(signed_in: Callable[[str], TestClient], world: World) -> None:
    client = signed_in("reviewer_qtr")
    page = client.get("/publications")
    assert page.status_code == 200 and "Cảnh báo tin giả về nước máy" in page.text
    assert "=HYPERLINK" in page.text and "<script>" not in page.text
    token = csrf_of(page.text)
    made = client.post(
        "/publications",
        data={
            "csrf_token": token,
            "unit": "dhoi",
            "channel": "zalo",
            "title": "Bài Zalo OA",
            "published_at": "2026-10-30T08:00",
            "case_ids": f"#{world.cases['C1']}",
        },
    )
    assert made.status_code == 303
    detail = client.get(made.headers["location"])
    assert "Bài Zalo OA" in detail.text
    snap = client.post(
        made.headers["location"] + "/snapshots",
        data={"csrf_token": token, "views": "70", "reactions": "5", "comments": "1", "shares": "0"},
    )
    assert snap.status_code == 303
    client.post(
        made.headers["location"] + "/snapshots",
        data={
            "csrf_token": token,
            "views": "12500",
            "reactions": "5",
            "comments": "1",
            "shares": "0",
        },
    )
    # the latest reach, each figure with its name and thousands grouped as in the page language
    row = client.get("/publications").text.split("Bài Zalo OA")[1].split("</tr>")[0]
    assert "12.500 lượt xem · 5 lượt cảm xúc · 1 bình luận · 0 chia sẻ" in row
    snapshots = client.get(made.headers["location"]).text
    assert "<td>12.500</td>" in snapshots
    assert '<td class="muted">Nhập tay</td>' in snapshots and ">form<" not in snapshots
    listed = client.get("/api/v1/publications", params={"unit": "dhoi"}).json()
    assert listed[0]["title"] == "Bài Zalo OA" and listed[0]["reach"]["views"] == 12500
    api_made = client.post(
        "/api/v1/publications",
        headers={"X-CSRF-Token": token},
        json={
            "unit": "mhoa",
            "channel": "website",
            "title": "Bài web",
            "url": "https://mh.gov.vn/1",
            "published_at": "2026-10-30T09:00:00+07:00",
        },
    )
    assert api_made.status_code == 201
    pid = api_made.json()["id"]
    added = client.post(
        f"/api/v1/publications/{pid}/snapshots", headers={"X-CSRF-Token": token}, json={"views": 9}
    )
    assert added.json() == {"stored": True, "publication_id": pid}
    assert client.get(f"/api/v1/publications/{pid}").json()["snapshots"][0]["source"] == "api"
    imported = client.post(
        "/api/v1/publications/import",
        headers={"X-CSRF-Token": token},
        data={"unit": "qtr", "platform": "facebook"},
        files={
            "file": (
                "posts.csv",
                b"Post ID,Publish time,Views,Reactions\n9_1,10/20/2026 10:00,15,2\n",
                "text/csv",
            )
        },
    )
    assert imported.status_code == 200 and imported.json()["created"] == 1
    form_import = client.post(
        "/publications/import",
        data={"csrf_token": token, "unit": "qtr", "platform": "tiktok"},
        files={"file": ("x.csv", b"nothing useful\n", "text/csv")},
    )
    assert form_import.status_code == 422


def test_viewers_cannot_add_publications(signed_in: Callable[[str], TestClient]) -> None:
    viewer = signed_in("viewer_dhoi")
    page = viewer.get("/publications")
    assert "Thêm bài đăng" not in page.text
    refused = viewer.post(
        "/publications",
        data={"csrf_token": csrf_of(page.text), "unit": "dhoi", "channel": "zalo", "title": "x"},
    )
    assert refused.status_code == 403
    lead = signed_in("lead_dhoi")
    assert (
        lead.post(
            "/publications",
            data={
                "csrf_token": csrf_of(lead.get("/publications").text),
                "unit": "qtr",
                "channel": "zalo",
                "title": "x",
            },
        ).status_code
        == 404
    )


def test_decisions_are_no_response(signed_in: Callable[[str], TestClient], world: World) -> None:
    # Dismissing, reopening and forwarding a case set no first-response time: only the ledger.
    client = signed_in("lead_qtr")
    case_id = world.cases["C3"]  # dismissed, no response

    def responded() -> int:
        stats = client.get("/api/v1/stats?period=2026-10").json()
        return int(stats["totals"]["cases_responded"])

    before = responded()
    token = csrf_of(client.get(f"/cases/{case_id}").text)
    for step, data in (
        ("reopen", {}),
        ("dismiss", {"reason": "duplicate"}),
        ("reopen", {}),
        ("forward", {"unit_id": str(world.units["dhoi"])}),
    ):
        done = client.post(f"/cases/{case_id}/{step}", data={"csrf_token": token, **data})
        assert done.status_code == 303, (step, done.text)
    ledger = client.get(f"/api/v1/cases/{case_id}/responses").json()
    assert ledger["first_response_at"] is None
    assert ledger["time_to_first_response_seconds"] is None
    page = client.get(f"/cases/{case_id}/responses").text
    assert "<strong>—</strong>" in page and "Chưa có phản hồi" in page
    assert responded() == before


def test_a_response_cannot_predate_the_case(
    signed_in: Callable[[str], TestClient], world: World
) -> None:
    client = signed_in("reviewer_dhoi")
    case_id = world.cases["C5"]  # opened 05/10 14:00
    page = client.get(f"/cases/{case_id}/responses")
    early = client.post(
        f"/cases/{case_id}/responses",
        data={
            "csrf_token": csrf_of(page.text),
            "kind": "correction",
            "url": "https://example.org/dinh-chinh",
            "channel": "web",
            "at": "2026-10-05T03:00",
        },
    )
    assert early.status_code == 422
    assert "sớm hơn lúc mở vụ việc (14:00 05/10/2026)" in early.text  # in the page's language
    assert "before the case was opened" not in early.text
    api = client.post(
        f"/api/v1/cases/{case_id}/responses",
        headers={"X-CSRF-Token": csrf_of(page.text)},
        json={"kind": "referral", "channel": "CA", "at": "2026-10-05T13:59:00+07:00"},
    )
    assert api.status_code == 422 and "before the case was opened" in api.json()["detail"]
    at_opening = client.post(
        f"/api/v1/cases/{case_id}/responses",
        headers={"X-CSRF-Token": csrf_of(page.text)},
        json={"kind": "referral", "channel": "CA", "at": "2026-10-05T14:00:00+07:00"},
    )
    assert at_opening.status_code == 201, at_opening.text
    assert "<strong>0 giờ 0 phút</strong>" in client.get(f"/cases/{case_id}/responses").text
