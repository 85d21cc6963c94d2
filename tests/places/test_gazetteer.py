"""The shipped gazetteer: complete, small, and the same as the pinned package's data."""

from __future__ import annotations

from pathlib import Path

from soitin.places.build_data import GAZETTEER_FILE, build_table, serialise
from soitin.places.gazetteer import get_gazetteer, name_tokens, syllables

DATA = Path(GAZETTEER_FILE).parent


def test_all_units_are_there() -> None:
    gaz = get_gazetteer()
    assert len(gaz.provinces) == 34
    assert len(gaz.wards) == 3321
    assert len(gaz.legacy_provinces) == 63
    assert len(gaz.legacy_districts) == 696
    # 10,035 former communes plus the five island districts that had none
    assert (
        len(gaz.legacy_wards) + sum(1 for d in gaz.legacy_districts.values() if d.ward_codes)
        == 10040
    )
    assert all(len(code) == 2 for code in gaz.provinces)
    assert all(len(code) == 5 for code in gaz.wards)


def test_old_units_map_into_the_2025_map() -> None:
    gaz = get_gazetteer()
    assert gaz.legacy_provinces["44"].province_code == "44"  # Quảng Bình → Quảng Trị
    assert gaz.province_name("44") == "Tỉnh Quảng Trị"
    assert gaz.legacy_provinces["02"].province_code == "08"  # Hà Giang → Tuyên Quang
    for ward in gaz.legacy_wards.values():
        assert ward.province_code in gaz.provinces
        assert ward.ward_codes and all(code in gaz.wards for code in ward.ward_codes)
        assert gaz.wards[ward.ward_codes[0]].province_code == ward.province_code


def test_shipped_table_is_the_export_of_the_installed_package() -> None:
    assert serialise(build_table()) == GAZETTEER_FILE.read_bytes()


def test_shipped_data_is_small_and_licensed() -> None:
    assert GAZETTEER_FILE.stat().st_size < 300_000
    notice = (DATA / "NOTICE").read_text(encoding="utf-8")
    assert "MIT" in notice and "vietnamadminunits" in notice


def test_names_fold_to_tokens() -> None:
    assert name_tokens("Bà Rịa - Vũng Tàu") == ("ba", "ria", "vung", "tau")
    assert name_tokens("Phường 12") == ("phuong", "12")
    assert syllables("Hoà Bình") == ("hòa", "bình")


def test_names_that_are_ordinary_words_are_weak_at_every_level() -> None:
    index = get_gazetteer().index
    for word in ("bình định", "thái bình", "an giang", "tân lập", "đồng tâm", "quang minh"):
        key = " ".join(name_tokens(word))
        entries = [e for e in index[key] if e.unit and syllables(e.unit.name) == syllables(word)]
        assert entries and all(e.weak for e in entries), word


def test_organisation_names_are_indexed_as_non_places() -> None:
    index = get_gazetteer().index
    for key in ("sai gon thuong tin", "bia sai gon", "saigon co op", "ha noi milk"):
        assert [e.unit for e in index[key]] == [None], key
