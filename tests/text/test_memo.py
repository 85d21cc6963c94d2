"""ChunkMemo: answers of a chunk function, remembered within bounds."""

from __future__ import annotations

from soitin.text.memo import ChunkMemo


def test_short_chunks_are_remembered_long_ones_computed_each_time() -> None:
    calls: list[str] = []

    def upper(chunk: str) -> str:
        calls.append(chunk)
        return chunk.upper()

    memo = ChunkMemo(upper, max_chars=5, max_size=100)
    assert list(map(memo.__getitem__, ["ab", "ab", "abcdefg", "abcdefg"])) == [
        "AB",
        "AB",
        "ABCDEFG",
        "ABCDEFG",
    ]
    assert calls == ["ab", "abcdefg", "abcdefg"]
    assert set(memo) == {"ab"}


def test_a_full_memo_starts_afresh() -> None:
    memo = ChunkMemo(len, max_size=3)
    for word in ("a", "bb", "ccc", "dddd"):
        assert memo[word] == len(word)
    assert len(memo) <= 3
    assert memo == {"dddd": 4}
