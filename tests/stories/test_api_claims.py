"""The claim library over HTTP: leads and admins change it, everyone signed in reads it."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import csrf_of

CLAIM = {
    "text": "Uống nước chanh ấm pha mật ong mỗi sáng chữa khỏi ung thư giai đoạn cuối.",
    "verdict": "Sai",
    "url": "https://factcheck.example.vn/chanh",
    "publisher": "Báo Sức khỏe",
    "reviewed_on": "2025-05-01",
}


@pytest.fixture(autouse=True)
def _lexical_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # e5 embeddings take seconds on a busy machine; test_matching covers them.
    monkeypatch.setenv("SOITIN_SEMANTIC_MATCHING", "false")


def _csrf(client: TestClient) -> dict[str, str]:
    return {"x-csrf-token": csrf_of(client.get("/").text)}


def test_lead_adds_imports_exports_and_matches_claims(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("lead_qt")
    headers = _csrf(client)
    created = client.post("/api/v1/claims", json=CLAIM, headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["verdict"] == "false" and body["publisher"] == "Báo Sức khỏe"

    listed = client.get("/api/v1/claims", params={"q": "nuoc chanh"}).json()
    assert listed["total"] == 1 and listed["claims"][0]["id"] == body["id"]

    exported = client.get("/api/v1/claims/export", params={"format": "jsonld"})
    assert exported.headers["content-type"].startswith("application/ld+json")
    reviews = json.loads(exported.text)
    assert reviews[0]["claimReviewed"] == CLAIM["text"]

    csv_body = "claim_id,claim_text,verdict\nX1,Đập thủy điện Hòa Bình sắp vỡ,false\n"
    imported = client.post(
        "/api/v1/claims/import",
        files={"file": ("claims.csv", csv_body.encode(), "text/csv")},
        headers=headers,
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["added"] == 1
    again = client.post(
        "/api/v1/claims/import",
        files={"file": ("claims.jsonld", exported.content, "application/ld+json")},
        headers=headers,
    )
    assert again.json() == {
        "added": 0,
        "skipped": 1,
        "claim_ids": [],
        "rematch": {"stories_scanned": 0, "stories_matched": 0, "cases_opened": 0,
                    "cases_updated": 0},
    }  # fmt: skip

    matched = client.post(
        "/api/v1/claims/match",
        json={"text": "nc chanh am + mat ong uong moi sang chua khoi ung thu giai doan cuoi"},
        headers=headers,
    )
    assert matched.status_code == 200, matched.text
    assert matched.json()["matches"][0]["claim_id"] == body["id"]

    changed = client.patch(
        f"/api/v1/claims/{body['id']}", json={"verdict": "misleading"}, headers=headers
    )
    assert changed.json()["verdict"] == "misleading"
    assert client.delete(f"/api/v1/claims/{body['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/claims/{body['id']}").status_code == 404


def test_reviewers_read_but_do_not_change_the_library(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("reviewer_dh")
    headers = _csrf(client)
    assert client.get("/api/v1/claims").status_code == 200
    assert client.post("/api/v1/claims", json=CLAIM, headers=headers).status_code == 403
    refused = client.post(
        "/api/v1/claims/import",
        files={"file": ("c.csv", b"text,verdict\nA,false\n", "text/csv")},
        headers=headers,
    )
    assert refused.status_code == 403


def test_changes_need_a_csrf_token_and_bad_input_is_422(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("admin_qt")
    assert client.post("/api/v1/claims", json=CLAIM).status_code == 403
    bad = client.post(
        "/api/v1/claims", json={**CLAIM, "url": "javascript:alert(1)"}, headers=_csrf(client)
    )
    assert bad.status_code == 422
    assert "http" in bad.json()["detail"]


def test_anonymous_callers_are_refused(app_client: TestClient) -> None:
    assert app_client.get("/api/v1/claims").status_code == 401
