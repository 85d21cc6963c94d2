"""Place tagging: current and former names, prefixes, abbreviations, context, non-places."""

from __future__ import annotations

import unicodedata

import pytest

from soitin.places.tagger import get_tagger, tag_places


def provinces(text: str) -> list[str]:
    return tag_places(text).province_codes


def wards(text: str) -> list[str]:
    return tag_places(text).ward_codes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mưa lớn ở Hà Nội", ["01"]),
        ("mua lon o ha noi", ["01"]),
        ("Giá nhà TP.HCM tăng", ["79"]),
        ("tphcm kẹt xe", ["79"]),
        ("HCM nóng quá", ["79"]),
        ("Sài Gòn mưa", ["79"]),
        ("SG mưa", ["79"]),
        ("HN mưa to", ["01"]),
        ("TT-Huế mưa", ["46"]),
        ("Daklak mùa cà phê", ["66"]),
        ("Thành phố Cần Thơ", ["92"]),
        ("tỉnh Cao Bằng", ["04"]),
    ],
)
def test_province_names_abbreviations_and_prefixes(text: str, expected: list[str]) -> None:
    assert provinces(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lũ ở Quảng Bình", ["44"]),  # Quảng Bình is part of Quảng Trị (44) since 2025
        ("Đồng Hới, Quảng Bình", ["44"]),  # a former district of it, too
        ("Người dân Hà Giang", ["08"]),
        ("Khu công nghiệp Bình Dương", ["79"]),
        ("Bà Rịa - Vũng Tàu", ["79"]),
        ("Kẹt xe ở Gò Vấp", ["79"]),
        ("Quận 7 có nhiều chung cư", ["79"]),
        ("TP Thanh Hóa mưa to", ["38"]),
    ],
)
def test_former_units_map_to_2025_provinces(text: str, expected: list[str]) -> None:
    assert provinces(text) == expected


def test_former_ward_maps_to_its_2025_ward_with_offsets() -> None:
    text = "Cháy nhà ở phường Bến Nghé, quận 1, TP.HCM"
    tags = tag_places(text)
    assert tags.province_codes == ["79"]
    assert tags.ward_codes == ["26740"]  # Phường Sài Gòn
    first = tags.mentions[0]
    assert (first.text, first.level, first.code) == ("phường Bến Nghé", "ward_legacy", "26740")
    assert text[first.start : first.end] == first.text
    assert [m.level for m in tags.mentions] == ["ward_legacy", "district_legacy", "province"]


def test_numbered_former_wards_need_their_district() -> None:
    assert wards("Ngập ở phường 12, quận Gò Vấp") != []
    assert tag_places("Phường 12 họp dân").province_codes == []


def test_special_zones() -> None:
    assert wards("Đặc khu Phú Quốc") == ["31078"]
    zone = tag_places("huyện Côn Đảo")
    assert zone.province_codes == ["79"] and zone.ward_codes == ["26732"]


def test_commune_names_found_in_several_provinces_need_context() -> None:
    assert tag_places("Xã Tân Phú bị ngập").province_codes == []
    tagged = tag_places("Xã Tân Phú, Đồng Nai bị ngập")
    assert tagged.province_codes == ["75"]
    assert len(tagged.ward_codes) == 1
    assert tag_places("Xã Tân Phú, tỉnh Tây Ninh").ward_codes != tagged.ward_codes
    assert tag_places("Huyện Châu Thành có mưa").province_codes == []
    assert provinces("Huyện Châu Thành, Tây Ninh") == ["80"]


def test_ambiguous_abbreviation_needs_city_prefix_or_context() -> None:
    assert provinces("hôm nay ĐN nắng đẹp") == []
    assert provinces("TP ĐN nắng đẹp") == ["48"]
    assert provinces("Ai ở ĐN không, mình ở phường Hải Châu") == ["48"]
    assert provinces("ĐN, Biên Hòa mưa lớn") == ["75"]


@pytest.mark.parametrize(
    "text",
    [
        "Chúng ta luôn mong muốn hòa bình.",
        "Thống nhất đất nước là khát vọng.",
        "Đảm bảo an ninh trật tự.",
        "Tàu đi qua Thái Bình Dương.",
        "Ông Nguyễn Thái Bình được bổ nhiệm.",
        "Chị Hà Giang chia sẻ.",
        "Đường Trần Phú cấm xe tải.",
        "Chủ tịch Hồ Chí Minh đọc Tuyên ngôn.",
        "Chợ Bến Thành mở cửa.",
        "hn đi học muộn",
        "Mua hoa huệ về cúng",
        "Hai đứa cao bằng nhau",
        "máy da nang giá rẻ",
        "Virus H1N1 lây lan",
        "Liên Hợp Quốc họp",
    ],
)
def test_words_that_merely_look_like_places(text: str) -> None:
    assert tag_places(text).mentions == []


def test_weak_names_are_places_with_a_cue() -> None:
    assert provinces("Quê tôi ở Thái Bình") == ["33"]
    assert provinces("Hà Nội, Thái Bình và Nam Định có mưa") == ["01", "33", "37"]
    assert provinces("Sáng nay tại TP Hồ Chí Minh") == ["79"]
    assert provinces("Về Hà Giang ngắm hoa") == ["08"]


def test_diacritics_must_agree_when_present() -> None:
    assert provinces("o hue co mon bun bo") == ["46"]
    assert provinces("Huế mộng mơ") == ["46"]
    assert provinces("Hoa huệ mộng mơ") == []


def test_decomposed_and_tone_variant_text_gives_the_same_places() -> None:
    text = "Lũ quét ở xã Mường Nhé, Điện Biên; mưa ở Thanh Hoá"
    nfd = unicodedata.normalize("NFD", text)
    assert tag_places(nfd).province_codes == tag_places(text).province_codes == ["11", "38"]
    assert tag_places(nfd).ward_codes == tag_places(text).ward_codes
    for mention in tag_places(nfd).mentions:
        assert nfd[mention.start : mention.end] == mention.text


def test_tagger_is_built_once() -> None:
    assert get_tagger() is get_tagger()


def test_empty_and_odd_input() -> None:
    assert tag_places("").mentions == []
    assert tag_places("😀 ### 123").mentions == []
    assert tag_places("\u0301\u0301 phường").mentions == []
