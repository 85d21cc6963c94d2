"""Interface strings of the claim library pages: Vietnamese first, English second."""

from __future__ import annotations

from soitin.web.i18n import MESSAGES

_M: dict[str, tuple[str, str]] = {
    "nav.claims": ("Tin đã kiểm chứng", "Fact-checked claims"),
    "claims.title": ("Thư viện tin đã kiểm chứng", "Fact-checked claim library"),
    "claims.lead": (
        "Những tin đồn, thông tin sai mà đơn vị hoặc cơ quan báo chí đã kiểm chứng. Bài và câu "
        "chuyện nhắc lại một tin trong thư viện được khớp tự động và đưa lên hàng đợi.",
        "Rumours and false information that your team or the press has fact-checked. Posts and "
        "stories repeating a claim of the library are matched automatically and queued.",
    ),
    "claims.search": ("Tìm (có dấu hoặc không dấu)", "Search (with or without diacritics)"),
    "claims.verdict": ("Kết luận", "Verdict"),
    "claims.all": ("Tất cả", "All"),
    "claims.find": ("Tìm", "Search"),
    "claims.total": ("tin", "claims"),
    "claims.none": ("Chưa có tin nào khớp điều kiện tìm.", "No claim matches the search."),
    "claims.text": ("Nội dung tin", "Claim"),
    "claims.publisher": ("Đơn vị kiểm chứng", "Checked by"),
    "claims.reviewed_on": ("Ngày kiểm chứng", "Checked on"),
    "claims.url": ("Đường dẫn bài kiểm chứng", "Fact-check URL"),
    "claims.link": ("Bài kiểm chứng", "Fact-check"),
    "claims.stories": ("Câu chuyện khớp", "Matching stories"),
    "claims.added_by": ("Thêm bởi", "Added by"),
    "claims.added_at": ("Thêm lúc", "Added"),
    "claims.add": ("Thêm tin đã kiểm chứng", "Add a fact-checked claim"),
    "claims.add_hint": (
        "Ghi tin như nó đang lan truyền (không phải câu đính chính). Sau khi lưu, các câu "
        "chuyện gần đây được đối chiếu lại ngay.",
        "Write the claim as it circulates (not the correction). Once saved, recent stories "
        "are matched against it at once.",
    ),
    "claims.save": ("Lưu", "Save"),
    "claims.import": (
        "Nhập tệp ClaimReview (JSON-LD) hoặc CSV",
        "Import ClaimReview JSON-LD or CSV",
    ),
    "claims.file": ("Tệp", "File"),
    "claims.export": ("Xuất", "Export"),
    "claims.imported": ("Đã nhập", "Imported"),
    "claims.skipped": ("đã có sẵn", "already there"),
    "claims.rematch": (
        "Đã đối chiếu lại câu chuyện gần đây",
        "Recent stories matched again",
    ),
    "claims.scanned": ("câu chuyện đã xem", "stories looked at"),
    "claims.matched": ("câu chuyện khớp", "now match"),
    "claims.opened": ("vụ việc mới", "cases opened"),
    "claims.updated": ("vụ việc cập nhật mức ưu tiên", "cases re-prioritised"),
    "claims.check": ("Thử đối chiếu một đoạn văn", "Check a text against the library"),
    "claims.check_hint": (
        "Dán nội dung bài đăng hoặc tin nhắn; soitin cho biết nó có nhắc lại tin nào đã kiểm "
        "chứng không. Đoạn văn không được lưu.",
        "Paste a post or a message; soitin tells whether it repeats a fact-checked claim. "
        "The text is not stored.",
    ),
    "claims.check_text": ("Đoạn văn", "Text"),
    "claims.check_go": ("Đối chiếu", "Check"),
    "claims.no_match": (
        "Không khớp tin nào trong thư viện.",
        "It matches no claim of the library.",
    ),
    "claims.score": ("Điểm khớp", "Match score"),
    "claims.passage": ("Đoạn khớp", "Matched passage"),
    "claims.edit": ("Sửa tin", "Edit the claim"),
    "claims.delete": ("Xoá khỏi thư viện", "Remove from the library"),
    "claims.delete_confirm": (
        "Xoá tin này và mọi kết quả khớp của nó?",
        "Remove this claim and all its matches?",
    ),
    "claims.deleted": ("Đã xoá tin khỏi thư viện.", "The claim was removed."),
    "claims.saved": ("Đã lưu.", "Saved."),
    "claims.back": ("Về thư viện", "Back to the library"),
    "claims.matches_here": (
        "Câu chuyện nhắc lại tin này (thuộc các đơn vị bạn được xem)",
        "Stories repeating this claim (in the units you may see)",
    ),
    "claims.matches_elsewhere": (
        "câu chuyện khác khớp tin này nằm ngoài các đơn vị bạn được xem.",
        "other matching stories are outside the units you may see.",
    ),
    "claims.no_stories": (
        "Chưa có câu chuyện nào nhắc lại tin này.",
        "No story repeats this claim yet.",
    ),
    "claims.method.lexical": ("theo từ ngữ", "by wording"),
    "claims.method.hybrid": ("theo từ ngữ và ý nghĩa", "by wording and meaning"),
    "claims.manage_hint": (
        "Chỉ trưởng nhóm và quản trị viên được thêm, sửa, xoá tin trong thư viện.",
        "Only leads and admins add, change or remove claims.",
    ),
}

CLAIM_MESSAGES: dict[str, dict[str, str]] = {k: {"vi": vi, "en": en} for k, (vi, en) in _M.items()}


def register() -> None:
    """Add the strings to the shared table (keys already there win)."""
    for key, value in CLAIM_MESSAGES.items():
        MESSAGES.setdefault(key, value)
