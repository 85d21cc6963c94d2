"""Teencode expansion, with a test for every ambiguous short form."""

from __future__ import annotations

import pytest

from soitin.text.teencode import expand_teencode


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("ko đi đâu", "không đi đâu"),
        ("hok bit", "không bit"),
        ("mn ơi", "mọi người ơi"),
        ("Mn ơi", "Mọi người ơi"),
        ("KO ĐƯỢC", "KHÔNG ĐƯỢC"),
        ("vk mình", "vợ mình"),
        ("cho xin sdt", "cho xin số điện thoại"),
        ("gửi stk đi", "gửi số tài khoản đi"),
    ],
)
def test_plain_entries(written: str, expected: str) -> None:
    assert expand_teencode(written) == expected


def test_only_whole_words_are_expanded() -> None:
    assert expand_teencode("kora mnemonic kokoro") == "kora mnemonic kokoro"
    assert expand_teencode("Không có gì") == "Không có gì"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("mình k đi đâu", "mình không đi đâu"),
        ("giá 50k thôi", "giá 50 nghìn thôi"),
        ("giá 50 k thôi", "giá 50 nghìn thôi"),
        ("Bổ sung vitamin K", "Bổ sung vitamin K"),
    ],
)
def test_k_is_no_or_thousand(written: str, expected: str) -> None:
    assert expand_teencode(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("làm j vậy", "làm gì vậy"),
        ("j vậy trời", "gì vậy trời"),
        ("cái j?", "cái gì?"),
        ("anh j. Nguyễn", "anh j. Nguyễn"),
    ],
)
def test_j_is_gi_only_in_a_question(written: str, expected: str) -> None:
    assert expand_teencode(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("đi chơi vs bạn", "đi chơi với bạn"),
        ("Việt Nam vs Thái Lan", "Việt Nam vs Thái Lan"),
        ("Arsenal VS Chelsea", "Arsenal VS Chelsea"),
    ],
)
def test_vs_is_with_or_versus(written: str, expected: str) -> None:
    assert expand_teencode(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("ck 500k cho mình", "chuyển khoản 500 nghìn cho mình"),
        ("bạn ck trước nhé", "bạn chuyển khoản trước nhé"),
        ("vui lòng ck qua stk", "vui lòng chuyển khoản qua số tài khoản"),
        ("ck mình đi làm rồi", "chồng mình đi làm rồi"),
        ("vk ck nhà mình", "vợ chồng nhà mình"),
        ("sàn ck giảm điểm", "sàn chứng khoán giảm điểm"),
    ],
)
def test_ck_is_transfer_husband_or_stocks(written: str, expected: str) -> None:
    assert expand_teencode(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("ko dc đâu", "không được đâu"),
        ("đc rồi", "được rồi"),
        ("nguồn DC 12V", "nguồn DC 12V"),
        ("Washington DC", "Washington DC"),
    ],
)
def test_dc_is_duoc_unless_capitals(written: str, expected: str) -> None:
    assert expand_teencode(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("hn mưa to", "hôm nay mưa to"),
        ("HN mưa to", "HN mưa to"),
        ("kh biết", "không biết"),
        ("KH thân thiết", "KH thân thiết"),
    ],
)
def test_hn_and_kh_keep_their_capital_meaning(written: str, expected: str) -> None:
    assert expand_teencode(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("bn tiền vậy", "bao nhiêu tiền vậy"),
        ("bn tuổi", "bao nhiêu tuổi"),
        ("giá bn?", "giá bao nhiêu?"),
        ("bn ơi", "bạn ơi"),
        ("ko bt", "không biết"),
        ("bt thôi", "bình thường thôi"),
        ("đổi mk ngay", "đổi mật khẩu ngay"),
        ("mk là 123456", "mật khẩu là 123456"),
        ("mk đi chơi", "mình đi chơi"),
        ("lương 8tr", "lương 8 triệu"),
        ("lương 8 tr", "lương 8 triệu"),
        ("tr đó", "tr đó"),
        ("sao v?", "sao vậy?"),
        ("thế z", "thế vậy"),
        ("v.v.", "v.v."),
        ("gen z", "gen z"),
        ("đi r", "đi rồi"),
        ("nhiều ng lắm", "nhiều người lắm"),
        ("Ng. Văn A", "Ng. Văn A"),
        ("nt cho mình", "nhắn tin cho mình"),
        ("về NT chơi", "về NT chơi"),
    ],
)
def test_other_ambiguous_short_forms(written: str, expected: str) -> None:
    assert expand_teencode(written) == expected


def test_shouted_k_is_no() -> None:
    assert expand_teencode("TAO K ĐI") == "TAO KHÔNG ĐI"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("xong rùi", "xong rồi"),
        ("ko đc thì thui", "không được thì thôi"),
        ("thui đi ngủ", "thôi đi ngủ"),
        ("trời tối thui", "trời tối thui"),
        ("thịt bò thui", "thịt bò thui"),
        ("hông biết nữa", "không biết nữa"),
        ("đau hông quá", "đau hông quá"),
        ("bên hông xe", "bên hông xe"),
        ("sao dzậy", "sao vậy"),
        ("sao dzị", "sao vậy"),
        ("tr ơi nóng quá", "trời ơi nóng quá"),
        ("5 tr ơi", "5 triệu ơi"),
    ],
)
def test_southern_and_chat_spellings(written: str, expected: str) -> None:
    assert expand_teencode(written) == expected


def test_lower_case_form_reads_capitals_as_written() -> None:
    assert expand_teencode("Việt Nam vs Thái Lan", lower=True) == "việt nam VS thái lan"
    assert expand_teencode("TAO K ĐI", lower=True) == "tao không đi"
    assert expand_teencode("J&T", lower=True) == "j&t"


def test_every_context_rule_lists_its_readings() -> None:
    from soitin.text.teencode import _RULES, READINGS

    assert set(READINGS) == set(_RULES)
