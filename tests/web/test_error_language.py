"""Errors of the statistics, queue, token and claim services: said in the page's language.

Each error names a message key of `soitin.messages`; a page in Vietnamese says the specific
sentence (not the general "Dữ liệu nhập chưa hợp lệ"), a page in English and the API say the
English sentence the API has always answered.
"""

from __future__ import annotations

from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from soitin.errors import InvalidInputError
from soitin.messages import ERROR_MESSAGES, format_message
from soitin.web.i18n import error_text
from tests.web.conftest import csrf_of
from tests.web.test_form_errors import _fields

GENERAL_VI = "Dữ liệu nhập chưa hợp lệ"


# key: (sample parameters, the English sentence the service raised before it had a key)
SENTENCES: dict[str, tuple[dict[str, Any], str]] = {
    "report.no_unit": ({"unit_id": 7}, "No unit 7."),
    "report.folder_outside": (
        {"unit_id": 7, "root": Path("/srv/reports")},
        "Unit 7: its report folder would be outside /srv/reports.",
    ),
    "report.unknown_format": (
        {"value": "doc", "known": "xlsx, pdf, csv, claimreview"},
        "Unknown format 'doc'; use one of: xlsx, pdf, csv, claimreview.",
    ),
    "report.unknown_format_short": ({"value": "doc"}, "Unknown format 'doc'."),
    "report.schedule": ({}, "The schedule is weekly or monthly."),
    "stats.place_code": ({}, "A place is a 2025 province code (2 digits) or commune (5 digits)."),
    "stats.unknown_category": (
        {"value": "gossip", "known": "misinformation, scam"},
        "Unknown category 'gossip'; use one of: misinformation, scam.",
    ),
    "stats.no_such_unit": ({}, "No such unit."),
    "stats.granularity": ({}, "The granularity is day, week or month."),
    "stats.no_table": ({"value": "units"}, "No statistics table 'units'."),
    "insights.encoding": ({}, "The file is not text in a known encoding."),
    "insights.bad_zip": ({}, "The ZIP file cannot be read."),
    "insights.zip_no_csv": ({}, "The ZIP file holds no CSV table."),
    "insights.zip_table_too_large": ({}, "The table in the ZIP file is too large."),
    "insights.too_many_rows": ({"limit": 50_000}, "The file has more than 50000 rows."),
    "insights.no_header": (
        {"platform": "tiktok"},
        "No tiktok insights header found: the file needs a post id or link column and at least"
        " one of views, reactions, comments, shares (see docs/insights-import.md).",
    ),
    "insights.unknown_platform": (
        {"value": "zalo", "known": "facebook, youtube, tiktok"},
        "Unknown platform 'zalo'; use one of: facebook, youtube, tiktok.",
    ),
    "insights.unknown_field": (
        {"value": "likes", "known": "external_id, url"},
        "Unknown field 'likes'; fields: external_id, url.",
    ),
    "queue.unknown_status": ({"value": "done"}, "Unknown status 'done'."),
    "queue.place_code": ({}, "A place is a numeric 2025 place code."),
    "queue.assignee": ({}, "assignee is me, none or a user id."),
    "case.unknown_operation": ({}, "Unknown operation."),
    "token.needs_name": ({}, "Give the token a name."),
    "token.too_many": ({"limit": 20}, "At most 20 active tokens per person."),
    "token.not_found": ({}, "No such token."),
    "claims.unknown_verdict": (
        {"value": "bogus"},
        "Unknown verdict 'bogus': use false, misleading, true or unproven.",
    ),
    "claims.missing": ({"field": "claim text"}, "The claim text is missing."),
    "claims.not_text": ({"field": "publisher"}, "The publisher must be text."),
    "claims.bad_url": (
        {"value": "ftp://x"},
        "The fact-check URL 'ftp://x' is not an http(s) address.",
    ),
    "claims.bad_date": (
        {"value": "15/07/2025"},
        "The date '15/07/2025' is not in the form YYYY-MM-DD.",
    ),
    "claims.bad_json": (
        {"detail": "Expecting value", "line": 1},
        "The file is not valid JSON: Expecting value (line 1).",
    ),
    "claims.in_record": (
        {"n": 2, "error": InvalidInputError(key="claims.missing", field="verdict")},
        "ClaimReview number 2: The verdict is missing.",
    ),
    "claims.no_claimreview": ({}, "The file holds no schema.org ClaimReview object."),
    "claims.csv_header": (
        {},
        "The CSV needs a header with the columns text (or claim_text) and verdict.",
    ),
    "claims.csv_line": (
        {"line": 3, "error": InvalidInputError(key="claims.bad_date", value="2025")},
        "CSV line 3: The date '2025' is not in the form YYYY-MM-DD.",
    ),
    "claims.not_found": ({"claim_id": 5}, "Claim 5 does not exist."),
    "claims.verdict_filter": ({"value": "maybe"}, "Unknown verdict 'maybe'."),
    "claims.export_format": ({"value": "xml"}, "Unknown export format 'xml': use jsonld or csv."),
    "search.limit": ({"limit": 200}, "limit must be between 1 and 200."),
    "search.offset": ({}, "offset must not be negative."),
    "search.naive_time": ({"field": "since"}, "since must be a timezone-aware datetime."),
    "alert.not_found": ({"alert_id": 9}, "No alert 9."),
    "alert.already_acknowledged": ({}, "This alert is already acknowledged."),
    "alert.no_rule": ({"rule_id": 4}, "No alert rule 4."),
    "task.not_found": ({}, "No such failed task."),
    "task.already_retried": ({}, "This task was already retried."),
    "task.no_broker": ({}, "No broker is configured (SOITIN_BROKER_URL); nothing to retry on."),
    "task.unknown": ({"value": "poll_source"}, "Unknown task 'poll_source'."),
}


