"""Hostile input (empty, 1 MB, any Unicode, HTML) never makes a detector raise."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soitin.detect.catalog import PRODUCT
from soitin.detect.registry import DetectorSuite, load_detector
from soitin.detect.spans import SpanModel

HOSTILE = [
    "",
    " ",
    "\x00\x01\x02",
    "\ud800 lone surrogate",
    "a" * 1_000_000,
    "lừa đảo " * 150_000,
    "<script>alert('x')</script><img src=x onerror=alert(1)> &lt;b&gt; &#0; &amp;",
    "🤬" * 5000,
    "\u202e\u200b\ufeff RTL override",
    "𝕿𝖍𝖆̆𝖓𝖌 𝖓𝖌𝖚",
    "0" * 10_000,
    "http://" + "a" * 10_000 + ".com",
    "\n\n\t\r" * 1000,
]


def _check(results: list, n: int) -> None:  # type: ignore[type-arg]
    assert len(results) == n
    for r in results:
        assert 0.0 <= r.score <= 1.0
        assert abs(sum(r.probabilities.values()) - 1.0) < 1e-3
        r.to_dict()


def test_hostile_batch(small_models: Path) -> None:
    suite = DetectorSuite([load_detector(n, small_models) for n in PRODUCT])
    out = suite.score(HOSTILE)
    assert set(out) == set(PRODUCT)
    for results in out.values():
        _check(results, len(HOSTILE))
    spans = SpanModel.load(small_models / "vihos.npz")
    for text, offs in zip(HOSTILE, spans.offsets(HOSTILE), strict=True):
        assert all(0 <= o < len(text) for o in offs)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(max_size=400), min_size=1, max_size=4))
def test_any_unicode(small_models: Path, texts: list[str]) -> None:
    for name in ("toxicity", "scam"):
        _check(load_detector(name, small_models).score(texts), len(texts))
