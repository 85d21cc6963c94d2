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


@pytest.mark.parametrize(
    "text",
    [
        "Chính quyền quyết tâm bình định vùng biên.",
        "Lính Mỹ đi bình định nông thôn",
        "Cả nhà sống thái bình, an giang hồ.",
    ],
)
def test_province_and_commune_names_that_are_ordinary_words_need_a_prefix(text: str) -> None:
    assert tag_places(text).mentions == []


def test_ordinary_word_names_still_tag_in_title_case_or_after_a_prefix() -> None:
    assert provinces("Lũ lớn ở Bình Định") == ["52"]
    assert provinces("Bình Định mưa lớn") == ["52"]
    assert provinces("Người dân tỉnh bình định") == ["52"]
    assert provinces("An Giang vào mùa nước nổi") == ["91"]
    assert provinces("mua lon o an giang") == ["91"]
    assert wards("Xã Đồng Tâm, huyện Mỹ Đức, Hà Nội") != []


@pytest.mark.parametrize(
    "text",
    [
        "Cô ấy tên là Kiều Bắc Giang.",
        "Mẹ tôi tên là Khánh Hòa.",
        "Em Kiều Bắc Giang học lớp 5.",
        "Nghệ danh là Hà Giang.",
    ],
)
def test_a_name_after_a_person_cue_and_given_names_is_not_a_place(text: str) -> None:
    assert tag_places(text).mentions == []


def test_place_words_before_a_name_are_not_taken_for_a_persons_names() -> None:
    assert provinces("Cô Tô Quảng Ninh đẹp lắm") == ["22"]
    assert provinces("Anh Sơn Nghệ An mưa to") == ["40"]
    assert provinces("Chị Lan ở Bắc Giang") == ["24"]


@pytest.mark.parametrize(
    "text",
    [
        "Ngân hàng Sài Gòn Thương Tín báo lãi",
        "Ngân hàng TMCP Sài Gòn Thương Tín (Sacombank)",
        "Uống Bia Sài Gòn",
        "Khuyến mãi ở Saigon Co.op",
        "Công ty Sài Gòn Tourist",
        "Bia Hà Nội tăng giá",
        "Sữa Hà Nội Milk",
        "Báo Sài Gòn Giải Phóng đưa tin",
    ],
)
def test_organisation_names_holding_a_place_name_are_not_places(text: str) -> None:
    assert tag_places(text).mentions == []


def test_places_beside_organisation_names_still_tag() -> None:
    assert provinces("Saigon Co.op mở cửa hàng ở Hà Nội") == ["01"]
    assert provinces("Hà Nội mới có mưa") == ["01"]
    assert provinces("Xe khách Sài Gòn - Hà Nội") == ["01", "79"]
    assert provinces("Ở Sài Gòn. Bia Hà Nội thì ở Hà Nội") == ["01", "79"]


def test_a_named_province_decides_an_ambiguous_commune() -> None:
    tags = tag_places("Người dân xã Tam Thanh, huyện Tân Phú, tỉnh Đồng Nai.")
    assert tags.province_codes == ["75"]  # not also 38: the Tam Thanh of Thanh Hóa
    assert tags.ward_codes == []
    assert wards("xã Tam Thanh, Thanh Hóa") == ["15007"]


def test_diacritics_agree_for_names_written_without_tone_marks() -> None:
    # in a text with diacritics "Tam Thanh" is not the former commune Tam Thành (20365)
    tags = tag_places("xã Tam Thanh, huyện Phú Ninh")
    assert "20365" not in [m.legacy_code for m in tags.mentions]
    assert tags.ward_codes != ["20380"]
    assert wards("xã Tam Thành, huyện Phú Ninh") == ["20380"]
    # one unit spelt two ways by the 2025 and the older lists still matches either way
    assert provinces("Đường vào Mù Cang Chải sạt lở") == provinces("Mù Căng Chải") == ["15"]
