"""The periodic report as a formatted XLSX workbook with charts (openpyxl).

Sheet "Báo cáo" carries the administrative heading, the summary with the previous period and
the notable stories; one sheet per table follows, each with its chart. Every text cell goes
through `neutralise` and is stored as a string, never as a formula.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from soitin.report.document import ReportDocument, Table, response_line
from soitin.report.safe_cell import neutralise

__all__ = ["report_xlsx"]

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
THIN = Side(style="thin", color="B7B7B7")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
SHEET_NAMES = {
    "summary": "Tổng hợp",
    "categories": "Theo loại",
    "series": "Theo thời gian",
    "units": "Theo đơn vị",
    "provinces": "Theo tỉnh",
    "wards": "Theo xã phường",
    "responses": "Phản hồi",
    "outcomes": "Kết quả nền tảng",
    "response_time": "Thời gian phản hồi",
    "publications": "Bài đăng",
    "top_publications": "Bài nổi bật",
}


def _put(ws: Worksheet, row: int, col: int, value: Any) -> Any:
    """Write one cell: text neutralised and typed as a string, numbers as numbers."""
    safe = neutralise(value)
    cell = ws.cell(row=row, column=col, value=safe)
    if isinstance(safe, str):
        cell.data_type = "s"
    return cell


def _write_table(ws: Worksheet, table: Table, top: int) -> int:
    """Write `table` from row `top`; returns the row after it."""
    for col, header in enumerate(table.headers, start=1):
        cell = _put(ws, top, col, header)
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.border = BORDER
    for r, row in enumerate(table.rows, start=top + 1):
        for col, value in enumerate(row, start=1):
            cell = _put(ws, r, col, value)
            cell.border = BORDER
            if isinstance(value, float):
                cell.number_format = "0.00"
            elif isinstance(value, int):
                cell.number_format = "#,##0"
    return top + 1 + len(table.rows)


def _widths(ws: Worksheet, widths: dict[int, float]) -> None:
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width


#: Per table: chart kind, the label column and the first and last data columns (1-based;
#: a negative last column counts from the end).
CHARTS: dict[str, tuple[str, int, int, int]] = {
    "categories": ("col", 1, 2, 4),
    "series": ("line", 1, 2, -3),
    "units": ("bar", 1, 3, 6),
    "provinces": ("bar", 2, 3, 3),
    "wards": ("bar", 2, 3, 3),
    "responses": ("col", 1, 2, 2),
    "outcomes": ("col", 1, 2, 2),
    "response_time": ("col", 1, 2, 2),
    "publications": ("col", 1, 3, 3),
}


def _chart(ws: Worksheet, table: Table, top: int, anchor: str) -> None:
    """A chart of the table written at row `top`, beside it."""
    spec = CHARTS.get(table.key)
    n = len(table.rows)
    if spec is None or n == 0:
        return
    kind, label_col, first, last = spec
    if last < 0:
        last = len(table.headers) + 1 + last
    if last < first:
        return
    chart: BarChart | LineChart
    if kind == "line":
        chart = LineChart()
    else:
        chart = BarChart()
        chart.type = kind
    data = Reference(ws, min_col=first, max_col=last, min_row=top, max_row=top + n)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=label_col, min_row=top + 1, max_row=top + n))
    chart.title = table.title
    chart.height = 9
    chart.width = 18
    ws.add_chart(chart, anchor)


def report_xlsx(doc: ReportDocument) -> bytes:
    """The report as XLSX bytes."""
    tz = doc.tz
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # noqa: S101 - a new workbook has its sheet
    ws.title = "Báo cáo"
    bold = Font(bold=True)
    _put(ws, 1, 1, (doc.parent_name or doc.unit_name).upper())
    _put(ws, 2, 1, doc.unit_name.upper()).font = bold
    _put(ws, 1, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").font = bold
    _put(ws, 2, 5, "Độc lập - Tự do - Hạnh phúc").font = bold
    _put(
        ws,
        3,
        5,
        f"ngày {doc.generated_at.astimezone(tz):%d} tháng "
        f"{doc.generated_at.astimezone(tz):%m} năm {doc.generated_at.astimezone(tz):%Y}",
    )
    _put(ws, 5, 1, "BÁO CÁO").font = Font(bold=True, size=14)
    _put(ws, 6, 1, doc.title).font = Font(bold=True, size=12)
    _put(ws, 7, 1, f"Kỳ báo cáo: {doc.period.label} — kỳ so sánh: {doc.statistics.previous_period}")
    summary = doc.table("summary")
    _put(ws, 9, 1, "I. " + summary.title).font = bold
    row = _write_table(ws, summary, 10)
    row += 1
    _put(ws, row, 1, "II. Câu chuyện nổi bật và phản hồi").font = bold
    notable = Table(
        "notable",
        "Câu chuyện nổi bật",
        [
            "Vụ việc",
            "Đơn vị",
            "Loại",
            "Trạng thái",
            "Lượt tiếp cận",
            "Địa bàn",
            "Nội dung",
            "Phản hồi",
        ],
        [
            [
                s.case_id,
                s.unit,
                s.category,
                s.status,
                s.reach,
                s.places,
                s.text,
                "\n".join(response_line(r, tz) for r in s.responses),
            ]
            for s in doc.notable
        ],
    )
    _write_table(ws, notable, row + 1)
    for r in range(row + 2, row + 2 + len(notable.rows)):
        for col in (7, 8):
            ws.cell(row=r, column=col).alignment = Alignment(wrap_text=True, vertical="top")
    _widths(ws, {1: 38, 2: 22, 3: 18, 4: 16, 5: 14, 6: 24, 7: 60, 8: 60})

    for table in doc.tables:
        if table.key == "summary":
            continue
        sheet = wb.create_sheet(SHEET_NAMES.get(table.key, table.key)[:31])
        _put(sheet, 1, 1, table.title).font = Font(bold=True, size=12)
        _write_table(sheet, table, 3)
        _widths(sheet, {c: (34 if c <= 2 else 16) for c in range(1, len(table.headers) + 1)})
        anchor = f"{get_column_letter(len(table.headers) + 2)}3"
        _chart(sheet, table, 3, anchor)
    wb.properties.title = doc.title
    wb.properties.creator = "soitin"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
