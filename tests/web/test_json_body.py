"""The JSON body rewriter: lone surrogate escapes become U+FFFD, whatever the chunking."""

from __future__ import annotations

import json

import pytest

from soitin.web.json_body import SurrogateRewriter


@pytest.mark.parametrize(
    "body",
    [
        '"a\\ud800b"',
        '"\\ud83d\\ude00"',
        '"\\\\ud800"',
        '"\\\\\\ud800"',
        '"\\udc00\\ud800"',
        '"\\ud800\\ud800\\udc00"',
        '"x\\"\\ud800"',
        '"\\u00e9\\uD83D\\uDE00\\uDFFF"',
    ],
)
def test_rewriter_matches_json_semantics_at_every_chunk_split(body: str) -> None:
    expected = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in json.loads(body))
    raw = body.encode()
    for size in range(1, len(raw) + 1):
        rewriter = SurrogateRewriter()
        chunks = [raw[i : i + size] for i in range(0, len(raw), size)]
        out = b"".join(rewriter.feed(c, final=False) for c in chunks)
        out += rewriter.feed(b"", final=True)
        assert len(out) == len(raw), (size, out)
        assert json.loads(out) == expected, (size, out)
