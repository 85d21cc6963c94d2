"""The bell, the alerts page (acknowledge with CSRF), rule management and the JSON API."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from soitin.db.engine import Database
from soitin.db.models import Alert, AlertOutbox, AlertRule, AuditEvent
from soitin.settings import load_settings
from soitin.triage.alerts import send_test_alert
from tests.web.conftest import csrf_of

SignIn = Callable[[str], TestClient]


def make_rule(
    db: Database, unit_id: int, name: str = "Tỉnh: mọi cảnh báo", **channels: object
) -> int:
    with db.transaction() as s:
        rule = AlertRule(
            unit_id=unit_id,
            name=name,
            channels={"in_app": True, "webhooks": [], "emails": [], **channels},
        )
        s.add(rule)
        s.flush()
        return rule.id


def raise_alert(db: Database, rule_id: int) -> int:
    with db.transaction() as s:
        rule = s.get(AlertRule, rule_id)
        assert rule is not None
        alert, _ = send_test_alert(s, rule, settings=load_settings(env="test"))
        return alert.id


def bell_count(client: TestClient) -> int:
    html = client.get("/alerts/bell").text
    match = re.search(r'data-unread="(\d+)"', html)
    return int(match.group(1)) if match else 0


def test_the_bell_counts_unread_alerts(
    db: Database, units: dict[str, int], signed_in: SignIn, app_client: TestClient
) -> None:
    assert app_client.get("/alerts/bell").status_code == 204  # signed out: nothing to show
    client = signed_in("reviewer_qt")
    page = client.get("/")
    assert 'hx-get="/alerts/bell"' in page.text
    # an SVG icon, not an emoji that needs an emoji font to show
    assert 'class="bell-icon"' in page.text and "🔔" not in page.text
    assert bell_count(client) == 0
    rule = make_rule(db, units["qt"])
    raise_alert(db, rule)
    raise_alert(db, rule)
    assert bell_count(client) == 2
    assert 'class="bell-icon"' in client.get("/alerts/bell").text
    response = client.post("/alerts/read", data={"csrf_token": csrf_of(page.text)})
    assert response.status_code == 303
    assert bell_count(client) == 0


def test_every_role_finds_the_alerts_page_in_the_menu(signed_in: SignIn) -> None:
    """Not only behind the bell: a menu entry with its name, in both languages."""
    for user in ("viewer_qt", "reviewer_qt", "lead_qt"):
        client = signed_in(user)
        nav = client.get("/").text.split('<nav class="nav">')[1].split("</nav>")[0]
        assert '<a href="/alerts">Cảnh báo</a>' in nav, user
        assert client.get("/alerts").status_code == 200
    client.get("/lang/en")
    nav = client.get("/").text.split('<nav class="nav">')[1].split("</nav>")[0]
    assert '<a href="/alerts">Alerts</a>' in nav


def test_acknowledging_from_the_alerts_page(
    db: Database, units: dict[str, int], signed_in: SignIn
) -> None:
    rule = make_rule(db, units["qt"])
    alert_id = raise_alert(db, rule)
    client = signed_in("reviewer_qt")
    page = client.get("/alerts")
    assert page.status_code == 200
    assert "Cảnh báo thử của quy tắc «Tỉnh: mọi cảnh báo»" in page.text
    assert f'action="/alerts/{alert_id}/ack"' in page.text
    assert client.post(f"/alerts/{alert_id}/ack", data={}).status_code == 403  # no CSRF token
    done = client.post(f"/alerts/{alert_id}/ack", data={"csrf_token": csrf_of(page.text)})
    assert done.status_code == 303
    with db.session() as s:
        alert = s.get(Alert, alert_id)
        assert alert is not None and alert.acknowledged_at is not None
        assert s.scalar(select(AuditEvent.id).where(AuditEvent.action == "alert.acknowledged"))
    assert "Cảnh báo thử" not in client.get("/alerts").text  # only unacknowledged by default
    assert "Cảnh báo thử" in client.get("/alerts?show=all").text
    again = client.post(f"/alerts/{alert_id}/ack", data={"csrf_token": csrf_of(page.text)})
    assert again.status_code == 409
    client.get("/lang/en")
    english = client.get("/alerts?show=all").text
    assert "Test alert of the rule “Tỉnh: mọi cảnh báo”" in english and "Acknowledged" in english
    assert "1 observation\n" in english and "1 observations" not in english  # one, not many


def test_viewers_and_other_units_cannot_acknowledge(
    db: Database, units: dict[str, int], signed_in: SignIn
) -> None:
    alert_id = raise_alert(db, make_rule(db, units["qt"]))
    viewer = signed_in("viewer_qt")
    page = viewer.get("/alerts")
    assert "Cảnh báo thử" in page.text and "/ack" not in page.text
    denied = viewer.post(f"/alerts/{alert_id}/ack", data={"csrf_token": csrf_of(page.text)})
    assert denied.status_code == 403
    # A commune unit does not see its province's alerts at all.
    commune = signed_in("lead_dh")
    page = commune.get("/alerts")
    assert "Cảnh báo thử" not in page.text
    hidden = commune.post(f"/alerts/{alert_id}/ack", data={"csrf_token": csrf_of(page.text)})
    assert hidden.status_code == 404


def _rule_form(token: str, unit_id: int, **extra: object) -> dict[str, object]:
    form: dict[str, object] = {
        "csrf_token": token,
        "name": "Lừa đảo ở Đồng Hới",
        "unit_id": str(unit_id),
        "place_codes": "18880, 44",
        "categories": ["scam", "misinformation"],
        "min_severity": "2",
        "quiet_start": "22:00",
        "quiet_end": "06:00",
        "urgent_severity": "3",
        "in_app": "1",
        "webhooks": "https://hooks.example.org/t/bi-mat",
        "emails": "truc-ban@soitin.test",
        "enabled": "1",
    }
    form.update(extra)
    return form


def test_leads_manage_rules_of_their_units(
    db: Database, units: dict[str, int], signed_in: SignIn
) -> None:
    lead = signed_in("lead_qt")
    page = lead.get("/alerts/rules")
    assert page.status_code == 200 and 'action="/alerts/rules"' in page.text
    token = csrf_of(page.text)
    created = lead.post("/alerts/rules", data=_rule_form(token, units["dh"]))
    assert created.status_code == 303, created.text
    with db.session() as s:
        rule = s.scalars(select(AlertRule)).one()
        assert rule.unit_id == units["dh"]
        assert rule.place_codes == ["18880", "44"]
        assert rule.categories == ["scam", "misinformation"]
        assert rule.quiet_hours == {"start": "22:00", "end": "06:00", "urgent_severity": 3}
        assert rule.channels == {
            "in_app": True,
            "emails": ["truc-ban@soitin.test"],
            "webhooks": ["https://hooks.example.org/t/bi-mat"],
        }
        rule_id = rule.id
    listing = lead.get("/alerts/rules").text
    assert "https://hooks.example.org/t/bi-mat" in listing
    assert "phường Đồng Hới, Quảng Trị (18880), Quảng Trị (44)" in listing  # places by name
    bad = lead.post("/alerts/rules", data=_rule_form(token, units["qt"], place_codes="99999"))
    assert bad.status_code == 422 and "không có mã 99999 trong danh mục hành chính 2025" in bad.text
    edited = lead.post(
        f"/alerts/rules/{rule_id}",
        data=_rule_form(token, units["dh"], name="Đổi tên", enabled=None),
    )
    assert edited.status_code == 303
    with db.session() as s:
        rule = s.get(AlertRule, rule_id)
        assert rule is not None and rule.name == "Đổi tên" and not rule.enabled
    tested = lead.post(f"/alerts/rules/{rule_id}/test", data={"csrf_token": token})
    assert tested.status_code == 303
    with db.session() as s:
        assert s.scalars(select(Alert.kind)).all() == ["test"]
        assert {r.channel for r in s.scalars(select(AlertOutbox))} == {"webhook", "email"}
    # A reviewer sees the rule, with the webhook's secret path hidden, and cannot change it.
    reviewer = signed_in("reviewer_qt")
    listing = reviewer.get("/alerts/rules").text
    assert (
        "Đổi tên" in listing
        and "bi-mat" not in listing
        and "https://hooks.example.org/…" in (listing)
    )
    denied = reviewer.post("/alerts/rules", data=_rule_form(csrf_of(listing), units["qt"]))
    assert denied.status_code == 403


def test_a_commune_lead_cannot_touch_the_province_rules(
    db: Database, units: dict[str, int], signed_in: SignIn
) -> None:
    rule_id = make_rule(db, units["qt"])
    lead = signed_in("lead_dh")
    token = csrf_of(lead.get("/alerts/rules").text)
    assert lead.get(f"/alerts/rules/{rule_id}").status_code == 404
    assert lead.post(f"/alerts/rules/{rule_id}/test", data={"csrf_token": token}).status_code == 404
    assert lead.post("/alerts/rules", data=_rule_form(token, units["qt"])).status_code == 404


def test_the_json_api_gives_the_same_alerts_and_rules(
    db: Database, units: dict[str, int], signed_in: SignIn
) -> None:
    alert_id = raise_alert(db, make_rule(db, units["qt"], webhooks=["https://h.example.org/x/y"]))
    client = signed_in("lead_qt")
    token = csrf_of(client.get("/alerts").text)
    listing = client.get("/api/v1/alerts").json()
    assert listing["unread"] == 1
    [alert] = listing["alerts"]
    assert alert["id"] == alert_id and alert["kind"] == "test" and alert["unread"] is True
    assert alert["message_en"] == (
        "Test alert of the rule “Tỉnh: mọi cảnh báo”: the delivery channels work."
    )
    assert client.post(f"/api/v1/alerts/{alert_id}/ack").status_code == 403  # no CSRF header
    acked = client.post(f"/api/v1/alerts/{alert_id}/ack", headers={"x-csrf-token": token})
    assert acked.status_code == 200 and acked.json()["acknowledged_at"]
    assert client.get("/api/v1/alerts").json()["alerts"] == []
    assert client.get("/api/v1/alerts?open=false").json()["alerts"][0]["id"] == alert_id
    assert client.get("/api/v1/alerts/unread").json() == {"unread": 0}

    body = {
        "unit_id": units["qt"],
        "name": "API",
        "place_codes": ["44"],
        "channels": {"in_app": True, "emails": ["a@soitin.test"]},
    }
    created = client.post("/api/v1/alert-rules", json=body, headers={"x-csrf-token": token})
    assert created.status_code == 201, created.text
    rule = created.json()
    assert rule["place_codes"] == ["44"] and rule["channels"]["emails"] == ["a@soitin.test"]
    body["min_severity"] = 3
    updated = client.put(
        f"/api/v1/alert-rules/{rule['id']}", json=body, headers={"x-csrf-token": token}
    )
    assert updated.status_code == 200 and updated.json()["min_severity"] == 3
    wrong = client.post(
        "/api/v1/alert-rules",
        json={**body, "categories": ["politics"]},
        headers={"x-csrf-token": token},
    )
    assert wrong.status_code == 422
    sent = client.post(f"/api/v1/alert-rules/{rule['id']}/test", headers={"x-csrf-token": token})
    assert sent.json()["queued"] == 1
    rules = signed_in("viewer_qt").get("/api/v1/alert-rules").json()["rules"]
    assert {r["name"] for r in rules} == {"Tỉnh: mọi cảnh báo", "API"}
    assert ["https://h.example.org/…"] in [r["channels"]["webhooks"] for r in rules]


def test_a_story_alert_links_only_to_a_case(
    db: Database, units: dict[str, int], signed_in: SignIn
) -> None:
    # A debunked claim repeated by a story that opened no case: /stories/<id> has nothing to
    # open (404), so the alert names the story without a link; a story with a case links it.
    from tests.review.factories import make_case, make_source, make_story

    rule = make_rule(db, units["qt"])
    alert_ids = [raise_alert(db, rule), raise_alert(db, rule)]
    with db.transaction() as s:
        src = make_source(s)
        lone = make_story(s, "Tin đồn đã bị bác bỏ", sources=[src])
        handled = make_story(s, "Giả danh công an", sources=[src])
        case = make_case(s, handled, units["dh"])
        for alert_id, story in zip(alert_ids, (lone, handled), strict=True):
            alert = s.get(Alert, alert_id)
            assert alert is not None
            alert.story_id = story.id
        lone_id, case_id = lone.id, case.id
    client = signed_in("reviewer_qt")
    page = client.get("/alerts").text
    assert f'href="/stories/{lone_id}"' not in page
    assert f"Câu chuyện #{lone_id} chưa có vụ việc trong đơn vị của bạn" in page
    assert f'<a href="/cases/{case_id}">Xem vụ việc #{case_id}</a>' in page
    assert client.get(f"/cases/{case_id}").status_code == 200


def test_an_alert_lists_the_cases_of_every_story_repeating_its_claim(
    db: Database, units: dict[str, int], signed_in: SignIn
) -> None:
    # Three wordings of one debunked rumour: one alert, which links the cases of the two
    # stories that have one here and counts the third.
    from soitin.db.models import Claim, StoryClaimMatch
    from soitin.db.types import utcnow
    from soitin.triage.alerts import run_alert_pass
    from tests.review.factories import make_case, make_source, make_story

    make_rule(db, units["qt"])
    now = utcnow()
    with db.transaction() as s:
        src = make_source(s)
        claim = Claim(text="Đập thủy điện Rào Quán đã vỡ", verdict="false")
        s.add(claim)
        s.flush()
        stories = [
            make_story(s, text, sources=[src], province_codes=["44"])
            for text in ("Đập Rào Quán vỡ rồi", "Vỡ đập thủy điện ở Hướng Hóa", "Nước lũ do vỡ đập")
        ]
        s.add_all(
            StoryClaimMatch(story_id=st.id, claim_id=claim.id, score=0.9, matched_at=now)
            for st in stories
        )
        cases = [make_case(s, st, units["qt"]).id for st in stories[:2]]
    result = run_alert_pass(db, now=now + timedelta(seconds=1), deliver=False)
    assert len(result.created) == 1

    client = signed_in("reviewer_qt")
    page = client.get("/alerts").text
    assert page.count('class="alert-card') == 1
    assert f'<a href="/cases/{cases[0]}">Xem vụ việc #{cases[0]}</a>' in page
    assert "Cảnh báo này còn gồm 2 câu chuyện khác:" in page
    assert f'<a href="/cases/{cases[1]}">#{cases[1]}</a>' in page
    client.get("/lang/en")
    assert "This alert also covers 2 more stories: cases" in client.get("/alerts").text

    # another rumour in two wordings: one more story, said in the singular
    with db.transaction() as s:
        other = Claim(text="Cắt điện toàn tỉnh 3 ngày", verdict="false")
        s.add(other)
        s.flush()
        pair = [
            make_story(s, t, sources=[src], province_codes=["44"]) for t in ("Cắt điện", "Mất điện")
        ]
        s.add_all(
            StoryClaimMatch(story_id=st.id, claim_id=other.id, score=0.9, matched_at=now)
            for st in pair
        )
    run_alert_pass(db, now=now + timedelta(seconds=2), deliver=False)
    english = client.get("/alerts").text
    assert "This alert also covers 1 more story" in english and "1 more stories" not in english
    client.get("/lang/vi")
    assert "Cảnh báo này còn gồm 1 câu chuyện khác" in client.get("/alerts").text


def test_a_case_can_be_opened_from_an_alert_whose_story_has_none(
    db: Database, units: dict[str, int], signed_in: SignIn
) -> None:
    """A dead end before: the alert said the story had no case here, and there was no page to
    open. A reviewer opens one in their own unit (once: again, they are taken to it)."""
    from soitin.db.models import Case, CaseEvent
    from tests.review.factories import make_source, make_story

    rule = make_rule(db, units["qt"])
    alert_id, test_alert_id = raise_alert(db, rule), raise_alert(db, rule)
    with db.transaction() as s:
        lone = make_story(s, "Tin đồn đã bị bác bỏ", sources=[make_source(s)])
        alert = s.get(Alert, alert_id)
        assert alert is not None
        alert.story_id = lone.id
        story_id = lone.id

    viewer = signed_in("viewer_qt")
    page = viewer.get("/alerts").text
    assert f'action="/alerts/{alert_id}/open-case"' not in page  # viewers decide nothing
    token = csrf_of(page)
    assert (
        viewer.post(f"/alerts/{alert_id}/open-case", data={"csrf_token": token}).status_code == 403
    )

    client = signed_in("reviewer_qt")
    page = client.get("/alerts").text
    assert f'action="/alerts/{alert_id}/open-case"' in page
    assert f'action="/alerts/{test_alert_id}/open-case"' not in page  # a test alert has no story
    token = csrf_of(page)
    assert client.post(f"/alerts/{alert_id}/open-case", data={}).status_code == 403  # no CSRF
    opened = client.post(f"/alerts/{alert_id}/open-case", data={"csrf_token": token})
    assert opened.status_code == 303
    case_id = int(opened.headers["location"].rsplit("/", 1)[1])
    with db.session() as s:
        case = s.get(Case, case_id)
        assert case is not None and case.story_id == story_id and case.unit_id == units["qt"]
        assert case.status == "open" and case.due_at is not None and case.priority_parts
        event = s.scalar(select(CaseEvent).where(CaseEvent.case_id == case_id))
        assert event is not None and event.kind == "opened" and event.actor_id is not None
        assert event.data["by_hand"] is True and event.data["alert_id"] == alert_id
        assert s.scalar(
            select(AuditEvent.id).where(
                AuditEvent.action == "case.opened", AuditEvent.object_id == str(case_id)
            )
        )
    case_page = client.get(f"/cases/{case_id}")
    assert case_page.status_code == 200 and "Tin đồn đã bị bác bỏ" in case_page.text
    # the alert now links the case; opening again goes to the same case
    assert f'<a href="/cases/{case_id}">' in client.get("/alerts").text
    again = client.post(f"/alerts/{alert_id}/open-case", data={"csrf_token": token})
    assert again.headers["location"] == f"/cases/{case_id}"
    api = client.post(f"/api/v1/alerts/{alert_id}/open-case", headers={"x-csrf-token": token})
    assert api.json() == {"case_id": case_id, "created": False, "status": "open"}
    no_story = client.post(f"/alerts/{test_alert_id}/open-case", data={"csrf_token": token})
    assert no_story.status_code == 422
    assert "Cảnh báo này không gắn với câu chuyện nào." in no_story.text
    with db.session() as s:
        count = s.scalar(select(func.count()).select_from(Case).where(Case.story_id == story_id))
        assert count == 1

    # a commune reviewer does not see the province's alert
    commune = signed_in("reviewer_dh")
    token = csrf_of(commune.get("/alerts").text)
    hidden = commune.post(f"/alerts/{alert_id}/open-case", data={"csrf_token": token})
    assert hidden.status_code == 404
