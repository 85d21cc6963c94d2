"""Interface strings: Vietnamese first, English second."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from soitin.errors import NotFoundError, PermissionDeniedError, SoitinError
from soitin.messages import ERROR_MESSAGES, format_message, word

LANGUAGES = ("vi", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "app.tagline": {
        "vi": "Soi tin — theo dõi và xử lý thông tin có hại",
        "en": "Soi tin — monitor and act on harmful information",
    },
    "nav.dashboard": {"vi": "Tổng quan", "en": "Dashboard"},
    "nav.queue": {"vi": "Hàng đợi", "en": "Queue"},
    "nav.tips": {"vi": "Gửi tin báo", "en": "Send a tip"},
    "nav.claims": {"vi": "Thư viện kiểm chứng", "en": "Claim library"},
    "nav.alerts": {"vi": "Cảnh báo", "en": "Alerts"},
    "nav.reports": {"vi": "Báo cáo", "en": "Reports"},
    "nav.admin": {"vi": "Quản trị", "en": "Admin"},
    "nav.password": {"vi": "Đổi mật khẩu", "en": "Change password"},
    "nav.logout": {"vi": "Đăng xuất", "en": "Sign out"},
    "login.title": {"vi": "Đăng nhập", "en": "Sign in"},
    "login.username": {"vi": "Tên đăng nhập", "en": "Username"},
    "login.password": {"vi": "Mật khẩu", "en": "Password"},
    "login.submit": {"vi": "Đăng nhập", "en": "Sign in"},
    "login.failed": {"vi": "Sai tên đăng nhập hoặc mật khẩu.", "en": "Wrong username or password."},
    "login.locked": {
        "vi": "Tài khoản tạm khóa do đăng nhập sai nhiều lần. Thử lại sau.",
        "en": "Too many failed sign-ins; try again later.",
    },
    "login.rate_limited": {
        "vi": "Quá nhiều lần đăng nhập sai từ địa chỉ này. Vui lòng thử lại sau ít phút.",
        "en": "Too many failed sign-ins from this address; try again in a few minutes.",
    },
    "dash.title": {"vi": "Tổng quan", "en": "Dashboard"},
    "dash.items": {"vi": "Tin đã thu thập", "en": "Items collected"},
    "dash.stories": {"vi": "Câu chuyện", "en": "Stories"},
    "dash.open_cases": {"vi": "Vụ việc đang mở", "en": "Open cases"},
    "dash.sources": {"vi": "Nguồn tin", "en": "Sources"},
    "dash.welcome": {"vi": "Xin chào", "en": "Welcome"},
    "dash.unit": {"vi": "Đơn vị", "en": "Unit"},
    "password.title": {"vi": "Đổi mật khẩu", "en": "Change password"},
    "password.current": {"vi": "Mật khẩu hiện tại", "en": "Current password"},
    "password.new": {
        "vi": "Mật khẩu mới (ít nhất 10 ký tự)",
        "en": "New password (at least 10 characters)",
    },
    "password.submit": {"vi": "Lưu", "en": "Save"},
    "password.done": {"vi": "Đã đổi mật khẩu.", "en": "Password changed."},
    "password.wrong": {
        "vi": "Mật khẩu hiện tại không đúng.",
        "en": "The current password is wrong.",
    },
    "lang.switch": {"vi": "English", "en": "Tiếng Việt"},
    "error.title": {"vi": "Có lỗi", "en": "Something went wrong"},
    "error.forbidden": {"vi": "Bạn không có quyền làm việc này.", "en": "You may not do this."},
    "error.not_found": {"vi": "Không tìm thấy.", "en": "Not found."},
    "error.no_page": {
        "vi": "Không có trang nào ở địa chỉ này.",
        "en": "There is no page at this address.",
    },
    "error.method": {
        "vi": "Địa chỉ này không nhận yêu cầu kiểu này.",
        "en": "This address does not take this kind of request.",
    },
    "error.invalid": {
        "vi": "Dữ liệu nhập chưa hợp lệ, vui lòng kiểm tra lại.",
        "en": "Some input is not valid; please check it.",
    },
    "error.back": {"vi": "Quay lại trang trước", "en": "Back to the previous page"},
    "error.busy": {
        "vi": "Cơ sở dữ liệu đang bận; vui lòng thử lại sau vài giây.",
        "en": "The database is busy; try again in a few seconds.",
    },
    "error.out_of_range": {
        "vi": "Một số trong yêu cầu vượt quá giới hạn cho phép.",
        "en": "A number in the request is out of range.",
    },
    "error.csrf": {
        "vi": "Phiên làm việc đã hết hạn, vui lòng tải lại trang.",
        "en": "Your session expired; reload the page.",
    },
}


def translate(key: str, lang: str) -> str:
    """The string for `key` in `lang` (falls back to Vietnamese, then the key)."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["vi"]


