"""The reports page: generate and download periodic reports; the scheduled report files.

Also holds the interface strings of the dashboard, reports and responses pages.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response

from soitin.errors import InvalidInputError, NotFoundError
from soitin.report.generate import FORMATS, render_report, unit_folder
from soitin.report.periods import last_complete
from soitin.web.api.stats import prepare_rollup, resolve_filters
from soitin.web.deps import CurrentUser, SessionDep, SettingsDep
from soitin.web.i18n import MESSAGES, error_text
from soitin.web.templating import render, request_language

__all__ = ["REPORT_MESSAGES", "router"]

_M: dict[str, tuple[str, str]] = {
    "nav.reports": ("Báo cáo", "Reports"),
    "nav.publications": ("Bài đăng", "Publications"),
    "dash.filters": ("Lọc", "Filter"),
    "dash.period": ("Kỳ", "Period"),
    "dash.period_help": (
        "2026-11, 2026-W45, 2026-11-03 hoặc 2026-11-01..2026-11-15",
        "2026-11, 2026-W45, 2026-11-03 or 2026-11-01..2026-11-15",
    ),
    "dash.quick.this_month": ("Tháng này", "This month"),
    "dash.quick.last_month": ("Tháng trước", "Last month"),
    "dash.quick.this_week": ("Tuần này", "This week"),
    "dash.quick.last_week": ("Tuần trước", "Last week"),
    "dash.quick.last_7_days": ("7 ngày qua", "Last 7 days"),
    "dash.quick.last_30_days": ("30 ngày qua", "Last 30 days"),
    "dash.quick": ("Chọn nhanh", "Quick pick"),
    "dash.granularity": ("Chia theo", "Group by"),
    "dash.day": ("Ngày", "Day"),
    "dash.week": ("Tuần", "Week"),
    "dash.month": ("Tháng", "Month"),
    "dash.place": ("Mã địa bàn (tỉnh/xã)", "Place code (province/commune)"),
    "dash.category": ("Loại", "Category"),
    "dash.all": ("Tất cả", "All"),
    "dash.apply": ("Xem", "Show"),
    "dash.previous": ("kỳ trước", "previous"),
    "dash.table": ("Xem bảng số liệu", "Show the table"),
    "dash.csv": ("Tải CSV", "Download CSV"),
    "dash.chart.series": ("Tin thu thập theo thời gian và loại", "Items over time by category"),
    "dash.chart.units": ("Vụ việc theo đơn vị", "Cases by unit"),
    "dash.chart.provinces": ("Tin theo tỉnh, thành phố", "Items by province"),
    "dash.chart.map": ("Bản đồ tin theo tỉnh", "Map of items by province"),
    "dash.chart.response_time": (
        "Thời gian đến phản hồi đầu tiên",
        "Time to first response",
    ),
    "dash.chart.reach": ("Lượt xem bài đăng theo kênh", "Publication views by channel"),
    "dash.chart.categories": ("Theo loại", "By category"),
    "dash.chart.responses": ("Phản hồi theo hình thức", "Responses by kind"),
    "dash.map_credit": (
        "Ranh giới tỉnh: TaliaCao/Vietnam-Shape-Map (MIT), từ Open Development Vietnam; "
        "đã giản lược, không có giá trị pháp lý.",
        "Province boundaries: TaliaCao/Vietnam-Shape-Map (MIT), from Open Development Vietnam; "
        "simplified, not authoritative.",
    ),
    "reports.title": ("Báo cáo định kỳ", "Periodic reports"),
    "reports.generate": ("Lập báo cáo", "Generate"),
    "reports.format": ("Định dạng", "Format"),
    "reports.unit": ("Đơn vị", "Unit"),
    "reports.scheduled": ("Báo cáo lập tự động", "Scheduled reports"),
    "reports.none": ("Chưa có báo cáo tự động.", "No scheduled reports yet."),
    "reports.claimreview": (
        "Xuất ClaimReview (JSON-LD) các bài kiểm chứng",
        "Export ClaimReview (JSON-LD) of the fact-checks",
    ),
    "respond.title": ("Phản hồi vụ việc", "Case responses"),
    "respond.kind": ("Hình thức", "Kind"),
    "respond.at": ("Thời điểm", "When"),
    "respond.who": ("Người ghi", "Recorded by"),
    "respond.details": ("Chi tiết", "Details"),
    "respond.none": ("Chưa có phản hồi.", "No response yet."),
    "respond.add": ("Ghi nhận phản hồi", "Record a response"),
    "respond.url": ("Liên kết", "Link"),
    "respond.channel": ("Kênh / cơ quan nhận", "Channel / receiving agency"),
    "respond.platform": ("Nền tảng", "Platform"),
    "respond.reference": ("Số tham chiếu", "Reference"),
    "respond.outcome": ("Kết quả", "Outcome"),
    "respond.title_field": ("Tiêu đề", "Title"),
    "respond.note": ("Ghi chú", "Note"),
    "respond.verdict": ("Kết luận", "Verdict"),
    "respond.claim": ("Mã tin đã kiểm chứng (thư viện)", "Claim id (library)"),
    "respond.claims_matched": (
        "Tin đã kiểm chứng khớp với câu chuyện này",
        "Library claims this story matches",
    ),
    "respond.time_local": ("Thời điểm (giờ Việt Nam)", "Time (Vietnam time)"),
    "respond.first": ("Thời gian đến phản hồi đầu tiên", "Time to first response"),
    "respond.save": ("Lưu", "Save"),
    "respond.set_outcome": ("Cập nhật kết quả", "Update outcome"),
    "respond.back": ("Về vụ việc", "Back to the case"),
    "pub.title": ("Bài đăng của đơn vị", "Own publications"),
    "pub.add": ("Thêm bài đăng", "Add a publication"),
    "pub.import": ("Nhập số liệu từ tệp insights", "Import an insights export"),
    "pub.file": ("Tệp CSV/ZIP", "CSV/ZIP file"),
    "pub.channel": ("Kênh", "Channel"),
    "pub.topic": ("Chủ đề", "Topic"),
    "pub.cases": ("Mã vụ việc liên quan (cách nhau bởi dấu phẩy)", "Linked case ids (comma)"),
    "pub.published": ("Thời điểm đăng (giờ Việt Nam)", "Published (Vietnam time)"),
    "pub.reach": ("Lượt tiếp cận", "Reach"),
    "pub.snapshot": ("Thêm số liệu tiếp cận", "Add reach figures"),
    "pub.source": ("Nguồn số liệu", "Figures from"),
    "pub.source.form": ("Nhập tay", "Entered by hand"),
    "pub.source.api": ("Qua API", "Through the API"),
    "pub.source.import": ("Nhập từ tệp insights", "Insights import"),
    "pub.none": ("Chưa có bài đăng.", "No publications yet."),
    "pub.imported": ("Đã nhập", "Imported"),
}

REPORT_MESSAGES: dict[str, dict[str, str]] = {k: {"vi": vi, "en": en} for k, (vi, en) in _M.items()}
for _key, _value in REPORT_MESSAGES.items():
    MESSAGES.setdefault(_key, _value)

router = APIRouter(include_in_schema=False)
_SCHEDULED = re.compile(r"^(bao-cao|kiem-chung)_[A-Za-z0-9_-]+_[0-9W_-]+\.(xlsx|pdf|csv|json)$")


@router.get("/reports")
def reports_page(
    request: Request, session: SessionDep, settings: SettingsDep, user: CurrentUser
) -> Response:
    """The form to generate a report, and the files the schedule wrote."""
    return _reports_page(request, session, settings, user)


def _reports_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    filters = resolve_filters(session, user, settings.tz, unit=None, period=None)
    default_period = last_complete("month", filters.query.period.start).label
    root = settings.data_dir / "reports"
    scheduled: list[tuple[str, str]] = []
    for unit in filters.units:
        folder = unit_folder(root, unit)
        if folder.is_dir():
            for path in sorted(folder.iterdir(), reverse=True):
                if _SCHEDULED.match(path.name):
                    scheduled.append((unit.code, path.name))
    return render(
        request,
        "reports/index.html",
        {
            "units": filters.units,
            "unit": filters.unit,
            "default_period": default_period,
            "formats": FORMATS,
            "scheduled": scheduled[:100],
            "error": error,
            "form": form or {},
        },
        status_code=422 if error else 200,
    )


@router.get("/reports/download")
def download(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    unit: Annotated[str, Query(max_length=64)],
    period: Annotated[str, Query(max_length=32)],
    format: Annotated[str, Query(pattern="^(xlsx|pdf|csv|claimreview)$")] = "xlsx",
) -> Response:
    """Generate and download one report (or the form again, filled, with the error)."""
    try:
        filters = resolve_filters(session, user, settings.tz, unit=unit, period=period)
    except InvalidInputError as exc:
        error = error_text(exc, request_language(request))
        form = {"unit": unit, "period": period, "format": format}
        return _reports_page(request, session, settings, user, error=error, form=form)
    prepare_rollup(request, session, filters.query, settings.tz)
    rendered = render_report(
        session, filters.unit.id, filters.query.period, format, tz=settings.tz, store_rollup=False
    )
    return Response(
        rendered.content,
        media_type=rendered.media_type,
        headers={"Content-Disposition": f'attachment; filename="{rendered.filename}"'},
    )


@router.get("/reports/files/{unit_code}/{name}")
def scheduled_file(
    unit_code: str, name: str, session: SessionDep, settings: SettingsDep, user: CurrentUser
) -> Response:
    """A report the schedule wrote (only for the user's units)."""
    filters = resolve_filters(session, user, settings.tz, unit=unit_code, period=None)
    if not _SCHEDULED.match(name):
        raise NotFoundError("No such report.")
    path = unit_folder(settings.data_dir / "reports", filters.unit) / name
    if not path.is_file():
        raise NotFoundError("No such report.")
    return FileResponse(path, filename=name)
