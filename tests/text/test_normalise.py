"""Normalisation: NFC, one tone convention, squeezed repeats and whitespace."""

from __future__ import annotations

import unicodedata

import pytest

from soitin.text.normalise import fix_tone_placement, normalise, normalise_for_matching


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("hoà", "hòa"),
        ("thuý", "thúy"),
        ("khoẻ", "khỏe"),
        ("tuỳ", "tùy"),
        ("HOÀ BÌNH", "HÒA BÌNH"),
        ("Hoà", "Hòa"),
        ("Qúy", "Quý"),  # the mark belongs on y after "qu"
        ("hòan", "hoàn"),  # with a final consonant the second vowel carries it
        ("húynh", "huỳnh".replace("ỳ", "ý")),
    ],
)
def test_tone_marks_move_to_one_convention(written: str, expected: str) -> None:
    assert normalise(written) == expected


@pytest.mark.parametrize(
    "word",
    [
        "quý",
        "quỳnh",
        "hoàn",
        "khuỷu",
        "huỳnh",
        "gìn",
        "giá",
        "người",
        "thuở",
        "quốc",
        "khuya",
        "ngoái",
        "xoắn",
        "rượu",
        "cứu",
        "nguyễn",
        "thuyền",
        "mùa",
        "mía",
    ],
)
def test_correct_words_are_left_alone(word: str) -> None:
    assert normalise(word) == word
    assert normalise(word.upper()) == word.upper()


def test_words_that_are_not_vietnamese_syllables_are_left_alone() -> None:
    assert normalise("café élève naïve") == "café élève naïve"
    assert fix_tone_placement("abc") == "abc"


def test_output_is_nfc_whatever_the_input() -> None:
    decomposed = unicodedata.normalize("NFD", "Thành phố Hồ Chí Minh")
    assert normalise(decomposed) == "Thành phố Hồ Chí Minh"
    assert unicodedata.is_normalized("NFC", normalise(decomposed))


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("quáaaaa", "quá"),
        ("điiiiii đâuuuu", "đi đâu"),
        ("QUÁAAA", "QUÁ"),
        ("ngonnnnn quáaa!!!", "ngon quá!!!"),
        ("xoong", "xoong"),  # two of a kind are real letters
        ("www.example.com", "www.example.com"),
        ("Phường III", "Phường III"),
        ("0999999999", "0999999999"),  # digits are never squeezed
    ],
)
def test_repeated_letters_are_squeezed(written: str, expected: str) -> None:
    assert normalise(written) == expected


def test_whitespace_and_invisible_characters() -> None:
    assert normalise("  lừa\t\tđảo \u00a0 qua\u200b mạng  ") == "lừa đảo qua mạng"
    assert normalise("dòng 1 \r\n\r\n\r\n\r\n dòng 2") == "dòng 1\n\ndòng 2"
    assert normalise("l\u200bừ\u200ba đ\u00adảo") == "lừa đảo"


def test_case_is_kept_but_matching_form_is_lower_case_and_expanded() -> None:
    assert normalise("Ko ĐC đâu") == "Ko ĐC đâu"
    assert normalise_for_matching("Ko đc đâu MN ơi") == "không được đâu mọi người ơi"


def test_empty_text() -> None:
    assert normalise("") == ""
    assert normalise(" \n\t ") == ""


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("gọi ０９１２３４５６７８", "gọi 0912345678"),
        ("ＫＨＵＹẾＮ ＭÃＩ", "khuyến mãi"),
        ("𝐭𝐫𝐮́𝐧𝐠 𝐭𝐡𝐮̛𝐨̛̉𝐧𝐠", "trúng thưởng"),
        ("𝐇𝐨𝐚̀ 𝐛𝐢̀𝐧𝐡", "hòa bình"),  # NFKC first, then the tone convention
        ("ｃｋ ５００ｋ", "chuyển khoản 500 nghìn"),
    ],
)
def test_matching_form_folds_compatibility_characters(written: str, expected: str) -> None:
    assert normalise_for_matching(written) == expected
    assert normalise(written) != expected  # the displayed form keeps them


def test_laughter_keeps_three_letters_and_names_keep_their_letters() -> None:
    assert normalise("Kkkkkk") == "Kkk"
    assert normalise_for_matching("kkkkk vui quá") == "kkk vui quá"
    assert normalise_for_matching("Kkkk") == "kkk"
    assert normalise_for_matching("đơn J&T giao chậm") == "đơn j&t giao chậm"
    assert normalise_for_matching("uống vitamin K") == "uống vitamin K"


@pytest.mark.parametrize(
    "around",
    [
        "{}",  # alone
        "tin: {}!",  # between punctuation and spaces
        "x,y,z,{},a,b,c",
        "-" * 60 + "{}" + "-" * 60,  # inside one long run without a space
        "dòng 1\n{}\tcuối",
        "{}" + " tin" * 8_000,  # too long to go chunk by chunk: one pass
    ],
)
def test_a_word_is_normalised_alike_wherever_it_stands(around: str) -> None:
    # Words are normalised chunk by chunk, common chunks from memory, long ones afresh:
    # the place of a word never changes what it becomes.
    written = around.format("Hoà ngonnnn quáaaa k đc 50k")
    expected = around.format("Hòa ngon quá k đc 50k")
    assert normalise(written) == expected.replace("\t", " ")
    matched = normalise_for_matching(written)
    assert "hòa ngon quá không được 50 nghìn" in matched
