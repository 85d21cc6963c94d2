"""CSV exports: one table, or a whole report as titled blocks. UTF-8 with a BOM (for Excel)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from soitin.report.document import ReportDocument, Table, response_line
from soitin.report.safe_cell import csv_writer

__all__ = ["report_csv", "rows_csv", "table_csv"]


def rows_csv(rows: Iterable[list[Any] | tuple[Any, ...]]) -> bytes:
    """Rows as CSV bytes; every cell neutralised."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_csv(table: Table) -> bytes:
    """One table: its header then its rows."""
    return rows_csv([table.headers, *table.rows])


def report_csv(doc: ReportDocument) -> bytes:
    """The whole report: a heading, then each table under its title, then notable stories."""
    tz = doc.tz
    rows: list[list[Any]] = [
        ["BÁO CÁO", doc.title],
        ["Đơn vị", doc.unit_name],
        ["Kỳ báo cáo", doc.period.label, doc.period.title("vi")],
        ["Kỳ so sánh", doc.statistics.previous_period],
        ["Lập lúc", doc.generated_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")],
        [],
    ]
    for table in doc.tables:
        rows.append([f"[{table.key}]", table.title])
        rows.append(table.headers)
        rows.extend(table.rows)
        rows.append([])
    rows.append(["[notable]", "Câu chuyện nổi bật và phản hồi"])
    rows.append(
        [
            "Vụ việc",
            "Đơn vị",
            "Loại",
            "Trạng thái",
            "Lượt tiếp cận",
            "Địa bàn",
            "Nội dung",
            "Phản hồi",
        ]
    )
    for story in doc.notable:
        responses = "; ".join(response_line(r, tz) for r in story.responses)
        rows.append(
            [
                story.case_id,
                story.unit,
                story.category,
                story.status,
                story.reach,
                story.places,
                story.text,
                responses,
            ]
        )
    return rows_csv(rows)
