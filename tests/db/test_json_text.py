"""JSON columns' text: orjson where it writes what `json` writes, `json` for the rest."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from soitin.db.engine import dumps_compact, loads_json

PLAIN = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize(
    "value",
    [
        {"toxicity": {"label": "hate", "score": 0.9731, "probabilities": {"clean": 0.0269}}},
        ["Quảng Trị", "44", "", '\u2028\x7f\n\t"\\/'],
        {"nested": [[1, 2], {"a": None, "b": True, "c": False}], "n": -0.0},
        [0.1, 1.5, 123456.789, -3, 2**62],
    ],
)
def test_same_text_as_json(value: object) -> None:
    assert dumps_compact(value) == PLAIN.encode(value)
    assert loads_json(dumps_compact(value)) == value


def test_what_orjson_cannot_write_goes_the_json_way() -> None:
    hostile = {"text": "x\ud800y"}  # a lone surrogate has no UTF-8 form: escaped
    assert dumps_compact(hostile) == '{"text":"x\\ud800y"}'
    assert loads_json(dumps_compact(hostile)) == hostile
    big = {"n": 2**70}
    assert loads_json(dumps_compact(big)) == big
    assert dumps_compact({1: "a"}) == '{"1":"a"}'  # keys as json writes them


def test_values_json_refuses_are_still_refused() -> None:
    @dataclass
    class Point:
        x: int

    for value in (datetime(2026, 1, 1, tzinfo=UTC), Point(1), {1, 2}):
        with pytest.raises(TypeError):
            dumps_compact(value)


def test_a_number_json_cannot_hold_is_written_as_null() -> None:
    assert dumps_compact({"score": float("nan"), "x": float("inf")}) == '{"score":null,"x":null}'
