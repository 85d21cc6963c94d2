"""A known month (October 2026, Vietnamese time) of items, stories, cases, responses and
publications, with every figure the statistics must give written out by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from soitin.db.models import Case, Claim, Item, Source, Story, User
from soitin.respond.ledger import ResponseInput, record_response, set_outcome
from soitin.respond.publications import (
    PublicationInput,
    SnapshotInput,
    add_snapshot,
    create_publication,
)
from soitin.review import accounts

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PASSWORD = "mat-khau-the-gioi"
PASSWORD_HASH = accounts.hash_password(PASSWORD)
#: "Now" for the statistics: after the month, so that due times have passed.
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
WARD_DH = "18880"  # Phường Đồng Hới
WARD_MH = "18901"  # Xã Minh Hóa
EVIL = '=HYPERLINK("http://evil.example/","Bấm vào đây")'


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Vietnamese wall-clock time in 2026 as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


@dataclass
class World:
    """Ids of what was built."""

    units: dict[str, int] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    cases: dict[str, int] = field(default_factory=dict)
    stories: dict[str, int] = field(default_factory=dict)
    publications: dict[str, int] = field(default_factory=dict)
    claim_id: int = 0


def build_world(session: Session) -> World:
    """Create the month; see the module docstring of tests/report/test_stats.py for figures."""
    world = World()
    root = accounts.add_unit(session, "qtr", "Tỉnh Quảng Trị", place_codes=["44"])
    dh = accounts.add_unit(
        session, "dhoi", "Phường Đồng Hới", parent_code="qtr", place_codes=[WARD_DH]
    )
    mh = accounts.add_unit(session, "mhoa", "Xã Minh Hóa", parent_code="qtr", place_codes=[WARD_MH])
    world.units = {"qtr": root.id, "dhoi": dh.id, "mhoa": mh.id}
    for role in ("lead", "reviewer", "viewer"):
        for code in ("qtr", "dhoi"):
            user = accounts.add_user(
                session,
                f"w_{role}_{code}",
                role=role,
                unit_code=code,
                password="",
                password_hash=PASSWORD_HASH,
            )
            world.users[f"{role}_{code}"] = user

    source = Source(kind="file", name="world-source")
    session.add(source)
    session.flush()

    def item(n: str, cat: str | None, provs: list[str], wards: list[str], at: datetime) -> None:
        session.add(
            Item(
                source_id=source.id,
                external_id=n,
                content_hash=n,
                text=f"tin {n}",
                category=cat,
                province_codes=provs,
                ward_codes=wards,
                fetched_at=at,
            )
        )

    # October items (11) and the month boundaries.
    item("i1", "misinformation", ["44"], [WARD_DH], local(10, 1, 9))
    item("i2", "misinformation", ["44"], [WARD_DH], local(10, 1, 10))
    item("i3", "misinformation", ["44"], [WARD_DH], local(10, 2, 8))
    item("i4", "misinformation", ["44"], [WARD_MH], local(10, 10, 12))
    item("i5", "misinformation", ["44"], [], local(10, 15, 12))
    item("i6", "scam", ["01"], [], local(10, 3, 12))
    item("i7", "scam", ["01"], [], local(10, 4, 12))
    item("i8", "scam", ["44"], [WARD_DH], local(10, 31, 23, 30))
    item("i9", None, [], [], local(10, 5, 12))
    item("i10", None, [], [], local(10, 5, 13))
    item("i11", "toxic", ["44", "01"], [WARD_MH], local(10, 20, 12))
    item("b1", "toxic", ["44"], [], local(9, 30, 23, 30))  # September, local time
    item("b2", "scam", ["44"], [], local(11, 1, 0, 10))  # November, local time
    item("s1", "misinformation", ["44"], [WARD_DH], local(9, 5, 9))
    item("s2", "scam", ["01"], [], local(9, 6, 9))

    def story(
        key: str,
        cat: str | None,
        provs: list[str],
        wards: list[str],
        at: datetime,
        reach: int,
        text: str,
    ) -> Story:
        s = Story(
            first_seen=at,
            last_seen=at,
            category=cat,
            province_codes=provs,
            ward_codes=wards,
            reach=reach,
            item_count=1,
            representative_text=text,
        )
        session.add(s)
        session.flush()
        world.stories[key] = s.id
        return s

    s1 = story(
        "S1",
        "misinformation",
        ["44"],
        [WARD_DH],
        local(10, 1, 9),
        500,
        EVIL + " Tin đồn nước máy Đồng Hới nhiễm độc",
    )
    s2 = story("S2", "scam", ["01"], [], local(10, 3, 12), 300, "Lừa đảo trúng thưởng 🎁")
    s3 = story(
        "S3", "misinformation", ["44"], [WARD_MH], local(10, 10, 12), 200, "Tin sai về học phí"
    )
    s4 = story("S4", "toxic", ["44", "01"], [WARD_MH], local(10, 20, 12), 50, "Lời lẽ xúc phạm")
    s5 = story("S5", None, [], [], local(10, 5, 12), 10, "Chuyện chưa phân loại")
    s0 = story("S0", "misinformation", ["44"], [WARD_DH], local(9, 5, 9), 80, "Tin tháng 9")

    def case(
        key: str,
        unit: int,
        st: Story,
        status: str,
        cat: str | None,
        opened: datetime,
        due: datetime | None,
        overdue: bool = False,
    ) -> Case:
        c = Case(
            story_id=st.id,
            unit_id=unit,
            status=status,
            category=cat,
            opened_at=opened,
            due_at=due,
            overdue=overdue,
        )
        session.add(c)
        session.flush()
        world.cases[key] = c.id
        return c

    c1 = case("C1", dh.id, s1, "confirmed", "misinformation", local(10, 1, 10), local(10, 2, 10))
    c2 = case("C2", root.id, s2, "confirmed", "scam", local(10, 3, 13), local(10, 4, 13))
    case("C3", mh.id, s3, "dismissed", None, local(10, 10, 13), local(10, 11, 13))
    c4 = case("C4", mh.id, s4, "open", None, local(10, 20, 13), local(10, 21, 13))
    c5 = case("C5", dh.id, s5, "assigned", None, local(10, 5, 14), None, overdue=True)
    c6 = case("C6", dh.id, s0, "confirmed", "misinformation", local(9, 5, 10), local(9, 6, 10))

    claim = Claim(text="Nước máy Đồng Hới nhiễm độc", verdict="false", publisher="Sở TT")
    session.add(claim)
    session.flush()
    world.claim_id = claim.id

    lead = world.users["lead_qtr"]
    record_response(
        session,
        c1,
        ResponseInput(
            kind="fact_check",
            at=local(10, 1, 12),
            url="https://qtr.gov.vn/kiem-chung/nuoc-may",
            channel="website",
            title="Nước máy Đồng Hới không nhiễm độc",
            claim_id=claim.id,
        ),
        actor=lead,
    )
    report = record_response(
        session,
        c1,
        ResponseInput(
            kind="platform_report",
            at=local(10, 1, 13),
            platform="facebook",
            reference="FB-123",
        ),
        actor=lead,
    )
    set_outcome(session, report, "removed", actor=lead, at=local(10, 3, 9))
    record_response(
        session,
        c2,
        ResponseInput(
            kind="public_warning",
            at=local(10, 4, 1),
            channel="loa phát thanh",
        ),
        actor=lead,
    )
    record_response(
        session,
        c2,
        ResponseInput(
            kind="platform_report",
            at=local(10, 4, 2),
            platform="zalo",
            reference="ZL-9",
        ),
        actor=lead,
    )
    record_response(
        session,
        c4,
        ResponseInput(
            kind="referral",
            at=local(10, 24, 13),
            channel="Công an tỉnh",
            reference="CV 12/2026",
        ),
        actor=lead,
    )
    record_response(
        session,
        c5,
        ResponseInput(
            kind="official_notice",
            at=local(10, 5, 15),
            title="Thông cáo báo chí số 5",
        ),
        actor=lead,
    )
    record_response(
        session,
        c6,
        ResponseInput(
            kind="correction",
            at=local(9, 5, 10, 30),
            url="https://qtr.gov.vn/dinh-chinh/1",
            channel="website",
        ),
        actor=lead,
    )
    record_response(
        session,
        c6,
        ResponseInput(
            kind="correction",
            at=local(10, 2, 9),
            url="https://qtr.gov.vn/dinh-chinh/2",
            channel="facebook",
        ),
        actor=lead,
    )

    def publication(
        key: str,
        unit: int,
        channel: str,
        title: str,
        at: datetime,
        cases: list[int],
        snaps: list[tuple[datetime, int, int, int, int]],
    ) -> None:
        p = create_publication(
            session,
            PublicationInput(
                unit_id=unit,
                channel=channel,
                title=title,
                url=f"https://example.vn/{key}",
                topic="tin giả",
                published_at=at,
                case_ids=cases,
            ),
            actor=lead,
        )
        for when, views, reactions, comments, shares in snaps:
            add_snapshot(session, p, SnapshotInput(views, reactions, comments, shares, at=when))
        world.publications[key] = p.id

    publication(
        "P1",
        dh.id,
        "facebook",
        "Cảnh báo tin giả về nước máy",
        local(10, 1, 14),
        [c1.id],
        [(local(10, 2, 9), 1000, 50, 5, 10), (local(10, 10, 9), 2500, 120, 12, 30)],
    )
    publication(
        "P2", root.id, "youtube", EVIL, local(10, 4, 9), [c2.id], [(local(10, 5, 9), 400, 20, 2, 1)]
    )
    publication("P3", mh.id, "tiktok", "Video cảnh báo", local(10, 21, 9), [], [])
    publication(
        "P0",
        root.id,
        "facebook",
        "Bài tháng 9",
        local(9, 6, 9),
        [],
        [(local(9, 7, 9), 100, 5, 1, 0)],
    )
    session.flush()
    return world
