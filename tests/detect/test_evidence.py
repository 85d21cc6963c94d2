"""Rule-based scam evidence and reporting frames."""

from __future__ import annotations

from soitin.detect.evidence import extract_evidence, fold, frame_of


def test_fold_keeps_length_and_drops_marks() -> None:
    text = "Việc Nhẹ LƯƠNG CAO đó"
    assert fold(text) == "viec nhe luong cao do"
    assert len(fold(text)) == len(text)


def test_scam_evidence_is_extracted() -> None:
    ev = extract_evidence(
        "[EVN] Quý khách nợ tiền điện, chuyển 1.250.000đ vào STK 0123456789 Vietcombank "
        "hoặc gọi 0912.345.678, thanh toán tại bit.ly/evn-tt hoặc evn-hoadon.xyz. "
        "Việc nhẹ lương cao, làm nhiệm vụ nhận 500k."
    )
    assert ev.phones == ("0912.345.678",)
    assert ev.accounts == ("0123456789",)
    assert "bit.ly/evn-tt" in ev.links
    assert "evn-hoadon.xyz" in ev.domains
    assert {"1.250.000đ", "500k"} <= set(ev.amounts)
    assert {"electricity", "bank"} <= set(ev.organisations)
    assert {"easy_job", "task_scam"} <= set(ev.lures)


def test_impersonated_organisations_and_lures() -> None:
    ev = extract_evidence(
        "Cán bộ công an yêu cầu bạn nộp thuế, nhận quà tri ân, vay tiền lãi suất 0"
    )
    assert {"police", "tax"} <= set(ev.organisations)
    assert {"prize", "loan"} <= set(ev.lures)
    assert extract_evidence("Hôm nay trời đẹp quá").to_dict() == {}


def test_frames_recognise_warnings_and_denials() -> None:
    assert "warning" in frame_of("Công an cảnh báo thủ đoạn giả danh nhân viên điện lực")
    assert "denial" in frame_of("Sở Y tế bác bỏ tin đồn về dịch bệnh")
    assert frame_of("Chuyển tiền ngay để nhận thưởng") == {}


def test_phrases_sharing_a_prefix_go_to_their_own_frame() -> None:
    # "không ..." opens warning and denial phrases alike; the longest phrase wins, once
    assert frame_of("Không chuyển tiền cho người lạ") == {"warning": 1}
    assert frame_of("Thông tin này không chính xác") == {"denial": 1}
    assert frame_of("Nâng cao cảnh giác, cảnh giác nhé") == {"warning": 2}
    # a phrase inside a longer word is no phrase
    assert frame_of("cảnh báoxyz tin đồnabc") == {}
    assert frame_of("") == {}


def test_links_with_any_top_level_domain_and_calls_to_action() -> None:
    ev = extract_evidence("Vietcombank: điểm thưởng hết hạn, truy cập https://vietcombankd.cfd/vn")
    assert ev.domains == ("vietcombankd.cfd",) and ev.reachable
    assert "visit" in ev.contacts
    assert set(extract_evidence("Inbox hoặc kết bạn Zalo để nhận việc, nạp 200k").contacts) == {
        "message",
        "pay",
    }
    news = extract_evidence("Ngân hàng công bố gói vay 120.000 tỷ đồng cho nhà ở xã hội.")
    assert not news.reachable and news.contacts == ()


def test_accounts_written_in_groups_or_after_other_words() -> None:
    def accounts(text: str) -> tuple[str, ...]:
        return extract_evidence(text).accounts

    assert accounts("chuyển sang tài khoản tạm giữ 1027 3348 9910 (Vietinbank)") == (
        "1027 3348 9910",
    )
    assert accounts("chuyển lại vào STK khác 0621 0004 7710 (MB) nhé") == ("0621 0004 7710",)
    assert accounts("STK mới: 2210 5567 3092 – Sacombank") == ("2210 5567 3092",)
    assert accounts("vào số này 1903 6612 7789 (Techcombank – PHAM VAN DUC)") == ("1903 6612 7789",)
    # a phone after "hoặc gọi" stays a phone; a count of accounts is no account
    ev = extract_evidence("chuyển vào tài khoản hoặc gọi 0912345678")
    assert ev.accounts == () and ev.phones == ("0912345678",)
    assert accounts("Năm 2023 có 1500 tài khoản bị khóa, ngân hàng cho biết") == ()


