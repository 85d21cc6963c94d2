"""Validation of incoming items: dates (Vietnamese forms), counts, limits, clear reasons."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from soitin.ingest.dates import parse_datetime
from soitin.ingest.incoming import IncomingItem, describe_validation_error, parse_count

VN_0830 = datetime(2025, 5, 12, 1, 30, tzinfo=UTC)  # 08:30 in Hà Nội


@pytest.mark.parametrize(
    "text",
    [
        "12/05/2025 08:30",
        "12/5/2025 8:30",
        "08:30 12/05/2025",
        "Thứ hai, 12/5/2025, 08:30 (GMT+7)",
        "Thứ Hai, ngày 12 tháng 5 năm 2025 08:30",
        "12-05-2025 8h30",
        "12.05.2025 08:30 SA",
        "2025-05-12T08:30:00+07:00",
        "2025-05-12T01:30:00Z",
        "2025-05-12 08:30",
        "Mon, 12 May 2025 08:30:00 +0700",
        "Mon, 12 May 2025 01:30:00 GMT",
        "12/05/2025 01:30 GMT",
        "12 May 2025 08:30",
        "May 12, 2025 8:30 AM",
        "1747013400",
        "1747013400000",
    ],
)
def test_dates_in_the_forms_feeds_and_exports_use(text: str) -> None:
    assert parse_datetime(text) == VN_0830


def test_afternoon_and_dates_without_time() -> None:
    assert parse_datetime("12/05/2025 2:15 CH") == datetime(2025, 5, 12, 7, 15, tzinfo=UTC)
    assert parse_datetime("ngày 12 tháng 5, 2025") == datetime(2025, 5, 11, 17, 0, tzinfo=UTC)
    assert parse_datetime("") is None and parse_datetime(None) is None


@pytest.mark.parametrize(
    "text", ["hôm qua", "32/13/2025", "12/05", "abc", "30 Feb 2025", "Mon, 30 Feb 2025 08:30 GMT"]
)
def test_bad_dates_are_errors(text: str) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_datetime(text)


@pytest.mark.parametrize(
    ("value", "count"),
    [
        (12, 12),
        ("1.234", 1234),
        ("1,234", 1234),
        ("1,2K", 1200),
        ("3 N", 3000),
        ("1,5 triệu", 1_500_000),
        ("2.5M", 2_500_000),
        ("", 0),
        (None, 0),
        (7.0, 7),
    ],
)
def test_engagement_counts(value: object, count: int) -> None:
    assert parse_count(value) == count


@pytest.mark.parametrize("value", ["nhiều", "-3", True, "1" * 400 + "K", "9" * 5000])
def test_bad_counts(value: object) -> None:
    with pytest.raises(ValueError, match="count"):
        parse_count(value)


def _reasons(**values: object) -> list[str]:
    with pytest.raises(ValidationError) as info:
        IncomingItem.model_validate(values)
    return describe_validation_error(info.value)


def test_reasons_name_the_field_and_the_problem() -> None:
    assert _reasons() == ["the item has no text, title or url"]
    assert _reasons(text="a" * 5_000_000) == [
        "text: 5,000,000 characters long; the limit is 100,000"
    ]
    reasons = _reasons(text="x", url="javascript:alert(1)", likes="nhiều", txt="typo")
    assert any(r.startswith("url: ") and "http(s)" in r for r in reasons)
    assert any(r.startswith("likes: ") for r in reasons)
    assert any(r.startswith("txt: unknown field") for r in reasons)
    assert _reasons(text="x", published_at="31/02/2025")[0].startswith("published_at: ")


def test_relative_links_are_not_urls() -> None:
    assert any("absolute" in r for r in _reasons(text="x", url="/tin/123"))


def test_blank_values_are_missing_values() -> None:
    item = IncomingItem.model_validate({"text": "  x  ", "url": "", "author": " ", "likes": ""})
    assert (item.text, item.url, item.author, item.likes) == ("x", None, None, 0)
