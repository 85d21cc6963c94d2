"""Word segmentation (pyvi's bundled model; nothing is downloaded)."""

from __future__ import annotations

from soitin.text.segment import segment, segment_text


def test_words_are_found() -> None:
    words = segment("Tôi đang sống ở thành phố Hồ Chí Minh")
    assert "thành phố" in words
    assert "Hồ Chí Minh" in words
    assert segment_text("thành phố") == "thành_phố"


def test_empty_text() -> None:
    assert segment("") == []
    assert segment_text("   ") == ""
