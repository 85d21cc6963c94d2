"""The dashboard, the statistics API with CSV tables, the reports page and downloads."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from soitin.db.engine import Database
from soitin.db.models import Unit
from soitin.report.generate import generate_scheduled
from tests.report.world import TZ, World

OCT = {"period": "2026-10"}


def test_dashboard_shows_figures_and_every_chart(signed_in: Callable[[str], TestClient]) -> None:
    page = signed_in("viewer_qtr").get("/", params=OCT)
    assert page.status_code == 200
    html = page.text
    assert "Tổng quan" in html and "Tỉnh Quảng Trị" in html
    assert re.search(r'data-key="items">\s*<span class="value">11</span>', html)
    assert re.search(r'data-key="views">\s*<span class="value">2.900</span>', html)
    # hours with a decimal comma, as every number on the page is written in Vietnamese
    assert re.search(
        r'data-key="median_first_response_hours">\s*<span class="value">\d+,\d</span>', html
    )
    for key in (
        "series",
        "categories",
        "units",
        "provinces",
        "response_time",
        "responses",
        "publications",
    ):
        assert f'id="chart-{key}"' in html
        assert f"/api/v1/stats/{key}.csv?" in html
    assert html.count("<svg") >= 8  # seven charts and the map
    assert html.count('class="province"') == 34
    assert "<polyline" in html and 'class="bar"' in html
    # Untrusted text never reaches the page unescaped, and there is no inline script or style.
    assert "<script>" not in html and "style=" not in html
    assert "Content-Security-Policy" in page.headers


def test_this_months_dashboard_draws_its_days_up_to_today(
    signed_in: Callable[[str], TestClient],
) -> None:
    """The default period is the running month: the page says up to which day, and the time
    chart and the API's series end today (Vietnamese time), not on the month's last day."""
    client = signed_in("viewer_qtr")
    data = client.get("/api/v1/stats").json()
    today = date.fromisoformat(data["until"])
    assert data["series"]["buckets"][-1] == today.isoformat()
    assert len(data["series"]["buckets"]) == today.day
    html = client.get("/").text
    assert f"(đến ngày {today:%d/%m/%Y})" in html
    # compared with the same days of last month
    month_end = today.replace(day=1) - timedelta(days=1)
    first = month_end.replace(day=1)
    last = min(first + timedelta(days=today.day - 1), month_end)
    assert data["previous_period"] == f"{first.isoformat()}..{last.isoformat()}"
    span = f"ngày {first:%d/%m/%Y}" if first == last else f"từ {first:%d/%m/%Y} đến {last:%d/%m/%Y}"
    assert f"(kỳ trước: {span})" in html
    card = html[html.index('id="chart-series"') :]
    card = card[: card.index("</figure>")]
    body = card[card.index("<tbody>") : card.index("</tbody>")]
    days = re.findall(r"<tr><td>(\d\d/\d\d/\d{4})</td>", body)
    assert len(days) == today.day and days[-1] == f"{today:%d/%m/%Y}"
    assert "(đến ngày" not in client.get("/", params=OCT).text
    client.get("/lang/en")
    assert f"(up to {today:%d/%m/%Y})" in client.get("/").text


def test_dashboard_filters(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("lead_qtr")
    page = client.get("/", params={**OCT, "unit": "dhoi", "granularity": "week"})
    assert re.search(r'data-key="items">\s*<span class="value">4</span>', page.text)
    page = client.get("/", params={**OCT, "place": "01", "category": "scam"})
    assert re.search(r'data-key="items">\s*<span class="value">2</span>', page.text)
    assert client.get("/", params={"period": "tháng mười"}).status_code == 422
    assert client.get("/", params={**OCT, "unit": "nowhere"}).status_code == 404


def test_quick_periods_are_the_usual_ones_as_of_today() -> None:
    from soitin.report.periods import quick_periods

    # a Wednesday in March of a leap year: weeks and months do not line up
    picks = {key: p.label for key, p in quick_periods(date(2028, 3, 1))}
    assert picks == {
        "this_month": "2028-03",
        "last_month": "2028-02",
        "this_week": "2028-W09",
        "last_week": "2028-W08",
        "last_7_days": "2028-02-24..2028-03-01",
        "last_30_days": "2028-02-01..2028-03-01",  # 29 days in February
    }
    jan = {key: p.label for key, p in quick_periods(date(2027, 1, 3))}  # a Sunday
    assert jan["last_month"] == "2026-12" and jan["this_week"] == "2026-W53"


def test_the_dashboard_links_the_usual_periods_keeping_its_filters(
    signed_in: Callable[[str], TestClient],
) -> None:
    from urllib.parse import parse_qs, urlsplit

    from soitin.report.periods import quick_periods

    client = signed_in("lead_qtr")
    page = client.get("/", params={**OCT, "unit": "dhoi", "category": "scam"}).text
    nav = page.split('class="quick-periods')[1].split("</nav>")[0]
    links = re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', nav)
    assert [name for _href, _cur, name in links] == [
        "Tháng này",
        "Tháng trước",
        "Tuần này",
        "Tuần trước",
        "7 ngày qua",
        "30 ngày qua",
    ]
    today = datetime.now(TZ).date()  # Vietnam's, as the page's; midnight may have passed since
    expected = {p.label for _key, p in quick_periods(today)} | {
        p.label for _key, p in quick_periods(today - timedelta(days=1))
    }
    for href, current, _name in links:
        query = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
        assert query["unit"] == ["dhoi"] and query["category"] == ["scam"]
        assert query["period"][0] in expected and not current  # October is none of them
        assert client.get(href.replace("&amp;", "&")).status_code == 200
    again = client.get(links[0][0].replace("&amp;", "&")).text
    assert 'aria-current="page">Tháng này</a>' in again


def test_a_commune_user_cannot_see_the_province(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("viewer_dhoi")
    assert client.get("/", params={**OCT, "unit": "qtr"}).status_code == 404
    assert client.get("/api/v1/stats", params={**OCT, "unit": "qtr"}).status_code == 404
    own = client.get("/api/v1/stats", params=OCT).json()
    assert own["unit"]["code"] == "dhoi" and own["totals"]["items"] == 4


def test_stats_api_and_csv_tables(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("viewer_qtr")
    data = client.get("/api/v1/stats", params=OCT).json()
    assert data["totals"]["items"] == 11 and data["previous"]["items"] == 3
    assert data["totals"]["median_first_response_hours"] == 7.0
    assert [r["code"] for r in data["by_unit"]] == ["qtr", "dhoi", "mhoa"]
    table = client.get("/api/v1/stats/units.csv", params=OCT)
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert rows[1][:3] == ["Tỉnh Quảng Trị", "11", "5"]
    top = client.get("/api/v1/stats/top_publications.csv", params=OCT).content.decode("utf-8-sig")
    assert "'=HYPERLINK(" in top
    assert client.get("/api/v1/stats/nothing.csv", params=OCT).status_code == 404
    assert client.get("/api/v1/stats", params={"category": "politics"}).status_code == 422


def test_anonymous_callers_are_refused(client: TestClient) -> None:
    assert client.get("/api/v1/stats").status_code == 401
    assert client.get("/reports").status_code == 303
    assert client.get("/").status_code == 303


def test_reports_page_downloads_every_format(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("viewer_qtr")
    page = client.get("/reports")
    assert page.status_code == 200 and "Báo cáo định kỳ" in page.text
    xlsx = client.get("/reports/download", params={"unit": "qtr", "period": "2026-10"})
    assert xlsx.status_code == 200
    assert 'filename="bao-cao_qtr_2026-10.xlsx"' in xlsx.headers["content-disposition"]
    book = load_workbook(io.BytesIO(xlsx.content))
    assert "Theo đơn vị" in book.sheetnames
    pdf = client.get("/reports/download", params={**OCT, "unit": "qtr", "format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    claims = client.get("/api/v1/claimreview", params={"unit": "qtr"}).json()
    assert [c["url"] for c in claims] == ["https://qtr.gov.vn/kiem-chung/nuoc-may"]
    assert (
        client.get("/reports/download", params={**OCT, "unit": "qtr", "format": "docx"}).status_code
        == 422
    )


def test_scheduled_files_are_listed_and_served(
    db: Database, world: World, tmp_path: Path, signed_in: Callable[[str], TestClient]
) -> None:
    written = generate_scheduled(
        db,
        "monthly",
        out_dir=tmp_path / "reports",
        tz=TZ,
        today=date(2026, 11, 3),
        unit_codes=["dhoi"],
        formats=["csv"],
    )
    assert [p.name for p in written] == ["bao-cao_dhoi_2026-10.csv"]
    client = signed_in("viewer_qtr")
    assert "bao-cao_dhoi_2026-10.csv" in client.get("/reports").text
    served = client.get("/reports/files/dhoi/bao-cao_dhoi_2026-10.csv")
    assert served.status_code == 200 and b"Ph\xc6\xb0\xe1\xbb\x9dng" in served.content
    assert client.get("/reports/files/dhoi/..%2F..%2Fsecret").status_code == 404
    other = signed_in("viewer_dhoi")
    assert other.get("/reports/files/qtr/bao-cao_dhoi_2026-10.csv").status_code == 404


def test_a_unit_code_from_before_codes_were_checked_never_writes_outside_the_reports_folder(
    db: Database, world: World, tmp_path: Path, signed_in: Callable[[str], TestClient]
) -> None:
    """Unit codes are checked when created now; one stored earlier that is a path writes to
    `unit-ID` inside the reports folder, and the page lists and serves it from there."""
    with db.transaction() as s:
        unit = s.get(Unit, world.units["dhoi"])
        assert unit is not None
        unit.code = "../../dhoi"
    out = tmp_path / "reports"
    written = generate_scheduled(
        db, "monthly", out_dir=out, tz=TZ, today=date(2026, 11, 3), formats=["csv"]
    )
    assert written and all(p.resolve().is_relative_to(out.resolve()) for p in written)
    mine = [p for p in written if p.parent.name == f"unit-{world.units['dhoi']}"]
    assert [p.name for p in mine] == ["bao-cao_------dhoi_2026-10.csv"]
    assert not list(tmp_path.glob("*.csv")) and not list(tmp_path.parent.glob("*.csv"))
    client = signed_in("viewer_qtr")
    assert "bao-cao_------dhoi_2026-10.csv" in client.get("/reports").text
