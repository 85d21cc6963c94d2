"""Words for categories, response kinds, outcomes, statuses and figures (vi first, en second)."""

from __future__ import annotations

__all__ = ["LABELS", "label"]

LABELS: dict[str, dict[str, str]] = {
    # categories
    "misinformation": {"vi": "Tin sai sự thật", "en": "Misinformation"},
    "scam": {"vi": "Lừa đảo", "en": "Scam"},
    "toxic": {"vi": "Ngôn từ độc hại", "en": "Toxic speech"},
    "spam": {"vi": "Tin rác", "en": "Spam"},
    "uncategorised": {"vi": "Chưa phân loại", "en": "Uncategorised"},
    # response kinds
    "fact_check": {"vi": "Bài kiểm chứng", "en": "Fact-check"},
    "correction": {"vi": "Bài đính chính", "en": "Correction"},
    "platform_report": {"vi": "Báo cáo nền tảng", "en": "Platform report"},
    "official_notice": {"vi": "Thông cáo chính thức", "en": "Official notice"},
    "referral": {"vi": "Chuyển cơ quan khác", "en": "Referral"},
    "public_warning": {"vi": "Cảnh báo người dân", "en": "Public warning"},
    # outcomes
    "pending": {"vi": "Đang chờ", "en": "Pending"},
    "removed": {"vi": "Đã gỡ", "en": "Removed"},
    "labelled": {"vi": "Đã gắn nhãn", "en": "Labelled"},
    "no_action": {"vi": "Không xử lý", "en": "No action"},
    # case statuses
    "open": {"vi": "Mới", "en": "Open"},
    "assigned": {"vi": "Đã giao", "en": "Assigned"},
    "confirmed": {"vi": "Đã xác nhận", "en": "Confirmed"},
    "dismissed": {"vi": "Đã bỏ qua", "en": "Dismissed"},
    "forwarded": {"vi": "Đã chuyển", "en": "Forwarded"},
    "escalated": {"vi": "Đã báo cáo lên", "en": "Escalated"},
    "closed": {"vi": "Đã đóng", "en": "Closed"},
    # verdicts
    "false": {"vi": "Sai", "en": "False"},
    "misleading": {"vi": "Gây hiểu lầm", "en": "Misleading"},
    "true": {"vi": "Đúng", "en": "True"},
    "unproven": {"vi": "Chưa đủ căn cứ", "en": "Unproven"},
    # figures
    "items": {"vi": "Tin đã thu thập", "en": "Items seen"},
    "stories": {"vi": "Câu chuyện", "en": "Stories"},
    "cases_opened": {"vi": "Vụ việc mở", "en": "Cases opened"},
    "cases_confirmed": {"vi": "Vụ việc xác nhận", "en": "Cases confirmed"},
    "cases_dismissed": {"vi": "Vụ việc đã bỏ qua", "en": "Cases dismissed"},
    "cases_responded": {"vi": "Vụ việc đã phản hồi", "en": "Cases with a response"},
    "responses": {"vi": "Phản hồi", "en": "Responses"},
    "median_first_response_hours": {
        "vi": "Thời gian phản hồi đầu (trung vị, giờ)",
        "en": "Time to first response (median, h)",
    },
    "p90_first_response_hours": {
        "vi": "Thời gian phản hồi đầu (p90, giờ)",
        "en": "Time to first response (p90, h)",
    },
    "overdue": {"vi": "Vụ việc quá hạn", "en": "Overdue cases"},
    "publications": {"vi": "Bài đăng của đơn vị", "en": "Own publications"},
    "views": {"vi": "Lượt xem", "en": "Views"},
    "reactions": {"vi": "Lượt cảm xúc", "en": "Reactions"},
    "comments": {"vi": "Bình luận", "en": "Comments"},
    "shares": {"vi": "Chia sẻ", "en": "Shares"},
    "": {"vi": "Không xác định", "en": "Unknown"},
}


def label(key: str | None, lang: str = "vi") -> str:
    """The word for `key` in `lang` (the key itself when unknown)."""
    entry = LABELS.get(key or "")
    if entry is None:
        return str(key)
    return entry.get(lang) or entry["vi"]
