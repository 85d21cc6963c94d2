"""Interface strings of the alerts pages: Vietnamese first, English second."""

from __future__ import annotations

from soitin.web.i18n import MESSAGES

_M: dict[str, tuple[str, str]] = {
    "nav.alerts": ("Cảnh báo", "Alerts"),
    "alerts.title": ("Cảnh báo", "Alerts"),
    "alerts.bell": ("Cảnh báo chưa đọc", "Unread alerts"),
    "alerts.open_only": ("Chưa xác nhận", "Not acknowledged"),
    "alerts.all": ("Tất cả", "All"),
    "alerts.none": ("Không có cảnh báo nào.", "No alerts."),
    "alerts.read_all": ("Đánh dấu đã đọc tất cả", "Mark all as read"),
    "alerts.ack": ("Xác nhận đã nắm", "Acknowledge"),
    "alerts.acked": ("Đã xác nhận", "Acknowledged"),
    "alerts.by": ("bởi", "by"),
    "alerts.story": ("Xem vụ việc", "Open case"),
    "alerts.other_stories": (
        "Cảnh báo này còn gồm {n} câu chuyện khác",
        "This alert also covers {n} more stories",
    ),
    "alerts.other_story": (
        "Cảnh báo này còn gồm 1 câu chuyện khác",
        "This alert also covers 1 more story",
    ),
    "alerts.other_cases": ("vụ việc", "cases"),
    "alerts.story_no_case": (
        "Câu chuyện #{id} chưa có vụ việc trong đơn vị của bạn",
        "Story #{id} has no case in your units",
    ),
    "alerts.open_case": ("Mở vụ việc", "Open a case"),
    "alerts.open_case_help": (
        "Mở một vụ việc cho câu chuyện này trong hàng đợi của đơn vị bạn",
        "Open a case for this story in your unit's queue",
    ),
    "alerts.severity": ("Mức", "Severity"),
    "alerts.rule": ("Quy tắc", "Rule"),
    "alerts.first": ("Bắt đầu", "Started"),
    "alerts.last": ("Cập nhật", "Updated"),
    "alerts.times": ("lần ghi nhận", "observations"),
    "alerts.time_one": ("lần ghi nhận", "observation"),
    "alerts.active": ("Đang diễn ra", "Ongoing"),
    "alerts.ended": ("Đã lắng xuống", "Ended"),
    "alerts.unread": ("Mới", "New"),
    "alerts.kind.spike": ("Tăng đột biến", "Spike"),
    "alerts.kind.new_story": ("Câu chuyện mới lan nhanh", "New story, already large"),
    "alerts.kind.debunked": ("Trùng tin đã kiểm chứng", "Matches a debunked claim"),
    "alerts.kind.test": ("Cảnh báo thử", "Test alert"),
    "alerts.rules": ("Quy tắc cảnh báo", "Alert rules"),
    "alerts.rules.none": ("Chưa có quy tắc nào.", "No rules yet."),
    "alerts.rules.new": ("Thêm quy tắc", "New rule"),
    "alerts.rules.edit": ("Sửa quy tắc", "Edit rule"),
    "alerts.rules.save": ("Lưu", "Save"),
    "alerts.rules.test": ("Gửi thử", "Send a test"),
    "alerts.rules.tested": (
        "Đã tạo cảnh báo thử; webhook và e-mail sẽ được gửi ngay sau đây.",
        "Test alert created; webhooks and e-mails go out right after.",
    ),
    "alerts.rules.saved": ("Đã lưu quy tắc.", "Rule saved."),
    "alerts.rules.name": ("Tên quy tắc", "Rule name"),
    "alerts.rules.unit": ("Đơn vị", "Unit"),
    "alerts.rules.places": (
        "Địa bàn (mã tỉnh/xã 2025, cách nhau dấu phẩy; để trống = mọi nơi)",
        "Places (2025 province/commune codes, comma-separated; empty = everywhere)",
    ),
    "alerts.rules.categories": ("Loại (không chọn = mọi loại)", "Categories (none = all)"),
    "alerts.rules.min_severity": ("Mức tối thiểu", "Minimum severity"),
    "alerts.rules.quiet": ("Giờ yên lặng (giờ Việt Nam)", "Quiet hours (Vietnam time)"),
    "alerts.rules.quiet_from": ("Từ", "From"),
    "alerts.rules.quiet_to": ("Đến", "To"),
    "alerts.rules.urgent": (
        "Trong giờ yên lặng vẫn gửi cảnh báo từ mức",
        "During quiet hours still send alerts from severity",
    ),
    "alerts.rules.never": ("không gửi", "none"),
    "alerts.rules.in_app": ("Thông báo trong ứng dụng", "In-app notification"),
    "alerts.rules.webhooks": ("Webhook (mỗi dòng một URL)", "Webhooks (one URL per line)"),
    "alerts.rules.emails": ("E-mail (mỗi dòng một địa chỉ)", "E-mails (one address per line)"),
    "alerts.rules.enabled": ("Đang bật", "Enabled"),
    "alerts.rules.off": ("Đang tắt", "Disabled"),
    "alerts.rules.channels": ("Kênh", "Channels"),
    "alerts.rules.scope": ("Địa bàn · loại", "Places · categories"),
    "alerts.rules.everywhere": ("mọi nơi", "everywhere"),
    "alerts.rules.all_categories": ("mọi loại", "all categories"),
    "alerts.rules.manage_hint": (
        "Chỉ trưởng nhóm và quản trị viên của đơn vị được sửa quy tắc.",
        "Only leads and admins of the unit may change rules.",
    ),
    "category.misinformation": ("Tin sai", "Misinformation"),
    "category.scam": ("Lừa đảo", "Scam"),
    "category.toxic": ("Độc hại", "Toxic"),
    "category.spam": ("Rác", "Spam"),
}

ALERT_MESSAGES: dict[str, dict[str, str]] = {k: {"vi": vi, "en": en} for k, (vi, en) in _M.items()}


def register() -> None:
    """Add the strings to the shared table (keys already there win)."""
    for key, value in ALERT_MESSAGES.items():
        MESSAGES.setdefault(key, value)
