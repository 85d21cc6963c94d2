"""Diacritic-free folding."""

from __future__ import annotations

import unicodedata

from soitin.text.fold import fold_diacritics, fold_for_search, fold_item_text


def test_folds_vietnamese_letters_and_d_with_stroke() -> None:
    assert fold_diacritics("Đà Nẵng") == "da nang"
    assert fold_diacritics("ĐỒNG THÁP, Hậu Giang") == "dong thap, hau giang"
    assert fold_diacritics("Ưu đãi ơi") == "uu dai oi"


def test_nfc_nfd_and_tone_convention_fold_alike() -> None:
    text = "Hòa Bình khỏe, thúy"
    assert fold_diacritics(unicodedata.normalize("NFD", text)) == fold_diacritics(text)
    assert fold_diacritics("Hoà Bình khoẻ, thuý") == fold_diacritics(text)


def test_folding_keeps_length_for_precomposed_text() -> None:
    text = "Cháy lớn ở phường Bến Nghé"
    assert len(fold_diacritics(text)) == len(text)


def test_other_scripts_are_lower_cased_and_kept() -> None:
    assert fold_diacritics("Ñandú ΣΟΦΊΑ 東京") == "nandu σοφια 東京"


def test_search_form_expands_teencode_and_folds() -> None:
    assert fold_for_search("Ko đc ĐÂU") == fold_for_search("không được đâu") == "khong duoc dau"
    assert fold_for_search("hoà   bình") == "hoa binh"


def test_item_text_holds_title_and_text() -> None:
    assert fold_item_text("Cảnh báo", "Lừa đảo qua mạng") == "canh bao\nlua dao qua mang"
    assert fold_item_text(None, "Tin") == "tin"
    assert fold_item_text(None, None) == ""