# ------------------------------------------------------------------------------- the catalogue


@pytest.mark.parametrize("key", sorted(SENTENCES))
def test_each_new_key_has_both_languages_and_the_old_english(key: str) -> None:
    params, english = SENTENCES[key]
    entry = ERROR_MESSAGES[key]
    assert entry["vi"].strip() and entry["en"].strip()
    assert _fields(entry["vi"]) == _fields(entry["en"]) == set(params)
    assert format_message(key, "en", params) == english
    assert str(InvalidInputError(key=key, **params)) == english  # the API and the CLI
    vietnamese = format_message(key, "vi", params)
    assert vietnamese != english and vietnamese.rstrip()[-1] in ".»)"


def test_an_error_inside_another_is_said_in_the_language_too() -> None:
    inner = InvalidInputError(key="claims.unknown_verdict", value="bogus")
    outer = InvalidInputError(key="claims.csv_line", line=2, error=inner)
    assert str(outer) == (
        "CSV line 2: Unknown verdict 'bogus': use false, misleading, true or unproven."
    )
    assert error_text(outer, "vi").startswith("Dòng 2 của tệp CSV: Không hiểu kết luận 'bogus'")
    missing = InvalidInputError(key="claims.missing", field="claim text")
    assert error_text(missing, "vi") == "Thiếu «Nội dung tin»."
    plain = InvalidInputError(key="claims.in_record", n=1, error=ValueError("odd"))
    assert error_text(plain, "vi") == "ClaimReview thứ 1: odd"


def test_a_tip_without_link_or_text_is_a_sentence_in_english() -> None:
    assert ERROR_MESSAGES["tip.link_or_text"]["en"] == "A tip needs a link or a text (or both)."


# ----------------------------------------------------------------------------- over HTTP


def _page(response: Any) -> str:
    return unescape(response.text)


def test_dashboard_filters_are_explained_in_the_page_language(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("lead_qt")
    place = client.get("/?place=Hue")
    assert place.status_code == 422
    vi_place = format_message("stats.place_code", "vi")
    assert vi_place in _page(place) and GENERAL_VI not in _page(place)
    assert "mã xã/phường (5 chữ số)" in _page(place)

    unit = client.get("/?unit=khong-co")
    assert unit.status_code == 404
    assert format_message("stats.no_such_unit", "vi") in _page(unit)

    api = client.get("/api/v1/stats?place=Hue")  # the API keeps its English sentence
    assert api.status_code == 422
    assert api.json()["detail"] == (
        "A place is a 2025 province code (2 digits) or commune (5 digits)."
    )

    client.get("/lang/en")
    english = client.get("/?place=Hue")
    assert english.status_code == 422
    assert "A place is a 2025 province code (2 digits) or commune (5 digits)." in _page(english)
    assert vi_place not in _page(english)


def test_queue_filters_are_explained_in_the_page_language(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("reviewer_qt")
    place = client.get("/queue?place=abc")
    assert place.status_code == 422
    assert "Địa bàn phải là mã số theo danh mục hành chính 2025." in _page(place)
    assert GENERAL_VI not in _page(place)
    status = client.get("/queue?status=xong")
    assert status.status_code == 422 and "Không có trạng thái 'xong'." in _page(status)

    client.get("/lang/en")
    english = client.get("/queue?status=xong")
    assert english.status_code == 422 and "Unknown status 'xong'." in _page(english)
    assert "Không có trạng thái" not in _page(english)


def test_token_errors_are_explained_in_the_page_language(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("viewer_dh")
    token = csrf_of(client.get("/account/tokens").text)
    unnamed = client.post("/account/tokens", data={"name": "   ", "csrf_token": token})
    assert unnamed.status_code == 422
    assert "Hãy đặt tên gợi nhớ cho mã truy cập." in _page(unnamed)
    assert GENERAL_VI not in _page(unnamed)
    gone = client.post("/account/tokens/999999/revoke", data={"csrf_token": token})
    assert gone.status_code == 404 and "Không có mã truy cập này." in _page(gone)

    client.get("/lang/en")
    english = client.post("/account/tokens", data={"name": "   ", "csrf_token": token})
    assert english.status_code == 422 and "Give the token a name." in _page(english)


def test_claim_import_errors_are_explained_in_the_page_language(
    signed_in: Callable[[str], TestClient],
) -> None:
    client = signed_in("lead_qt")
    token = csrf_of(client.get("/claims").text)

    def upload(content: str) -> Any:
        return client.post(
            "/claims/import",
            data={"csrf_token": token},
            files={"file": ("claims.csv", content.encode("utf-8"), "text/csv")},
        )

    header = upload("noi_dung,ket_luan\nTin đồn,sai\n")
    assert header.status_code == 422
    assert "Tệp CSV cần có dòng tiêu đề với cột text (hoặc claim_text) và cột verdict." in _page(
        header
    )
    assert GENERAL_VI not in _page(header)
    line = upload("text,verdict\nTin đồn về lũ,bịa\n")
    assert line.status_code == 422
    assert "Dòng 2 của tệp CSV: Không hiểu kết luận 'bịa'" in _page(line)

    verdict = client.post(
        "/claims", data={"text": "Tin đồn về lũ", "verdict": "bịa", "csrf_token": token}
    )
    assert verdict.status_code == 422
    assert "Không hiểu kết luận 'bịa'" in _page(verdict)

    client.get("/lang/en")
    english = upload("text,verdict\nTin đồn về lũ,bịa\n")
    assert english.status_code == 422
    assert "CSV line 2: Unknown verdict 'bịa': use false, misleading, true or unproven." in _page(
        english
    )
