"""The claim library pages: everyone signed in reads and checks texts, leads and admins change
the library, and a claim added there meets the stories already spreading."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from soitin.db.engine import Database
from soitin.db.models import Case, Claim
from tests.review.factories import make_source, make_story
from tests.web.conftest import csrf_of

RUMOUR = "Đập thủy điện Hòa Bình sắp vỡ, người dân vùng hạ du phải sơ tán ngay trong đêm nay"
FORM = {
    "text": "Đập thủy điện Hòa Bình sắp vỡ, dân hạ du phải sơ tán",
    "verdict": "false",
    "url": "https://factcheck.example.vn/hoa-binh",
    "publisher": "Trung tâm Truyền thông tỉnh",
    "reviewed_on": "2026-11-20",
}


@pytest.fixture(autouse=True)
def _lexical_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOITIN_SEMANTIC_MATCHING", "false")  # e5: see test_matching


def _story(db: Database, text: str = RUMOUR) -> int:
    with db.transaction() as s:
        src = make_source(s, "Nhóm Facebook Quảng Trị", kind="api")
        return make_story(s, text, sources=[src], province_codes=["44"]).id


def _form(client: TestClient, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf_of(client.get("/claims").text), **fields}


def test_a_lead_adds_a_claim_and_sees_the_story_it_repeats(
    signed_in: Callable[[str], TestClient], db: Database
) -> None:
    story_id = _story(db)
    client = signed_in("lead_qt")
    page = client.get("/claims")
    assert page.status_code == 200 and 'id="add-claim"' in page.text
    added = client.post("/claims", data=_form(client, **FORM))
    assert added.status_code == 303, added.text
    target = added.headers["location"]
    assert re.match(r"^/claims/\d+\?stories_scanned=1&stories_matched=1&cases_opened=1&", target)
    detail = client.get(target)
    assert detail.status_code == 200
    with db.transaction() as s:
        case_id = s.scalar(select(Case.id).where(Case.story_id == story_id))
    assert case_id is not None
    assert f'href="/cases/{case_id}"' in detail.text and 'id="rematch-summary"' in detail.text

    assert "20/11/2026" in detail.text  # the review date as every date on the pages
    listed = client.get("/claims", params={"q": "thuy dien hoa binh"})  # without diacritics
    assert "Đập thủy điện Hòa Bình sắp vỡ" in listed.text
    assert "20/11/2026" in listed.text and "2026-11-20</td>" not in listed.text
    assert client.get("/claims", params={"verdict": "true"}).text.count("data-claim-id") == 0

    checked = client.post(
        "/claims/check",
        data=_form(client, text="nghe noi dap thuy dien hoa binh sap vo, dan ha du phai so tan"),
        headers={"HX-Request": "true"},
    )
    assert 'id="check-matches"' in checked.text and "<html" not in checked.text
    nothing = client.post("/claims/check", data=_form(client, text="Hôm nay trời đẹp"))
    assert 'id="check-none"' in nothing.text and "<html" in nothing.text


def test_a_lead_imports_changes_and_removes_claims(
    signed_in: Callable[[str], TestClient], db: Database
) -> None:
    _story(db)
    client = signed_in("lead_qt")
    body = f'claim_text,verdict\n"{FORM["text"]}",false\nCá biển Cửa Tùng nhiễm độc,false\n'
    imported = client.post(
        "/claims/import",
        data=_form(client),
        files={"file": ("claims.csv", body.encode(), "text/csv")},
    )
    assert imported.status_code == 200
    assert re.search(r'id="import-result">[^<]*\+2 · 0', imported.text)
    assert "<strong>1</strong>" in imported.text  # one story now matches
    with db.transaction() as s:
        claim_id = s.scalar(select(Claim.id).where(Claim.text.like("Cá biển%")))
    bad = client.post(
        f"/claims/{claim_id}", data=_form(client, text="Cá", verdict="false", url="ftp://x.vn")
    )
    assert (
        bad.status_code == 422 and 'role="alert"' in bad.text and 'value="ftp://x.vn"' in bad.text
    )
    assert "Cá biển Cửa Tùng" in client.get(f"/claims/{claim_id}").text  # unchanged
    changed = client.post(
        f"/claims/{claim_id}",
        data=_form(client, text="Cá biển Cửa Việt nhiễm độc", verdict="misleading"),
    )
    assert changed.status_code == 303
    page = client.get(f"/claims/{claim_id}")
    assert "Cá biển Cửa Việt nhiễm độc" in page.text and "verdict-misleading" in page.text
    removed = client.post(f"/claims/{claim_id}/delete", data=_form(client))
    assert removed.headers["location"] == "/claims?deleted=1"
    assert client.get(f"/claims/{claim_id}").status_code == 404


def test_reviewers_read_and_check_but_do_not_change_the_library(
    signed_in: Callable[[str], TestClient], db: Database
) -> None:
    _story(db)
    lead = signed_in("lead_qt")
    lead.post("/claims", data=_form(lead, **FORM))
    lead.post("/logout", data={"csrf_token": csrf_of(lead.get("/").text)})
    client = signed_in("reviewer_dh")
    page = client.get("/claims")
    assert page.status_code == 200 and "Đập thủy điện" in page.text
    assert 'id="add-claim"' not in page.text and "/claims/import" not in page.text
    with db.transaction() as s:
        claim_id = s.scalar(select(Claim.id))
    detail = client.get(f"/claims/{claim_id}")
    # the matching story's case is in the province unit, above the reviewer's commune
    assert "/cases/" not in detail.text and 'id="claim-elsewhere"' in detail.text
    assert client.post("/claims", data=_form(client, **FORM)).status_code == 403
    assert client.post(f"/claims/{claim_id}/delete", data=_form(client)).status_code == 403
    assert client.post("/claims/check", data=_form(client, text=RUMOUR)).status_code == 200


def test_bad_input_is_refused_and_claim_text_is_escaped(
    signed_in: Callable[[str], TestClient], db: Database
) -> None:
    client = signed_in("admin_qt")
    assert client.post("/claims", data=FORM).status_code == 403  # no CSRF token
    bad = client.post("/claims", data=_form(client, **{**FORM, "url": "javascript:alert(1)"}))
    assert bad.status_code == 422 and "http" in bad.text
    assert 'value="javascript:alert(1)"' in bad.text  # the form keeps what was typed
    with db.transaction() as s:
        assert s.scalar(select(Claim.id)) is None
    hostile = "<script>alert(1)</script> tin đồn <img src=x onerror=alert(2)>"
    assert (
        client.post("/claims", data=_form(client, **{**FORM, "text": hostile})).status_code == 303
    )
    page = client.get("/claims").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    broken = client.post(
        "/claims/import",
        data=_form(client),
        files={"file": ("claims.jsonld", b"{not json", "application/ld+json")},
    )
    assert broken.status_code == 422
