"""The XLSX, PDF, CSV and ClaimReview outputs of the known month carry every figure, and the
post text `=HYPERLINK(...)` stays inert text everywhere."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.orm import Session

from soitin.report import svg
from soitin.report.csv_export import rows_csv
from soitin.report.generate import render_report
from soitin.report.periods import parse_period
from soitin.report.safe_cell import neutralise
from soitin.stories.claimreview import ClaimRecord, to_claims_csv
from tests.report.world import EVIL, NOW, TZ, World

OCTOBER = parse_period("2026-10")


def _render(session: Session, world: World, fmt: str, unit: str = "qtr") -> bytes:
    return render_report(session, world.units[unit], OCTOBER, fmt, tz=TZ, now=NOW).content


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+84 912", "'+84 912"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("bình thường", "bình thường"),
        (" =not first", " =not first"),
        (12, 12),
        (-3.5, -3.5),
        (None, None),
    ],
)
def test_neutralise(value: object, expected: object) -> None:
    assert neutralise(value) == expected


def test_xlsx_has_every_figure_and_inert_text(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    book = load_workbook(io.BytesIO(_render(session, world, "xlsx")))
    assert book.sheetnames[0] == "Báo cáo"
    sheet = book["Báo cáo"]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    flat = [v for row in cells for v in row if v is not None]
    assert "TỈNH QUẢNG TRỊ" in flat and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat
    assert any(isinstance(v, str) and "tháng 10/2026" in v for v in flat)
    summary = {row[0]: tuple(row[1:4]) for row in cells if row[0] and row[1] is not None}
    assert summary["Tin đã thu thập"] == (11, 3, "▲ 266,7%")
    assert summary["Câu chuyện"][:2] == (5, 1)
    assert summary["Vụ việc mở"][:2] == (5, 1)
    assert summary["Vụ việc xác nhận"][:2] == (2, 1)
    assert summary["Vụ việc đã bỏ qua"][:2] == (1, 0)
    assert summary["Phản hồi"][:2] == (7, 1)
    assert summary["Thời gian phản hồi đầu (trung vị, giờ)"][:2] == (7.0, 0.5)
    assert summary["Thời gian phản hồi đầu (p90, giờ)"][:2] == (96.0, 0.5)
    assert summary["Vụ việc quá hạn"][:2] == (2, 0)
    assert summary["Bài đăng của đơn vị"][:2] == (3, 1)
    assert summary["Lượt xem"][:2] == (2900, 100)
    # The notable story whose text starts with a formula is stored as text, not a formula.
    evil_cells = [
        c
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str) and "HYPERLINK" in c.value
    ]
    assert evil_cells, "the notable story text is missing"
    for cell in evil_cells:
        assert cell.data_type == "s"
        assert cell.value.startswith("'=HYPERLINK(")
    # Tables by category, unit and province, each with a chart.
    categories = [[c.value for c in row] for row in book["Theo loại"].iter_rows(min_row=4)]
    assert ["Tin sai sự thật", 5, 2, 2, 1, 1, 1, 1, 1] in categories
    assert ["Lừa đảo", 3, 1, 1, 1, 0, 1, 1, 0] in categories
    units = {
        row[0]: tuple(row[1:])
        for row in ([c.value for c in r] for r in book["Theo đơn vị"].iter_rows(min_row=4))
    }
    assert units["Tỉnh Quảng Trị"] == (11, 5, 2, 1, 7, 7.0, 2, 3, 2900)
    assert units["Phường Đồng Hới"] == (4, 2, 1, 0, 4, 1.5, 1, 1, 2500)
    assert units["Xã Minh Hóa"] == (2, 2, 0, 1, 1, 96.0, 1, 1, 0)
    provinces = [[c.value for c in r] for r in book["Theo tỉnh"].iter_rows(min_row=4)]
    assert ["44", "Tỉnh Quảng Trị", 7, 3, 3] in provinces
    assert ["01", "Thành phố Hà Nội", 3, 2, 2] in provinces
    for name in ("Theo loại", "Theo thời gian", "Theo đơn vị", "Theo tỉnh", "Thời gian phản hồi"):
        assert len(book[name]._charts) == 1, name
    top = [[c.value for c in r] for r in book["Bài nổi bật"].iter_rows(min_row=4)]
    assert top[1][0] == "'" + EVIL and top[0][3] == 2500


def test_pdf_text_has_the_figures(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    content = _render(session, world, "pdf")
    assert content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    squashed = " ".join(text.split())
    for expected in (
        "BÁO CÁO",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Kết quả theo dõi, xử lý thông tin có hại tháng 10/2026",
        "Tin đã thu thập 11 3 ▲ 266,7%",
        "Phản hồi 7 1 ▲ 600,0%",
        "Vụ việc quá hạn 2 0 mới",
        "Lượt xem 2.900 100 ▲ ×29,0",  # ten times or more: a ratio, not 2800,0%
        "Tin sai sự thật 5 2 2 1 1 1 1 1",
        "Trung vị: 7,00 giờ; p90: 96,00 giờ; quá hạn: 2 vụ việc.",
        "Phường Đồng Hới",
        "Tin đồn nước máy Đồng Hới nhiễm độc",
        "Bài kiểm chứng",
        "FB-123",
    ):
        assert expected in squashed, expected


def test_a_report_of_the_running_month_says_up_to_which_day(
    world_session: tuple[Session, World],
) -> None:
    session, world = world_session
    pdf = render_report(session, world.units["qtr"], parse_period("2026-11"), "pdf", tz=TZ, now=NOW)
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).split()
    )
    assert "thông tin có hại tháng 11/2026 (đến ngày 15/11/2026)" in text
    book = load_workbook(
        io.BytesIO(
            render_report(
                session, world.units["qtr"], parse_period("2026-11"), "xlsx", tz=TZ, now=NOW
            ).content
        )
    )
    days = [r[0].value for r in book["Theo thời gian"].iter_rows(min_row=1) if r[0].value]
    assert days[-1] == "15/11/2026" and "16/11/2026" not in days
    assert "(đến ngày" not in " ".join(_pdf_text(_render(session, world, "pdf")).split())


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_csv_report_and_inert_text(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    content = _render(session, world, "csv")
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert ["Tin đã thu thập", "11", "3", "▲ 266,7%"] in rows
    assert ["Vụ việc mở", "5", "1", "▲ 400,0%"] in rows
    assert ["Tỉnh Quảng Trị", "11", "5", "2", "1", "7", "7.0", "2", "3", "2900"] in rows
    notable = [r for r in rows if len(r) == 8 and "HYPERLINK" in r[6]]
    assert notable and notable[0][6].startswith("'=HYPERLINK(")
    publication = [r for r in rows if r and "HYPERLINK" in r[0]]
    assert publication and all(r[0].startswith("'=") for r in publication)


def test_a_commune_report_counts_its_own_only(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    rows = list(csv.reader(io.StringIO(_render(session, world, "csv", "dhoi").decode("utf-8-sig"))))
    assert ["Tin đã thu thập", "4", "1", "▲ 300,0%"] in rows
    assert ["Phản hồi", "4", "1", "▲ 300,0%"] in rows


def test_claimreview_of_published_fact_checks(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    items = json.loads(_render(session, world, "claimreview"))
    assert items == [
        {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": "https://qtr.gov.vn/kiem-chung/nuoc-may",
            "datePublished": "2026-10-01",
            "inLanguage": "vi",
            "author": {"@type": "Organization", "name": "Phường Đồng Hới"},
            "claimReviewed": "Nước máy Đồng Hới nhiễm độc",
            "itemReviewed": {
                "@type": "Claim",
                "datePublished": "2026-10-01",
                "appearance": {"@type": "CreativeWork", "name": "website"},
            },
            "reviewRating": {
                "@type": "Rating",
                "ratingValue": 1,
                "bestRating": 5,
                "worstRating": 1,
                "alternateName": "Sai",
            },
            "headline": "Nước máy Đồng Hới không nhiễm độc",
        }
    ]
    september = render_report(
        session, world.units["qtr"], parse_period("2026-09"), "claimreview", tz=TZ
    ).content
    assert json.loads(september) == []


def test_an_empty_period_and_missing_glyphs(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    august = parse_period("2026-08")
    pdf = render_report(session, world.units["qtr"], august, "pdf", tz=TZ, now=NOW).content
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "(không có vụ việc trong kỳ)" in text
    xlsx = render_report(session, world.units["qtr"], august, "xlsx", tz=TZ, now=NOW).content
    assert load_workbook(io.BytesIO(xlsx))["Theo loại"].max_row == 3  # title and header only
    # October's notable stories include an emoji the font lacks: replaced, not lost silently.
    october = " ".join(
        " ".join(
            p.extract_text() for p in PdfReader(io.BytesIO(_render(session, world, "pdf"))).pages
        ).split()
    )
    assert "Lừa đảo trúng thưởng ?" in october


def test_changes_read_as_percentages_or_as_a_ratio_when_large() -> None:
    from soitin.report.document import change

    assert change(11, 3) == "▲ 266,7%"
    assert change(3, 4) == "▼ 25,0%"
    assert change(5, 5) == "0,0%"
    assert change(30, 3) == "▲ ×10,0"
    assert change(347, 3) == "▲ ×115,7"
    assert change(2, 0) == "mới" and change(0, 0) == ""
    # in English: a decimal point, and "new"
    assert change(11, 3, "en") == "▲ 266.7%" and change(347, 3, "en") == "▲ ×115.7"
    assert change(2, 0, "en") == "new"


HOSTILE_CELLS = [
    "Chuyển khoản ngay;=HYPERLINK(CHAR(104)&A1);",
    'trích dẫn;"=1+1',
    "tab\t@SUM(A1)",
    "a;+84 912;-5",
    "=đầu ô",
    "bình thường; không có gì",
]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_cells_stay_inert_whatever_separator_the_spreadsheet_splits_on(
    delimiter: str,
) -> None:
    """Excel splits on `;` under Vietnamese regional settings: no split field may start a
    formula, in the report CSV and in the claim library CSV."""
    report = rows_csv([HOSTILE_CELLS, [1, None, "x"]]).decode("utf-8-sig")
    claims = to_claims_csv(
        [(i, ClaimRecord(text=t, verdict="false")) for i, t in enumerate(HOSTILE_CELLS)]
    )
    for content in (report, claims):
        fields = [f for row in csv.reader(io.StringIO(content), delimiter=delimiter) for f in row]
        assert fields
        assert not [f for f in fields if f.startswith(("=", "+", "-", "@", "\t", "\r"))]
    # read as written (comma), every text is whole and only gained apostrophes
    first = next(csv.reader(io.StringIO(report)))
    assert [f.replace("'", "") for f in first] == [c.replace("'", "") for c in HOSTILE_CELLS]
    assert first[5] == "bình thường; không có gì"


def test_a_time_chart_of_one_day_shows_its_points() -> None:
    """On the first day of a month the series has one bucket: a polyline of one point draws
    nothing, so each line gets a dot."""
    one = svg.line_chart("t", ["01/12"], {"Lừa đảo": [3], "Tin rác": [0]})
    assert one.count('<circle class="point"') == 2
    two = svg.line_chart("t", ["01/12", "02/12"], {"Lừa đảo": [3, 1]})
    assert "<circle" not in two and two.count("<polyline") == 1
