"""The scam detector flags a text only when it gives a way to reach the sender or act."""

from __future__ import annotations

import pytest

from soitin.detect.registry import load_detector

# News-like texts we wrote (banks, prizes, services): the SMS-trained model scored each of
# them 0.3 or more, and flagged the last one as a scam at 0.57.
NEWS = [
    "Ngân hàng Nhà nước vừa công bố gói vay ưu đãi 120.000 tỷ đồng cho người mua nhà ở xã hội, "
    "lãi suất thấp hơn 2% so với thị trường. Các ngân hàng thương mại như Vietcombank, BIDV, "
    "Agribank tham gia giải ngân trong năm nay.",
    "Khách hàng may mắn trúng thưởng xe máy SH trong chương trình tri ân của siêu thị, lễ trao "
    "giải diễn ra sáng nay tại Đồng Hới.",
    "Cần Thơ: Chợ nổi Cái Răng thu hút khách quốc tế. Thành phố Cần Thơ đang triển khai đề án "
    "bảo tồn chợ nổi, hỗ trợ thương hồ và chuẩn hóa dịch vụ đưa đón khách bằng ghe.",
]


@pytest.mark.parametrize("text", NEWS)
def test_news_without_a_contact_is_not_a_scam(text: str) -> None:
    scam = load_detector("scam")
    plain, reachable = scam.score([text, f"{text} Nhắn Zalo 0912345678 để nhận ngay."])
    assert plain.label == "legit" and plain.score <= 0.3
    assert plain.explanation == () and plain.highlights == ()  # not flagged: not explained
    assert "lures" in plain.evidence or "organisations" in plain.evidence or text == NEWS[2]
    assert reachable.label == "scam" and reachable.score > 0.5
    assert reachable.explanation  # flagged: explained


# A report that quotes the scam's own words, amount and account, as police pages and
# newspapers do; the quotation alone; a scam that quotes something but frames nothing.
QUOTING = (
    "Công an huyện cho biết các đối tượng đã gửi hàng nghìn tin nhắn 'Quý khách trúng thưởng "
    "1 xe Honda SH, nộp phí 1.500.000đ vào STK 1023 4455 6789 để nhận giải' và đã bị bắt giữ."
)
QUOTED = (
    "Quý khách trúng thưởng 1 xe Honda SH, nộp phí 1.500.000đ vào STK 1023 4455 6789 để nhận giải"
)
QUOTING_SCAM = (
    "Chúc mừng quý khách trúng giải “xe Honda SH tri ân khách hàng”, nộp phí 1.500.000đ vào "
    "STK 1023 4455 6789 để nhận giải."
)


def test_a_report_quoting_a_scam_is_not_a_scam() -> None:
    report, quoted, scam = load_detector("scam").score([QUOTING, QUOTED, QUOTING_SCAM])
    assert quoted.label == "scam" and scam.label == "scam"
    assert report.label == "legit" and report.score < 0.5, report
    assert report.explanation == () and "reporting" in report.frames
    assert report.evidence.get("accounts")  # what it quotes is still shown as evidence


def test_unreachable_texts_are_cleared_before_they_are_explained() -> None:
    """The model's scam label on a text with no contact is cleared by the evidence rule; the
    detector knows that before explaining, so it does not explain it for nothing."""
    from soitin.detect.detectors import ScamDetector

    scam = load_detector("scam")
    assert isinstance(scam, ScamDetector)
    texts = [NEWS[1], f"{NEWS[1]} Nhắn Zalo 0912345678 để nhận ngay.", "hôm nay trời đẹp"]
    assert scam.cleared_later(texts, [0, 1, 2], [0.6, 0.6, 0.6]) == {0, 2}
    assert scam.cleared_later(texts, [0], [0.1]) == set()  # below the cap: left as it is


def test_explain_false_gives_the_same_labels_without_explanations() -> None:
    scam = load_detector("scam")
    texts = [*NEWS, f"{NEWS[1]} Nhắn Zalo 0912345678 để nhận ngay.", QUOTING]
    full, bare = scam.score(texts), scam.score(texts, explain=False)
    assert [(r.label, r.score) for r in full] == [(r.label, r.score) for r in bare]
    assert any(r.explanation for r in full)
    assert not any(r.explanation for r in bare)
    assert not any(h.source == "ngram" for r in bare for h in r.highlights)