def test_a_bank_is_no_thousand_and_a_shot_no_million() -> None:
    def amounts(text: str) -> tuple[str, ...]:
        return extract_evidence(text).amounts

    # "Ngân" (bank) folds to "ngan" like "ngàn" (thousand); only the latter is money
    ev = extract_evidence("Số tài khoản: 0123 456 789 Ngân hàng MB")
    assert ev.accounts == ("0123 456 789",) and ev.amounts == ()
    assert amounts("Năm 2017 Ngân hàng Nhà nước") == amounts("789 ngan hang") == ()
    assert amounts("tung 5 cú sút, mua 1 ngăn kéo, đợi 1 tí") == ()
    assert amounts("Gửi 50 ngàn, còn 3 củ nữa") == ("50 ngàn", "3 củ")
    # written without diacritics anywhere, "ngan" may be thousand; beside diacritics it is not
    assert amounts("gui 50 ngan nhe") == ("50 ngan",)
    assert amounts("Gửi 50 ngan nhé") == ()
    # a unit is a whole word: "50.000 km" and "12.260 đoàn viên" hold no "k" or "đ"
    assert amounts("đi 50.000 km, 12.260 đoàn viên, 20.000 đồng") == (
        "50.000",
        "12.260",
        "20.000 đồng",
    )
    assert amounts("vàng 1.274,50 USD/ounce, tháng 10.2017") == ("1.274,50 USD",)


def test_an_amount_next_to_a_bank_is_no_account() -> None:
    ev = extract_evidence("Vietcombank +2.500.000 VND, liên hệ 1900545413")
    assert ev.accounts == () and ev.amounts == ("2.500.000 VND",)
    assert ev.phones == ("1900545413",)
    assert extract_evidence("TK Techcombank -1.200.000đ lúc 10:02").accounts == ()
    assert extract_evidence("Số dư tài khoản 2.500.000 VND").accounts == ()
    assert extract_evidence("Vietcombank 0123456789 PHAM VAN A").accounts == ("0123456789",)


def test_ecommerce_sites_and_wallets_are_impersonated_organisations() -> None:
    from soitin.detect.evidence import CONTACTS, FRAMES, LURES, ORGANISATIONS
    from soitin.web.pages.review_text import REVIEW_MESSAGES

    for text in (
        "Shopee tri ân khách hàng",
        "Lazada hoàn tiền đơn hàng lỗi",
        "Tiki tuyển cộng tác viên",
        "TikTok Shop cần người chốt đơn",
        "Ví MoMo của bạn bị khóa",
        "ZaloPay tặng 500k",
        "ViettelPay / Viettel Money nâng cấp",
        "thanh toán qua VNPay",
    ):
        assert "ecommerce" in extract_evidence(text).organisations, text
    assert extract_evidence("Nhà mạng Viettel tặng data").organisations == ("telecom",)
    # every kind the evidence names is shown in words on the case page, in both languages
    for table in (ORGANISATIONS, LURES, CONTACTS, FRAMES):
        for key in table:
            assert REVIEW_MESSAGES[f"ev.{key}"].keys() == {"vi", "en"}, key


def test_landlines_spoken_amounts_and_messaging_links() -> None:
    text = (
        "Gọi (028) 3822 1234 hoặc 028.3822.1234, 024 3936 5555, (+84) 912 345 678; "
        "lương 2tr5, thưởng 1tr2, 500k, 3 củ; vào nhóm t.me/vip_forex_vn hoặc "
        "https://zalo.me/g/abc123 và xem bit.ly/qua-tang."
    )
    ev = extract_evidence(text)
    assert ev.phones == (
        "(028) 3822 1234",
        "028.3822.1234",
        "024 3936 5555",
        "(+84) 912 345 678",
    )
    assert ev.amounts == ("2tr5", "1tr2", "500k", "3 củ")
    # the path is the evidence; the host is not listed again as a domain
    assert ev.links == ("t.me/vip_forex_vn", "zalo.me/g/abc123", "bit.ly/qua-tang")
    assert ev.domains == ()
    for item in (*ev.phones, *ev.links, *ev.amounts):
        assert item in text


