"""SSRF URLs of the corpus against SafeClient, and property tests of the input parsers."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soitin.errors import InvalidInputError
from soitin.ingest.dates import parse_datetime
from soitin.ingest.feeds import FeedError, parse_feed
from soitin.ingest.fetch import FetchError, SafeClient
from soitin.ingest.incoming import parse_count
from soitin.ingest.sources import check_feed_url
from soitin.report.safe_cell import FORMULA_PREFIXES, neutralise
from tests.hostile.corpus import SSRF_URLS

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("url", SSRF_URLS)
def test_every_ssrf_url_is_refused_before_connecting(url: str) -> None:
    with SafeClient(allowlist="", resolver=lambda host: ["127.0.0.1"]) as client:
        with pytest.raises(FetchError):
            client.get(url)


@pytest.mark.parametrize("url", SSRF_URLS)
def test_no_source_can_be_added_with_an_ssrf_url(url: str) -> None:
    """Adding or changing a feed refuses them too, with a clear message (sources page, API,
    CLI), before any fetch would."""
    with pytest.raises(InvalidInputError):
        check_feed_url(url, allowlist="")


@FAST
@given(st.one_of(st.text(max_size=60), st.integers(), st.floats(), st.none(), st.booleans()))
def test_parse_datetime_gives_aware_utc_or_value_error(value: object) -> None:
    try:
        moment = parse_datetime(value)
    except ValueError:
        return
    assert moment is None or moment.utcoffset() is not None


@FAST
@given(st.one_of(st.text(max_size=30), st.integers(), st.floats(), st.none()))
def test_parse_count_gives_a_non_negative_int_or_value_error(value: object) -> None:
    try:
        count = parse_count(value)
    except ValueError:
        return
    assert isinstance(count, int) and count >= 0


@FAST
@given(
    st.one_of(
        st.binary(max_size=400),
        st.text(max_size=200).map(
            lambda t: f"<rss><channel><item><title>{t}</title></item></channel></rss>".encode()
        ),
    )
)
def test_parse_feed_gives_a_feed_or_feed_error(content: bytes) -> None:
    try:
        parsed = parse_feed(content, "https://tin.example/rss")
    except FeedError:
        return
    assert parsed is not None


@FAST
@given(st.text(max_size=40))
def test_neutralised_text_never_starts_a_formula(text: str) -> None:
    cell = neutralise(text)
    assert isinstance(cell, str)
    assert not cell.startswith(FORMULA_PREFIXES)
    assert cell in (text, "'" + text)
