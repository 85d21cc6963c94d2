"""The periodic report as a PDF (fpdf2) in the Vietnamese administrative layout.

The font is DejaVu Sans, shipped in `report/fonts/` with its licence (it has every Vietnamese
glyph); characters the font lacks (emoji, rare scripts) are replaced so nothing goes missing
silently.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from soitin.report.document import ReportDocument, Table, response_line

__all__ = ["FONT_DIR", "report_pdf"]

FONT_DIR = Path(__file__).parent / "fonts"
FONT = "DejaVu"
BAR_COLOUR = (31, 78, 121)
MAX_TABLE_ROWS = 40


@lru_cache(maxsize=1)
def _glyphs() -> frozenset[int]:
    font = TTFont(str(FONT_DIR / "DejaVuSans.ttf"), lazy=True)
    cmap = font.getBestCmap()
    font.close()
    return frozenset(cmap)


def printable(text: Any) -> str:
    """`text` with characters outside the font replaced by `?` (and no control characters)."""
    glyphs = _glyphs()
    out = []
    for char in str(text):
        if char in "\n":
            out.append(char)
        elif ord(char) < 32 or ord(char) not in glyphs:
            out.append(" " if char in "\t\r" else "?")
        else:
            out.append(char)
    return "".join(out)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}".replace(",", " ").replace(".", ",")
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return printable(value)


class _Report(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.cell(0, 8, f"Trang {self.page_no()}/{{nb}}", align="C")


def _new_pdf() -> _Report:
    pdf = _Report(orientation="P", unit="mm", format="A4")
    pdf.set_margins(18, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.alias_nb_pages()
    pdf.add_page()
    return pdf


def _centred(pdf: FPDF, x: float, width: float, text: str, *, bold: bool = False) -> None:
    pdf.set_font(FONT, "B" if bold else "", 10)
    pdf.set_x(x)
    pdf.multi_cell(width, 5, printable(text), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _heading(pdf: FPDF, doc: ReportDocument) -> None:
    local = doc.generated_at.astimezone(doc.tz)
    left_w = 75.0
    right_x, right_w = pdf.l_margin + left_w, pdf.epw - left_w
    top = pdf.get_y()
    if doc.parent_name:
        _centred(pdf, pdf.l_margin, left_w, doc.parent_name.upper())
    _centred(pdf, pdf.l_margin, left_w, doc.unit_name.upper(), bold=True)
    _centred(pdf, pdf.l_margin, left_w, "Số: ......./BC")
    left_bottom = pdf.get_y()
    pdf.set_y(top)
    _centred(pdf, right_x, right_w, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True)
    _centred(pdf, right_x, right_w, "Độc lập - Tự do - Hạnh phúc", bold=True)
    _centred(pdf, right_x, right_w, f"ngày {local:%d} tháng {local:%m} năm {local:%Y}")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 6)
    pdf.set_font(FONT, "B", 14)
    pdf.cell(0, 8, "BÁO CÁO", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(0, 6, printable(doc.title), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    pdf.multi_cell(
        0,
        5,
        printable(
            f"Đơn vị: {doc.unit_name} · Kỳ báo cáo: {doc.period.label} · "
            f"Kỳ so sánh: {doc.statistics.previous_period}"
        ),
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(3)


def _para(pdf: FPDF, text: str, height: float = 5) -> None:
    """A paragraph across the page, then the next line at the left margin."""
    pdf.multi_cell(0, height, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _section(pdf: FPDF, title: str) -> None:
    if pdf.get_y() > pdf.h - pdf.b_margin - 45:
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(0, 6, printable(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


def _table(pdf: FPDF, table: Table, widths: tuple[float, ...] | None = None) -> None:
    rows = table.rows[:MAX_TABLE_ROWS]
    if not rows:
        pdf.set_font(FONT, size=9)
        _para(pdf, "(không có số liệu)")
        return
    pdf.set_font(FONT, size=8)
    with pdf.table(
        col_widths=widths,
        line_height=4.5,
        text_align="LEFT",
        headings_style=_headings_style(),
        padding=1,
    ) as out:
        head = out.row()
        for header in table.headers:
            head.cell(printable(header))
        for data in rows:
            row = out.row()
            for value in data:
                row.cell(_fmt("" if value is None else value))
    if len(table.rows) > MAX_TABLE_ROWS:
        pdf.set_font(FONT, size=8)
        _para(pdf, f"(và {len(table.rows) - MAX_TABLE_ROWS} dòng nữa trong bản XLSX)")


def _headings_style() -> Any:
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=BAR_COLOUR)


def _bar_chart(pdf: FPDF, title: str, labels: list[str], values: list[float]) -> None:
    """Horizontal bars, one per label, scaled to the largest value."""
    if not values or max(values) <= 0:
        return
    height = 5.0
    needed = 8 + height * len(values)
    if pdf.get_y() + needed > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.set_font(FONT, "B", 9)
    pdf.cell(0, 6, printable(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=8)
    label_w, bar_w = 55.0, pdf.epw - 75.0
    top = max(values)
    for name, value in zip(labels, values, strict=True):
        y = pdf.get_y()
        pdf.set_x(pdf.l_margin)
        pdf.cell(label_w, height, printable(name)[:40])
        width = bar_w * value / top
        pdf.set_fill_color(*BAR_COLOUR)
        if width > 0:
            pdf.rect(pdf.l_margin + label_w, y + 0.8, width, height - 1.6, style="F")
        pdf.set_xy(pdf.l_margin + label_w + width + 1.5, y)
        pdf.cell(18, height, _fmt(value if isinstance(value, float) and value % 1 else int(value)))
        pdf.set_xy(pdf.l_margin, y + height)
    pdf.set_fill_color(255, 255, 255)
    pdf.ln(2)


def _column_chart(pdf: FPDF, title: str, labels: list[str], values: list[float]) -> None:
    """Vertical bars over time; every few labels printed under the axis."""
    if not values or max(values) <= 0:
        return
    chart_h = 40.0
    if pdf.get_y() + chart_h + 16 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.set_font(FONT, "B", 9)
    pdf.cell(0, 6, printable(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    top_y = pdf.get_y() + 2
    base_y = top_y + chart_h
    width = pdf.epw / len(values)
    peak = max(values)
    pdf.set_fill_color(*BAR_COLOUR)
    pdf.set_font(FONT, size=6)
    step = max(1, round(len(values) / 8))
    for i, value in enumerate(values):
        x = pdf.l_margin + i * width
        bar_h = chart_h * value / peak
        if bar_h > 0:
            pdf.rect(x + width * 0.15, base_y - bar_h, width * 0.7, bar_h, style="F")
        if i % step == 0:
            pdf.set_xy(x, base_y + 0.5)
            pdf.cell(width * step, 3, printable(labels[i]))
    pdf.line(pdf.l_margin, base_y, pdf.l_margin + pdf.epw, base_y)
    pdf.set_xy(pdf.l_margin, top_y - 1)
    pdf.cell(20, 3, f"max {_fmt(int(peak))}")
    pdf.set_fill_color(255, 255, 255)
    pdf.set_xy(pdf.l_margin, base_y + 5)
    pdf.ln(2)


def report_pdf(doc: ReportDocument) -> bytes:
    """The report as PDF bytes."""
    pdf = _new_pdf()
    _heading(pdf, doc)
    stats = doc.statistics

    _section(pdf, "I. TỔNG HỢP VÀ SO SÁNH VỚI KỲ TRƯỚC")
    _table(pdf, doc.table("summary"), (80, 30, 30, 30))

    _section(pdf, "II. THEO LOẠI THÔNG TIN")
    categories = doc.table("categories")
    _table(pdf, categories)
    _bar_chart(
        pdf,
        "Tin đã thu thập theo loại",
        [str(r[0]) for r in categories.rows],
        [float(r[1]) for r in categories.rows],
    )

    _section(pdf, "III. DIỄN BIẾN THEO THỜI GIAN")
    series = doc.table("series")
    _column_chart(
        pdf,
        "Tin đã thu thập theo " + series.headers[0].lower(),
        [str(r[0]) for r in series.rows],
        [float(sum(v for v in r[1:-2] if isinstance(v, int))) for r in series.rows],
    )

    _section(pdf, "IV. THEO ĐỊA BÀN")
    provinces = doc.table("provinces")
    _table(pdf, provinces, (15, 75, 25, 25, 25))
    _bar_chart(
        pdf,
        "Tin theo tỉnh, thành phố",
        [str(r[1]) for r in provinces.rows[:12]],
        [float(r[2]) for r in provinces.rows[:12]],
    )
    wards = doc.table("wards")
    if wards.rows:
        _table(pdf, wards, (20, 110, 35))

    _section(pdf, "V. THEO ĐƠN VỊ")
    _table(pdf, doc.table("units"))

    _section(pdf, "VI. PHẢN HỒI VÀ XỬ LÝ")
    _table(pdf, doc.table("responses"), (110, 40))
    _table(pdf, doc.table("outcomes"), (110, 40))
    response_time = doc.table("response_time")
    _bar_chart(
        pdf,
        "Thời gian đến phản hồi đầu tiên (số vụ việc)",
        [str(r[0]) for r in response_time.rows],
        [float(r[1]) for r in response_time.rows],
    )
    median = stats.totals["median_first_response_hours"]
    p90 = stats.totals["p90_first_response_hours"]
    pdf.set_font(FONT, size=9)
    _para(
        pdf,
        f"Trung vị: {_fmt(median) if median is not None else '—'} giờ; "
        f"p90: {_fmt(p90) if p90 is not None else '—'} giờ; "
        f"quá hạn: {_fmt(stats.totals['overdue'])} vụ việc.",
    )

    _section(pdf, "VII. BÀI ĐĂNG CỦA ĐƠN VỊ VÀ LƯỢT TIẾP CẬN")
    _table(pdf, doc.table("publications"))
    _table(pdf, doc.table("top_publications"))

    _section(pdf, "VIII. CÂU CHUYỆN NỔI BẬT VÀ PHẢN HỒI")
    if not doc.notable:
        pdf.set_font(FONT, size=9)
        _para(pdf, "(không có vụ việc trong kỳ)")
    for number, story in enumerate(doc.notable, start=1):
        pdf.set_font(FONT, "B", 9)
        _para(
            pdf,
            (
                f"{number}. Vụ việc #{story.case_id} · {story.category} · {story.status} · "
                f"{story.unit} · tiếp cận {story.reach:,}".replace(",", ".")
            ),
        )
        pdf.set_font(FONT, size=9)
        if story.places:
            _para(pdf, f"Địa bàn: {story.places}")
        _para(pdf, f"Nội dung: {story.text}")
        for response in story.responses:
            _para(pdf, "– " + response_line(response, doc.tz))
        pdf.ln(1)

    pdf.ln(4)
    pdf.set_font(FONT, size=8)
    _para(
        pdf,
        "Số liệu tổng hợp do hệ thống soitin lập tự động; không thống kê theo cá nhân.",
    )
    pdf.set_title(printable(doc.title))
    pdf.set_creator("soitin")
    return bytes(pdf.output())