def test_evidence_highlights_mark_the_original_text() -> None:
    from soitin.detect.registry import load_detector

    text = (
        "TRÚNG THƯỞNG iPhone! Gọi ngay (028) 3822 1234, nhận 2tr5 qua t.me/vip_forex_vn, "
        "chuyển phí 500k vào Vietcombank 0123456789."
    )
    (result,) = load_detector("scam").score([text])
    marks = {h.text for h in result.highlights if h.source == "evidence"}
    assert {"(028) 3822 1234", "t.me/vip_forex_vn", "2tr5", "0123456789"} <= marks
    for h in result.highlights:
        assert text[h.start : h.end] == h.text


def test_stylised_digits_and_letters_are_evidence_at_their_place() -> None:
    text = (
        "Chúc mừng bạn 𝐭𝐫𝐮́𝐧𝐠 𝐭𝐡𝐮̛𝐨̛̉𝐧𝐠 xe SH, gọi ０９１２.３４５.６７８ hoặc STK ０１２３４５６７８９"
    )
    ev = extract_evidence(text)
    assert ev.phones == ("０９１２.３４５.６７８",)
    assert ev.accounts == ("０１２３４５６７８９",)
    assert "prize" in ev.lures
    assert text.find(ev.phones[0]) == text.index("gọi") + 4


def test_stylised_phone_number_makes_a_prize_text_a_scam() -> None:
    from soitin.detect.registry import load_detector

    scam = load_detector("scam")
    wide, plain = scam.score(
        [
            "Chúc mừng bạn trúng thưởng xe SH, gọi ０９１２３４５６７８ để nhận quà",
            "Chúc mừng bạn trúng thưởng xe SH, gọi 0912345678 để nhận quà",
        ]
    )
    assert wide.evidence.get("phones") == ["０９１２３４５６７８"]
    assert wide.label == plain.label == "scam"
    assert abs(wide.score - plain.score) < 0.05


def test_the_quick_checks_never_hide_a_match() -> None:
    """`extract_evidence` runs a pattern only where its quick check finds what every match of
    it holds; on random texts of digits, separators, keywords and links, no pattern matches
    where its check says no."""
    import random

    from soitin.detect import evidence as ev

    pieces = [
        *"0123456789", " ", ".", "-", "–", "+", "(", ")", "/", ":", "\n", "  ",
        "+84", "84", "1800", "1900", "stk", "so tai khoan", "tk", "acc", "vietcombank", "mb bank",
        "<num>", "<phone>", "http://", "https://", "www.", "bit.ly", "t.me", ".com", ".vn",
        "gov.vn", "abc", "d", "vnd", "k", "trieu", "tr", "ty", "2tr5", "goi", "la", "٣", "０",
    ]  # fmt: skip
    rng = random.Random(20261201)  # noqa: S311 - test data
    checks = [
        (ev._ACCOUNT, lambda t: "<num>" in t or ev._SEVEN_DIGITS.search(t)),
        (ev._PHONE, lambda t: "<phone>" in t or ev._SEVEN_DIGITS.search(t)),
        (ev._SHORT, lambda t: "/" in t),
        (ev._DOMAIN, lambda t: ev._DOT_LETTER.search(t)),
        (ev._URL_HOST, lambda t: "://" in t),
        (ev._MONEY, lambda t: ev._DIGIT.search(t)),
    ]
    found = dict.fromkeys(range(len(checks)), 0)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        for k, (pattern, check) in enumerate(checks):
            if pattern.search(text):
                found[k] += 1
                assert check(text), (pattern.pattern[:40], text)
    assert all(n > 20 for n in found.values()), found  # every pattern did match some texts
