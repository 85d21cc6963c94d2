"""What a domain error tells a person: one key, a Vietnamese and an English template.

Services raise `InvalidInputError(key="respond.needs", kind="fact_check", fields=["url"])`;
the error's `str()` is the English sentence (API, CLI) and pages show `format_message(key,
lang, params)` in the page's language. Parameters named in `WORD_PARAMS` are field names or
codes (`url`, `fact_check`) and are put into words of the language; an error given as a
parameter (`InvalidInputError(key="claims.csv_line", line=3, error=exc)`) is said in the
language too when it has a key; the rest are shown as given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["ERROR_MESSAGES", "WORDS", "WORD_PARAMS", "format_message", "word"]

# key: (Vietnamese, English); English keeps the sentences the API has always answered.
_M: dict[str, tuple[str, str]] = {
    # any form
    "input.link": (
        "Liên kết phải là địa chỉ bắt đầu bằng http:// hoặc https://.",
        "A link must be an http:// or https:// address.",
    ),
    "input.too_long": (
        "Ô «{field}» dài quá {limit} ký tự.",
        "The {field} is longer than {limit} characters.",
    ),
    "input.needs_tz": ("{field} cần có múi giờ.", "The {field} needs a time zone."),
    "input.future": ("{field} không được ở tương lai.", "The {field} is in the future."),
    "input.whole_number": (
        "Ô «{field}» phải là số nguyên từ 0 trở lên.",
        "The {field} must be a whole number from 0.",
    ),
    "input.not_datetime": (
        "{value!r} không phải ngày giờ hợp lệ.",
        "{value!r} is not a date and time.",
    ),
    "input.file_too_large": ("Tệp lớn hơn 20 MB.", "The file is larger than 20 MB."),
    # responses (ledger) and publications
    "respond.unknown_kind": (
        "Không có hình thức phản hồi {value!r}; chọn một trong: {known}.",
        "Unknown response kind {value!r}; use one of: {known}.",
    ),
    "respond.unknown_outcome": (
        "Không có kết quả {value!r}; chọn một trong: {known}.",
        "Unknown outcome {value!r}; use one of: {known}.",
    ),
    "respond.before_opening": (
        "Thời điểm phản hồi ({when}) sớm hơn lúc mở vụ việc ({opened}); hãy ghi thời điểm từ lúc"
        " mở vụ việc trở đi.",
        "The response time ({when}) is before the case was opened ({opened}); give a time from"
        " the opening on.",
    ),
    "respond.needs": (
        "Phản hồi loại «{kind}» cần điền: {fields}.",
        "A {kind} response needs: {fields}.",
    ),
    "respond.outcome_only_report": (
        "Chỉ báo cáo nền tảng mới có kết quả xử lý.",
        "Only a platform report has an outcome.",
    ),
    "respond.no_claim": (
        "Không có tin đã kiểm chứng mã {claim_id} trong thư viện.",
        "No claim {claim_id}.",
    ),
    "respond.unknown_verdict": (
        "Không có kết luận {value!r}; chọn một trong: {known}.",
        "Unknown verdict {value!r}; use one of: {known}.",
    ),
    "respond.claim_only_fact_check": (
        "Chỉ bài kiểm chứng mới ghi mã tin đã kiểm chứng và kết luận.",
        "Only a fact-check names a claim and a verdict.",
    ),
    "respond.no_response": ("Không có phản hồi số {action_id}.", "No response {action_id}."),
    "pub.needs_channel": (
        "Bài đăng cần có kênh (tối đa 64 ký tự).",
        "A publication needs a channel of at most 64 characters.",
    ),
    "pub.title_or_link": (
        "Bài đăng cần có tiêu đề hoặc liên kết.",
        "A publication needs a title or a link.",
    ),
    "pub.no_publication": (
        "Không có bài đăng số {publication_id}.",
        "No publication {publication_id}.",
    ),
    "pub.unknown_source": (
        "Không có nguồn số liệu {value!r}.",
        "Unknown snapshot source {value!r}.",
    ),
    "pub.not_case_number": (
        "{value!r} không phải mã vụ việc.",
        "{value!r} is not a case number.",
    ),
    # cases
    "case.no_case": ("Không có vụ việc số {case_id}.", "No case {case_id}."),
    "story.not_found": ("Không có câu chuyện số {story_id}.", "No story {story_id}."),
    "alert.no_story": (
        "Cảnh báo này không gắn với câu chuyện nào.",
        "This alert is about no story.",
    ),
    "case.note_too_long": (
        "Ghi chú dài tối đa {limit} ký tự.",
        "A note has at most {limit} characters.",
    ),
    "case.note_required": ("Hãy viết ghi chú trước.", "Write a note first."),
    "case.not_active": (
        "Vụ việc {case_id} đang ở trạng thái «{status}»; hãy mở lại trước.",
        "Case {case_id} is already {status}; reopen it first.",
    ),
    "case.unknown_category": ("Không có loại {value!r}.", "Unknown category {value!r}."),
    "case.unknown_reason": (
        "Không có lý do {value!r}; chọn một trong: {known}.",
        "Unknown reason {value!r}; use one of {known}.",
    ),
    "case.cannot_forward": (
        "Vụ việc {case_id} đang ở trạng thái «{status}», không chuyển được.",
        "Case {case_id} is {status}; it cannot be forwarded.",
    ),
    "case.same_unit": ("Vụ việc đã thuộc đơn vị đó.", "The case is already in that unit."),
    "case.no_parent": (
        "Đơn vị này không có đơn vị cấp trên để báo cáo lên.",
        "This unit has no parent unit to escalate to.",
    ),
    "case.already_escalated": (
        "Vụ việc đã được báo cáo lên đơn vị cấp trên.",
        "The case is already escalated to the parent unit.",
    ),
    "case.not_assignable": (
        "Không giao được vụ việc cho người này.",
        "That person cannot be given cases.",
    ),
    "case.assignee_wrong_unit": (
        "Người này không xử lý vụ việc của đơn vị đó.",
        "That person does not work on this unit's cases.",
    ),
    "case.still_open": ("Vụ việc {case_id} vẫn đang mở.", "Case {case_id} is still open."),
    # queue
    "queue.tick_one": ("Hãy chọn ít nhất một vụ việc.", "Tick at least one case."),
    "queue.cases_missing": (
        "Một số vụ việc đã chọn không còn tồn tại.",
        "Some of these cases do not exist.",
    ),
    "queue.unknown_bulk": ("Thao tác hàng loạt không hợp lệ.", "Unknown bulk operation."),
    "queue.choose_assignee": ("Hãy chọn người được giao.", "Choose the person to assign."),
    # sources (feeds, file exports, push clients, tip boxes)
    "source.unknown_kind": (
        "Không có loại nguồn {value!r}; chọn một trong: {known}.",
        "Unknown source kind {value!r}; use one of: {known}.",
    ),
    "source.name_length": (
        "Tên nguồn phải dài từ 1 đến 255 ký tự.",
        "A source name must be 1 to 255 characters.",
    ),
    "source.name_taken": (
        "Đã có nguồn tên {name!r}.",
        "A source named {name!r} already exists.",
    ),
    "source.not_found": ("Không có nguồn tên {name!r}.", "There is no source named {name!r}."),
    "source.feed_url": (
        "Nguồn RSS/Atom cần địa chỉ đầy đủ bắt đầu bằng http:// hoặc https://.",
        "A feed source needs an http:// or https:// URL.",
    ),
    "source.private_url": (
        "Không lấy tin từ {host}: đó là địa chỉ nội bộ, không phải trang công khai trên mạng.",
        "soitin does not fetch from {host}: it is a private or local address, not a public site.",
    ),
    "source.interval": (
        "Chu kỳ lấy tin phải từ {minimum} giây trở lên.",
        "The polling interval must be at least {minimum} s.",
    ),
    "source.tip_fixed": (
        "Hộp tin báo của đơn vị do soitin tạo: chỉ bật hoặc tắt được.",
        "A unit's tip box is made by soitin: it can only be switched on or off.",
    ),
    "source.url_feed_only": (
        "Chỉ nguồn RSS/Atom mới có địa chỉ lấy tin.",
        "Only a feed source has a URL to poll.",
    ),
    "source.token_api_only": (
        "Chỉ nguồn máy chủ đẩy tin (API) mới có mã đẩy tin.",
        "Only a push (api) source has push tokens.",
    ),
    "source.not_public": (
        "Hãy xác nhận nguồn là cơ quan báo chí, tổ chức hoặc trang công khai, không phải một"
        " cá nhân.",
        "Confirm that the source is a news outlet, an organisation or a public page, not a"
        " private person.",
    ),
    # users and units
    "unit.no_code": ("Không có đơn vị mã {code!r}.", "No unit with code {code!r}."),
    "unit.no_id": ("Không có đơn vị số {unit_id}.", "No unit with id {unit_id}."),
    "unit.code_and_name": ("Đơn vị cần có mã và tên.", "A unit needs a code and a name."),
    "unit.code_form": (
        "Mã đơn vị {code!r} không hợp lệ: chỉ gồm chữ không dấu, chữ số, '.', '-', '_' "
        "(tối đa 64 ký tự, bắt đầu bằng chữ hoặc số).",
        "Unit code {code!r} is not valid: letters without diacritics, digits, '.', '-' and '_' "
        "only (at most 64, starting with a letter or digit).",
    ),
    "unit.place_outside": (
        "Địa bàn {code} nằm ngoài địa bàn của đơn vị cấp trên ({area}).",
        "Place {code} lies outside the parent unit's area ({area}).",
    ),
    "unit.own_places": (
        "Bạn không thể tự đổi địa bàn của đơn vị mình; hãy nhờ quản trị đơn vị cấp trên.",
        "You cannot change your own unit's places; ask an admin of the unit above.",
    ),
    "unit.code_taken": (
        "Đã có đơn vị mã {code!r}.",
        "A unit with code {code!r} already exists.",
    ),
    "unit.place_digits": (
        "{code!r} không phải mã địa danh (chỉ gồm chữ số).",
        "{code!r} is not a place code (digits only).",
    ),
    "unit.place_unknown": (
        "{code!r} không phải mã tỉnh/thành (2 chữ số) hay xã/phường (5 chữ số) theo danh mục"
        " đơn vị hành chính 2025.",
        "{code!r} is not a 2025 province (2 digits) or commune/ward (5 digits) code.",
    ),
    "user.needs_username": ("Người dùng cần có tên đăng nhập.", "A user needs a username."),
    "user.bad_username": (
        "Tên đăng nhập {username!r} không hợp lệ: chỉ dùng chữ cái không dấu, chữ số, dấu chấm,"
        " gạch ngang, gạch dưới; không có khoảng trắng (tối đa 64 ký tự).",
        "The username {username!r} is not valid: use ASCII letters, digits, dot, dash or"
        " underscore, no spaces (at most 64 characters).",
    ),
    "user.unknown_role": (
        "Không có vai trò {value!r}; chọn một trong: {known}.",
        "Unknown role {value!r}; use one of: {known}.",
    ),
    "user.unknown_role_short": ("Không có vai trò {value!r}.", "Unknown role {value!r}."),
    "user.short_password": (
        "Mật khẩu cần ít nhất {length} ký tự.",
        "The password must have at least {length} characters.",
    ),
    "user.username_taken": (
        "Đã có người dùng tên đăng nhập {username!r}.",
        "A user named {username!r} already exists.",
    ),
    "user.no_username": (
        "Không có người dùng tên đăng nhập {username!r}.",
        "No user named {username!r}.",
    ),
    "user.own_role": (
        "Bạn không thể đổi vai trò của chính mình.",
        "You cannot change your own role.",
    ),
    "user.own_unit": (
        "Bạn không thể tự chuyển mình sang đơn vị khác.",
        "You cannot move yourself to another unit.",
    ),
    "user.own_disable": (
        "Bạn không thể tự khoá tài khoản của mình.",
        "You cannot disable yourself.",
    ),
    # report periods
    "period.reversed": (
        "Khoảng thời gian {value!r} kết thúc trước khi bắt đầu.",
        "The period {value!r} ends before it starts.",
    ),
    "period.too_long": (
        "Khoảng thời gian {value!r} dài hơn ba năm.",
        "The period {value!r} is longer than three years.",
    ),
    "period.bad_date": (
        "Khoảng thời gian {value!r} có ngày không hợp lệ.",
        "The period {value!r} is not a valid date.",
    ),
    "period.unknown": (
        "Không hiểu kỳ báo cáo {value!r}: viết 2026-11 (tháng), 2026-W45 (tuần),"
        " 2026-11-03 (ngày) hoặc 2026-11-01..2026-11-15 (khoảng).",
        "Unknown period {value!r}: write 2026-11 (month), 2026-W45 (week), 2026-11-03 (day)"
        " or 2026-11-01..2026-11-15 (range).",
    ),
    # reports and statistics
    "report.no_unit": ("Không có đơn vị số {unit_id}.", "No unit {unit_id}."),
    "report.folder_outside": (
        "Thư mục báo cáo của đơn vị số {unit_id} sẽ nằm ngoài {root}; hãy kiểm tra lại mã đơn vị.",
        "Unit {unit_id}: its report folder would be outside {root}.",
    ),
    "report.unknown_format": (
        "Không có định dạng {value!r}; chọn một trong: {known}.",
        "Unknown format {value!r}; use one of: {known}.",
    ),
    "report.unknown_format_short": (
        "Không có định dạng {value!r}.",
        "Unknown format {value!r}.",
    ),
    "report.schedule": (
        "Lịch lập báo cáo chỉ có thể là hằng tuần (weekly) hoặc hằng tháng (monthly).",
        "The schedule is weekly or monthly.",
    ),
    "stats.place_code": (
        "Địa bàn phải là mã theo danh mục hành chính 2025: mã tỉnh/thành (2 chữ số) hoặc mã"
        " xã/phường (5 chữ số).",
        "A place is a 2025 province code (2 digits) or commune (5 digits).",
    ),
    "stats.unknown_category": (
        "Không có loại {value!r}; chọn một trong: {known}.",
        "Unknown category {value!r}; use one of: {known}.",
    ),
    "stats.no_such_unit": (
        "Không có đơn vị này, hoặc bạn không có quyền xem số liệu của đơn vị này.",
        "No such unit.",
    ),
    "stats.granularity": (
        "Cách chia phải là theo ngày (day), tuần (week) hoặc tháng (month).",
        "The granularity is day, week or month.",
    ),
    "stats.no_table": (
        "Không có bảng thống kê {value!r}.",
        "No statistics table {value!r}.",
    ),
    # insights exports (reach figures of the platforms)
    "insights.encoding": (
        "Không đọc được nội dung tệp (không rõ bảng mã); hãy lưu lại tệp dạng CSV UTF-8 rồi"
        " thử lại.",
        "The file is not text in a known encoding.",
    ),
    "insights.bad_zip": (
        "Không mở được tệp ZIP; hãy tải lại tệp xuất từ nền tảng rồi thử lại.",
        "The ZIP file cannot be read.",
    ),
    "insights.zip_no_csv": (
        "Tệp ZIP không chứa bảng CSV nào; hãy chọn đúng tệp xuất số liệu.",
        "The ZIP file holds no CSV table.",
    ),
    "insights.zip_table_too_large": (
        "Bảng trong tệp ZIP quá lớn (hơn 20 MB).",
        "The table in the ZIP file is too large.",
    ),
    "insights.too_many_rows": (
        "Tệp có hơn {limit} dòng; hãy chia thành nhiều tệp nhỏ hơn rồi nhập lần lượt.",
        "The file has more than {limit} rows.",
    ),
    "insights.no_header": (
        "Không tìm thấy dòng tiêu đề của tệp số liệu {platform}: tệp cần có cột mã bài đăng"
        " hoặc liên kết, và ít nhất một trong các cột lượt xem, lượt cảm xúc, bình luận, chia"
        " sẻ (xem docs/insights-import.md).",
        "No {platform} insights header found: the file needs a post id or link column and at"
        " least one of views, reactions, comments, shares (see docs/insights-import.md).",
    ),
    "insights.unknown_platform": (
        "Không có nền tảng {value!r}; chọn một trong: {known}.",
        "Unknown platform {value!r}; use one of: {known}.",
    ),
    "insights.unknown_field": (
        "Không có trường {value!r}; các trường dùng được: {known}.",
        "Unknown field {value!r}; fields: {known}.",
    ),
    # queue filters, bulk operations
    "queue.unknown_status": ("Không có trạng thái {value!r}.", "Unknown status {value!r}."),
    "queue.place_code": (
        "Địa bàn phải là mã số theo danh mục hành chính 2025.",
        "A place is a numeric 2025 place code.",
    ),
    "queue.assignee": (
        "Người xử lý phải là «me» (tôi), «none» (chưa giao) hoặc mã số của một người dùng.",
        "assignee is me, none or a user id.",
    ),
    "case.unknown_operation": ("Thao tác hàng loạt không hợp lệ.", "Unknown operation."),
    # personal API tokens
    "token.needs_name": (
        "Hãy đặt tên gợi nhớ cho mã truy cập.",
        "Give the token a name.",
    ),
    "token.too_many": (
        "Mỗi người có tối đa {limit} mã truy cập còn hiệu lực; hãy thu hồi mã không dùng nữa"
        " trước khi tạo mã mới.",
        "At most {limit} active tokens per person.",
    ),
    "token.not_found": ("Không có mã truy cập này.", "No such token."),
    # the claim library (forms, ClaimReview JSON-LD and CSV files)
    "claims.unknown_verdict": (
        "Không hiểu kết luận {value!r}: hãy dùng false (Sai), misleading (Gây hiểu lầm), true"
        " (Đúng) hoặc unproven (Chưa đủ căn cứ).",
        "Unknown verdict {value!r}: use false, misleading, true or unproven.",
    ),
    "claims.missing": ("Thiếu «{field}».", "The {field} is missing."),
    "claims.not_text": ("«{field}» phải là văn bản.", "The {field} must be text."),
    "claims.bad_url": (
        "Đường dẫn bài kiểm chứng {value!r} không hợp lệ: cần một địa chỉ bắt đầu bằng"
        " http:// hoặc https://.",
        "The fact-check URL {value!r} is not an http(s) address.",
    ),
    "claims.bad_date": (
        "Ngày {value!r} không đúng dạng YYYY-MM-DD (ví dụ 2025-07-15).",
        "The date {value!r} is not in the form YYYY-MM-DD.",
    ),
    "claims.bad_json": (
        "Tệp không phải JSON hợp lệ: {detail} (dòng {line}).",
        "The file is not valid JSON: {detail} (line {line}).",
    ),
    "claims.in_record": ("ClaimReview thứ {n}: {error}", "ClaimReview number {n}: {error}"),
    "claims.no_claimreview": (
        "Tệp không chứa đối tượng schema.org ClaimReview nào.",
        "The file holds no schema.org ClaimReview object.",
    ),
    "claims.csv_header": (
        "Tệp CSV cần có dòng tiêu đề với cột text (hoặc claim_text) và cột verdict.",
        "The CSV needs a header with the columns text (or claim_text) and verdict.",
    ),
    "claims.csv_line": ("Dòng {line} của tệp CSV: {error}", "CSV line {line}: {error}"),
    "claims.not_found": (
        "Không có tin đã kiểm chứng số {claim_id}.",
        "Claim {claim_id} does not exist.",
    ),
    "claims.verdict_filter": ("Không có kết luận {value!r}.", "Unknown verdict {value!r}."),
    "claims.export_format": (
        "Không có định dạng xuất {value!r}: hãy dùng jsonld hoặc csv.",
        "Unknown export format {value!r}: use jsonld or csv.",
    ),
    # text search
    "search.limit": (
        "Số kết quả (limit) phải từ 1 đến {limit}.",
        "limit must be between 1 and {limit}.",
    ),
    "search.offset": (
        "Vị trí bắt đầu (offset) không được là số âm.",
        "offset must not be negative.",
    ),
    "search.naive_time": (
        "«{field}» cần là ngày giờ có múi giờ.",
        "{field} must be a timezone-aware datetime.",
    ),
    # alerts and alert rules
    "alert.not_found": ("Không có cảnh báo số {alert_id}.", "No alert {alert_id}."),
    "alert.already_acknowledged": (
        "Cảnh báo này đã được xác nhận rồi.",
        "This alert is already acknowledged.",
    ),
    "alert.no_rule": ("Không có quy tắc cảnh báo số {rule_id}.", "No alert rule {rule_id}."),
    # alert rules (the English keeps the field path the API has always answered with)
    "rule.time_of_day": (
        "«{field}»: {value!r} không phải giờ trong ngày; hãy viết như 22:00.",
        "{field}: {value!r} is not a time of day like 22:00",
    ),
    "rule.email": (
        "«{field}»: {value!r} không phải địa chỉ thư điện tử.",
        "{field}: {value!r} is not an e-mail address",
    ),
    "rule.needs_name": ("«{field}»: quy tắc cần có tên.", "{field}: a rule needs a name"),
    "rule.unknown_places": (
        "«{field}»: không có mã {codes} trong danh mục hành chính 2025; hãy dùng mã tỉnh (2 chữ"
        " số) hoặc mã xã/phường (5 chữ số).",
        "{field}: unknown 2025 place code(s): {codes}",
    ),
    "rule.unknown_categories": (
        "«{field}»: không có loại {wrong}; chọn trong: {known}.",
        "{field}: unknown category {wrong}; use {known}",
    ),
    "rule.webhook_refused": (
        "«{field}»: không gửi cảnh báo tới địa chỉ này; chỉ nhận địa chỉ http:// hoặc https://"
        " công khai, không phải địa chỉ nội bộ (chi tiết: {reason})",
        "{field}: {reason}",
    ),
    # failed background tasks
    "task.not_found": ("Không có tác vụ lỗi này.", "No such failed task."),
    "task.already_retried": (
        "Tác vụ này đã được chạy lại rồi.",
        "This task was already retried.",
    ),
    "task.no_broker": (
        "Chưa cấu hình hàng đợi tác vụ (SOITIN_BROKER_URL) nên không chạy lại được; hãy nhờ"
        " quản trị hệ thống cấu hình.",
        "No broker is configured (SOITIN_BROKER_URL); nothing to retry on.",
    ),
    "task.unknown": ("Không có loại tác vụ {value!r}.", "Unknown task {value!r}."),
    # tips (pydantic error types of `TipIn`)
    "tip.link_or_text": (
        "Tin báo cần có đường dẫn hoặc nội dung (hoặc cả hai).",
        "A tip needs a link or a text (or both).",
    ),
    "tip.note_too_long": (
        "Ghi chú dài quá {limit} ký tự.",
        "the note is longer than {limit} characters",
    ),
    # request fields a page could not read (query strings, forms)
    "request.invalid_field": (
        "«{field}»: giá trị {value!r} không hợp lệ.",
        "{field}: the value {value!r} is not valid.",
    ),
    "request.date_out_of_range": (
        "Ngày {value} nằm ngoài khoảng cho phép: hãy chọn từ {first} đến {last}.",
        "{value} is out of range; give a date from {first} to {last}.",
    ),
    "request.invalid_date": (
        "«{field}»: {value!r} không phải ngày hợp lệ (dd/mm/yyyy).",
        "{field}: {value!r} is not a valid date (dd/mm/yyyy).",
    ),
    "request.invalid_number": (
        "«{field}»: {value!r} không phải số hợp lệ.",
        "{field}: {value!r} is not a valid number.",
    ),
    "request.missing_field": ("Chưa điền «{field}».", "{field} is required."),
    "request.too_long": ("«{field}» quá dài.", "{field} is too long."),
    "tip.bad_link": (
        "Đường dẫn {value!r} không hợp lệ: cần một địa chỉ đầy đủ bắt đầu bằng http:// hoặc"
        " https://.",
        "The link {value!r} is not valid: give a full address starting with http:// or https://.",
    ),
}

ERROR_MESSAGES: dict[str, dict[str, str]] = {k: {"vi": vi, "en": en} for k, (vi, en) in _M.items()}

# Field names and codes inside messages, in words (English keeps the name the API uses).
WORDS: dict[str, str] = {
    "url": "liên kết",
    "channel": "kênh",
    "platform": "nền tảng",
    "reference": "số tham chiếu",
    "title": "tiêu đề",
    "note": "ghi chú",
    "topic": "chủ đề",
    "external id": "mã bài đăng",
    "response time": "Thời điểm phản hồi",
    "snapshot time": "Thời điểm ghi số liệu",
    "publication time": "Thời điểm đăng",
    "views": "lượt xem",
    "reactions": "lượt cảm xúc",
    "comments": "bình luận",
    "shares": "chia sẻ",
    "since": "Từ ngày",
    "until": "Đến ngày",
    "q": "Tìm kiếm",
    "page": "Trang",
    "unit_id": "Đơn vị",
    "source_id": "Nguồn",
    "place": "Địa bàn",
    "status": "Trạng thái",
    "category": "Loại",
    "assignee": "Người xử lý",
    "actor": "Người thực hiện",
    "action": "Thao tác",
    "object_type": "Loại đối tượng",
    "object_id": "Đối tượng",
    "ip": "Địa chỉ IP",
    "period": "Kỳ báo cáo",
    "username": "Tên đăng nhập",
    "display_name": "Tên hiển thị",
    "role": "Vai trò",
    "code": "Mã",
    "name": "Tên",
    "parent_id": "Đơn vị cấp trên",
    "places": "Mã địa danh",
    "kind": "Hình thức",
    "case_ids": "Vụ việc",
    "assignee_id": "Người được giao",
    "reason": "Lý do",
    "claim text": "Nội dung tin",
    "verdict": "Kết luận",
    "URL": "Đường dẫn",
    "date": "Ngày",
    "language": "Ngôn ngữ",
    "publisher": "Đơn vị kiểm chứng",
    "id": "Mã",
    "place_codes": "Mã địa danh",
    "categories": "Loại",
    "channels.emails": "Thư điện tử",
    "channels.webhooks": "Webhook",
    "quiet_hours.start": "Giờ bắt đầu im lặng",
    "quiet_hours.end": "Giờ kết thúc im lặng",
}

WORD_PARAMS = frozenset({"field", "fields", "kind", "status"})


def word(name: str, lang: str) -> str:
    """A field name or code in words of `lang` (English and unknown names stay as they are)."""
    if lang != "vi":
        return name
    if name in WORDS:
        return WORDS[name]
    from soitin.report.labels import LABELS  # kinds, statuses, verdicts

    entry = LABELS.get(name)
    return entry["vi"] if entry else name


def _shown(name: str, value: Any, lang: str) -> Any:
    if isinstance(value, BaseException):  # an error inside another (a file's line 3: ...)
        key = getattr(value, "key", None)
        if lang == "en" or key not in ERROR_MESSAGES:
            return str(value)  # its own (English) sentence
        return format_message(key, lang, getattr(value, "params", None))
    if name not in WORD_PARAMS:
        return value
    if isinstance(value, str):
        return word(value, lang)
    if isinstance(value, Sequence):
        return ", ".join(word(str(v), lang) for v in value)
    return value


def format_message(key: str, lang: str, params: Mapping[str, Any] | None = None) -> str:
    """The message `key` in `lang` ("vi" or "en") with its parameters filled in."""
    entry = ERROR_MESSAGES[key]
    template = entry.get(lang) or entry["vi"]
    values = {name: _shown(name, value, lang) for name, value in (params or {}).items()}
    return template.format(**values)