def error_text(exc: SoitinError, lang: str) -> str:
    """What a domain error says to a person reading a page in `lang`.

    An error with a message key is shown in the page's language; one without (raised for the
    API or the CLI) gets a general sentence in Vietnamese, its own English text in English.
    """
    if exc.key is not None:
        return format_message(exc.key, lang, exc.params)
    if lang == "en" and str(exc):
        return str(exc)
    if isinstance(exc, PermissionDeniedError):
        return translate("error.forbidden", lang)
    if isinstance(exc, NotFoundError):
        return translate("error.not_found", lang)
    return translate("error.invalid", lang)


_DATE_ERRORS = ("date_", "datetime_")
_NUMBER_ERRORS = ("int_", "float_", "decimal_", "greater_than", "less_than")


def validation_messages(errors: Sequence[Any], lang: str) -> list[str]:
    """Pydantic/FastAPI validation errors (`exc.errors()`) as sentences in `lang`.

    An error whose type is one of our message keys (`PydanticCustomError("tip.link_or_text",
    ...)`) is shown with that key; others by kind (date, number, missing, too long).
    """
    out: list[str] = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "body", "path")]
        field = word(loc[-1], lang) if loc else ""
        kind = str(error.get("type", ""))
        value = error.get("input")
        shown = value if isinstance(value, str | int | float) else ""
        if isinstance(shown, str) and len(shown) > 100:  # the input said back, not all of it
            shown = shown[:99] + "…"
        ctx = dict(error.get("ctx") or {})
        if kind in ERROR_MESSAGES:
            text = format_message(kind, lang, ctx)
        elif kind == "missing":
            text = format_message("request.missing_field", lang, {"field": field})
        elif kind in ("string_too_long", "too_long"):
            text = format_message("request.too_long", lang, {"field": field})
        elif kind.startswith(_DATE_ERRORS):
            text = format_message("request.invalid_date", lang, {"field": field, "value": shown})
        elif kind.startswith(_NUMBER_ERRORS):
            text = format_message("request.invalid_number", lang, {"field": field, "value": shown})
        else:
            text = format_message("request.invalid_field", lang, {"field": field, "value": shown})
        if text not in out:
            out.append(text)
    return out


def format_number(value: float | int | None, digits: int, lang: str) -> str:
    """`1.234,56` in Vietnamese, `1,234.56` in English; "—" for no value."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    if lang == "vi":
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return text


def format_day(value: str | None) -> str:
    """A stored ISO day (`2025-07-15`, a claim's review date) as dd/mm/yyyy, as every other
    date on the pages; text that is not such a day is shown as it is."""
    if not value:
        return ""
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


def format_datetime(value: datetime | None, tz: ZoneInfo, with_time: bool = True) -> str:
    """dd/mm/yyyy (HH:MM) in the display time zone."""
    if value is None:
        return ""
    local = value.astimezone(tz)
    return local.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")
