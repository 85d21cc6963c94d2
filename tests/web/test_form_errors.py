"""Errors on pages: in the page's language, beside the form, with the user's input kept."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Callable
from html import unescape
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from soitin.db.engine import Database
from soitin.db.models import Case, User
from soitin.messages import ERROR_MESSAGES
from tests.web.conftest import csrf_of
from tests.web.review_data import Workbench, workbench

__all__ = ["workbench"]

SRC = Path(__file__).resolve().parents[2] / "src" / "soitin"

# The services and handlers behind the page forms: each error raised for a person to read
# names a message key (the page says it in its language; str() stays English for the API).
PAGE_MODULES = (
    "respond/ledger.py",
    "respond/publications.py",
    "review/accounts.py",
    "review/cases.py",
    "report/periods.py",
    "web/pages/respond.py",
    "web/pages/queue.py",
    "web/pages/admin.py",
    "web/pages/reports.py",
    "web/pages/sources.py",
    "web/pages/claims.py",
    "web/api/cases.py",
    "web/api/claims.py",
    "web/api/stats.py",
    "ingest/sources.py",
    "report/stats.py",
    "report/generate.py",
    "respond/insights.py",
    "review/queue.py",
    "review/tokens.py",
    "stories/claimreview.py",
    "stories/claims.py",
    "text/search.py",
    "triage/alerts.py",
    "triage/rules.py",
    "ops/failed.py",
)
# passes on what the rule model's validators raised: their key, or pydantic's own message
PASSED_ON = {"triage/rules.py"}
KEYED = {"InvalidInputError", "ConflictError", "NotFoundError", "PermissionDeniedError"}
# a plain "not found" / "forbidden" needs no key: the page's general sentence says it all
GENERIC = {"Not found.", "No such case.", "No such publication.", "No such report."}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_error_a_page_form_raises_has_vietnamese_words() -> None:
    missing = []
    for module in PAGE_MODULES:
        tree = ast.parse((SRC / module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            call = node.exc
            name = getattr(call.func, "id", None)
            if name not in KEYED:
                continue
            keywords = {k.arg: k.value for k in call.keywords}
            key = keywords.get("key")
            if key is None:
                text = call.args[0] if call.args else None
                if isinstance(text, ast.Constant) and text.value in GENERIC:
                    continue
                if module in PASSED_ON and not isinstance(text, ast.Constant):
                    continue
                missing.append(f"{module}:{node.lineno} raises {name} without a message key")
                continue
            if module in PASSED_ON and not isinstance(key, ast.Constant):
                continue
            assert isinstance(key, ast.Constant), f"{module}:{node.lineno}: a literal key"
            entry = ERROR_MESSAGES.get(str(key.value))
            if entry is None:
                missing.append(f"{module}:{node.lineno}: {key.value!r} is not in soitin.messages")
                continue
            given = set(keywords) - {"key"}
            assert _fields(entry["vi"]) <= given, f"{module}:{node.lineno} misses parameters"
    assert not missing, "\n".join(missing)


def test_message_templates_fill_the_same_parameters_in_both_languages() -> None:
    for key, entry in ERROR_MESSAGES.items():
        assert entry["vi"] and entry["en"], key
        assert _fields(entry["vi"]) == _fields(entry["en"]), key


def _error(page: str) -> str:
    found = re.search(r'class="error[^"]*" role="alert"[^>]*>(.*?)</p>', page, re.S)
    assert found, "no error beside the form"
    return unescape(found.group(1))


def test_admin_forms_keep_the_input_and_speak_vietnamese(
    signed_in: Callable[[str], TestClient], units: dict[str, int], db: Database
) -> None:
    admin = signed_in("admin_qt")
    token = csrf_of(admin.get("/admin/users").text)
    bad = admin.post(
        "/admin/users",
        data={
            "username": "Bad User Ă",
            "display_name": "Người Thử",
            "role": "lead",
            "unit_id": str(units["dh"]),
            "csrf_token": token,
        },
    )
    assert bad.status_code == 422
    assert "Tên đăng nhập" in _error(bad.text) and "khoảng trắng" in _error(bad.text)
    assert 'value="Bad User Ă"' in bad.text and 'value="Người Thử"' in bad.text
    assert re.search(rf'<option value="{units["dh"]}" selected>', bad.text)
    assert re.search(r'<option value="lead" selected>', bad.text)
    with db.session() as s:
        assert s.scalar(select(User).where(User.username == "Bad User Ă")) is None

    taken = admin.post(
        "/admin/users",
        data={
            "username": "lead_dh",
            "role": "viewer",
            "unit_id": str(units["qt"]),
            "csrf_token": token,
        },
    )
    assert taken.status_code == 409
    assert _error(taken.text) == "Đã có người dùng tên đăng nhập 'lead_dh'."

    with db.session() as s:
        me = s.scalar(select(User.id).where(User.username == "admin_qt"))
    own = admin.post(
        f"/admin/users/{me}",
        data={
            "role": "viewer",
            "unit_id": str(units["qt"]),
            "display_name": "Tên Mới",
            "active": "1",
            "csrf_token": token,
        },
    )
    assert own.status_code == 409
    assert _error(own.text) == "Bạn không thể đổi vai trò của chính mình."
    assert 'value="Tên Mới"' in own.text and '<option value="viewer" selected>' in own.text

    unit = admin.post(
        "/admin/units",
        data={
            "code": "ca-x",
            "name": "Công an xã X",
            "parent_id": str(units["qt"]),
            "places": "44, 99999",
            "csrf_token": token,
        },
    )
    assert unit.status_code == 422
    assert "'99999'" in _error(unit.text) and "2025" in _error(unit.text)
    assert 'value="ca-x"' in unit.text and 'value="44, 99999"' in unit.text
    row = admin.post(
        f"/admin/units/{units['dh']}",
        data={"name": "Phường Đồng Hới", "places": "18880, 00001", "csrf_token": token},
    )
    assert row.status_code == 422 and 'value="18880, 00001"' in row.text
    saved = admin.post(
        f"/admin/units/{units['dh']}",
        data={"name": "Phường Đồng Hới", "places": "18880", "csrf_token": token},
    )
    assert saved.status_code == 303

    admin.get("/lang/en")
    english = admin.post(
        "/admin/users",
        data={
            "username": "lead_dh",
            "role": "viewer",
            "unit_id": str(units["qt"]),
            "csrf_token": token,
        },
    )
    assert _error(english.text) == "A user named 'lead_dh' already exists."


def test_bulk_offers_only_people_who_may_take_every_case_shown(
    signed_in: Callable[[str], TestClient],
    workbench: Workbench,
    db: Database,
) -> None:
    w = workbench
    lead = signed_in("lead_qt")
    with db.session() as s:
        ids = {row[0]: row[1] for row in s.execute(select(User.username, User.id))}
    page = lead.get("/queue").text  # cases of qt, dh and vl: only qt's people fit all
    bulk = page[page.index('name="assignee_id"') :]
    assert f'value="{ids["reviewer_qt"]}"' in bulk and f'value="{ids["reviewer_dh"]}"' not in bulk
    assert f'value="{ids["reviewer_dh"]}"' in page[: page.index('name="assignee_id"')]  # filter
    dh_only = lead.get(f"/queue?unit_id={lead_unit(db, 'dh')}").text
    assert f'value="{ids["reviewer_dh"]}"' in dh_only[dh_only.index('name="assignee_id"') :]

    token = csrf_of(page)
    wrong = lead.post(  # a tampered form: the rule in review/cases.py still holds
        "/queue/bulk",
        data={
            "operation": "assign",
            "case_ids": [w.province, w.scam],
            "assignee_id": str(ids["reviewer_dh"]),
            "csrf_token": token,
            "back": "status=active",
        },
    )
    assert wrong.status_code == 422
    assert _error(wrong.text) == "Người này không xử lý vụ việc của đơn vị đó."
    for case_id in (w.province, w.scam):
        assert f'name="case_ids" value="{case_id}" checked' in wrong.text
    with db.session() as s:
        assert s.get(Case, w.scam).assignee_id != ids["reviewer_dh"]  # type: ignore[union-attr]

    none = lead.post(
        "/queue/bulk",
        data={"operation": "dismiss", "reason": "duplicate", "csrf_token": token},
    )
    assert none.status_code == 422 and _error(none.text) == "Hãy chọn ít nhất một vụ việc."
    assert '<option value="duplicate" selected>' in none.text


def lead_unit(db: Database, code: str) -> int:
    from soitin.db.models import Unit

    with db.session() as s:
        found = s.scalar(select(Unit.id).where(Unit.code == code))
    assert found is not None
    return found


def test_an_unreadable_date_filter_is_explained_in_the_page_language(
    signed_in: Callable[[str], TestClient],
) -> None:
    admin = signed_in("admin_qt")
    page = admin.get("/queue?since=31/02/2026")
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert "«Từ ngày»: &#39;31/02/2026&#39; không phải ngày hợp lệ (dd/mm/yyyy)." in page.text
    assert '<a href="/queue">' in page.text  # back to the queue without the bad filter
    fragment = admin.get(
        "/queue?until=31/02/2026",
        headers={"HX-Request": "true", "HX-Target": "queue-results"},
    )
    assert fragment.status_code == 422 and "<html" not in fragment.text
    assert "«Đến ngày»" in fragment.text
    # htmx swaps a 422 (the app's responseHandling), so the fragment replaces the results
    assert '{"code": "422", "swap": true}' in admin.get("/queue").text
    audit = admin.get("/admin/audit?since=31/02/2026")
    assert audit.status_code == 422 and "«Từ ngày»" in audit.text
    api = admin.get("/api/v1/cases?since=31/02/2026")
    assert api.status_code == 422 and api.json()["detail"][0]["loc"] == ["query", "since"]
    admin.get("/lang/en")
    english = admin.get("/queue?since=31/02/2026").text
    assert "since: &#39;31/02/2026&#39; is not a valid date (dd/mm/yyyy)." in english


def test_tip_and_report_forms_speak_vietnamese(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("reviewer_dh")
    tips = client.get("/tips")
    empty = client.post(
        "/tips", data={"url": "", "text": "", "note": "ghi chú", "csrf_token": csrf_of(tips.text)}
    )
    assert empty.status_code == 422
    assert "Tin báo cần có đường dẫn hoặc nội dung (hoặc cả hai)." in empty.text
    assert "a tip needs" not in empty.text and "ghi chú</textarea>" in empty.text

    report = client.get("/reports/download", params={"unit": "dh", "period": "11/2026"})
    assert report.status_code == 422
    assert "Không hiểu kỳ báo cáo '11/2026'" in _error(report.text)
    assert 'value="11/2026"' in report.text and 'id="form-report"' in report.text
