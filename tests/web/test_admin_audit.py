"""Admin screens (users, units), the audit page and its CSV, personal tokens, guides, docs."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from httpx import Response
from markupsafe import escape
from sqlalchemy import select

from soitin.db.engine import Database
from soitin.db.models import AuditEvent, Unit, User
from soitin.review.guides import GUIDES
from soitin.web.i18n import MESSAGES
from tests.web.conftest import csrf_of, login

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "soitin" / "web" / "templates"


def test_admin_creates_and_edits_users(
    signed_in: Callable[[str], TestClient],
    db: Database,
    units: dict[str, int],
    app_client: TestClient,
) -> None:
    client = signed_in("admin_dh")
    page = client.get("/admin/users")
    assert page.status_code == 200
    assert "reviewer_dh" in page.text and "reviewer_qt" not in page.text
    token = csrf_of(page.text)
    refused = client.post(
        "/admin/users",
        data={"username": "x", "role": "viewer", "unit_id": str(units["qt"]), "csrf_token": token},
    )
    assert refused.status_code == 404
    created = client.post(
        "/admin/users",
        data={
            "username": "nguyen.van.a",
            "role": "reviewer",
            "unit_id": str(units["dh"]),
            "display_name": "Nguyễn Văn A",
            "csrf_token": token,
        },
    )
    assert created.status_code == 200
    secret = re.search(r'id="new-secret">([^<]+)<', created.text)
    assert secret
    with db.session() as s:
        user = s.scalar(select(User).where(User.username == "nguyen.van.a"))
        me = s.scalar(select(User).where(User.username == "admin_dh"))
        assert user and me and secret.group(1) not in user.password_hash
    saved = client.post(
        f"/admin/users/{user.id}",
        data={
            "role": "lead",
            "unit_id": str(units["dh"]),
            "display_name": "Anh A",
            "active": "1",
            "csrf_token": token,
        },
    )
    assert saved.status_code == 303
    self_demote = client.post(
        f"/admin/users/{me.id}",
        data={"role": "viewer", "unit_id": str(units["dh"]), "active": "1", "csrf_token": token},
    )
    assert self_demote.status_code == 409
    reset = client.post(f"/admin/users/{user.id}/password", data={"csrf_token": token})
    new_secret = re.search(r'id="new-secret">([^<]+)<', reset.text)
    assert new_secret
    with db.session() as s:
        assert s.get(User, user.id).role == "lead"  # type: ignore[union-attr]
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "user")).all()
    assert {"user.created", "user.updated", "user.password_reset"} <= set(actions)
    other = TestClient(app_client.app, follow_redirects=False)
    login(other, "nguyen.van.a", new_secret.group(1))
    assert other.get("/queue").status_code == 200
    assert client.get("/admin/users/" + str(me.id + 10_000)).status_code == 404


def test_admin_unit_tree(
    signed_in: Callable[[str], TestClient], db: Database, units: dict[str, int]
) -> None:
    client = signed_in("admin_qt")
    page = client.get("/admin/units")
    assert "Phường Đồng Hới" in page.text
    assert "Mỗi dòng: mã đơn vị · tên · mã địa danh phụ trách" in page.text  # what the fields are
    token = csrf_of(page.text)
    made = client.post(
        "/admin/units",
        data={
            "code": "ca-dh",
            "name": "Công an phường Đồng Hới",
            "parent_id": str(units["qt"]),
            "places": "18880, 18859",
            "csrf_token": token,
        },
    )
    assert made.status_code == 303
    bad = client.post(
        "/admin/units",
        data={
            "code": "x",
            "name": "X",
            "parent_id": str(units["qt"]),
            "places": "abc",
            "csrf_token": token,
        },
    )
    assert bad.status_code == 422
    with db.session() as s:
        unit = s.scalar(select(Unit).where(Unit.code == "ca-dh"))
        assert unit and unit.place_codes == ["18880", "18859"] and unit.parent_id == units["qt"]
    client.post(
        f"/admin/units/{unit.id}",
        data={"name": "CA Đồng Hới", "places": "18880", "csrf_token": token},
    )
    with db.session() as s:
        unit = s.get(Unit, unit.id)
        assert unit and unit.name == "CA Đồng Hới" and unit.place_codes == ["18880"]
    dh_admin = signed_in("admin_dh")
    assert (
        dh_admin.post(
            f"/admin/units/{units['qt']}",
            data={"name": "Đổi tên", "csrf_token": csrf_of(dh_admin.get("/admin/units").text)},
        ).status_code
        == 404
    )


def test_unit_places_stay_inside_the_parent_area_and_nobody_widens_their_own(
    signed_in: Callable[[str], TestClient], db: Database, units: dict[str, int]
) -> None:
    """Stories go to units by place: a commune admin who could claim the province or another
    commune would pull their cases (and post texts) into their own queue."""
    province = signed_in("admin_qt")
    token = csrf_of(province.get("/admin/units").text)
    h = {"X-CSRF-Token": token}

    def create(code: str, places: str) -> Response:
        data = {"code": code, "name": "Đơn vị", "parent_id": str(units["qt"]), "places": places}
        return province.post("/admin/units", data={**data, "csrf_token": token})

    # inside Quảng Trị (44): a ward of it; outside: Hà Nội (01), a ward of Hà Nội
    assert create("p1", "18880").status_code == 303
    outside = create("p2", "00004")
    assert outside.status_code == 422 and "00004" in outside.text
    assert create("p3", "01").status_code == 422
    # a unit's code names its report folder: never a path
    assert create("../../outside", "").status_code == 422
    assert create("/etc/cron.d", "").status_code == 422
    assert create("qt.bc-2_A", "").status_code == 303
    # the province (a top unit) sets its own places, and those of the units below it, inside
    grown = province.post(
        f"/admin/units/{units['qt']}",
        data={"name": "Tỉnh Quảng Trị", "places": "44, 46", "csrf_token": token},
    )
    assert grown.status_code == 303
    dh_url = f"/api/v1/units/{units['dh']}"
    assert province.patch(dh_url, headers=h, json={"place_codes": ["18880"]}).status_code == 200
    assert province.patch(dh_url, headers=h, json={"place_codes": ["00004"]}).status_code == 422

    commune = signed_in("admin_dh")
    ctoken = csrf_of(commune.get("/admin/units").text)
    widen = commune.post(
        f"/admin/units/{units['dh']}",
        data={"name": "Phường Đồng Hới", "places": "18880, 44", "csrf_token": ctoken},
    )
    assert widen.status_code == 409
    ch = {"X-CSRF-Token": ctoken}
    assert commune.patch(dh_url, headers=ch, json={"place_codes": ["18859"]}).status_code == 409
    renamed = commune.patch(dh_url, headers=ch, json={"name": "Phường Đồng Hới mới"})
    assert renamed.status_code == 200
    with db.session() as s:
        dh = s.get(Unit, units["dh"])
        assert dh is not None and dh.place_codes == ["18880"] and dh.name == "Phường Đồng Hới mới"
        assert s.scalar(select(Unit).where(Unit.code == "p2")) is None


def test_audit_page_filters_and_csv(
    signed_in: Callable[[str], TestClient], db: Database, units: dict[str, int]
) -> None:
    with db.transaction() as s:
        lead = s.scalar(select(User).where(User.username == "lead_dh"))
        from soitin.review import audit

        audit.record(
            s,
            "case.confirm",
            actor=lead,
            object_type="case",
            object_id=7,
            ip="10.9.9.9",
            note="=1+1",
        )
        audit.record(s, "@evil", actor=lead, object_type="case", object_id=8)
    assert signed_in("lead_qt").get("/admin/audit").status_code == 403
    client = signed_in("admin_qt")
    page = client.get("/admin/audit?action=case.")
    assert page.status_code == 200
    assert "case.confirm" in page.text and "@evil" not in page.text and "10.9.9.9" in page.text
    assert '<a href="/cases/7">vụ việc #7</a>' in page.text  # the object in the page's language
    assert client.get("/admin/audit?actor=lead_dh&ip=10.9.9.9").text.count('class="audit-row"') == 1
    exported = client.get("/admin/audit.csv?actor=lead_dh")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    actions = [r[3] for r in rows[1:]]
    assert "'@evil" in actions and "@evil" not in actions
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
    with db.session() as s:
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "audit.exported"))


def test_personal_tokens_page(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("viewer_dh")
    page = client.get("/account/tokens")
    made = client.post(
        "/account/tokens", data={"name": "báo cáo tuần", "csrf_token": csrf_of(page.text)}
    )
    secret = re.search(r'id="new-token">(stn_[^<]+)<', made.text)
    assert secret
    api = TestClient(client.app)
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret.group(1)}"})
    assert me.status_code == 200 and me.json()["username"] == "viewer_dh"
    token_id = re.search(r"/account/tokens/(\d+)/revoke", made.text)
    assert token_id
    client.post(
        f"/account/tokens/{token_id.group(1)}/revoke", data={"csrf_token": csrf_of(made.text)}
    )
    again = api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret.group(1)}"})
    assert again.status_code == 401


def test_guides_and_docs(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("viewer_dh")
    index = client.get("/guides")
    assert index.status_code == 200
    for guide in GUIDES:
        assert f"/guides/{guide.slug}" in index.text
        page = client.get(f"/guides/{guide.slug}")
        assert page.status_code == 200 and guide.title_vi in page.text
    assert client.get("/guides/khong-co").status_code == 404
    client.get("/lang/en")
    english = client.get("/guides").text  # the list says in English what each guide covers
    for guide in GUIDES:
        assert escape(guide.title_en) in english and escape(guide.summary_en) in english
        assert escape(guide.summary_vi) not in english
    client.get("/lang/vi")
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/api/v1/cases/{case_id}/confirm" in docs.text and "ConfirmIn" in docs.text
    # every script, stylesheet and image is ours (FastAPI's own page loads Swagger from a CDN);
    # not a search for "cdn" in the page, which a random CSRF token can contain
    loaded = re.findall(r'<(?:script|link|img)\b[^>]*?\b(?:src|href)="([^"]*)"', docs.text)
    assert loaded and all(u.startswith("/") and not u.startswith("//") for u in loaded), loaded
    assert "<script>" not in docs.text  # no inline script


def test_templates_use_known_strings_and_no_inline_code() -> None:
    import soitin.web.pages.review  # noqa: F401 - registers the review strings

    mine = [
        p
        for p in TEMPLATES.rglob("*.html")
        if p.parent.name in ("review", "admin", "guides") or p.name == "base.html"
    ]
    assert len(mine) > 10
    for path in mine:
        text = path.read_text(encoding="utf-8")
        for key in re.findall(r"""\bt\(["']([a-z_.]+)["']\)""", text):
            if not key.endswith("."):
                assert key in MESSAGES, f"{path.name}: {key}"
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path
        assert not re.search(r"\son[a-z]+=", text), path
        assert " style=" not in text, path
    for key, value in MESSAGES.items():
        assert value.get("vi"), key


def test_audit_log_speaks_words_not_keys_or_reprs(
    signed_in: Callable[[str], TestClient], db: Database, units: dict[str, int]
) -> None:
    client = signed_in("admin_qt")
    with db.transaction() as s:
        target = s.scalar(select(User).where(User.username == "reviewer_dh"))
        assert target is not None
        target_id = target.id
        from soitin.review import audit

        # An entry written before the fix, with Python reprs in its details.
        audit.record(s, "user.updated", object_type="user", object_id=target_id,
                     changes={"role": "('viewer', 'reviewer')", "is_active": "True"})  # fmt: skip
        audit.record(s, "item.text_viewed", object_type="item", object_id=1, case_id=7)
    token = csrf_of(client.get("/admin/users").text)
    saved = client.post(
        f"/admin/users/{target_id}",
        data={"role": "lead", "unit_id": str(units["dh"]), "csrf_token": token},
    )
    assert saved.status_code == 303, saved.text
    with db.session() as s:
        stored = s.scalars(
            select(AuditEvent.detail)
            .where(AuditEvent.action == "user.updated")
            .order_by(AuditEvent.id.desc())
        ).first()
    assert stored is not None
    assert stored["changes"]["role"] == {"from": "reviewer", "to": "lead"}
    assert stored["changes"]["is_active"] is False
    page = client.get("/admin/audit").text
    assert "Sửa người dùng" in page and "Xem nội dung gốc" in page
    assert "role: reviewer → lead" in page and "is_active: không" in page
    assert "role: viewer → reviewer" in page and "is_active: có" in page  # the old entry
    assert "(&#39;" not in page and "('" not in page and "False" not in page
    client.get("/lang/en")
    page = client.get("/admin/audit").text
    assert "User changed" in page and "Raw text viewed" in page and "is_active: no" in page


def test_audit_details_are_named_in_words_and_numbers_in_the_page_language(
    signed_in: Callable[[str], TestClient], db: Database
) -> None:
    from soitin.review import audit

    with db.transaction() as s:
        audit.record(
            s,
            "case.opened",
            object_type="case",
            object_id=63,
            case_id=63,
            priority=0.5035,
            representative=True,
            label="",
        )
    client = signed_in("admin_qt")

    def row() -> str:
        rows = client.get("/admin/audit").text.split("<tr")
        return next(r for r in rows if 'href="/cases/63"' in r)

    text = re.sub(r"<[^>]+>", "", row())
    assert "Vụ việc: 63" in text and "Ưu tiên: 0,5035" in text and "Bài đại diện: có" in text
    assert "Nhãn" not in text and "label" not in text  # an empty detail is left out
    client.get("/lang/en")
    assert "Priority:</span> 0.5035" in row()
